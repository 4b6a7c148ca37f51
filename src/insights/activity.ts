/**
 * What the function's request log lines say about hosts: the Logs Insights queries, and the
 * reading of their rows into check-ins, changes and previous addresses. No AWS here: the rows
 * come from insights/logs-insights.ts (or a test).
 *
 * A request line (src/app.ts) names in `hostname` the hosts whose credentials it carried (dyndns2:
 * comma-separated) and in `refusedHostname` the names it asked for without them; it says what happened
 * in `decision`, and lists the records it wrote in `changes`, each with its `previous` values. Only
 * `hostname` is ever credited with a check-in: one host's credentials cannot vouch for another host.
 */
import { canonicalHostname } from "../core/hostname.js";
import { parseInsightsTime, type QueryRow } from "./logs-insights.js";

/** Decisions that mean the host reached us with the right credentials: a check-in. */
export const CHECK_IN_DECISIONS = ["updated", "unchanged"] as const;

export interface LoggedChange {
  readonly name: string;
  readonly type: string;
  readonly value: string;
  readonly previous: readonly string[];
}

export interface RequestLine {
  readonly time: Date;
  /** The hosts whose credentials the request carried. */
  readonly hostnames: readonly string[];
  /** Names it asked for without their credentials. */
  readonly refusedHostnames: readonly string[];
  readonly decision: string;
  readonly sourceIp?: string;
  readonly changes: readonly LoggedChange[];
}

export interface HostHistory {
  readonly lastCheckIn?: { readonly time: Date; readonly decision: string; readonly sourceIp?: string };
  readonly lastChange?: { readonly time: Date; readonly changes: readonly LoggedChange[] };
  /** Newest first: the values each change replaced, and when. */
  readonly previousAddresses: ReadonlyArray<{
    readonly type: string;
    readonly values: readonly string[];
    readonly replacedAt: Date;
  }>;
  /** Requests naming the host in the window, by decision. */
  readonly decisions: Readonly<Record<string, number>>;
}

export interface FleetEntry {
  readonly lastCheckIn?: Date;
  readonly lastChange?: Date;
  readonly checkIns: number;
}

/** Insights' regex literal for one exact name inside a comma-separated `hostname`. */
function hostnamePattern(fqdn: string): string {
  const escaped = fqdn.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  return `/(^|,)${escaped}(,|$)/`;
}

/** Every request line naming `fqdn`, newest first (at most `limit`). */
export function hostHistoryQuery(fqdn: string, limit = 5000): string {
  return [
    "fields @timestamp, @message",
    `filter msg = "request" and (hostname like ${hostnamePattern(fqdn)} or refusedHostname like ${hostnamePattern(fqdn)})`,
    "sort @timestamp desc",
    `limit ${limit}`,
  ].join(" | ");
}

/** One row per (hostname, decision) of the check-ins: the whole fleet in one query. */
export const FLEET_QUERY = [
  `filter msg = "request" and (${CHECK_IN_DECISIONS.map((d) => `decision = "${d}"`).join(" or ")})`,
  "stats max(@timestamp) as lastSeen, count(*) as requests by hostname, decision",
  "limit 10000",
].join(" | ");

/** A row of hostHistoryQuery as a request line; undefined for anything else. */
export function parseRequestLine(row: QueryRow): RequestLine | undefined {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(row["@message"] ?? "");
  } catch {
    return undefined;
  }
  // Lambda's JSON log format nests a line logged through console under "message".
  if (typeof entry.message === "object" && entry.message !== null)
    entry = entry.message as Record<string, unknown>;
  const { hostname, refusedHostname } = entry;
  if (entry.msg !== "request" || (typeof hostname !== "string" && typeof refusedHostname !== "string"))
    return undefined;
  const time = typeof entry.time === "string" ? new Date(entry.time) : parseInsightsTime(row["@timestamp"]);
  if (!time || Number.isNaN(time.getTime())) return undefined;
  const changes = Array.isArray(entry.changes) ? entry.changes.flatMap(toChange) : [];
  return {
    time,
    hostnames: typeof hostname === "string" ? splitHostnames(hostname) : [],
    refusedHostnames: typeof refusedHostname === "string" ? splitHostnames(refusedHostname) : [],
    decision: typeof entry.decision === "string" ? entry.decision : "unknown",
    sourceIp: typeof entry.sourceIp === "string" ? entry.sourceIp : undefined,
    changes,
  };
}

