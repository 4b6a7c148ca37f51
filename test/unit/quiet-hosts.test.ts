/**
 * The quiet-host check: a host with expect_check_in_minutes is announced once, in the run just after
 * its deadline passed, from the fleet's last check-ins; hosts without the setting never are. Then the
 * job's entry point (jobs.handler) at the SDK (aws-sdk-client-mock): config from S3, one Logs Insights
 * query on the request function's log group, `Host went quiet` events on the bus.
 */

import {
  CloudWatchLogsClient,
  GetQueryResultsCommand,
  StartQueryCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseConfigDocument } from "../../src/config/schema.js";
import type { LogEntry } from "../../src/core/log.js";
import type { FleetEntry } from "../../src/insights/activity.js";
import { handler } from "../../src/jobs/handler.js";
import { checkQuietHosts, isQuietCheckEvent, type QuietHostEvent } from "../../src/jobs/quiet-hosts.js";
import { hostsOnlySource } from "../support/config-source.js";
import { BUCKET, mockConfig } from "../support/mock-aws.js";

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
      config: hostsOnlySource((names) => {
        asked.names = names;
        return hosts;
      }),
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
    expect(isQuietCheckEvent({ ddns: "quiet-hosts", everyMinutes: 15, logGroup: "/aws/lambda/ddns" })).toBe(
      true,
    );
    expect(isQuietCheckEvent({ ddns: "quiet-hosts", everyMinutes: 15 })).toBe(false);
    expect(isQuietCheckEvent({ ddns: "quiet-hosts", everyMinutes: 0, logGroup: "/aws/lambda/ddns" })).toBe(
      false,
    );
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

describe("jobs.handler", () => {
  const s3 = mockClient(S3Client);
  const logs = mockClient(CloudWatchLogsClient);
  const eventBridge = mockClient(EventBridgeClient);
  const LOG_GROUP = "/aws/lambda/ddns";
  const input = { ddns: "quiet-hosts", everyMinutes: 15, logGroup: LOG_GROUP };
  let printed: string[];

  beforeEach((context) => {
    s3.reset();
    logs.reset();
    eventBridge.reset();
    vi.useFakeTimers({ now: NOW, toFake: ["Date"] });
    vi.stubEnv("DDNS_CONFIG_BUCKET", BUCKET);
    vi.stubEnv("DDNS_EVENT_BUS", "ddns-events");
    // The job's JSON log lines are kept for the assertions, and shown only when a test fails.
    printed = [];
    context.onTestFailed(() => {
      process.stderr.write(printed.join(""));
    });
    vi.spyOn(process.stdout, "write").mockImplementation((text) => {
      printed.push(String(text));
      return true;
    });
    mockConfig(s3, {
      "gone.dyn.example.com.": host({ expect_check_in_minutes: 60 }),
      "fine.dyn.example.com.": host({ expect_check_in_minutes: 60 }),
    });
    logs.on(StartQueryCommand).resolves({ queryId: "q1" });
    logs.on(GetQueryResultsCommand).resolves({
      status: "Complete",
      results: [
        [
          { field: "hostname", value: "gone.dyn.example.com." },
          { field: "decision", value: "unchanged" },
          { field: "lastSeen", value: minutesAgo(70).toISOString().replace("T", " ").replace("Z", "") },
          { field: "requests", value: "12" },
        ],
        [
          { field: "hostname", value: "fine.dyn.example.com." },
          { field: "decision", value: "updated" },
          { field: "lastSeen", value: minutesAgo(5).toISOString().replace("T", " ").replace("Z", "") },
          { field: "requests", value: "3" },
        ],
      ],
    });
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e1" }] });
  });

  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it("queries the request function's log group and puts one 'Host went quiet' event per quiet host", async () => {
    // act
    const quiet = await handler(input);
    // assess
    expect(quiet.map((event) => event.hostname)).toEqual(["gone.dyn.example.com."]);
    const query = logs.commandCalls(StartQueryCommand)[0]?.args[0].input;
    expect(query?.logGroupName).toBe(LOG_GROUP);
    expect(query?.startTime).toBe(Math.floor((NOW - (1440 + 15) * 60_000) / 1000));
    const entries = eventBridge
      .commandCalls(PutEventsCommand)
      .flatMap((call) => call.args[0].input.Entries ?? []);
    expect(entries).toEqual([
      {
        EventBusName: "ddns-events",
        Source: "route53-ddns",
        DetailType: "Host went quiet",
        Detail: JSON.stringify({
          hostname: "gone.dyn.example.com.",
          lastCheckIn: minutesAgo(70).toISOString(),
          expectCheckInMinutes: 60,
        }),
      },
    ]);
    expect(printed.join("")).toContain('"msg":"quiet-host check"');
  });

  it("puts nothing when no watched host went quiet", async () => {
    logs.on(GetQueryResultsCommand).resolves({ status: "Complete", results: [] });

    expect(await handler(input)).toEqual([]);

    expect(eventBridge).not.toHaveReceivedCommand(PutEventsCommand);
  });

  it("fails the run when the bus refuses the events, so the operator sees a failed invocation", async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: "AccessDenied" }] });

    await expect(handler(input)).rejects.toThrow(/refused 1 of 1/);
  });

  it("refuses an event that is not the scheduled rule's input, and a deployment without a bus", async () => {
    await expect(handler({ version: "2.0", rawPath: "/nic/update" })).rejects.toThrow(
      /scheduled rule's input/,
    );
    vi.stubEnv("DDNS_EVENT_BUS", "");
    await expect(handler(input)).rejects.toThrow(/DDNS_EVENT_BUS is not set/);
    expect(logs).not.toHaveReceivedCommand(StartQueryCommand);
  });
});
