/** `ddns host add|remove|rotate|list|show`: edit and read the hosts of the config file in S3. */
import type { ConfigProblem } from "../config/schema.js";
import { DEFAULT_TTL_SECONDS, describeProblem, parseConfigDocument } from "../config/schema.js";
import { ancestorsOf, canonicalHostname, displayHostname, parseHostname } from "../core/hostname.js";
import type { HostConfig } from "../core/hosts.js";
import { keyOf, writeChecked } from "./checked-write.js";
import { CLIENT_FORMATS, shClientCommand } from "./client-config.js";
import type { ConfigDocument, ConfigObject, ConfigSnapshot } from "./config-object.js";
import type { CommandContext } from "./context.js";
import { InvalidConfigError, RefusedError, UsageError } from "./errors.js";
import { estimateSecretBits, generateSecret } from "./secrets.js";
import { zoneById, zoneForHost } from "./zones.js";

function hostArgument(context: CommandContext): string {
  const [raw] = context.args;
  if (raw === undefined) throw new UsageError("Name the host, e.g. home.dyn.example.com.");
  const parsed = parseHostname(raw);
  if (!parsed.ok) throw new UsageError(`The host name ${raw} ${parsed.problem}.`);
  return parsed.fqdn;
}

/**
 * The config; with `fqdn`, a sharded config is read only where an edit of that host can collide
 * (docs/architecture.md "Ownership"): the shards of the host, of `alsoNames`, and of every name above them,
 * since only a host above a name can write it as its own (a LAN device). writeChecked (checked-write.ts)
 * then sees every claim.
 */
export async function readConfig(
  context: CommandContext,
  fqdn?: string,
  alsoNames: readonly string[] = [],
): Promise<{ config: ConfigObject; snapshot: ConfigSnapshot }> {
  const config = await context.configObject();
  context.out.progress(`reading ${config.location}`);
  const names = fqdn === undefined ? undefined : [fqdn, ...alsoNames].flatMap((n) => [n, ...ancestorsOf(n)]);
  return { config, snapshot: await config.read(names) };
}

function warnAbout(context: CommandContext, problems: readonly ConfigProblem[]): void {
  for (const problem of problems) context.out.warn(`config: ${describeProblem(problem)}`);
}

function parseRecordTypes(raw: string | undefined): string[] | undefined {
  return raw?.split(",").map((type) => type.trim().toUpperCase());
}

function parseTtl(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_TTL_SECONDS;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--ttl must be a whole number of seconds, not ${raw}.`);
  return Number(raw);
}

/** The function's default DDNS_CONFIG_CACHE_SECONDS (src/settings.ts, terraform config_cache_seconds). */
const DEFAULT_CONFIG_CACHE_SECONDS = 60;

/**
 * A new entry is served once each running function's config cache expires: until then its
 * requests are refused (401), which a newcomer takes for a wrong secret. Says how long to wait.
 */
export async function noteServedWithin(context: CommandContext, what: string): Promise<void> {
  const known = await context.target.configCacheSeconds();
  const seconds = known ?? DEFAULT_CONFIG_CACHE_SECONDS;
  context.out.note(
    `the function serves ${what} within ${seconds} s, once its config cache expires (DDNS_CONFIG_CACHE_SECONDS${known === undefined ? `, ${DEFAULT_CONFIG_CACHE_SECONDS} s by default` : ""}); until then its requests get 401.`,
  );
}

/** The secret and what to do with it: the only output that ever shows a secret. */
async function printSecret(
  context: CommandContext,
  verb: string,
  host: HostConfig,
  extra: Record<string, unknown>,
): Promise<void> {
  const apiUrl = await context.target.apiUrl();
  const command = apiUrl ? shClientCommand(host, apiUrl, host.secret) : undefined;
  context.out.result(
    [
      `${verb} ${displayHostname(host.fqdn)}.`,
      "",
      `secret: ${host.secret}`,
      "",
      "This is the only time the secret is shown: store it now (e.g. in the router's client config).",
      command
        ? `Update the record from the router with:\n  ${command}`
        : "Pass --api-url (or set DDNS_API_URL) to see the client command.",
      `Other clients: ddns client-config ${displayHostname(host.fqdn)} --format ${CLIENT_FORMATS.join("|")}`,
    ],
    {
      hostname: displayHostname(host.fqdn),
      secret: host.secret,
      ...extra,
      ...(apiUrl ? { api_url: apiUrl, client_command: command } : {}),
    },
  );
}

export async function addHost(context: CommandContext): Promise<void> {
  const fqdn = hostArgument(context);
  const ttl = parseTtl(context.string("ttl"));
  const zoneId = context.string("zone-id");
  context.out.progress(zoneId ? `checking the hosted zone ${zoneId}` : `finding the hosted zone of ${fqdn}`);
  const zone = zoneId
    ? await zoneById(context.clients.route53, zoneId, fqdn)
    : await zoneForHost(context.clients.route53, fqdn);

  await refuseReservedName(context, fqdn, zone.name, "a dynamic host");

  const deploymentZoneId = await context.target.zoneId();
  if (deploymentZoneId && deploymentZoneId !== zone.id) {
    // The function's IAM role may change records in its own zone only: updates would fail (dnserr).
    context.out.warn(
      `${zone.name} (${zone.id}) is not the deployment's zone (${deploymentZoneId}): the function cannot update records there.`,
    );
  }

  const { config, snapshot } = await readConfig(context, fqdn);
  if (keyOf(snapshot.document, fqdn) !== undefined) {
    throw new RefusedError(
      `${displayHostname(fqdn)} is already in ${config.location}. Use 'ddns host rotate' for a new secret, or 'ddns host remove' first.`,
    );
  }
  const entry: Record<string, unknown> = {
    route_53_zone_id: zone.id,
    route_53_record_ttl: ttl,
    record_types: parseRecordTypes(context.string("types")) ?? ["A", "AAAA"],
    shared_secret: generateSecret(),
    ...(context.flag("dyndns2") ? { allow_dyndns2: true } : {}),
    ...(context.flag("require-timestamp") ? { require_timestamp: true } : {}),
    ...(context.flag("wildcard") ? { wildcard: true } : {}),
    ...(context.flag("allow-client-ip") ? { allow_client_ip: true } : {}),
  };
  // Keys in the seed's spelling: the FQDN with its trailing dot.
  const document = { ...snapshot.document, [fqdn]: entry };
  const host = (await writeChecked(context, config, snapshot, document, { host: fqdn })).hosts.find(fqdn);
  if (!host) throw new Error(`${fqdn} was written but does not parse`);
  await printSecret(context, "Added", host, { zone_id: zone.id, zone_name: displayHostname(zone.name) });
  await noteServedWithin(context, `the new host ${displayHostname(host.fqdn)}`);
}

