/**
 * Names no config entry may write: the zone apex (its NS/SOA and any site at the bare domain) and the
 * API's own custom domain (a host there would point routers at a router; a certificate for it, or for
 * `*.<apex>`, would let its holder impersonate the API). Terraform passes them in `DDNS_RESERVED_NAMES`,
 * and its IAM policy denies changes to them as well; this filter makes the function refuse them even
 * when the config lists them, whatever kind of entry names them:
 * - a host at a reserved name answers as an unknown host (401);
 * - a LAN device at a reserved name is left out of its router's records (the router keeps working);
 * - an ACME account for a reserved name answers as an unknown account (401).
 * The log says why, once per loaded config and kind.
 */
import type { AcmeAccount, AcmeAccountDirectory } from "../core/acme.js";
import { canonicalHostname } from "../core/hostname.js";
import type { HostConfig, HostDirectory } from "../core/hosts.js";
import type { Logger } from "../core/log.js";
import type { ConfigSource } from "../core/ports.js";

export const RESERVED_NAME_PROBLEM =
  "is the zone apex or the API's own domain name, which cannot be a dynamic host; the entry is ignored";
export const RESERVED_DEVICE_PROBLEM =
  "is the zone apex or the API's own domain name, which no LAN device may be; the router does not write it";
export const RESERVED_ACCOUNT_PROBLEM =
  "is the zone apex or the API's own domain name, for which no ACME account may get certificates; the account is ignored";

/** Canonical forms of a comma-separated list of names; anything unparsable is dropped. */
export function parseReservedNames(raw: string | undefined): readonly string[] {
  return (raw ?? "")
    .split(",")
    .map((name) => canonicalHostname(name.trim()))
    .filter((name): name is string => name !== undefined);
}

/** `find` of every directory `source` hands out, filtered; one view per directory, not one per request. */
function cachedViews<D extends object>(view: (directory: D) => D): (directory: D) => D {
  const views = new WeakMap<D, D>();
  return (directory) => {
    let cached = views.get(directory);
    if (!cached) {
      cached = view(directory);
      views.set(directory, cached);
    }
    return cached;
  };
}

export function withoutReservedNames(
  source: ConfigSource,
  reservedNames: readonly string[],
  log?: Logger,
): ConfigSource {
  if (reservedNames.length === 0) return source;
  const reserved = new Set(reservedNames);
  const reported = {
    host: new WeakSet<object>(),
    device: new WeakSet<object>(),
    account: new WeakSet<object>(),
  };
  const report = (kind: keyof typeof reported, directory: object, problem: string) => {
    if (reported[kind].has(directory)) return;
    reported[kind].add(directory);
    log?.({ level: "warn", msg: "config problem", problem });
  };

  /** The host without its LAN devices at reserved names (the same object when it has none). */
  const withoutReservedDevices = (directory: object, host: HostConfig): HostConfig => {
    const lan = host.lan;
    const kept = lan?.devices.filter((device) => !reserved.has(device.fqdn));
    if (!lan || !kept || kept.length === lan.devices.length) return host;
    const dropped = lan.devices.filter((device) => reserved.has(device.fqdn)).map((device) => device.fqdn);
    report(
      "device",
      directory,
      `${host.fqdn}: ipv6_lan_hosts: ${dropped.join(", ")} ${RESERVED_DEVICE_PROBLEM}.`,
    );
    return { ...host, lan: { ...lan, devices: kept } };
  };
  const hostView = cachedViews<HostDirectory>((directory) => ({
    get size() {
      return directory.size;
    },
    find(hostname: string): HostConfig | undefined {
      const host = directory.find(hostname);
      if (!host) return host;
      if (reserved.has(host.fqdn)) {
        report("host", directory, `${host.fqdn}: ${RESERVED_NAME_PROBLEM}.`);
        return undefined;
      }
      return withoutReservedDevices(directory, host);
    },
  }));
  const accountView = cachedViews<AcmeAccountDirectory>((directory) => ({
    get size() {
      return directory.size;
    },
    find(username: string): AcmeAccount | undefined {
      const account = directory.find(username);
      if (!account || !reserved.has(account.name)) return account;
      report(
        "account",
        directory,
        `acme_accounts.${account.username}: ${account.name} ${RESERVED_ACCOUNT_PROBLEM}.`,
      );
      return undefined;
    },
  }));
  return {
    acmeAccounts: async () => accountView(await source.acmeAccounts()),
    hosts: async (names) => hostView(await source.hosts(names)),
  };
}
