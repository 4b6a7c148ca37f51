/**
 * `ddns host status HOST` and `ddns host list --status`: what Route 53 holds, what the zone's name
 * servers answer, and what the function's own log lines say (last check-in, last change, previous
 * addresses), read with one Logs Insights query over `--since` (default 7 days).
 */
import { parseConfigDocument } from "../config/schema.js";
import { displayHostname } from "../core/hostname.js";
import type { HostConfig } from "../core/hosts.js";
import type { RecordType } from "../core/ip.js";
import { Route53Records } from "../dns/route53.js";
import {
  FLEET_QUERY,
  type FleetEntry,
  fleetActivity,
  type HostHistory,
  hostHistory,
  hostHistoryQuery,
  parseRequestLine,
} from "../insights/activity.js";
import { LogsInsights } from "../insights/logs-insights.js";
import { createAwsClients } from "./aws-clients.js";
import type { CommandContext } from "./context.js";
import { InvalidConfigError, UsageError } from "./errors.js";
import { existingHost, readConfig } from "./host-commands.js";
import { askNameServers, type DnsAnswer, type GivenNameServers, nameServersFor } from "./name-servers.js";

const UNITS: Record<string, number> = { m: 60, h: 3600, d: 86_400, w: 604_800 };
const DEFAULT_SINCE = "7d";
/** Logs Insights reads at most this far back from now in one query. */
const MAX_SINCE_SECONDS = 90 * 86_400;

/** `30m`, `12h`, `7d`, `2w` → the window's start. */
export function parseSince(raw: string | undefined, now: Date): Date {
  const text = raw ?? DEFAULT_SINCE;
  const match = /^(\d+)([mhdw])$/.exec(text);
  const seconds = match ? Number(match[1]) * (UNITS[match[2] as string] ?? 0) : 0;
  if (!match || seconds <= 0 || seconds > MAX_SINCE_SECONDS) {
    throw new UsageError(`--since takes a duration such as 30m, 12h, 7d or 2w (at most 90d), not "${text}".`);
  }
  return new Date(now.getTime() - seconds * 1000);
}

function insights(context: CommandContext): LogsInsights {
  return new LogsInsights(context.clients.logs ?? createAwsClients(context.io.env).logs);
}

async function logGroup(context: CommandContext): Promise<string> {
  const group = context.string("log-group") || (await context.target.logGroup());
  if (!group) {
    throw new UsageError(
      "No log group: pass --log-group, set DDNS_LOG_GROUP, or point --terraform-dir at the deployed Terraform root module (output function_log_group_name).",
    );
  }
  return group;
}

/** A time with how long ago it was, for the operator: `2026-11-30T17:55:00.000Z (5 min ago)`. */
export const ago = (time: Date | undefined, now: Date): string => {
  if (!time) return "never";
  const minutes = Math.round((now.getTime() - time.getTime()) / 60_000);
  const relative =
    minutes < 120
      ? `${minutes} min ago`
      : minutes < 2880
        ? `${Math.round(minutes / 60)} h ago`
        : `${Math.round(minutes / 1440)} d ago`;
  return `${time.toISOString()} (${relative})`;
};

/**
 * A host with `expect_check_in_minutes` is quiet when its last check-in (in the window) is older than
 * that; null for hosts that set no expectation.
 */
export function isQuiet(host: HostConfig, lastCheckIn: Date | undefined, now: Date): boolean | null {
  if (host.expectCheckInMinutes === undefined) return null;
  return !lastCheckIn || now.getTime() - lastCheckIn.getTime() > host.expectCheckInMinutes * 60_000;
}

const valuesText = (values: readonly string[]) => (values.length === 0 ? "none" : values.join(" "));
const answerText = (answer: DnsAnswer) =>
  "error" in answer ? `no answer (${answer.error})` : valuesText(answer.values);

/** `--name-servers`, else DDNS_NAME_SERVERS as the function reads it; neither: the zone's delegation set. */
function givenNameServers(context: CommandContext): GivenNameServers | undefined {
  const option = context.string("name-servers");
  if (option) return { from: "--name-servers", list: option };
  const env = context.io.env.DDNS_NAME_SERVERS;
  return env ? { from: "DDNS_NAME_SERVERS", list: env } : undefined;
}

export async function hostStatus(context: CommandContext): Promise<void> {
  const now = new Date();
  const since = parseSince(context.string("since"), now);
  const { fqdn, snapshot } = await existingHost(context);
  const host = parseConfigDocument(snapshot.document).hosts.find(fqdn);
  if (!host)
    throw new InvalidConfigError(`${displayHostname(fqdn)} is in the config, but the function ignores it.`);
  const group = await logGroup(context);

  context.out.progress(`reading Route 53, the name servers and ${group}`);
  const dns = new Route53Records(context.clients.route53, { recordCacheSeconds: 0 });
  const [route53, nameServers, rows] = await Promise.all([
    recordsOf(dns, host),
    nameServersFor(context.clients.route53, host.zoneId, givenNameServers(context)),
    insights(context).query(group, hostHistoryQuery(fqdn), { since, until: now }),
  ]);
  const answers = Object.fromEntries(
    await Promise.all(
      host.recordTypes.map(async (type) => [type, await askNameServers(nameServers, fqdn, type)] as const),
    ),
  ) as Record<RecordType, DnsAnswer>;
  const history = hostHistory(
    fqdn,
    rows.flatMap((row) => parseRequestLine(row) ?? []),
  );

  const data = {
    hostname: fqdn,
    zoneId: host.zoneId,
    route53,
    nameServers: { servers: nameServers, answers },
    window: { since: since.toISOString(), until: now.toISOString() },
    lastCheckIn: history.lastCheckIn ?? null,
    expectCheckInMinutes: host.expectCheckInMinutes ?? null,
    quiet: isQuiet(host, history.lastCheckIn?.time, now),
    lastChange: history.lastChange ?? null,
    previousAddresses: history.previousAddresses,
    requests: history.decisions,
  };
  context.out.result(describeStatus(host, data, history, now), data);
}