function toChange(value: unknown): LoggedChange[] {
  const change = value as Partial<Record<keyof LoggedChange, unknown>>;
  if (typeof change?.name !== "string" || typeof change.type !== "string" || typeof change.value !== "string")
    return [];
  const previous = Array.isArray(change.previous) ? change.previous.filter((v) => typeof v === "string") : [];
  return [{ name: change.name, type: change.type, value: change.value, previous }];
}

function splitHostnames(value: string): string[] {
  return value.split(",").flatMap((name) => canonicalHostname(name) ?? []);
}

/** The history of `fqdn` from request lines (any order; lines of other hosts are ignored). */
export function hostHistory(fqdn: string, lines: readonly RequestLine[]): HostHistory {
  const naming = lines
    .filter((line) => line.hostnames.includes(fqdn) || line.refusedHostnames.includes(fqdn))
    .sort((a, b) => b.time.getTime() - a.time.getTime());
  const decisions: Record<string, number> = {};
  for (const line of naming) {
    // A name refused within a request that went on for other hosts was, for this host, a nohost.
    const decision = line.hostnames.includes(fqdn) || line.decision === "badauth" ? line.decision : "nohost";
    decisions[decision] = (decisions[decision] ?? 0) + 1;
  }
  // Check-ins and changes only from requests that carried this host's own credentials.
  const own = naming.filter((line) => line.hostnames.includes(fqdn));
  const checkIn = own.find((line) => (CHECK_IN_DECISIONS as readonly string[]).includes(line.decision));
  // Its own records and the names that follow it; a request for one host wrote only that host's names.
  const belongsToHost = (line: RequestLine, change: LoggedChange) =>
    line.hostnames.length === 1 || change.name === fqdn || change.name === `*.${fqdn}`;
  const changeLines = own.flatMap((line) => {
    const changes = line.changes.filter((change) => belongsToHost(line, change));
    return changes.length > 0 ? [{ time: line.time, changes }] : [];
  });
  const previousAddresses = changeLines.flatMap(({ time, changes }) =>
    changes
      .filter((change) => change.name === fqdn && change.previous.length > 0)
      .map((change) => ({ type: change.type, values: change.previous, replacedAt: time })),
  );
  return {
    lastCheckIn: checkIn && { time: checkIn.time, decision: checkIn.decision, sourceIp: checkIn.sourceIp },
    lastChange: changeLines[0],
    previousAddresses,
    decisions,
  };
}

/** FLEET_QUERY's rows by host; a dyndns2 request for several hosts counts for each of them. */
export function fleetActivity(rows: readonly QueryRow[]): Map<string, FleetEntry> {
  const fleet = new Map<string, FleetEntry>();
  for (const row of rows) {
    const lastSeen = parseInsightsTime(row.lastSeen);
    if (!lastSeen) continue;
    for (const fqdn of splitHostnames(row.hostname ?? "")) {
      const entry = fleet.get(fqdn) ?? { checkIns: 0 };
      fleet.set(fqdn, {
        lastCheckIn: latest(entry.lastCheckIn, lastSeen),
        lastChange: row.decision === "updated" ? latest(entry.lastChange, lastSeen) : entry.lastChange,
        checkIns: entry.checkIns + (Number(row.requests) || 0),
      });
    }
  }
  return fleet;
}

function latest(a: Date | undefined, b: Date): Date {
  return a && a.getTime() > b.getTime() ? a : b;
}
