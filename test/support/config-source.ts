/**
 * Config sources for unit tests: the parsed document held in memory, with both members of the
 * ConfigSource port (hosts and ACME accounts), so a stand-in is never a half source.
 */

import { parseConfigDocument } from "../../src/config/schema.js";
import type { AcmeAccountDirectory } from "../../src/core/acme.js";
import type { HostDirectory } from "../../src/core/hosts.js";
import type { ConfigSource } from "../../src/core/ports.js";

export const NO_ACME_ACCOUNTS: AcmeAccountDirectory = { find: () => undefined, size: 0 };

/** A source answering `hosts` (a directory, or a function of the names asked) and no ACME accounts. */
export function hostsOnlySource(
  hosts: HostDirectory | ((names?: readonly string[]) => HostDirectory),
): ConfigSource {
  return {
    hosts: async (names) => (typeof hosts === "function" ? hosts(names) : hosts),
    acmeAccounts: async () => NO_ACME_ACCOUNTS,
  };
}

/** A source for a whole config document, hosts and ACME accounts alike. */
export function documentSource(document: unknown): ConfigSource {
  const { hosts, accounts } = parseConfigDocument(document);
  return { hosts: async () => hosts, acmeAccounts: async () => accounts };
}
