/**
 * Names no config entry may turn into a dynamic host: the zone apex (its NS/SOA and any site at the
 * bare domain) and the API's own custom domain (a host there would point routers at a router).
 * Terraform passes them in `DDNS_RESERVED_NAMES`, and its IAM policy denies changes to them as well;
 * this filter makes the function refuse them even when the config lists them: such an entry answers
 * as an unknown host (401) and the log says why, once per loaded config.
 */
import { canonicalHostname } from "../core/hostname.js";
import type { HostConfig, HostDirectory } from "../core/hosts.js";
import type { Logger } from "../core/log.js";
import type { ConfigSource } from "../core/ports.js";

export const RESERVED_NAME_PROBLEM =
  "is the zone apex or the API's own domain name, which cannot be a dynamic host; the entry is ignored";

/** Canonical forms of a comma-separated list of names; anything unparsable is dropped. */
export function parseReservedNames(raw: string | undefined): readonly string[] {
  return (raw ?? "")
    .split(",")
    .map((name) => canonicalHostname(name.trim()))
    .filter((name): name is string => name !== undefined);
}

export function withoutReservedNames(
  source: ConfigSource,
  reservedNames: readonly string[],
  log?: Logger,
): ConfigSource {
  if (reservedNames.length === 0) return source;
  const reserved = new Set(reservedNames);
  const reported = new WeakSet<HostDirectory>();
  // One view per directory the source hands out (it keeps them while the config is unchanged), not one per request.
  const views = new WeakMap<HostDirectory, HostDirectory>();
  const viewOf = (directory: HostDirectory): HostDirectory => ({
    get size() {
      return directory.size;
    },
    find(hostname: string): HostConfig | undefined {
      const host = directory.find(hostname);
      if (!host || !reserved.has(host.fqdn)) return host;
      if (!reported.has(directory)) {
        reported.add(directory);
        log?.({
          level: "warn",
          msg: "config problem",
          problem: `${host.fqdn}: ${RESERVED_NAME_PROBLEM}.`,
        });
      }
      return undefined;
    },
  });
  return {
    acmeAccounts: () => source.acmeAccounts(),
    async hosts(names) {
      const directory = await source.hosts(names);
      let view = views.get(directory);
      if (!view) {
        view = viewOf(directory);
        views.set(directory, view);
      }
      return view;
    },
  };
}
