/**
 * Check-ins are credited only to the hosts whose credentials a request carried: a dyndns2 request
 * that names another host beside its own (`hostname=attacker…,victim…`) answers `nohost` for the
 * other, and neither its log line, `host status` (hostHistory, fleetActivity) nor the quiet-host job
 * may count it as the other host's check-in. Run through the whole app with S3 and Route 53 mocked.
 */
import { Route53Client } from "@aws-sdk/client-route-53";
import { S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { parseConfigDocument } from "../../src/config/schema.js";
import type { LogEntry } from "../../src/core/log.js";
import { fleetActivity, hostHistory, parseRequestLine } from "../../src/insights/activity.js";
import type { QueryRow } from "../../src/insights/logs-insights.js";
import { checkQuietHosts } from "../../src/jobs/quiet-hosts.js";
import { hostsOnlySource } from "../support/config-source.js";
import { httpEvent } from "../support/events.js";
import { resetMockedAws, testApp, ZONE_ID } from "../support/mock-aws.js";

const ATTACKER = "attacker.dyn.example.test.";
const VICTIM = "victim.dyn.example.test.";
const CONFIG = {
  [ATTACKER]: {
    route_53_zone_id: ZONE_ID,
    allow_dyndns2: true,
    shared_secret: "attacker-secret-0123456789",
    ipv6_lan_hosts: { "nas.attacker.dyn.example.test.": "::211:32ff:fe12:3456" },
  },
  [VICTIM]: {
    route_53_zone_id: ZONE_ID,
    allow_dyndns2: true,
    shared_secret: "victim-secret-0123456789ab",
    expect_check_in_minutes: 5,
  },
};

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
const nicUpdate = (query: Record<string, string>, user: string, password: string, sourceIp: string) =>
  httpEvent({ path: "/nic/update", query, headers: { authorization: basic(user, password) }, sourceIp });

/** A logged request line as Logs Insights hands it back, stamped with the test clock. */
const asRow = (entry: LogEntry, time: number): QueryRow => ({
  "@timestamp": String(time),
  "@message": JSON.stringify(entry),
});

/** What FLEET_QUERY's `stats max(@timestamp) … by hostname, decision` makes of these lines. */
function fleetRows(lines: readonly { entry: LogEntry; time: number }[]): QueryRow[] {
  const groups = new Map<string, QueryRow>();
  for (const { entry, time } of lines) {
    if (typeof entry.hostname !== "string") continue;
    const key = `${entry.hostname}|${String(entry.decision)}`;
    const row = groups.get(key);
    groups.set(key, {
      hostname: entry.hostname,
      decision: String(entry.decision),
      lastSeen: String(Math.max(time, Number(row?.lastSeen ?? 0))),
      requests: String(Number(row?.requests ?? 0) + 1),
    });
  }
  return [...groups.values()];
}

describe("check-ins from the request log", () => {
  const s3 = mockClient(S3Client);
  const route53 = mockClient(Route53Client);
  beforeEach(() => resetMockedAws(s3, route53, CONFIG));

  it("never credits a host with a check-in made with another host's credentials", async () => {
    // prepare: the victim checks in, then goes quiet; 3 minutes later the attacker names it beside its own
    const { app, logs, advance } = testApp();
    const start = Date.parse("2026-11-27T14:00:00Z");
    await app(
      nicUpdate(
        { hostname: "victim.dyn.example.test" },
        VICTIM,
        CONFIG[VICTIM].shared_secret,
        "198.51.100.9",
      ),
    );
    const victimLine = logs.filter((entry) => entry.msg === "request").at(-1) as LogEntry;
    advance(180);
    // act
    const spoof = await app(
      nicUpdate(
        { hostname: "attacker.dyn.example.test,victim.dyn.example.test", ip6lanprefix: "2001:db8:c0::/64" },
        ATTACKER,
        CONFIG[ATTACKER].shared_secret,
        "203.0.113.66",
      ),
    );
    // assess: the answer and the log line agree on who checked in
    expect(spoof.body).toBe("good 203.0.113.66\nnohost\n");
    const spoofLine = logs.filter((entry) => entry.msg === "request").at(-1) as LogEntry;
    expect(spoofLine).toMatchObject({ decision: "updated", hostname: ATTACKER, refusedHostname: VICTIM });

    const lines = [
      { entry: victimLine, time: start },
      { entry: spoofLine, time: start + 180_000 },
    ];
    const history = hostHistory(
      VICTIM,
      lines.flatMap(({ entry, time }) => parseRequestLine(asRow(entry, time)) ?? []),
    );
    expect(history.lastCheckIn).toMatchObject({ time: new Date(start), sourceIp: "198.51.100.9" });
    expect(history.decisions).toEqual({ updated: 1, nohost: 1 });

    const fleet = fleetActivity(fleetRows(lines));
    expect(fleet.get(VICTIM)).toMatchObject({ lastCheckIn: new Date(start), checkIns: 1 });

    // 6 minutes after its own check-in the victim is quiet, and the job says so
    const quiet = await checkQuietHosts(
      {
        config: hostsOnlySource(parseConfigDocument(CONFIG).hosts),
        fleet: async () => fleet,
        announce: async () => {},
        log: () => {},
        now: () => start + 6 * 60_000,
      },
      15,
    );
    expect(quiet.map((event) => event.hostname)).toEqual([VICTIM]);
  });
});