async function recordsOf(dns: Route53Records, host: HostConfig): Promise<Record<string, readonly string[]>> {
  const entries = await Promise.all(
    host.recordTypes.map(
      async (type) => [type, await dns.currentValues(host.zoneId, host.fqdn, type)] as const,
    ),
  );
  return Object.fromEntries(entries);
}

function describeStatus(
  host: HostConfig,
  data: {
    route53: Record<string, readonly string[]>;
    nameServers: { answers: Record<string, DnsAnswer> };
    window: { since: string };
    quiet: boolean | null;
  },
  history: HostHistory,
  now: Date,
): string[] {
  const lines = [displayHostname(host.fqdn)];
  for (const type of host.recordTypes) {
    const held = data.route53[type] ?? [];
    const answer = data.nameServers.answers[type] ?? { error: "not asked" };
    const agrees = !("error" in answer) && valuesText(answer.values) === valuesText([...held].sort());
    lines.push(
      `  ${type.padEnd(4)} Route 53: ${valuesText(held)}; name servers: ${answerText(answer)}${agrees ? "" : "  <- differs"}`,
    );
  }
  const checkIn = history.lastCheckIn;
  lines.push(
    `  last check-in: ${ago(checkIn?.time, now)}${checkIn ? `, ${checkIn.decision}, from ${checkIn.sourceIp ?? "?"}` : ""}`,
  );
  if (data.quiet !== null) {
    lines.push(
      `  expected:      a check-in every ${host.expectCheckInMinutes} min: ${data.quiet ? "QUIET" : "on time"}`,
    );
  }
  const change = history.lastChange;
  lines.push(
    `  last change:   ${ago(change?.time, now)}${change ? `: ${change.changes.map((c) => `${c.name} ${c.type} ${valuesText(c.previous)} -> ${c.value}`).join("; ")}` : ""}`,
  );
  lines.push(
    `  previous:      ${
      history.previousAddresses.length === 0
        ? "none in the window"
        : history.previousAddresses
            .map((p) => `${p.type} ${p.values.join(" ")} (until ${p.replacedAt.toISOString()})`)
            .join(", ")
    }`,
  );
  const counts = Object.entries(history.decisions).map(([decision, count]) => `${decision} ${count}`);
  lines.push(`  requests since ${data.window.since}: ${counts.length === 0 ? "none" : counts.join(", ")}`);
  return lines;
}

/** `host list --status`: every host in one Logs Insights query, Route 53 from one zone listing. */
export async function fleetStatus(context: CommandContext): Promise<void> {
  const now = new Date();
  const since = parseSince(context.string("since"), now);
  const { snapshot } = await readConfig(context);
  const hosts = [...parseConfigDocument(snapshot.document).hosts];
  const group = await logGroup(context);
  context.out.progress(`reading Route 53 and ${group}`);
  // A cache bound of a minute: the first read lists the zone, every other host is answered from it.
  const dns = new Route53Records(context.clients.route53, { recordCacheSeconds: 60 });
  const [records, rows] = await Promise.all([
    Promise.all(hosts.map((host) => recordsOf(dns, host))),
    insights(context).query(group, FLEET_QUERY, { since, until: now }),
  ]);
  const activity = fleetActivity(rows);
  const rowsOut = hosts.map((host, index) => {
    const entry: FleetEntry = activity.get(host.fqdn) ?? { checkIns: 0 };
    return {
      hostname: host.fqdn,
      route53: records[index] ?? {},
      lastCheckIn: entry.lastCheckIn?.toISOString() ?? null,
      quiet: isQuiet(host, entry.lastCheckIn, now),
      lastChange: entry.lastChange?.toISOString() ?? null,
      checkIns: entry.checkIns,
    };
  });
  const table = rowsOut.map((row) =>
    [
      row.hostname,
      Object.entries(row.route53)
        .map(([type, values]) => `${type} ${valuesText(values)}`)
        .join(" "),
      `checked in ${ago(activity.get(row.hostname)?.lastCheckIn, now)}`,
      `changed ${ago(activity.get(row.hostname)?.lastChange, now)}`,
      ...(row.quiet ? ["QUIET"] : []),
    ].join("\t"),
  );
  context.out.result(
    table.length === 0 ? ["No hosts yet: add one with 'ddns host add HOST'."] : table,
    rowsOut,
  );
}
