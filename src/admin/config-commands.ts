/** `ddns config validate|history|restore` and `ddns client-config`. */
import { readdir, readFile, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import {
  ConfigFileError,
  type ConfigProblem,
  describeProblem,
  namesWrittenBy,
  parseConfigDocument,
  parseConfigJson,
} from "../config/schema.js";
import {
  AUTO_SHARD_BYTES,
  checkShardedConfig,
  configText,
  defaultShardCount,
  isManifestDocument,
  MAX_SHARDS,
  manifestSections,
  readManifest,
  shardPrefix,
} from "../config/shards.js";
import { canonicalHostname, displayHostname, isWithinZone, parseHostname } from "../core/hostname.js";
import type { HostConfig, HostDirectory } from "../core/hosts.js";
import {
  CLIENT_FORMATS,
  type ClientFormat,
  renderClientConfig,
  SECRET_PLACEHOLDER,
} from "./client-config.js";
import type { ConfigDocument, WriteResult } from "./config-object.js";
import type { CommandContext } from "./context.js";
import { EXIT, InvalidConfigError, RefusedError, UsageError } from "./errors.js";
import { estimateSecretBits, MIN_SECRET_BITS } from "./secrets.js";

/** Secrets short or plain enough to guess: not an error for the function, but worth fixing. */
function weakSecrets(document: Record<string, unknown>): ConfigProblem[] {
  return Object.entries(document).flatMap(([host, entry]) => {
    const secret = (entry as { shared_secret?: unknown } | null)?.shared_secret;
    if (typeof secret !== "string" || secret === "") return [];
    const bits = estimateSecretBits(secret);
    if (bits >= MIN_SECRET_BITS) return [];
    return [
      {
        host,
        field: "shared_secret",
        message: `Weak: about ${bits} bits, under ${MIN_SECRET_BITS}. 'ddns host rotate' makes a 256-bit one.`,
        severity: "warning" as const,
      },
    ];
  });
}

/** `--zone` names, canonical; a bad one is a usage error. */
function zoneOptions(context: CommandContext): string[] {
  return context.strings("zone").map((raw) => {
    const zone = canonicalHostname(raw);
    if (!zone) throw new UsageError(`--zone ${raw} is not a valid zone name.`);
    return zone;
  });
}

/**
 * With the deployment's zones given: every host and every name that follows it (wildcard, LAN
 * devices) lies in one of them, and the followers in the host's own zone, since the function writes
 * them in the host's change batch in that zone.
 */
function zoneProblems(hosts: Iterable<HostConfig>, zones: readonly string[]): ConfigProblem[] {
  const zoneOf = (fqdn: string) =>
    zones.filter((zone) => isWithinZone(fqdn, zone)).sort((a, b) => b.length - a.length)[0];
  return [...hosts].flatMap((host) => {
    const own = zoneOf(host.fqdn);
    if (!own) {
      return [
        {
          host: host.fqdn,
          message: `Lies outside the zones given (${zones.join(", ")}).`,
          severity: "error" as const,
        },
      ];
    }
    return namesWrittenBy(host).flatMap((name) =>
      zoneOf(name.replace(/^\*\./, "")) === own
        ? []
        : [
            {
              host: host.fqdn,
              field: "ipv6_lan_hosts",
              message: `${displayHostname(name)} is not in the router's zone ${displayHostname(own)}; the function writes it in the router's change batch.`,
              severity: "error" as const,
            },
          ],
    );
  });
}

export async function validateConfig(context: CommandContext): Promise<number> {
  const [file] = context.args;
  if (file === undefined)
    throw new UsageError(
      "Name the config to check: ddns config validate FILE|DIRECTORY ('-' reads stdin; a sharded config: its manifest file or the directory holding it and its shards).",
    );
  const zones = zoneOptions(context);
  let checked: { hostCount: number; accountCount: number; problems: ConfigProblem[]; layout: string };
  try {
    const local = await checkLocalConfig(file, context);
    const zoned = zones.length > 0 ? zoneProblems(local.hosts, zones) : [];
    checked = { ...local, problems: [...local.problems, ...zoned] };
  } catch (error) {
    if (error instanceof ConfigFileError) throw new InvalidConfigError(`${file}: ${error.message}`);
    throw error;
  }
  const { hostCount, accountCount, problems, layout } = checked;
  const errors = problems.filter((problem) => problem.severity === "error").length;
  const accounts = accountCount > 0 ? `, ${accountCount} ACME account${accountCount === 1 ? "" : "s"}` : "";
  const summary = `${file}: ${layout}, ${hostCount} usable host${hostCount === 1 ? "" : "s"}${accounts}, ${errors} error${errors === 1 ? "" : "s"}, ${problems.length - errors} warning${problems.length - errors === 1 ? "" : "s"}.`;
  context.out.result(
    [...problems.map((problem) => `${problem.severity}: ${describeProblem(problem)}`), summary],
    { file, layout, valid: errors === 0, hosts: hostCount, acme_accounts: accountCount, problems },
  );
  return errors === 0 ? EXIT.ok : EXIT.invalidConfig;
}

/**
 * A config on disk in either layout: a config.json, a manifest file (its shards next to it, as
 * `aws s3 cp --recursive` lays out the bucket), or a directory holding one manifest or one config.
 */
async function checkLocalConfig(path: string, context: CommandContext) {
  const manifestPath = path !== "-" && (await stat(path)).isDirectory() ? await findManifest(path) : path;
  const text = manifestPath === "-" ? await context.io.readStdin() : await readFile(manifestPath, "utf8");
  const document = parseConfigJson(text);
  if (!isManifestDocument(document)) {
    const parsed = parseConfigDocument(document);
    return {
      layout: "single file",
      hosts: [...parsed.hosts],
      hostCount: parsed.hosts.size,
      accountCount: parsed.accounts.size,
      problems: [...parsed.problems, ...weakSecrets(document as Record<string, unknown>)],
    };
  }
  if (manifestPath === "-") {
    throw new UsageError("A sharded config cannot come from stdin: name its manifest file or its directory.");
  }
  const manifest = readManifest(document);
  const shardTexts = await Promise.all(
    manifest.shards.map((key) => readShardFile(dirname(manifestPath), key)),
  );
  const checked = checkShardedConfig(document, shardTexts);
  const weak = shardTexts.flatMap((shard) => {
    if (shard === undefined) return [];
    try {
      return weakSecrets(JSON.parse(shard));
    } catch {
      return []; // reported by checkShardedConfig
    }
  });
  return {
    layout: `sharded (${manifest.shards.length} shards, generation ${manifest.generation})`,
    hosts: checked.hosts,
    hostCount: checked.hostCount,
    accountCount: parseConfigDocument(manifestSections(document)).accounts.size,
    problems: [...checked.problems, ...weak],
  };
}

/** The one file in `directory` that is a manifest, else its config.json. */
async function findManifest(directory: string): Promise<string> {
  const names = (await readdir(directory)).filter((name) => name.endsWith(".json")).sort();
  const manifests: string[] = [];
  for (const name of names) {
    try {
      if (isManifestDocument(JSON.parse(await readFile(join(directory, name), "utf8")))) manifests.push(name);
    } catch {
      // not JSON: not a manifest
    }
  }
  if (manifests.length === 1) return join(directory, manifests[0] as string);
  if (manifests.length === 0 && names.includes("config.json")) return join(directory, "config.json");
  throw new UsageError(
    manifests.length === 0
      ? `${directory} holds no manifest and no config.json.`
      : `${directory} holds ${manifests.length} manifests (${manifests.join(", ")}): name one.`,
  );
}

/**
 * Shard `key` next to its manifest: `KEY.d/NAME` from the manifest's directory (the key's own folders
 * left out), or the whole key below that directory. Undefined when neither file exists.
 */
async function readShardFile(directory: string, key: string): Promise<string | undefined> {
  const marker = key.lastIndexOf(".d/");
  const own = marker < 0 ? key : key.slice(key.lastIndexOf("/", marker) + 1);
  for (const candidate of [join(directory, own), join(directory, key)]) {
    try {
      return await readFile(candidate, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  return undefined;
}

export async function configHistory(context: CommandContext): Promise<void> {
  const config = await context.configObject();
  context.out.progress(`listing the versions of ${config.location}`);
  const versions = await config.history();
  if (versions.length === 0) throw new RefusedError(`${config.location} has no versions yet.`);
  context.out.result(
    versions.map((version) =>
      [
        version.versionId,
        version.lastModified ?? "-",
        version.deleted ? "deleted" : `${version.size ?? 0} bytes`,
        version.isLatest ? "current" : "",
      ]
        .join("\t")
        .trimEnd(),
    ),
    versions,
  );
  if (versions.every((version) => version.versionId === "null")) {
    context.out.warn(`versioning is off for ${config.bucket}: earlier versions are not kept.`);
  }
}

/**
 * Old versions hold old secrets: restoring one brings back every secret rotated (or host removed)
 * since, perhaps because it leaked. Says which hosts, never the secrets.
 */
async function warnAboutOldSecrets(
  context: CommandContext,
  versionId: string,
  restored: Iterable<HostConfig>,
  readCurrent: () => Promise<{ document: Record<string, unknown> }>,
): Promise<void> {
  let current: HostDirectory;
  try {
    current = parseConfigDocument((await readCurrent()).document).hosts;
  } catch (error) {
    context.out.warn(
      `cannot compare version ${versionId} with the current file (${(error as Error).message}): any secret rotated since comes back with it.`,
    );
    return;
  }
  for (const host of restored) {
    const now = current.find(host.fqdn);
    const name = displayHostname(host.fqdn);
    if (now === undefined) {
      context.out.warn(
        `${name} was removed since version ${versionId}: restoring brings it back with its old secret.`,
      );
    } else if (now.secret !== host.secret) {
      context.out.warn(
        `the secret of ${name} was rotated since version ${versionId}: restoring brings the old one back. If it was rotated because it leaked, run 'ddns host rotate ${name}' afterwards.`,
      );
    }
  }
}

export async function restoreConfig(context: CommandContext): Promise<void> {
  const [versionId] = context.args;
  if (versionId === undefined)
    throw new UsageError("Name the version: ddns config restore VERSION (see 'ddns config history').");
  const config = await context.configObject();
  context.out.progress(`reading version ${versionId} of ${config.location}`);
  const { document, layout } = await config.readVersion(versionId);
  const restored = parseConfigDocument(document);
  for (const problem of restored.problems) {
    context.out.warn(`config: ${describeProblem(problem)}`);
  }
  await warnAboutOldSecrets(context, versionId, restored.hosts, () => config.read());
  // Restoring is how one recovers from a broken current file, so only its ETag matters here.
  const basis = await config.current();
  context.out.progress(`writing ${config.location}`);
  const written = await config.write(document, basis, layout);
  context.out.result(
    [
      `Restored version ${versionId} of ${config.location} (new version ${written.versionId ?? "null"}${layoutNote(written)}).`,
    ],
    {
      restored: versionId,
      version_id: written.versionId,
      layout: written.layout.kind,
    },
  );
}

export async function clientConfig(context: CommandContext): Promise<void> {
  const [raw] = context.args;
  const format = context.string("format") as ClientFormat | undefined;
  if (raw === undefined || format === undefined) {
    throw new UsageError(`Usage: ddns client-config HOST --format ${CLIENT_FORMATS.join("|")}`);
  }
  if (!CLIENT_FORMATS.includes(format)) {
    throw new UsageError(`--format must be one of ${CLIENT_FORMATS.join(", ")}, not ${format}.`);
  }
  const apiUrl = await context.target.apiUrl();
  if (!apiUrl) throw new UsageError("No API URL: pass --api-url, set DDNS_API_URL, or use --terraform-dir.");
  const fqdn = canonicalHostname(raw);
  if (!fqdn) throw new UsageError(`${raw} is not a valid host name.`);

  const config = await context.configObject();
  context.out.progress(`reading ${config.location}`);
  const host = parseConfigDocument((await config.read([fqdn])).document).hosts.find(fqdn);
  if (!host)
    throw new RefusedError(`${raw} is not a usable host in ${config.location} (see 'ddns host list').`);
  const secret = context.flag("secret-stdin") ? (await context.io.readStdin()).trim() : SECRET_PLACEHOLDER;
  const text = renderClientConfig(format, host, apiUrl, secret);
  context.out.result([text.trimEnd()], { hostname: raw, format, config: text });
}

function layoutNote(written: WriteResult): string {
  return written.layout.kind === "sharded"
    ? `; ${written.layout.shards} shards, ${written.shardsWritten} written`
    : "";
}

/**
 * The number of hosts the function would serve from `document` in either layout (the whole config);
 * refuses when any host entry would be ignored, naming why, so a re-layout never silently drops hosts.
 */
function refuseIgnoredHosts(document: ConfigDocument, what: string): number {
  const { hosts, problems } = parseConfigDocument(document);
  const entries = Object.keys(document).filter((key) => parseHostname(key).ok).length;
  if (hosts.size < entries) {
    const errors = problems.filter((problem) => problem.severity === "error").map(describeProblem);
    throw new InvalidConfigError(
      [
        `${what} would leave ${entries - hosts.size} of ${entries} hosts ignored by the function; nothing was written. Fix these first (ddns config validate):`,
        ...errors,
      ].join("\n"),
    );
  }
  return hosts.size;
}

/** `ddns config shard [--shards N]`: the sharded layout for a large fleet (also changes the shard count). */
export async function shardConfig(context: CommandContext): Promise<void> {
  const raw = context.string("shards");
  if (raw !== undefined && !(/^\d+$/.test(raw) && Number(raw) >= 1 && Number(raw) <= MAX_SHARDS)) {
    throw new UsageError(`--shards must be a whole number from 1 to ${MAX_SHARDS}, not ${raw}.`);
  }
  const config = await context.configObject();
  context.out.progress(`reading ${config.location}`);
  const snapshot = await config.read();
  const hosts = refuseIgnoredHosts(snapshot.document, "Sharding");
  const shards = raw === undefined ? defaultShardCount(hosts) : Number(raw);
  context.out.progress(`writing ${shards} shards and the manifest`);
  const written = await config.write(snapshot.document, snapshot, { kind: "sharded", shards });
  context.out.result(
    [
      `${config.location} is now a manifest: ${hosts} hosts in ${shards} shards below ${shardPrefix(config.key)} (${written.shardsWritten} written, version ${written.versionId ?? "null"}).`,
    ],
    {
      layout: "sharded",
      shards,
      hosts,
      shards_written: written.shardsWritten,
      version_id: written.versionId,
    },
  );
}

/** `ddns config unshard`: back to one config.json (a small fleet, or before editing it by hand). */
export async function unshardConfig(context: CommandContext): Promise<void> {
  const config = await context.configObject();
  context.out.progress(`reading ${config.location}`);
  const snapshot = await config.read();
  if (!snapshot.sharded) throw new RefusedError(`${config.location} is already a single file.`);
  const hosts = refuseIgnoredHosts(snapshot.document, "Unsharding");
  context.out.progress(`writing ${config.location}`);
  const written = await config.write(snapshot.document, snapshot, { kind: "single" });
  if (configText(snapshot.document).length > AUTO_SHARD_BYTES) {
    context.out.warn(
      `the single file is over ${AUTO_SHARD_BYTES / 1024 / 1024} MiB: every cold start parses all of it; the function may need more memory.`,
    );
  }
  context.out.result(
    [
      `${config.location} is a single file again: ${hosts} hosts (version ${written.versionId ?? "null"}). The old shards are deleted by a later write once an hour old.`,
    ],
    { layout: "single", hosts, version_id: written.versionId },
  );
}
