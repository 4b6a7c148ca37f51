/**
 * Ready-to-paste settings for the clients a router can run: the project's sh client, or the
 * dyndns2 clients built into router firmware and Linux distributions (docs/architecture.md "HTTP API").
 * The secret is whatever the caller passes: the real one only when the operator supplied it.
 */
import { displayHostname } from "../core/hostname.js";
import type { HostConfig } from "../core/hosts.js";
import { RefusedError } from "./errors.js";

export const CLIENT_FORMATS = [
  "sh",
  "ddclient",
  "inadyn",
  "ddwrt",
  "openwrt",
  "fritzbox",
  "pfsense",
  "opnsense",
  "synology",
  "asuswrt",
  "mikrotik",
  "unifi",
] as const;
export type ClientFormat = (typeof CLIENT_FORMATS)[number];

/** Where the printed ddclient command keeps its cache (`-cache`), apart from ddclient's global one. */
export const DDCLIENT_CACHE = "/var/cache/ddclient/route53-ddns.cache";

/** Stands in for the secret, which only `ddns host add` and `ddns host rotate` ever show. */
export const SECRET_PLACEHOLDER = "PASTE-THE-SECRET-FROM-ddns-host-add-OR-rotate";

interface Endpoint {
  readonly https: boolean;
  /** host[:port], as dyndns2 clients want their server. */
  readonly server: string;
  /** The API's base path without the trailing slash ("" for the default stage). */
  readonly basePath: string;
  /** The base URL without the trailing slash. */
  readonly base: string;
}

function endpointOf(apiUrl: string): Endpoint {
  const url = new URL(apiUrl);
  const basePath = url.pathname.replace(/\/+$/, "");
  return { https: url.protocol === "https:", server: url.host, basePath, base: `${url.origin}${basePath}` };
}

/** The one-line command that `host add` and `host rotate` print. */
export function shClientCommand(host: HostConfig, apiUrl: string, secret: string): string {
  return `DDNS_SECRET='${secret}' sh client/ddns-client.sh -u ${endpointOf(apiUrl).base}/ -h ${displayHostname(host.fqdn)}`;
}

export function renderClientConfig(
  format: ClientFormat,
  host: HostConfig,
  apiUrl: string,
  secret: string,
): string {
  const endpoint = endpointOf(apiUrl);
  if (format === "sh") return shConfig(host, endpoint, secret);
  if (!host.allowDyndns2) {
    throw new RefusedError(
      `${displayHostname(host.fqdn)} does not accept dyndns2 clients (allow_dyndns2 is not set), which the ${format} format uses. Use --format sh, or allow them with 'ddns host set ${displayHostname(host.fqdn)} --dyndns2 on'.`,
    );
  }
  return RENDERERS[format](host, endpoint, secret);
}

function shConfig(host: HostConfig, endpoint: Endpoint, secret: string): string {
  // A single-family host must not be updated over the other family (403); a dual-stack host takes
  // the client's default: whichever family connects.
  const family =
    host.recordTypes.length === 1 ? `DDNS_FAMILY='${host.recordTypes[0] === "AAAA" ? 6 : 4}'\n` : "";
  return `# ${displayHostname(host.fqdn)} — settings for client/ddns-client.sh (route53-ddns).
# Save as /etc/ddns-client.conf (chmod 600) and run from cron, e.g. every 5 minutes:
#   */5 * * * * mkdir -p -m 700 /tmp/ddns && sh /usr/local/bin/ddns-client.sh -c /etc/ddns-client.conf -C /tmp/ddns/cache -q
# (the cache belongs in a directory only the client's user can write: see client/README.md)
DDNS_URL='${endpoint.base}/'
DDNS_HOSTNAME='${displayHostname(host.fqdn)}'
DDNS_SECRET='${secret}'
${family}`;
}

const RENDERERS: Record<
  Exclude<ClientFormat, "sh">,
  (host: HostConfig, endpoint: Endpoint, secret: string) => string
