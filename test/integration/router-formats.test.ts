/**
 * `ddns client-config HOST --format pfsense|opnsense|synology|asuswrt|mikrotik|unifi` against the local API (src/local/server.ts
 * over the function's real adapters and moto): each test types what the printout says into a replay of
 * the request as that firmware builds it, and applies the firmware's own success check. The firmware's
 * source or manual is cited at each replay; what the firmware does beyond that (its UI, its scheduler)
 * is not tested here.
 */
import { execFile } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderClientConfig } from "../../src/admin/client-config.js";
import { createApp } from "../../src/app.js";
import { createAwsBackends } from "../../src/aws.js";
import { parseConfigDocument } from "../../src/config/schema.js";
import type { HostConfig } from "../../src/core/hosts.js";
import { type LocalApi, startLocalApi } from "../../src/local/server.js";
import { readSettings } from "../../src/settings.js";
import { type AwsFixture, createAwsFixture } from "../support/aws-fixture.js";
import { deployedEnvironment } from "../support/deployment.js";
import { type MotoServer, startMoto } from "../support/moto.js";

const SECRET = "router-formats-secret-0123456789abcdef_-";
/** The local API sees every request from loopback: that is "the router's WAN address" here. */
const WAN = "127.0.0.1";
const NAMES = {
  pfsense: "pfsense",
  opnsense: "opnsense",
  synology: "synology",
  asuswrt: "asuswrt",
  mikrotik: "mikrotik",
  unifi: "unifi",
} as const;
type Format = keyof typeof NAMES;

