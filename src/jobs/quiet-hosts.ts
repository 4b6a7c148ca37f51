/**
 * The "host went quiet" notice, so an operator learns that a router stopped checking in without reading the
 * log: a scheduled rule invokes the job function (jobs.handler, src/jobs/handler.ts) every `everyMinutes`;
 * one Logs Insights query (the fleet query of `ddns host list --status`) gives each host's last check-in,
 * and a host with `expect_check_in_minutes` whose check-in is that much older gets one `Host went quiet`
 * event. "One": a host is announced only in the run just after it went quiet (its deadline falls within the
 * last interval), so the check keeps no state of its own, and a host quiet for longer than the lookback is
 * not announced again.
 *
 * A run that fails (the query, the bus) throws, so Lambda retries it; a schedule that fires late
 * or early can, rarely, miss or repeat a host at the edge of an interval.
 *
 * Cost: each run scans the last day of the function's log (expect_check_in_minutes is at most 1440),
 * $0.005 per GB; see docs/operations.md.
 */
import { MAX_EXPECT_CHECK_IN_MINUTES } from "../config/schema.js";
import type { Logger } from "../core/log.js";
import type { ConfigSource } from "../core/ports.js";
import type { FleetEntry } from "../insights/activity.js";

export const QUIET_DETAIL_TYPE = "Host went quiet";

/** What the scheduled rule sends (terraform/modules/quiet-hosts): its period and the request function's log group. */
export interface QuietCheckEvent {
  readonly ddns: "quiet-hosts";
  readonly everyMinutes: number;
  readonly logGroup: string;
}

export function isQuietCheckEvent(event: unknown): event is QuietCheckEvent {
  const candidate = event as Partial<QuietCheckEvent> | null;
  return (
    candidate?.ddns === "quiet-hosts" &&
    Number.isInteger(candidate.everyMinutes) &&
    (candidate.everyMinutes ?? 0) > 0 &&
    typeof candidate.logGroup === "string" &&
    candidate.logGroup !== ""
  );
}

export interface QuietHostEvent {
  readonly hostname: string;
  readonly lastCheckIn: string;
  readonly expectCheckInMinutes: number;
}

export interface QuietCheckDeps {
  readonly config: ConfigSource;
  /** Each host's last check-in between `since` and `until`. */
  readonly fleet: (since: Date, until: Date) => Promise<ReadonlyMap<string, FleetEntry>>;
  /** Sends the events; a rejection fails the run (the scheduled invocation is retried). */
  readonly announce: (events: readonly QuietHostEvent[]) => Promise<void>;
  readonly log: Logger;
  readonly now: () => number;
}

export async function checkQuietHosts(deps: QuietCheckDeps, everyMinutes: number): Promise<QuietHostEvent[]> {
  const until = new Date(deps.now());
  const since = new Date(until.getTime() - (MAX_EXPECT_CHECK_IN_MINUTES + everyMinutes) * 60_000);
  const fleet = await deps.fleet(since, until);
  const hosts = await deps.config.hosts([...fleet.keys()]);
  const quiet: QuietHostEvent[] = [];
  for (const [fqdn, entry] of fleet) {
    const expect = hosts.find(fqdn)?.expectCheckInMinutes;
    if (expect === undefined || !entry.lastCheckIn) continue;
    const deadline = entry.lastCheckIn.getTime() + expect * 60_000;
    // Went quiet since the previous run: announced once, by exactly one run.
    if (deadline <= until.getTime() && deadline > until.getTime() - everyMinutes * 60_000) {
      quiet.push({
        hostname: fqdn,
        lastCheckIn: entry.lastCheckIn.toISOString(),
        expectCheckInMinutes: expect,
      });
    }
  }
  await deps.announce(quiet);
  deps.log({
    level: "info",
    msg: "quiet-host check",
    hostsSeen: fleet.size,
    quiet: quiet.map((event) => event.hostname),
  });
  return quiet;
}
