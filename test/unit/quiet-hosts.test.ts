/**
 * The quiet-host check: a host with expect_check_in_minutes is announced once, in the run just after
 * its deadline passed, from the fleet's last check-ins; hosts without the setting never are.
 */
import { describe, expect, it } from "vitest";
import { parseConfigDocument } from "../../src/config/schema.js";
import type { LogEntry } from "../../src/core/log.js";
import { checkQuietHosts, isQuietCheckEvent, type QuietHostEvent } from "../../src/jobs/quiet-hosts.js";
import type { FleetEntry } from "../../src/logs/activity.js";

const NOW = Date.parse("2026-11-30T12:00:00Z");
const minutesAgo = (minutes: number) => new Date(NOW - minutes * 60_000);
const host = (extra: Record<string, unknown> = {}) => ({
  route_53_zone_id: "Z0123456789ABC",
  shared_secret: "s3cr3t",
  ...extra,
});

function run(fleet: Record<string, FleetEntry>, everyMinutes = 15) {
  const { hosts } = parseConfigDocument({
    "gone.dyn.example.com.": host({ expect_check_in_minutes: 60 }),
    "long-gone.dyn.example.com.": host({ expect_check_in_minutes: 60 }),
    "fine.dyn.example.com.": host({ expect_check_in_minutes: 60 }),
    "daily.dyn.example.com.": host({ expect_check_in_minutes: 1440 }),
    "unwatched.dyn.example.com.": host(),
  });
  const announced: QuietHostEvent[] = [];
  const asked: { names?: readonly string[]; since?: Date; until?: Date } = {};
  const logs: LogEntry[] = [];
  const result = checkQuietHosts(
    {
      config: {
        hosts: async (names) => {
          asked.names = names;
          return hosts;
        },
      },
      fleet: async (since, until) => {
        Object.assign(asked, { since, until });
        return new Map(Object.entries(fleet));
      },
      announce: async (events) => {
        announced.push(...events);
      },
      log: (entry) => logs.push(entry),
      now: () => NOW,
    },
    everyMinutes,
  );
  return { result, announced, asked, logs };
}

describe("quiet-host check", () => {
  it("announces a host whose deadline passed since the previous run, and only that one", async () => {
    // prepare + act
    const { result, announced, asked, logs } = run({
      "gone.dyn.example.com.": { lastCheckIn: minutesAgo(70), checkIns: 10 },
      "long-gone.dyn.example.com.": { lastCheckIn: minutesAgo(80), checkIns: 3 },
      "fine.dyn.example.com.": { lastCheckIn: minutesAgo(30), checkIns: 50 },
      "daily.dyn.example.com.": { lastCheckIn: minutesAgo(1450), checkIns: 1 },
      "unwatched.dyn.example.com.": { lastCheckIn: minutesAgo(2000), checkIns: 1 },
    });
    await result;
    // assess
    expect(announced).toEqual([
      {
        hostname: "gone.dyn.example.com.",
        lastCheckIn: minutesAgo(70).toISOString(),
        expectCheckInMinutes: 60,
      },
      {
        hostname: "daily.dyn.example.com.",
        lastCheckIn: minutesAgo(1450).toISOString(),
        expectCheckInMinutes: 1440,
      },
    ]);
    expect(asked.since).toEqual(minutesAgo(1440 + 15));
    expect(asked.until).toEqual(new Date(NOW));
    expect(asked.names).toHaveLength(5);
    expect(logs).toEqual([
      expect.objectContaining({
        msg: "quiet-host check",
        quiet: ["gone.dyn.example.com.", "daily.dyn.example.com."],
      }),
    ]);
  });

  it("announces nothing when every watched host checked in within its time", async () => {
    const { result, announced } = run({
      "fine.dyn.example.com.": { lastCheckIn: minutesAgo(59), checkIns: 1 },
    });
    await result;
    expect(announced).toEqual([]);
  });

  it("recognises only the scheduled rule's input", () => {
    expect(isQuietCheckEvent({ ddns: "quiet-hosts", everyMinutes: 15 })).toBe(true);
    expect(isQuietCheckEvent({ ddns: "quiet-hosts" })).toBe(false);
    expect(isQuietCheckEvent({ version: "2.0", rawPath: "/" })).toBe(false);
    expect(isQuietCheckEvent(null)).toBe(false);
  });

  it("takes expect_check_in_minutes from 5 to 1440 and refuses anything else", () => {
    const { hosts, problems } = parseConfigDocument({
      "a.dyn.example.com.": host({ expect_check_in_minutes: 5 }),
      "b.dyn.example.com.": host({ expect_check_in_minutes: 1441 }),
      "c.dyn.example.com.": host({ expect_check_in_minutes: "60" }),
    });
    expect(hosts.find("a.dyn.example.com")?.expectCheckInMinutes).toBe(5);
    expect(problems.map((problem) => [problem.host, problem.field])).toEqual([
      ["b.dyn.example.com.", "expect_check_in_minutes"],
      ["c.dyn.example.com.", "expect_check_in_minutes"],
    ]);
  });
});