/**
 * The zone apex and the API's own custom domain are never written by a host, a LAN device or an ACME
 * account (the function's reserved-name filter and IAM refuse them too): a router there would replace
 * the zone's web site or the API routers call, and a certificate for the apex (`*.<apex>`) or the API
 * would let its holder impersonate the API. `what` says what the name was asked to be.
 */
export async function refuseReservedName(
  context: CommandContext,
  fqdn: string,
  zoneName: string,
  what: string,
): Promise<void> {
  const name = displayHostname(fqdn);
  if (fqdn === zoneName) {
    throw new RefusedError(
      `${name} is the apex of the zone ${displayHostname(zoneName)}, which cannot be ${what}: use a name inside the zone, e.g. home.${name}.`,
    );
  }
  const apiUrl = await context.target.apiUrl();
  const apiHost = apiUrl ? canonicalHostname(new URL(apiUrl).hostname) : undefined;
  if (fqdn === apiHost) {
    throw new RefusedError(`${name} is the API's own domain name (${apiUrl}), which cannot be ${what}.`);
  }
}

/** The host the first argument names; `alsoNames` are names the edit will make it write. */
export async function existingHost(context: CommandContext, alsoNames: readonly string[] = []) {
  const fqdn = hostArgument(context);
  const { config, snapshot } = await readConfig(context, fqdn, alsoNames);
  const key = keyOf(snapshot.document, fqdn);
  if (key === undefined) throw new RefusedError(`${displayHostname(fqdn)} is not in ${config.location}.`);
  return { fqdn, key, config, snapshot };
}

export async function rotateHost(context: CommandContext): Promise<void> {
  const { fqdn, key, config, snapshot } = await existingHost(context);
  const entry = snapshot.document[key];
  const document = { ...snapshot.document, [key]: { ...(entry as object), shared_secret: generateSecret() } };
  const host = (await writeChecked(context, config, snapshot, document, { host: fqdn })).hosts.find(fqdn);
  if (!host) throw new Error(`${fqdn} was written but does not parse`);
  await printSecret(context, "New secret for", host, {});
  context.out.warn(
    `the old secret keeps working until the function's config cache expires (DDNS_CONFIG_CACHE_SECONDS, 60 s by default).`,
  );
}

export async function removeHost(context: CommandContext): Promise<void> {
  const { fqdn, key, config, snapshot } = await existingHost(context);
  const { [key]: _removed, ...document } = snapshot.document;
  await writeChecked(context, config, snapshot, document, { host: fqdn });
  context.out.result(
    [
      `Removed ${displayHostname(fqdn)}. Its DNS records are left as they are; delete them in Route 53 if needed.`,
    ],
    { hostname: displayHostname(fqdn), removed: true },
  );
}

