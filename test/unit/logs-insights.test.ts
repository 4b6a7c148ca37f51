/**
 * The Logs Insights reader at the SDK (aws-sdk-client-mock), and the reading of the function's
 * request log lines into check-ins, changes and previous addresses.
 */
import {
  CloudWatchLogsClient,
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { isQuiet, parseSince } from "../../src/admin/status-commands.js";
import { parseConfigDocument } from "../../src/config/schema.js";
import {
  FLEET_QUERY,
  fleetActivity,
  hostHistory,
  hostHistoryQuery,
  parseRequestLine,
} from "../../src/insights/activity.js";
import { LogsInsights, parseInsightsTime, QueryFailedError } from "../../src/insights/logs-insights.js";
import { configEntry } from "../support/builders.js";

const HOST = "home.dyn.example.com.";
const GROUP = "/aws/lambda/ddns";
const WINDOW = { since: new Date("2026-11-23T12:00:00.500Z"), until: new Date("2026-11-30T12:00:00.200Z") };

const field = (name: string, value: string) => ({ field: name, value });
/** A request line as the function writes it (src/app.ts), as Insights returns it. */
const requestRow = (time: string, line: Record<string, unknown>) => [
  field("@timestamp", time.replace("T", " ").replace("Z", "")),
  field("@message", JSON.stringify({ time, level: "info", msg: "request", ...line })),
];

describe("LogsInsights", () => {
  const logs = mockClient(CloudWatchLogsClient);
  beforeEach(() => logs.reset());

  it("starts one query over the window in whole seconds and polls until it completes", async () => {
    // prepare
    logs.on(StartQueryCommand).resolves({ queryId: "q-1" });
    logs
      .on(GetQueryResultsCommand)
      .resolvesOnce({ status: "Scheduled" })
      .resolvesOnce({ status: "Running" })
      .resolves({
        status: "Complete",
        results: [[field("hostname", HOST), field("lastSeen", "2026-11-30 11:00:00.000")]],
      });
    const insights = new LogsInsights(new CloudWatchLogsClient({ region: "us-east-1" }), {
      sleep: async () => {},
    });
    // act
    const rows = await insights.query(GROUP, FLEET_QUERY, WINDOW);
    // assess
    expect(rows).toEqual([{ hostname: HOST, lastSeen: "2026-11-30 11:00:00.000" }]);
    expect(logs).toReceiveCommandWith(StartQueryCommand, {
      logGroupName: GROUP,
      queryString: FLEET_QUERY,
      startTime: 1795435200,
      endTime: 1796040001,
    });
    expect(logs).toReceiveCommandTimes(GetQueryResultsCommand, 3);
  });

  it("stops a query that outlasts its timeout and says so", async () => {
    logs.on(StartQueryCommand).resolves({ queryId: "q-2" });
    logs.on(GetQueryResultsCommand).resolves({ status: "Running" });
    logs.on(StopQueryCommand).resolves({ success: true });
    const insights = new LogsInsights(new CloudWatchLogsClient({ region: "us-east-1" }), {
      timeoutMs: 0,
      sleep: async () => {},
    });

    await expect(insights.query(GROUP, FLEET_QUERY, WINDOW)).rejects.toThrow(/did not finish within 0 s/);
    expect(logs).toReceiveCommandWith(StopQueryCommand, { queryId: "q-2" });
  });

  it("fails with the query's status when Insights gives up", async () => {
    logs.on(StartQueryCommand).resolves({ queryId: "q-3" });
    logs.on(GetQueryResultsCommand).resolves({ status: "Failed" });
    const insights = new LogsInsights(new CloudWatchLogsClient({ region: "us-east-1" }), {
      sleep: async () => {},
    });

    await expect(insights.query(GROUP, FLEET_QUERY, WINDOW)).rejects.toThrow(QueryFailedError);
  });

  it("reads Insights' timestamps and an emulator's epoch milliseconds alike", () => {
    expect(parseInsightsTime("2026-11-30 11:00:00.000")?.toISOString()).toBe("2026-11-30T11:00:00.000Z");
    expect(parseInsightsTime("1796036400000")?.toISOString()).toBe("2026-11-30T11:00:00.000Z");
    expect(parseInsightsTime("yesterday")).toBeUndefined();
  });
});

describe("host history from request lines", () => {
  const rows = [
    requestRow("2026-11-30T11:55:00.000Z", {
      hostname: HOST,
      decision: "unchanged",
      sourceIp: "203.0.113.7",
    }),
    requestRow("2026-11-30T10:00:00.000Z", {
      hostname: HOST,
      decision: "updated",
      sourceIp: "203.0.113.7",
      changes: [
        { name: HOST, type: "A", ttl: 60, value: "203.0.113.7", previous: ["198.51.100.1"] },
        { name: `*.${HOST}`, type: "A", ttl: 60, value: "203.0.113.7", previous: ["198.51.100.1"] },
      ],
    }),
    requestRow("2026-11-29T09:00:00.000Z", { hostname: HOST, decision: "badauth", sourceIp: "192.0.2.66" }),
    requestRow("2026-11-28T08:00:00.000Z", {
      hostname: `other.dyn.example.com.,${HOST}`,
      decision: "updated",
      sourceIp: "198.51.100.1",
      changes: [
        { name: "other.dyn.example.com.", type: "A", ttl: 60, value: "198.51.100.1", previous: [] },
        { name: HOST, type: "A", ttl: 60, value: "198.51.100.1", previous: ["192.0.2.1"] },
      ],
    }),
    [
      field("@timestamp", "2026-11-30 12:00:00.000"),
      field("@message", "START RequestId: 1 Version: $LATEST"),
    ],
  ];

  it("finds the last check-in, the last change and the previous addresses, newest first", () => {
    // act
    const history = hostHistory(
      HOST,
      rows.flatMap((row) => parseRequestLine(Object.fromEntries(row.map((f) => [f.field, f.value]))) ?? []),
    );
    // assess
    expect(history.lastCheckIn).toEqual({
      time: new Date("2026-11-30T11:55:00.000Z"),
      decision: "unchanged",
      sourceIp: "203.0.113.7",
    });
    expect(history.lastChange?.time).toEqual(new Date("2026-11-30T10:00:00.000Z"));
    expect(history.lastChange?.changes.map((change) => change.name)).toEqual([HOST, `*.${HOST}`]);
    expect(history.previousAddresses).toEqual([
      { type: "A", values: ["198.51.100.1"], replacedAt: new Date("2026-11-30T10:00:00.000Z") },
      { type: "A", values: ["192.0.2.1"], replacedAt: new Date("2026-11-28T08:00:00.000Z") },
    ]);
    expect(history.decisions).toEqual({ unchanged: 1, updated: 2, badauth: 1 });
  });

  it("asks Insights for the exact name only, even inside a dyndns2 list", () => {
    const query = hostHistoryQuery(HOST);
    expect(query).toContain("hostname like /(^|,)home\\.dyn\\.example\\.com\\.(,|$)/");
    expect(query).toContain("fields @timestamp, @message");
    const pattern = /(^|,)home\.dyn\.example\.com\.(,|$)/;
    expect(pattern.test(`a.dyn.example.com.,${HOST}`)).toBe(true);
    expect(pattern.test("myhome.dyn.example.com.")).toBe(false);
  });

  it("reads the fleet query's rows per host, splitting dyndns2 lists", () => {
    const fleet = fleetActivity([
      { hostname: HOST, decision: "unchanged", lastSeen: "2026-11-30 11:55:00.000", requests: "250" },
      { hostname: HOST, decision: "updated", lastSeen: "2026-11-30 10:00:00.000", requests: "2" },
      {
        hostname: `a.dyn.example.com.,${HOST}`,
        decision: "updated",
        lastSeen: "2026-11-28 08:00:00.000",
        requests: "1",
      },
    ]);

    expect(fleet.get(HOST)).toEqual({
      lastCheckIn: new Date("2026-11-30T11:55:00.000Z"),
      lastChange: new Date("2026-11-30T10:00:00.000Z"),
      checkIns: 253,
    });
    expect(fleet.get("a.dyn.example.com.")).toEqual({
      lastCheckIn: new Date("2026-11-28T08:00:00.000Z"),
      lastChange: new Date("2026-11-28T08:00:00.000Z"),
      checkIns: 1,
    });
    expect(FLEET_QUERY).toContain(
      "stats max(@timestamp) as lastSeen, count(*) as requests by hostname, decision",
    );
  });

  it("takes --since as minutes, hours, days or weeks, and refuses anything else", () => {
    const now = new Date("2026-11-30T12:00:00Z");
    expect(parseSince(undefined, now).toISOString()).toBe("2026-11-23T12:00:00.000Z");
    expect(parseSince("36h", now).toISOString()).toBe("2026-11-29T00:00:00.000Z");
    expect(parseSince("2w", now).toISOString()).toBe("2026-11-16T12:00:00.000Z");
    for (const bad of ["7", "0d", "1y", "-1d", "91d"]) expect(() => parseSince(bad, now)).toThrow(/--since/);
  });
});

describe("quiet hosts (expect_check_in_minutes)", () => {
  const { hosts, problems } = parseConfigDocument({
    "watched.dyn.example.com.": configEntry({ expect_check_in_minutes: 60 }),
    "free.dyn.example.com.": configEntry(),
    "low.dyn.example.com.": configEntry({ expect_check_in_minutes: 4 }),
    "text.dyn.example.com.": { ...configEntry(), expect_check_in_minutes: "60" },
  });
  const now = new Date("2026-11-30T12:00:00Z");
  const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000);

  it("is quiet past its expectation or without a check-in, and never without one", () => {
    const watched = hosts.find("watched.dyn.example.com");
    const free = hosts.find("free.dyn.example.com");
    if (!watched || !free) throw new Error("hosts missing");
    expect(isQuiet(watched, minutesAgo(59), now)).toBe(false);
    expect(isQuiet(watched, minutesAgo(61), now)).toBe(true);
    expect(isQuiet(watched, undefined, now)).toBe(true);
    expect(isQuiet(free, undefined, now)).toBeNull();
  });

  it("takes 5 to 1440 whole minutes and names the field otherwise", () => {
    expect(problems.map((problem) => [problem.host, problem.field])).toEqual([
      ["low.dyn.example.com.", "expect_check_in_minutes"],
      ["text.dyn.example.com.", "expect_check_in_minutes"],
    ]);
  });
});
