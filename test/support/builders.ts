/**
 * Builders for the config the tests hand the code: a host entry as the config file spells it, and a
 * host as the service sees it once validated. A test names only the fields it is about; the rest are
 * the schema's own defaults (config/schema.ts), so a new field changes no test that does not use it.
 */
import { type HostEntry, parseConfigDocument } from "../../src/config/schema.js";
import type { HostConfig } from "../../src/core/hosts.js";

export const DEFAULT_FQDN = "home.dyn.example.com.";
export const DEFAULT_ZONE_ID = "Z0123456789ABC";
export const DEFAULT_SECRET = "secret-value-0123456789abcdef";

/** One host's entry in the config file: a zone and a secret, plus `overrides`. */
export function configEntry(overrides: Partial<HostEntry> = {}): HostEntry {
  return { route_53_zone_id: DEFAULT_ZONE_ID, shared_secret: DEFAULT_SECRET, ...overrides };
}

/**
 * A validated host: what the schema makes of a minimal entry named `overrides.fqdn`, with `overrides`
 * on top (its user name follows the name, as the schema's default does).
 */
export function hostConfig(overrides: Partial<HostConfig> = {}): HostConfig {
  const fqdn = overrides.fqdn ?? DEFAULT_FQDN;
  const { hosts, problems } = parseConfigDocument({ [fqdn]: configEntry() });
  const host = hosts.find(fqdn);
  if (!host) throw new Error(`hostConfig: the schema refused ${fqdn}: ${JSON.stringify(problems)}`);
  return { ...host, ...overrides };
}