> = {
  ddclient: (
    host,
    endpoint,
    secret,
  ) => `# ${displayHostname(host.fqdn)} — /etc/ddclient.conf for ddclient 3.10 or later (route53-ddns).
# The address comes from the API's /checkip (ddclient 3.11 also takes usev4=webv4, webv4=…).
# Run it with a cache file of this deployment's own: ddclient skips an update its cache says it made,
# so a cache from another (or a rebuilt) deployment reports success and changes nothing:
#   ddclient -file /etc/ddclient.conf -cache ${DDCLIENT_CACHE}
protocol=dyndns2
use=web, web=${endpoint.base}/checkip
server=${endpoint.server}
${endpoint.basePath ? `script=${endpoint.basePath}/nic/update\n` : ""}ssl=${endpoint.https ? "yes" : "no"}
login=${host.username}
password='${secret}'
${displayHostname(host.fqdn)}
`,
  inadyn: (
    host,
    endpoint,
    secret,
  ) => `# ${displayHostname(host.fqdn)} — inadyn.conf for inadyn 2.x (route53-ddns).
period = 300
custom route53-ddns {
    ssl            = ${endpoint.https}
    username       = "${host.username}"
    password       = "${secret}"
    checkip-server = ${endpoint.server}
    checkip-path   = "${endpoint.basePath}/checkip"
    checkip-ssl    = ${endpoint.https}
    ddns-server    = ${endpoint.server}
    ddns-path      = "${endpoint.basePath}/nic/update?hostname=%h&myip=%i"
    hostname       = "${displayHostname(host.fqdn)}"
}
`,
  ddwrt: (
    host,
    endpoint,
    secret,
  ) => `# ${displayHostname(host.fqdn)} — DD-WRT: Setup → DDNS (older builds: Services → Services → Dynamic DNS), route53-ddns.
DDNS Service:            Custom
DYNDNS Server:           ${endpoint.server}
User Name:               ${host.username}
Password:                ${secret}
Host Name:               ${displayHostname(host.fqdn)}
URL:                     ${endpoint.basePath}/nic/update?hostname=%h&myip=%i
Additional DDNS Options: ${endpoint.https ? "--ssl (if the build has no 'Use SSL' switch)" : ""}
Use External IP Check:   Yes
Force Update Interval:   10
# inadyn 1.x builds do not expand %h/%i: set URL to ${endpoint.basePath}/nic/update?hostname= there.
`,
  openwrt: (
    host,
    endpoint,
    secret,
  ) => `# ${displayHostname(host.fqdn)} — OpenWrt ddns-scripts: add to /etc/config/ddns, then /etc/init.d/ddns restart (route53-ddns).
config service 'route53_ddns'
	option enabled '1'
	option lookup_host '${displayHostname(host.fqdn)}'
	option domain '${displayHostname(host.fqdn)}'
	option username '${host.username}'
	option password '${secret}'
	option update_url '${endpoint.https ? "https" : "http"}://[USERNAME]:[PASSWORD]@${endpoint.server}${endpoint.basePath}/nic/update?hostname=[DOMAIN]&myip=[IP]'
	option use_https '${endpoint.https ? 1 : 0}'
	option cacert '/etc/ssl/certs'
	option ip_source 'web'
	option ip_url '${endpoint.base}/checkip'
	option interface 'wan'
	option use_ipv6 '0'
`,
  fritzbox: (host, endpoint, secret) => {
    // The box fills in its placeholders itself; <pass> stays out of the URL (it sends Basic auth).
    const myip = host.recordTypes.map((type) => (type === "A" ? "<ipaddr>" : "<ip6addr>")).join(",");
    const lan = host.lan ? "&ip6lanprefix=<ip6lanprefix>" : "";
    const notes = [
      host.recordTypes.length > 1 && !host.allowClientIp
        ? `# The box sends both addresses in one request over one family: run 'ddns host set ${displayHostname(host.fqdn)} --allow-client-ip on', or it answers 'abuse'.`
        : "",
      host.lan
        ? `# <ip6lanprefix> moves the LAN names below ${displayHostname(host.fqdn)}: ${host.lan.devices.map((device) => displayHostname(device.fqdn)).join(", ")} (ddns host lan list ${displayHostname(host.fqdn)}).`
        : "# This host has no ipv6_lan_hosts, so the URL leaves out ip6lanprefix (the server would refuse it).",
    ].filter(Boolean);
    return `# ${displayHostname(host.fqdn)} — AVM FRITZ!Box: Internet → Permit Access → DynDNS (Internet → Freigaben → DynDNS), route53-ddns.
Use DynDNS:              on
DynDNS provider:         User-defined (Benutzerdefiniert)
Update URL:              ${endpoint.base}/nic/update?hostname=<domain>&myip=${myip}${lan}
Domain name:             ${displayHostname(host.fqdn)}
User name:               ${host.username}
Password:                ${secret}
# Type the URL exactly as shown: the box replaces <domain>, <ipaddr>, <ip6addr>${host.lan ? " and <ip6lanprefix>" : ""} (an empty one is fine).
${notes.join("\n")}
`;
  },
  pfsense: (host, endpoint, secret) => {
    // pfSense's Custom service (src/etc/inc/dyndns.class): curl with CURLAUTH_ANY sends the user name and
    // password only after a 401 that asks for Basic, fills in %IP% itself, and counts the update a
    // success only when the trimmed reply equals one of the `|`-separated Result Match strings.
    const entries = host.recordTypes.map((type) =>
      [
        `Service Type:            ${type === "A" ? "Custom" : "Custom (v6)"}`,
        "Interface to monitor:    WAN",
        `Username:                ${host.username}`,
        `Password:                ${secret}`,
        `Update URL:              ${endpoint.base}/nic/update?hostname=${displayHostname(host.fqdn)}&myip=%IP%`,
        "Result Match:            good %IP%|nochg %IP%",
        `Description:             ${displayHostname(host.fqdn)} ${type}`,
      ].join("\n"),
    );
    return `# ${displayHostname(host.fqdn)} — pfSense: Services → Dynamic DNS → Dynamic DNS Clients → Add (route53-ddns).
${entries.join("\n# … and a second client with:\n")}
# Result Match is compared with the whole reply, so it names both answers that mean success.
`;
  },
  opnsense: (host, endpoint, secret) => {
    // os-ddclient's native backend (dns/ddclient/…/lib/account/dyndns2.py): GET <server>/nic/update with
    // preemptive Basic auth and any 2xx as success, so a `nohost` line would read as success: the
    // hostname must be exactly this one.
    const server = `${endpoint.server}${endpoint.basePath}`;
    return `# ${displayHostname(host.fqdn)} — OPNsense (os-ddclient, backend "native"): Services → Dynamic DNS → Accounts → Add (route53-ddns).
Service:                 Custom
Protocol:                DynDNS2
Server:                  ${server}
Username:                ${host.username}
Password:                ${secret}
Hostname(s):             ${displayHostname(host.fqdn)}
Check ip method:         Interface (WAN)${host.recordTypes.includes("AAAA") ? ", or Interface [IPv6] (WAN) in a second account for AAAA" : ""}
Force SSL:               ${endpoint.https ? "on" : "off"}
Wildcard:                ${host.wildcard ? "on (this host's *.name follows it anyway)" : "off (this host has no wildcard)"}
`;
  },
  synology: (host, endpoint, secret) => {
    // DSM's "Customize Provider" fills __USERNAME__, __PASSWORD__, __HOSTNAME__ and __MYIP__ into one
    // query URL; the credentials travel as the URL's user info, which the fetcher sends as Basic auth.
    const url = `${endpoint.https ? "https" : "http"}://__USERNAME__:__PASSWORD__@${endpoint.server}${endpoint.basePath}/nic/update?hostname=__HOSTNAME__&myip=__MYIP__`;
    return `# ${displayHostname(host.fqdn)} — Synology DSM: Control Panel → External Access → DDNS → Customize Provider, then Add (route53-ddns).
Service provider:        route53-ddns
Query URL:               ${url}
# … then Add with that provider:
Hostname:                ${displayHostname(host.fqdn)}
Username/Email:          ${host.username}
Password/Key:            ${secret}
External address (IPv4): Auto
# DSM reads the dyndns2 reply: good/nochg is Normal, badauth an authentication failure.
`;
  },
  asuswrt: (host, endpoint, secret) => {
    // ASUSWRT-Merlin runs /jffs/scripts/ddns-start with the WAN address as $1 and waits for
    // /sbin/ddns_custom_updated 1|0. The script leaves myip out: behind another NAT, $1 is not the
    // public address, and the API uses the one it sees. The secret goes to curl on stdin, not argv.
    const name = displayHostname(host.fqdn);
    return `#!/bin/sh
# /jffs/scripts/ddns-start — ${name}, route53-ddns, for ASUSWRT-Merlin: WAN → DDNS, Server "Custom".
# Save it with chmod 700 (it holds the secret) and enable JFFS custom scripts (Administration → System).
user='${host.username}'
secret='${secret}'
answer=$(printf 'user = "%s:%s"\\n' "$user" "$secret" |
  curl -fsS --max-time 30 -K - '${endpoint.base}/nic/update?hostname=${name}' 2>&1)
case $answer in
  'good '* | 'nochg '*) /sbin/ddns_custom_updated 1 ;;
  *)
    logger -t ddns-start "${name}: update failed: \${answer:-no answer}"
    /sbin/ddns_custom_updated 0
    ;;
esac
`;
  },
  mikrotik: (host, endpoint, secret) => {
    // RouterOS /tool fetch: HTTP auth from user= and password=, the reply in ($result->"data") with
    // output=user as-value; check-certificate, or fetch does not verify the API's certificate.
    const name = displayHostname(host.fqdn);
    const tls = endpoint.https ? ' check-certificate="yes-without-crl"' : "";
    return `# ${name} — MikroTik RouterOS 7: System → Scripts → Add (name route53-ddns), then a scheduler (route53-ddns).
# Paste into the terminal:
/system script add name=route53-ddns policy=read,write,test source={
  :do {
    :local result [/tool fetch url="${endpoint.base}/nic/update?hostname=${name}" user="${host.username}" password="${secret}"${tls} output=user as-value]
    :local reply ($result->"data")
    :if (([:pick $reply 0 5] = "good ") || ([:pick $reply 0 6] = "nochg ")) do={
      :log info "route53-ddns: ${name} $reply"
    } else={
      :log error "route53-ddns: ${name} $reply"
    }
  } on-error={ :log error "route53-ddns: ${name}: the update request failed" }
}
/system scheduler add name=route53-ddns interval=5m start-time=startup on-event=route53-ddns
# The API uses the address it sees (no myip=), so the script works behind another NAT too.
# fetch checks the API's certificate: if it reports a certificate error, import the API's CA (/certificate import).
`;
  },
  unifi: (host, endpoint, secret) => {
    // UniFi writes an inadyn "custom" provider from these fields: the Server's host becomes
    // ddns-server and the rest ddns-path, %h is the hostname, and inadyn sends Basic auth.
    const name = displayHostname(host.fqdn);
    return `# ${name} — UniFi Network: Settings → Internet → (WAN) → Dynamic DNS → Create New (route53-ddns).
Service:                 custom
Hostname:                ${name}
Username:                ${host.username}
Password:                ${secret}
Server:                  ${endpoint.server}${endpoint.basePath}/nic/update?hostname=%h
# No &myip=%i: UniFi would send its WAN interface's address, which behind another NAT is not the public one.
${endpoint.https ? "" : "# This API URL is plain http; UniFi's inadyn uses https: give the API an https URL.\n"}`;
  },
};
