/**
 * The CLI's one way to write the config: the function's own parser (src/config/schema.ts) checks the
 * new document, a problem in the entry being written refuses the write, problems elsewhere are only
 * warned about (they were there before, and refusing would leave the operator unable to change
 * anything), and the write succeeds only if nobody changed the file since it was read
 * (config-object.ts).
 */
import { ACME_ACCOUNTS_SECTION } from "../config/acme-accounts.js";
import { describeProblem, type ParsedConfig, parseConfigDocument } from "../config/schema.js";
import { AUTO_SHARD_BYTES, defaultShardCount, HOSTS_PER_SHARD } from "../config/shards.js";
import { canonicalHostname } from "../core/hostname.js";
import type { ConfigDocument, ConfigObject, ConfigSnapshot } from "./config-object.js";
import type { CommandContext } from "./context.js";
import { UsageError } from "./errors.js";

/** The entry an edit writes: a host by its canonical name, or an ACME account by its user name. */
export type WrittenEntry = { readonly host: string } | { readonly acmeAccount: string };

/** The document's own key for `fqdn` (it may be spelled in another case or without the dot). */
export function keyOf(document: ConfigDocument, fqdn: string): string | undefined {
  return Object.keys(document).find((key) => canonicalHostname(key) === fqdn);
}

/** Where the parser files the entry's problems (ConfigProblem.host). */
function problemKey(document: ConfigDocument, entry: WrittenEntry): string | undefined {
  return "host" in entry ? keyOf(document, entry.host) : `${ACME_ACCOUNTS_SECTION}.${entry.acmeAccount}`;
}

/** Writes `document` when `entry` parses (a removed entry always does), and returns it as the function will see it. */
export async function writeChecked(
  context: CommandContext,
  config: ConfigObject,
  snapshot: ConfigSnapshot,
  document: ConfigDocument,
  entry: WrittenEntry,
): Promise<ParsedConfig> {
  const parsed = parseConfigDocument(document);
  const key = problemKey(document, entry);
  const own = parsed.problems.filter((problem) => problem.host === key && problem.severity === "error");
  if (own.length > 0) throw new UsageError(own.map(describeProblem).join("\n"));
  for (const problem of parsed.problems) context.out.warn(`config: ${describeProblem(problem)}`);
  context.out.progress(`writing ${config.location}`);
  const written = await config.write(document, snapshot);
  if (written.layout.kind === "sharded" && !snapshot.sharded) {
    context.out.warn(
      `the config grew past ${AUTO_SHARD_BYTES / 1024 / 1024} MiB, so ${config.location} is now a manifest over ${written.layout.shards} shards (docs/large-fleets.md).`,
    );
  }
  const manifest = snapshot.sharded?.manifest;
  if (manifest && manifest.hostCount > manifest.shards.length * HOSTS_PER_SHARD * 4) {
    context.out.warn(
      `about ${Math.round(manifest.hostCount / manifest.shards.length)} hosts per shard: 'ddns config shard' re-shards into ${defaultShardCount(manifest.hostCount)}, so cold starts stay short.`,
    );
  }
  return parsed;
}
