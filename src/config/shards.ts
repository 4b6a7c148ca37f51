/**
 * The sharded config layout for large fleets (docs/large-fleets.md), shared by the
 * function and the CLI so both place a host in the same shard and read a manifest the same way.
 *
 * The object at DDNS_CONFIG_KEY is either the seed's config.json (every key a host) or a manifest:
 * a JSON object with the key `ddns_sharded_config`, which is never a valid host name (one label, an
 * underscore), so the two cannot be confused. The manifest keeps the config's non-host sections as
 * config.json would; the hosts live in shard objects, each in config.json's own format. A host lives
 * in shard `uint32(first 4 bytes of SHA-256(canonical name)) mod shard count`.
 *
 * Shard objects are content-addressed (their key ends in a hash of their text) and never rewritten:
 * a writer puts new shards first and the manifest last (conditionally), so a reader sees either the
 * old manifest with the old shards or the new one with the new shards, never half of an edit.
 *
 * Ownership (docs/architecture.md "Ownership") without reading every shard: the function loads only the
 * shards a request names, so it cannot compare a router with every other host. What keeps one host off
 * another's records is that every name a host writes lies at or below its own name (its wildcard and LAN
 * devices `<device>.<router>`; the parser refuses any other device), so two hosts can share a name only
 * when one lies below the other: a device of `home.x.` that is itself the host `nas.home.x.`.
 * The function checks exactly that on every write that carries devices, loading the devices' own
 * shards (src/core/update.ts), and writes no device that is a configured host. The CLI refuses such
 * edits by reading the shards of the names involved, and `config validate` (checkShardedConfig below)
 * reports every name two hosts claim.
 */
import { createHash } from "node:crypto";
import { canonicalHostname, displayHostname, parseHostname } from "../core/hostname.js";
import type { HostConfig } from "../core/hosts.js";
import {
  ConfigFileError,
  type ConfigProblem,
  type ParsedConfig,
  parseConfigDocument,
  parseConfigJson,
  sharedNameProblems,
} from "./schema.js";

/** The manifest's marker key, and the only key of the manifest the function treats specially. */
export const MANIFEST_FIELD = "ddns_sharded_config";
export const MANIFEST_VERSION = 1;
/** Shard counts the layout allows: enough for tens of millions of hosts, small enough for one manifest. */
export const MAX_SHARDS = 65_536;

export interface ShardManifest {
  readonly version: number;
  /** Grows by one with every write; logged by the function, used by the CLI to prune old shards. */
  readonly generation: number;
  /** The number of hosts over all shards when the manifest was written. */
  readonly hostCount: number;
  /** Shard i's object key; shard i holds the hosts whose name hashes to i. */
  readonly shards: readonly string[];
}

export function isManifestDocument(document: unknown): document is Record<string, unknown> {
  return (
    typeof document === "object" &&
    document !== null &&
    !Array.isArray(document) &&
    MANIFEST_FIELD in document
  );
}

/** The manifest's layout fields, checked; a ConfigFileError says what is wrong. */
export function readManifest(document: Record<string, unknown>): ShardManifest {
  const raw = document[MANIFEST_FIELD];
  const fail = (what: string) => new ConfigFileError(`The sharded config's ${MANIFEST_FIELD} ${what}.`);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw fail("must be a JSON object");
  const fields = raw as Record<string, unknown>;
  if (fields.version !== MANIFEST_VERSION)
    throw fail(`has version ${String(fields.version)}, not ${MANIFEST_VERSION}`);
  const { generation, host_count: hostCount, shards } = fields;
  if (!Number.isSafeInteger(generation) || (generation as number) < 0)
    throw fail("needs a whole generation number");
  if (!Number.isSafeInteger(hostCount) || (hostCount as number) < 0) throw fail("needs a whole host_count");
  if (
    !Array.isArray(shards) ||
    shards.length === 0 ||
    shards.length > MAX_SHARDS ||
    !shards.every((key) => typeof key === "string" && key.length > 0)
  ) {
    throw fail(`needs shards: a list of 1 to ${MAX_SHARDS} object keys`);
  }
  return {
    version: MANIFEST_VERSION,
    generation: generation as number,
    hostCount: hostCount as number,
    shards,
  };
}

/** The manifest's sections other than the layout: what config.json would hold besides its hosts. */
export function manifestSections(document: Record<string, unknown>): Record<string, unknown> {
  const { [MANIFEST_FIELD]: _layout, ...sections } = document;
  return sections;
}

export function manifestDocument(
  manifest: ShardManifest,
  sections: Record<string, unknown>,
): Record<string, unknown> {
  return {
    [MANIFEST_FIELD]: {
      version: manifest.version,
      generation: manifest.generation,
      host_count: manifest.hostCount,
      shards: manifest.shards,
    },
    ...sections,
  };
}

/** Which shard a canonical name (lower case, trailing dot) lives in. */
export function shardOf(fqdn: string, shardCount: number): number {
  return createHash("sha256").update(fqdn).digest().readUInt32BE(0) % shardCount;
}

/** The shards the hosts `names` (any spelling; invalid names skipped) live in, each once. */
export function shardsOf(names: readonly string[], shardCount: number): number[] {
  const indices = new Set<number>();
  for (const name of names) {
    const fqdn = canonicalHostname(name);
    if (fqdn !== undefined) indices.add(shardOf(fqdn, shardCount));
  }
  return [...indices];
}

