/**
 * The request log line is valid CloudWatch Embedded Metric Format for every decision the function
 * makes: every metric and dimension the directive names is present with the right type, units are
 * CloudWatch units, and what is emitted is exactly what terraform/emf-metrics.json (which Terraform's
 * dashboard and alarms read) lists.
 */
import { createHash } from "node:crypto";
import {
  ChangeResourceRecordSetsCommand,
  InvalidInput,
  ListResourceRecordSetsCommand,
  Route53Client,
  ThrottlingException,
} from "@aws-sdk/client-route-53";
import { GetObjectCommand, NoSuchKey, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import type { LogEntry } from "../../src/core/log.js";
import type { Backends } from "../../src/core/ports.js";
import { DECISIONS, DEFAULT_METRICS_NAMESPACE, METRICS, PROTOCOLS } from "../../src/metrics/emf.js";
import { readMetricsNamespace } from "../../src/settings.js";
import { httpEvent } from "../support/events.js";
import { aRecord, mockConfig, mockRecords, testApp, ZONE_ID } from "../support/mock-aws.js";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const SECRET = "emf-test-secret-0123456789abcdef";
const SOURCE = "203.0.113.10";
const ACME_USER = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b";
const ACME_PASSWORD = "p".repeat(40);
const CONFIG = {
  "home.dyn.example.com.": { route_53_zone_id: ZONE_ID, route_53_record_type: "A", shared_secret: SECRET },
  "router.dyn.example.com.": { route_53_zone_id: ZONE_ID, allow_dyndns2: true, shared_secret: SECRET },
  acme_accounts: {
    [ACME_USER]: {
      name: "home.dyn.example.com.",
      subdomain: "home",
      txt_name: "_acme-challenge.home.dyn.example.com.",
      route_53_zone_id: ZONE_ID,
      password_sha256: sha256(ACME_PASSWORD),
    },
  },
};

/** CloudWatch's MetricDatum units (PutMetricData API reference). */
const CLOUDWATCH_UNITS = new Set([
  "Seconds",
  "Microseconds",
  "Milliseconds",
  "Bytes",
  "Kilobytes",
  "Megabytes",
  "Gigabytes",
  "Terabytes",
  "Bits",
  "Kilobits",
  "Megabits",
  "Gigabits",
  "Terabits",
  "Percent",
  "Count",
  "Bytes/Second",
  "Kilobytes/Second",
  "Megabytes/Second",
  "Gigabytes/Second",
  "Terabytes/Second",
  "Bits/Second",
  "Kilobits/Second",
  "Megabits/Second",
  "Gigabits/Second",
  "Terabits/Second",
  "Count/Second",
  "None",
]);

/** The EMF specification's rules for one log event; returns every violation found. */
function emfProblems(line: LogEntry): string[] {
  const problems: string[] = [];
  const aws = line._aws as { Timestamp?: unknown; CloudWatchMetrics?: unknown } | undefined;
  if (typeof aws !== "object" || aws === null) return ["no _aws object"];
  if (!Number.isInteger(aws.Timestamp) || (aws.Timestamp as number) < 1e12)
    problems.push("Timestamp is not epoch ms");
  const directives = aws.CloudWatchMetrics;
  if (!Array.isArray(directives) || directives.length === 0)
    return [...problems, "no CloudWatchMetrics directive"];
  for (const directive of directives) {
    const { Namespace, Dimensions, Metrics } = directive as Record<string, unknown>;
    if (typeof Namespace !== "string" || !/^[A-Za-z0-9.\-_/#: ]{1,255}$/.test(Namespace))
      problems.push(`bad Namespace ${String(Namespace)}`);
    if (!Array.isArray(Dimensions)) problems.push("Dimensions is not an array");
    for (const set of (Dimensions as unknown[]) ?? []) {
      if (!Array.isArray(set) || set.length > 30)
        problems.push("a dimension set is not an array of at most 30");
      for (const key of (set as unknown[]) ?? []) {
        if (typeof key !== "string") problems.push("a dimension name is not a string");
        else if (typeof line[key] !== "string" || (line[key] as string).length === 0)
          problems.push(`dimension ${key} is not a non-empty string at the top level`);
      }
    }
    if (!Array.isArray(Metrics) || Metrics.length === 0 || Metrics.length > 100)
      problems.push("Metrics is not an array of 1 to 100");
    for (const metric of (Metrics as Array<Record<string, unknown>>) ?? []) {
      const name = metric.Name;
      if (typeof name !== "string" || name.length === 0 || name.length > 1024)
        problems.push("a metric has no Name");
      else if (typeof line[name] !== "number" || !Number.isFinite(line[name]))
        problems.push(`metric ${name} is not a number at the top level`);
      if (metric.Unit !== undefined && !CLOUDWATCH_UNITS.has(metric.Unit as string))
        problems.push(`metric ${String(name)} has the unit ${String(metric.Unit)}`);
    }
  }
  return problems;
}

const seedSet = (hostname: string, hash: string, sourceIp = SOURCE) =>
  httpEvent({ query: { mode: "set", hostname, hash }, sourceIp });
const rightHash = (hostname: string, ip = SOURCE) => sha256(ip + hostname + SECRET);
const dyndns2 = (hostnames: string, extra: Record<string, string> = {}) =>
  httpEvent({
    path: "/nic/update",
    query: { hostname: hostnames, ...extra },
    headers: { authorization: `Basic ${Buffer.from(`router.dyn.example.com:${SECRET}`).toString("base64")}` },
    sourceIp: SOURCE,
  });

/** The zone's name servers for GET /status: every name holds the caller's address. */
const withNameServers = (backends: Backends): Backends => ({
  ...backends,
  nameServers: { query: async () => ({ values: [SOURCE], ttlSeconds: 60 }) },
});

describe("EMF in the request log line", () => {
  const s3 = mockClient(S3Client);
  const route53 = mockClient(Route53Client);
  const changed = { ChangeInfo: { Id: "/change/C1", Status: "PENDING" as const, SubmittedAt: new Date() } };

  beforeEach(() => {
    s3.reset();
    route53.reset();
    mockConfig(s3, CONFIG);
    mockRecords(route53, [aRecord("home.dyn.example.com.", "198.51.100.1")]);
    route53.on(ChangeResourceRecordSetsCommand).resolves(changed);
  });

  /** One request for each decision, prepared the way that makes the function decide it. */
  const scenarios: Record<string, () => { event: ReturnType<typeof httpEvent>; prepare?: () => void }> = {
    updated: () => ({ event: seedSet("home.dyn.example.com", rightHash("home.dyn.example.com")) }),
    unchanged: () => ({
      event: seedSet(
        "home.dyn.example.com",
        rightHash("home.dyn.example.com", "198.51.100.1"),
        "198.51.100.1",
      ),
    }),
    reflect: () => ({ event: httpEvent({ query: { mode: "get" } }) }),
    checkip: () => ({ event: httpEvent({ path: "/checkip" }) }),
    health: () => ({ event: httpEvent({ path: "/health" }) }),
    badauth: () => ({ event: seedSet("home.dyn.example.com", sha256("wrong")) }),
    forbidden: () => ({
      event: seedSet("home.dyn.example.com", rightHash("home.dyn.example.com", "2001:db8::1"), "2001:db8::1"),
    }),
    nohost: () => ({
      event: dyndns2("router.dyn.example.com,unknown.dyn.example.com"),
      prepare: () => mockRecords(route53, [aRecord("router.dyn.example.com.", SOURCE)]),
    }),
    abuse: () => ({ event: dyndns2("router.dyn.example.com", { myip: "198.51.100.99" }) }),
    notfqdn: () => ({ event: dyndns2("") }),
    numhost: () => ({
      event: dyndns2(Array.from({ length: 21 }, (_, index) => `h${index}.dyn.example.com`).join(",")),
    }),
    "challenge-set": () => ({
      event: httpEvent({
        method: "POST",
        path: "/acme-dns/update",
        headers: { "x-api-user": ACME_USER, "x-api-key": ACME_PASSWORD },
        body: JSON.stringify({ subdomain: "home", txt: "t".repeat(43) }),
        sourceIp: SOURCE,
      }),
    }),
    "challenge-removed": () => ({
      event: httpEvent({
        method: "POST",
        path: "/httpreq/cleanup",
        headers: {
          authorization: `Basic ${Buffer.from(`${ACME_USER}:${ACME_PASSWORD}`).toString("base64")}`,
        },
        body: JSON.stringify({ fqdn: "_acme-challenge.home.dyn.example.com.", value: "t".repeat(43) }),
        sourceIp: SOURCE,
      }),
    }),
    status: () => ({
      event: httpEvent({
        path: "/status",
        query: { hostname: "router.dyn.example.com" },
        headers: {
          authorization: `Basic ${Buffer.from(`router.dyn.example.com:${SECRET}`).toString("base64")}`,
        },
        sourceIp: SOURCE,
      }),
    }),
    badrequest: () => ({ event: httpEvent({ query: { mode: "bogus" } }) }),
    notfound: () => ({ event: httpEvent({ path: "/wp-login.php" }) }),
    throttled: () => ({
      event: seedSet("home.dyn.example.com", rightHash("home.dyn.example.com")),
      prepare: () =>
        route53
          .on(ListResourceRecordSetsCommand)
          .rejects(new ThrottlingException({ message: "Rate exceeded", $metadata: { httpStatusCode: 400 } })),
    }),
    unavailable: () => ({
      event: seedSet("home.dyn.example.com", rightHash("home.dyn.example.com")),
      prepare: () =>
        s3
          .on(GetObjectCommand)
          .rejects(new NoSuchKey({ message: "no such key", $metadata: { httpStatusCode: 404 } })),
    }),
    dnserr: () => ({
      event: seedSet("home.dyn.example.com", rightHash("home.dyn.example.com")),
      prepare: () =>
        route53
          .on(ListResourceRecordSetsCommand)
          .rejects(new InvalidInput({ message: "refused", $metadata: { httpStatusCode: 400 } })),
    }),
  };

  it.each(Object.keys(scenarios))(
    "is valid EMF, in the namespace asked for, for decision %s",
    async (decision) => {
      // prepare
      const scenario = scenarios[decision]?.();
      scenario?.prepare?.();
      const logs: LogEntry[] = [];
      const { backends } = testApp();
      const app = createApp({
        backends: async () => withNameServers(backends),
        log: (entry) => logs.push(entry),
        metricsNamespace: "route53-ddns/test",
      });
      // act
      await app(scenario?.event ?? httpEvent());
      // assess
      const line: LogEntry = logs.find((entry) => entry.msg === "request") ?? {};
      expect(line.decision).toBe(decision);
      expect(emfProblems(line)).toEqual([]);
      const directives = (line._aws as { CloudWatchMetrics: Array<{ Namespace: string }> }).CloudWatchMetrics;
      expect(directives.map((directive) => directive.Namespace)).toEqual(
        Object.keys(METRICS).map(() => "route53-ddns/test"),
      );
    },
  );

  it("is valid EMF for an unexpected failure (decision error)", async () => {
    const logs: LogEntry[] = [];
    const app = createApp({
      backends: async () => {
        throw new TypeError("something nobody expected");
      },
      log: (entry) => logs.push(entry),
    });

    const result = await app(seedSet("home.dyn.example.com", rightHash("home.dyn.example.com")));

    expect(result.statusCode).toBe(500);
    expect(logs[0]?.decision).toBe("error");
    expect(emfProblems(logs[0] ?? {})).toEqual([]);
  });

  it("covers every decision and protocol in emf-metrics.json, and nothing else", async () => {
    // The scenarios above plus `error`: if the function gains a decision, the catalogue (and so
    // the dashboard) must name it, and this test must make it happen.
    expect(new Set([...Object.keys(scenarios), "error"])).toEqual(new Set(DECISIONS));
    const logs: LogEntry[] = [];
    const { backends } = testApp();
    const app = createApp({
      backends: async () => withNameServers(backends),
      log: (entry) => logs.push(entry),
    });
    for (const scenario of Object.values(scenarios)) {
      s3.reset();
      route53.reset();
      mockConfig(s3, CONFIG);
      mockRecords(route53, []);
      route53.on(ChangeResourceRecordSetsCommand).resolves(changed);
      const { event, prepare } = scenario();
      prepare?.();
      await app(event);
    }
    const protocols = new Set(logs.map((line) => line.protocol));
    expect(protocols).toEqual(new Set(PROTOCOLS));
  });

  it("uses dimensions that stay few: never the host name or the caller's address", () => {
    const dimensions = Object.values(METRICS).flatMap((metric) => metric.dimensions.flat());
    expect(new Set(dimensions)).toEqual(new Set(["decision", "protocol"]));
  });

  it("takes the namespace from DDNS_METRICS_NAMESPACE, defaulting to route53-ddns", () => {
    const warnings: LogEntry[] = [];
    const log = (entry: LogEntry) => warnings.push(entry);

    expect(readMetricsNamespace({}, log)).toBe("route53-ddns");
    expect(DEFAULT_METRICS_NAMESPACE).toBe("route53-ddns");
    expect(readMetricsNamespace({ DDNS_METRICS_NAMESPACE: "route53-ddns/home" }, log)).toBe(
      "route53-ddns/home",
    );
    expect(warnings).toEqual([]);
    expect(readMetricsNamespace({ DDNS_METRICS_NAMESPACE: "AWS/Lambda" }, log)).toBe("route53-ddns");
    expect(warnings).toEqual([expect.objectContaining({ level: "warn" })]);
  });
});