/** The value printed after `Label:` in a client-config printout: what the operator types into that field. */
function field(printout: string, label: string): string {
  const line = printout.split("\n").find((text) => text.startsWith(`${label}:`));
  if (line === undefined) throw new Error(`the printout has no ${label} field:\n${printout}`);
  return line.slice(label.length + 1).trim();
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe("router and NAS custom providers, replayed as the firmware sends them", () => {
  let moto: MotoServer;
  let aws: AwsFixture;
  let api: LocalApi;
  let hosts: Map<string, HostConfig>;
  const savedEnv = { ...process.env };

  const fqdn = (name: string) => `${name}.dyn.example.com`;

  beforeAll(async () => {
    moto = await startMoto();
    aws = await createAwsFixture(moto.url);
    const entry = { route_53_zone_id: aws.zoneId, shared_secret: SECRET, allow_dyndns2: true };
    const document = Object.fromEntries(Object.values(NAMES).map((name) => [`${fqdn(name)}.`, entry]));
    await aws.putConfig(document);
    const parsed = parseConfigDocument(document).hosts;
    hosts = new Map(Object.values(NAMES).map((name) => [name, parsed.find(fqdn(name)) as HostConfig]));
    Object.assign(process.env, deployedEnvironment(moto.url, { bucket: aws.bucket }));
    const backends = createAwsBackends(readSettings(process.env), () => {});
    const app = createApp({ backends: async () => backends, log: () => {} });
    api = await startLocalApi((event, context) => app(event, context.awsRequestId), ["127.0.0.1"], 0);
  });

  afterAll(async () => {
    process.env = savedEnv;
    await api?.close();
    await moto?.stop();
  });

  const printout = (format: Format) =>
    renderClientConfig(format, hosts.get(NAMES[format]) as HostConfig, `${api.urls[0]}/`, SECRET);

  /**
   * pfSense 2.x, src/etc/inc/dyndns.class, `_update()` case 'custom': %IP% in the Update URL becomes the
   * address; with a user name curl is set to CURLAUTH_ANY, so it sends no credentials until a 401 names
   * Basic. `_checkStatus()` case 'custom': %IP% in Result Match becomes the address, and the trimmed
   * reply must equal one of its `|`-separated alternatives.
   */
  async function pfSenseUpdate(text: string) {
    const url = field(text, "Update URL").replaceAll("%IP%", WAN);
    const headers = { "user-agent": "phpDynDNS/0.7" };
    const probe = await fetch(url, { headers });
    const challenge = probe.headers.get("www-authenticate") ?? "";
    await probe.text();
    if (probe.status !== 401 || !/^Basic\b/i.test(challenge)) return { probe, success: false, reply: "" };
    const answer = await fetch(url, {
      headers: { ...headers, authorization: basic(field(text, "Username"), field(text, "Password")) },
    });
    const reply = (await answer.text()).trim();
    const alternatives = field(text, "Result Match").replaceAll("%IP%", WAN).split("|");
    return { probe, success: alternatives.includes(reply), reply };
  }

  it("pfSense Custom: the challenge, then Basic; Result Match accepts good and nochg", async () => {
    // prepare
    const text = printout("pfsense");
    // act
    const first = await pfSenseUpdate(text);
    const again = await pfSenseUpdate(text);
    // assess
    expect(first.probe.status).toBe(401);
    expect(first).toMatchObject({ success: true, reply: `good ${WAN}` });
    expect(again).toMatchObject({ success: true, reply: `nochg ${WAN}` });
    expect((await aws.recordValues(`${fqdn(NAMES.pfsense)}.`, "A")).values).toEqual([WAN]);
  });

  it("pfSense Custom: a wrong password fails its Result Match and changes nothing", async () => {
    // prepare
    const text = printout("pfsense").replace(`Password:                ${SECRET}`, "Password: wrong");
    await aws.setRecord(`${fqdn(NAMES.pfsense)}.`, "A", "198.51.100.1");
    // act
    const result = await pfSenseUpdate(text);
    // assess
    expect(result.success).toBe(false);
    expect((await aws.recordValues(`${fqdn(NAMES.pfsense)}.`, "A")).values).toEqual(["198.51.100.1"]);
  });

  /**
   * OPNsense os-ddclient, native backend, dns/ddclient/src/opnsense/scripts/ddclient/lib/account/dyndns2.py
   * (`execute()`, protocol DynDNS2): requests.get(f"{http|https}://{server}/nic/update", params hostname,
   * myip, system=dyndns, wildcard=ON|NOCHG, HTTPBasicAuth (preemptive), User-Agent OPNsense-dyndns);
   * any 2xx status is success.
   */
  async function opnSenseUpdate(text: string, wildcard: "ON" | "NOCHG") {
    const scheme = field(text, "Force SSL") === "on" ? "https" : "http";
    const url = new URL(`${scheme}://${field(text, "Server")}/nic/update`);
    url.search = new URLSearchParams({
      hostname: field(text, "Hostname(s)"),
      myip: WAN,
      system: "dyndns",
      wildcard,
    }).toString();
    const answer = await fetch(url, {
      headers: {
        "user-agent": "OPNsense-dyndns",
        authorization: basic(field(text, "Username"), field(text, "Password")),
      },
    });
    const reply = await answer.text();
    return { success: answer.status >= 200 && answer.status < 300, reply: reply.trim() };
  }

  it("OPNsense native DynDNS2: preemptive Basic with system= and wildcard= succeeds (2xx)", async () => {
    // prepare
    const text = printout("opnsense");
    // act
    const first = await opnSenseUpdate(text, "NOCHG");
    const again = await opnSenseUpdate(text, "ON");
    const wrong = await opnSenseUpdate(text.replace(SECRET, "wrong"), "NOCHG");
    // assess
    expect(first).toEqual({ success: true, reply: `good ${WAN}` });
    expect(again).toEqual({ success: true, reply: `nochg ${WAN}` });
    expect(wrong.success).toBe(false);
    expect((await aws.recordValues(`${fqdn(NAMES.opnsense)}.`, "A")).values).toEqual([WAN]);
  });

  /**
   * Synology DSM, Control Panel → External Access → DDNS → Customize Provider (DSM help, "DDNS"): the Query
   * URL's __USERNAME__, __PASSWORD__, __HOSTNAME__ and __MYIP__ are replaced with the entry's fields and
   * the address; the URL is fetched with GET, its user info sent as Basic auth (as curl does with
   * credentials in a URL); dyndns2 replies good/nochg mean success.
   */
  it("Synology Customize Provider: the placeholders filled in, user info as Basic, good then nochg", async () => {
    // prepare
    const text = printout("synology");
    const filled = new URL(
      field(text, "Query URL")
        .replace("__USERNAME__", encodeURIComponent(field(text, "Username/Email")))
        .replace("__PASSWORD__", encodeURIComponent(field(text, "Password/Key")))
        .replace("__HOSTNAME__", field(text, "Hostname"))
        .replace("__MYIP__", WAN),
    );
    const authorization = basic(decodeURIComponent(filled.username), decodeURIComponent(filled.password));
    filled.username = "";
    filled.password = "";
    // act
    const replies: string[] = [];
    for (let run = 0; run < 2; run++) {
      const answer = await fetch(filled, { headers: { authorization } });
      replies.push(`${answer.status} ${(await answer.text()).trim()}`);
    }
    // assess
    expect(replies).toEqual([`200 good ${WAN}`, `200 nochg ${WAN}`]);
    expect((await aws.recordValues(`${fqdn(NAMES.synology)}.`, "A")).values).toEqual([WAN]);
  });

  /**
   * ASUSWRT-Merlin (wiki "Custom DDNS"): with Server "Custom" the firmware runs /jffs/scripts/ddns-start
   * with the WAN address as $1 and takes /sbin/ddns_custom_updated 1 as success, 0 as failure. The
   * script runs here as printed, under dash and BusyBox sh, with the real curl, `ddns_custom_updated`
   * and `logger` stand-ins that note their arguments, and a CGNAT address as $1.
   */
  it.each(["dash", "busybox sh"])(
    "ASUSWRT-Merlin ddns-start under %s: 1 on good and nochg, 0 on a wrong secret",
    async (shell) => {
      // prepare
      const dir = await mkdtemp(join(tmpdir(), "ddns-start-"));
      const noted = join(dir, "noted");
      for (const tool of ["ddns_custom_updated", "logger"]) {
        await writeFile(join(dir, tool), `#!/bin/sh\nprintf '${tool} %s\\n' "$*" >>'${noted}'\n`);
        await chmod(join(dir, tool), 0o755);
      }
      const script = (secret: string) =>
        renderClientConfig(
          "asuswrt",
          hosts.get(NAMES.asuswrt) as HostConfig,
          `${api.urls[0]}/`,
          secret,
        ).replaceAll("/sbin/ddns_custom_updated", join(dir, "ddns_custom_updated"));
      await writeFile(join(dir, "ddns-start"), script(SECRET));
      await writeFile(join(dir, "wrong-start"), script("not-the-secret"));
      const [command, ...args] = shell.split(" ") as [string, ...string[]];
      const run = (file: string) =>
        promisify(execFile)(command, [...args, join(dir, file), "100.64.7.8"], {
          env: { PATH: `${dir}:${process.env.PATH}` },
        });
      try {
        // act
        await run("ddns-start");
        await run("ddns-start");
        await run("wrong-start");
        // assess
        const lines = (await readFile(noted, "utf8")).trimEnd().split("\n");
        expect(lines.slice(0, 2)).toEqual(["ddns_custom_updated 1", "ddns_custom_updated 1"]);
        expect(lines[2]).toMatch(/^logger -t ddns-start asuswrt\.dyn\.example\.com: update failed: /);
        expect(lines[3]).toBe("ddns_custom_updated 0");
        expect(lines.join("\n")).not.toContain(SECRET);
        expect((await aws.recordValues(`${fqdn(NAMES.asuswrt)}.`, "A")).values).toEqual([WAN]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  /**
   * MikroTik RouterOS 7, manual page "Fetch" (help.mikrotik.com, Tools → Fetch): `/tool fetch url=… user=…
   * password=…` authenticates with HTTP auth (answering the server's Basic challenge) and, with
   * `output=user as-value`, hands the body to the script as ($result->"data"); the printed script counts
   * a reply that starts with `good ` or `nochg ` as success.
   */
  it("MikroTik /tool fetch: url, user and password as printed; the script's own success check", async () => {
    // prepare
    const text = printout("mikrotik");
    const fetchLine = /\/tool fetch url="([^"]+)" user="([^"]+)" password="([^"]+)"/.exec(text);
    expect(fetchLine, text).not.toBeNull();
    const [, url = "", user = "", password = ""] = fetchLine ?? [];
    expect(text).toContain('([:pick $reply 0 5] = "good ") || ([:pick $reply 0 6] = "nochg ")');
    const scriptSuccess = (reply: string) => reply.startsWith("good ") || reply.startsWith("nochg ");
    const fetchOnce = async () => {
      const probe = await fetch(url);
      await probe.text();
      expect(probe.status).toBe(401);
      expect(probe.headers.get("www-authenticate")).toMatch(/^Basic/);
      const answer = await fetch(url, { headers: { authorization: basic(user, password) } });
      return answer.text();
    };
    // act
    const replies = [await fetchOnce(), await fetchOnce()];
    // assess
    expect(replies).toEqual([`good ${WAN}\n`, `nochg ${WAN}\n`]);
    expect(replies.every(scriptSuccess)).toBe(true);
    expect((await aws.recordValues(`${fqdn(NAMES.mikrotik)}.`, "A")).values).toEqual([WAN]);
  });

  /**
   * UniFi Network's "custom" Dynamic DNS runs inadyn's custom provider (inadyn.conf(5), "custom"):
   * UniFi splits Server into ddns-server (the host) and ddns-path (the rest), inadyn replaces %h with the
   * hostname, sends the username and password as Basic auth with the request, and reads the reply for
   * `good` or `nochg`.
   */
  it("UniFi custom (inadyn): the Server split into host and path, %h filled in, Basic auth", async () => {
    // prepare
    const text = printout("unifi");
    const server = field(text, "Server");
    const ddnsServer = server.slice(0, server.indexOf("/"));
    const ddnsPath = server.slice(server.indexOf("/")).replaceAll("%h", field(text, "Hostname"));
    const authorization = basic(field(text, "Username"), field(text, "Password"));
    const update = async () => {
      const answer = await fetch(`http://${ddnsServer}${ddnsPath}`, {
        headers: { authorization, "user-agent": "inadyn/2.12.0" },
      });
      const reply = await answer.text();
      return { status: answer.status, ok: /good|nochg/.test(reply), reply: reply.trim() };
    };
    // act
    const replies = [await update(), await update()];
    // assess
    expect(field(text, "Service")).toBe("custom");
    expect(replies).toEqual([
      { status: 200, ok: true, reply: `good ${WAN}` },
      { status: 200, ok: true, reply: `nochg ${WAN}` },
    ]);
    expect((await aws.recordValues(`${fqdn(NAMES.unifi)}.`, "A")).values).toEqual([WAN]);
  });
});