/** The key of shard `index` with this text: next to the manifest, named by index and content. */
export function shardKey(manifestKey: string, index: number, text: string): string {
  const digest = createHash("sha256").update(text).digest("hex").slice(0, 16);
  return `${shardPrefix(manifestKey)}${String(index).padStart(5, "0")}-${digest}.json`;
}

/** Where a manifest's shards live; the function's IAM policy grants reads below it. */
export function shardPrefix(manifestKey: string): string {
  return `${manifestKey}.d/`;
}

/** Hosts per shard the CLI aims for: a shard of about 100 KB loads and parses in a few milliseconds. */
export const HOSTS_PER_SHARD = 500;
/** Above this many bytes, a config.json the CLI writes becomes sharded (about 10,000 hosts). */
export const AUTO_SHARD_BYTES = 2 * 1024 * 1024;

/** The smallest power of two that keeps shards near HOSTS_PER_SHARD. */
export function defaultShardCount(hostCount: number): number {
  let count = 1;
  while (count < MAX_SHARDS && count * HOSTS_PER_SHARD < hostCount) count *= 2;
  return count;
}

/** How the CLI writes every config object (config.json, manifest, shards): stable, readable JSON. */
export function configText(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * A config document cut into its non-host sections and its hosts by shard. A key that is a valid host
 * name is a host; any other key (a section such as ACME accounts, or a misspelt host the schema will
 * report) stays in the sections, which the manifest carries.
 */
export function splitDocument(
  document: Record<string, unknown>,
  shardCount: number,
): { sections: Record<string, unknown>; shards: Record<string, unknown>[] } {
  const sections: Record<string, unknown> = {};
  const shards = Array.from({ length: shardCount }, () => ({}) as Record<string, unknown>);
  for (const [key, value] of Object.entries(document)) {
    const name = parseHostname(key);
    if (name.ok) (shards[shardOf(name.fqdn, shardCount)] as Record<string, unknown>)[key] = value;
    else sections[key] = value;
  }
  return { sections, shards };
}

/**
 * Checks a sharded config as the function would read it: the manifest, its sections, and every shard
 * (`shardTexts[i]` is shard i's text, undefined when the object is missing). Problems name the shard's
 * key in place of a host where the shard itself is at fault.
 */
export function checkShardedConfig(
  document: Record<string, unknown>,
  shardTexts: readonly (string | undefined)[],
): { hostCount: number; hosts: HostConfig[]; problems: ConfigProblem[] } {
  const manifest = readManifest(document);
  const problems: ConfigProblem[] = [];
  const sections = parseConfigDocument(manifestSections(document));
  problems.push(...sections.problems);
  for (const host of sections.hosts) {
    problems.push({
      host: displayHostname(host.fqdn),
      message: `A host in the manifest: the function looks for hosts only in the shards (ddns config shard puts it there).`,
      severity: "error",
    });
  }
  const hosts: HostConfig[] = [];
  let entryCount = 0;
  manifest.shards.forEach((key, index) => {
    const text = shardTexts[index];
    if (text === undefined) {
      problems.push({
        host: key,
        message: `Shard ${index} is missing: its hosts get 503.`,
        severity: "error",
      });
      return;
    }
    let parsed: ParsedConfig;
    try {
      const shard = parseConfigJson(text);
      parsed = parseConfigDocument(shard);
      entryCount += Object.keys(shard as object).length;
    } catch (error) {
      problems.push({ host: key, message: `Shard ${index}: ${(error as Error).message}`, severity: "error" });
      return;
    }
    problems.push(...parsed.problems);
    for (const host of parsed.hosts) {
      const home = shardOf(host.fqdn, manifest.shards.length);
      if (home === index) {
        hosts.push(host);
        continue;
      }
      problems.push({
        host: displayHostname(host.fqdn),
        message: `Is in shard ${index} but its name belongs in shard ${home}: the function would not find it.`,
        severity: "error",
      });
    }
  });
  if (entryCount !== manifest.hostCount) {
    problems.push({
      host: MANIFEST_FIELD,
      field: "host_count",
      message: `Says ${manifest.hostCount}; the shards hold ${entryCount} host entries.`,
      severity: "warning",
    });
  }
  // The function loads only the shards a request names: it never writes a device that is another
  // host, but only this whole-config check reports both hosts to the operator.
  const shared = sharedNameProblems(hosts);
  problems.push(...shared.map((problem) => ({ ...problem, host: displayHostname(problem.host) })));
  const ignored = new Set(shared.map((problem) => problem.host));
  const usable = hosts.filter((host) => !ignored.has(host.fqdn));
  return { hostCount: usable.length, hosts: usable, problems };
}

export interface ShardObject {
  readonly key: string;
  readonly text: string;
  /** Host entries in the shard. */
  readonly entries: number;
}

/** A whole config document as the objects of the sharded layout: the manifest's sections and every shard. */
export function shardObjects(
  document: Record<string, unknown>,
  manifestKey: string,
  shardCount: number,
): { sections: Record<string, unknown>; shards: ShardObject[] } {
  const { sections, shards } = splitDocument(document, shardCount);
  return {
    sections,
    shards: shards.map((shard, index) => {
      const text = configText(shard);
      return { key: shardKey(manifestKey, index, text), text, entries: Object.keys(shard).length };
    }),
  };
}
