/** `ddns config validate|history|restore` and `ddns client-config`. */
import { readFile } from "node:fs/promises";
import {
  ConfigFileError,
  type ConfigProblem,
  describeProblem,
  parseConfigDocument,
  parseConfigText,
} from "../config/schema.js";
import { canonicalHostname, displayHostname } from "../core/hostname.js";
import type { HostConfig, HostDirectory } from "../core/hosts.js";
import {
  CLIENT_FORMATS,
  type ClientFormat,
  renderClientConfig,
  SECRET_PLACEHOLDER,
} from "./client-config.js";
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

export async function validateConfig(context: CommandContext): Promise<number> {
  const [file] = context.args;
  if (file === undefined)
    throw new UsageError("Name the file to check: ddns config validate FILE ('-' reads stdin).");
  const text = file === "-" ? await context.io.readStdin() : await readFile(file, "utf8");
  let problems: ConfigProblem[];
  let hostCount: number;
  try {
    const parsed = parseConfigText(text);
    problems = [...parsed.problems, ...weakSecrets(JSON.parse(text))];
    hostCount = parsed.hosts.size;
  } catch (error) {
    if (error instanceof ConfigFileError) throw new InvalidConfigError(`${file}: ${error.message}`);
    throw error;
  }
  const errors = problems.filter((problem) => problem.severity === "error").length;
  const summary = `${file}: ${hostCount} usable host${hostCount === 1 ? "" : "s"}, ${errors} error${errors === 1 ? "" : "s"}, ${problems.length - errors} warning${problems.length - errors === 1 ? "" : "s"}.`;
  context.out.result(
    [...problems.map((problem) => `${problem.severity}: ${describeProblem(problem)}`), summary],
    { file, valid: errors === 0, hosts: hostCount, problems },
  );
  return errors === 0 ? EXIT.ok : EXIT.invalidConfig;
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
  const document = await config.readVersion(versionId);
  const restored = parseConfigDocument(document);
  for (const problem of restored.problems) {
    context.out.warn(`config: ${describeProblem(problem)}`);
  }
  await warnAboutOldSecrets(context, versionId, restored.hosts, () => config.read());
  // Restoring is how one recovers from a broken current file, so only its ETag matters here.
  const basis = { document: {}, etag: await config.currentEtag() };
  context.out.progress(`writing ${config.location}`);
  const newVersionId = await config.write(document, basis);
  context.out.result(
    [`Restored version ${versionId} of ${config.location} (new version ${newVersionId ?? "null"}).`],
    {
      restored: versionId,
      version_id: newVersionId,
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
  const host = parseConfigDocument((await config.read()).document).hosts.find(fqdn);
  if (!host)
    throw new RefusedError(`${raw} is not a usable host in ${config.location} (see 'ddns host list').`);
  const secret = context.flag("secret-stdin") ? (await context.io.readStdin()).trim() : SECRET_PLACEHOLDER;
  const text = renderClientConfig(format, host, apiUrl, secret);
  context.out.result([text.trimEnd()], { hostname: raw, format, config: text });
}