/** The settings `host set` changes: option → config field (on|off), none of which moves a name. */
const SWITCHES: Readonly<Record<string, string>> = {
  "allow-client-ip": "allow_client_ip",
  dyndns2: "allow_dyndns2",
  "require-timestamp": "require_timestamp",
};

function parseSwitch(option: string, raw: string): boolean {
  if (raw === "on" || raw === "true") return true;
  if (raw === "off" || raw === "false") return false;
  throw new UsageError(`--${option} takes on or off, not ${raw}.`);
}

/**
 * `host set HOST --allow-client-ip on|off --dyndns2 on|off --require-timestamp on|off --ttl N`:
 * changes an existing host's settings in place, its secret kept.
 */
export async function setHost(context: CommandContext): Promise<void> {
  const changes: Record<string, unknown> = {};
  for (const [option, field] of Object.entries(SWITCHES)) {
    const raw = context.string(option);
    if (raw !== undefined) changes[field] = parseSwitch(option, raw);
  }
  const ttl = context.string("ttl");
  if (ttl !== undefined) changes.route_53_record_ttl = parseTtl(ttl);
  if (Object.keys(changes).length === 0) {
    throw new UsageError(
      `Name a setting to change: ${[...Object.keys(SWITCHES).map((option) => `--${option} on|off`), "--ttl N"].join(", ")}.`,
    );
  }
  const { fqdn, key, config, snapshot } = await existingHost(context);
  const entry = { ...(snapshot.document[key] as object), ...changes } as Record<string, unknown>;
  for (const [field, value] of Object.entries(changes)) if (value === false) delete entry[field];
  const document = { ...snapshot.document, [key]: entry };
  const host = (await writeChecked(context, config, snapshot, document, { host: fqdn })).hosts.find(fqdn);
  if (!host) throw new Error(`${fqdn} was written but does not parse`);
  const details = describeHost(host, entry);
  context.out.result(
    [
      `Changed ${displayHostname(fqdn)}: ${Object.entries(changes)
        .map(([field, value]) => `${field} ${value}`)
        .join(", ")}.`,
    ],
    details,
  );
  await noteServedWithin(context, "the change");
}

/** What list and show reveal about a host: everything but the secret. */
function describeHost(host: HostConfig, entry: Record<string, unknown>) {
  return {
    hostname: displayHostname(host.fqdn),
    zone_id: host.zoneId,
    ttl: host.ttl,
    record_types: host.recordTypes,
    allow_dyndns2: host.allowDyndns2,
    require_timestamp: host.requireTimestamp,
    allow_client_ip: host.allowClientIp,
    username: host.username,
    wildcard: host.wildcard,
    lan_devices: host.lan?.devices.length ?? 0,
    secret_bits: estimateSecretBits(host.secret),
    ...(typeof entry.comment === "string" ? { comment: entry.comment } : {}),
  };
}

export async function listHosts(context: CommandContext): Promise<void> {
  const { snapshot } = await readConfig(context);
  const { hosts, problems } = parseConfigDocument(snapshot.document);
  warnAbout(context, problems);
  const rows = [...hosts].map((host) => describeHost(host, entryFor(snapshot.document, host.fqdn)));
  const table = rows.map((row) =>
    [row.hostname, row.zone_id, String(row.ttl), row.record_types.join(","), features(row)].join("\t"),
  );
  context.out.result(rows.length === 0 ? ["No hosts yet: add one with 'ddns host add HOST'."] : table, rows);
}

function features(row: ReturnType<typeof describeHost>): string {
  const names = [
    row.allow_dyndns2 && "dyndns2",
    row.require_timestamp && "require-timestamp",
    row.allow_client_ip && "client-ip",
    row.wildcard && "wildcard",
    row.lan_devices > 0 && `lan:${row.lan_devices}`,
  ];
  return names.filter(Boolean).join(",") || "-";
}

function entryFor(document: ConfigDocument, fqdn: string): Record<string, unknown> {
  const key = keyOf(document, fqdn);
  return key === undefined ? {} : (document[key] as Record<string, unknown>);
}

export async function showHost(context: CommandContext): Promise<void> {
  const { fqdn, key, snapshot } = await existingHost(context);
  const { hosts, problems } = parseConfigDocument(snapshot.document);
  const own = problems.filter((problem) => problem.host === key);
  warnAbout(context, own);
  const host = hosts.find(fqdn);
  if (!host)
    throw new InvalidConfigError(
      `${displayHostname(fqdn)} is in the config, but the function ignores it (see above).`,
    );
  const details = describeHost(host, entryFor(snapshot.document, fqdn));
  context.out.result(
    Object.entries(details).map(
      ([name, value]) => `${name}: ${Array.isArray(value) ? value.join(",") : value}`,
    ),
    details,
  );
}
