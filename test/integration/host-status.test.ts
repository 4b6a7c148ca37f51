/**
 * `ddns host status` and `host list --status` against moto: the real function handles a router's
 * updates (its log lines are captured and stored in the emulator's CloudWatch Logs, as Lambda would),
 * the local DNS server answers for the zone, and the CLI reads all three back.
 * moto's Logs Insights returns raw log lines and ignores `stats`, so the fleet query's aggregation is
 * proven in test/unit/logs-insights.test.ts; here `list --status` proves the wiring.
 */
import { createHash } from "node:crypto";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { EXIT } from "../../src/admin/errors.js";
import { type AwsFixture, createAwsFixture, TEST_CREDENTIALS, TEST_REGION } from "../support/aws-fixture.js";
import { freshHandler, runDdns } from "../support/ddns-cli.js";
import { deployedEnvironment } from "../support/deployment.js";
import { type DnsServer, startTestDnsServer } from "../support/dns.js";
import { httpEvent } from "../support/events.js";
import { type MotoServer, startMoto } from "../support/moto.js";

const HOST = "home.dyn.example.com.";
const GROUP = "/aws/lambda/ddns";
const SECRET = "status-test-secret-0123456789abcdef";

let moto: MotoServer;
let aws: AwsFixture;
let dns: DnsServer;
let env: Record<string, string>;

const seedSet = (ip: string) =>
  httpEvent({
    query: {
      mode: "set",
      hostname: HOST,
      hash: createHash("sha256")
        .update(ip + HOST + SECRET)
        .digest("hex"),
    },
    sourceIp: ip,
  });

beforeAll(async () => {
  moto = await startMoto();
  aws = await createAwsFixture(moto.url);
  dns = await startTestDnsServer(moto.url, { maxAgeMs: 0 });
  await aws.putConfig({
    [HOST]: {
      route_53_zone_id: aws.zoneId,
      route_53_record_type: "A",
      shared_secret: SECRET,
      expect_check_in_minutes: 60,
    },
    "quiet.dyn.example.com.": {
      route_53_zone_id: aws.zoneId,
      shared_secret: SECRET,
      expect_check_in_minutes: 30,
    },
  });
  env = { ...deployedEnvironment(moto.url, { bucket: aws.bucket }), DDNS_RECORD_CACHE_SECONDS: "0" };

  // A router's week, through the real function; its log lines land where Lambda would put them.
  const lines: string[] = [];
  const handler = await freshHandler(env, lines);
  // Minutes apart, as a router checks: the writer has written each change before the next check.
  for (const ip of ["198.51.100.1", "203.0.113.7", "203.0.113.7"]) {
    await handler(seedSet(ip));
    await aws.drained();
  }
  await handler(
    httpEvent({ query: { mode: "set", hostname: HOST, hash: "0".repeat(64) }, sourceIp: "192.0.2.66" }),
  );
  vi.unstubAllEnvs();

  const logs = new CloudWatchLogsClient({
    endpoint: moto.url,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
  });
  await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
  await logs.send(
    new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: "2026/11/30/[$LATEST]test" }),
  );
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: GROUP,
      logStreamName: "2026/11/30/[$LATEST]test",
      logEvents: lines.map((line) => ({
        message: line.trim(),
        timestamp: Date.parse(JSON.parse(line).time),
      })),
    }),
  );
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await dns?.stop();
  await moto?.stop();
});

describe("ddns host status (moto, local DNS server)", () => {
  it("shows Route 53, the name servers' answer, the last check-in and change, and the previous address", async () => {
    // act
    const result = await runDdns(
      [
        "host",
        "status",
        "home.dyn.example.com",
        "--json",
        "--log-group",
        GROUP,
        "--name-servers",
        dns.address,
      ],
      env,
    );
    // assess
    expect(result.code, result.stderr).toBe(0);
    const status = JSON.parse(result.stdout);
    expect(status.route53).toEqual({ A: ["203.0.113.7"] });
    expect(status.nameServers.answers).toEqual({ A: { values: ["203.0.113.7"] } });
    expect(status.lastCheckIn).toMatchObject({ decision: "unchanged", sourceIp: "203.0.113.7" });
    expect(status.lastChange.changes).toEqual([
      { name: HOST, type: "A", value: "203.0.113.7", previous: ["198.51.100.1"] },
    ]);
    expect(status.previousAddresses).toEqual([
      { type: "A", values: ["198.51.100.1"], replacedAt: status.lastChange.time },
    ]);
    expect(status.requests).toEqual({ updated: 2, unchanged: 1, badauth: 1 });
    expect([status.expectCheckInMinutes, status.quiet]).toEqual([60, false]);
  });

  it("prints one readable block per host, with times and the change it made", async () => {
    await aws.setRecord(HOST, "A", "192.0.2.200");
    const result = await runDdns(
      ["host", "status", HOST, "--log-group", GROUP, "--name-servers", dns.address, "--since", "1d"],
      env,
    );

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("A    Route 53: 192.0.2.200; name servers: 192.0.2.200\n");
    expect(result.stdout).toMatch(/last check-in: \S+Z \(0 min ago\), unchanged, from 203\.0\.113\.7/);
    expect(result.stdout).toContain("home.dyn.example.com. A 198.51.100.1 -> 203.0.113.7");
    await aws.setRecord(HOST, "A", "203.0.113.7");
  });

  it("refuses an unknown host and a malformed --since, touching no log", async () => {
    const unknown = await runDdns(["host", "status", "nobody.dyn.example.com", "--log-group", GROUP], env);
    const since = await runDdns(["host", "status", HOST, "--log-group", GROUP, "--since", "1y"], env);

    expect(unknown.code).toBe(EXIT.refused);
    expect(unknown.stderr).toContain("nobody.dyn.example.com is not in");
    expect(since.code).toBe(EXIT.usage);
    expect(since.stderr).toContain("--since takes a duration");
  });

  it("host list --status lists every host with what Route 53 holds, from one query", async () => {
    const result = await runDdns(["host", "list", "--status", "--json", "--log-group", GROUP], env);

    expect(result.code, result.stderr).toBe(0);
    const rows = JSON.parse(result.stdout);
    expect(rows.map((row: { hostname: string }) => row.hostname).sort()).toEqual([
      HOST,
      "quiet.dyn.example.com.",
    ]);
    expect(rows.find((row: { hostname: string }) => row.hostname === HOST).route53).toEqual({
      A: ["203.0.113.7"],
    });
    // moto ignores `stats`, so no host has a check-in here: the one that expects them reads as quiet.
    expect(rows.find((row: { hostname: string }) => row.hostname === "quiet.dyn.example.com.").quiet).toBe(
      true,
    );
  });

  it("calls a host that expects check-ins and has none in the window quiet", async () => {
    const result = await runDdns(
      ["host", "status", "quiet.dyn.example.com", "--log-group", GROUP, "--name-servers", dns.address],
      env,
    );

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("last check-in: never");
    expect(result.stdout).toContain("expected:      a check-in every 30 min: QUIET");
  });
});
