/**
 * The log line's promises: one line per entry (CloudWatch splits on newlines), `time` first, the
 * entry's fields at the top level where metric filters ({ $.decision = "badauth" }) and EMF look.
 */
import { createHash } from "node:crypto";
import { Route53Client } from "@aws-sdk/client-route-53";
import { S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app.js";
import { errorSummary, jsonLine, type LogEntry } from "../../src/core/log.js";
import { httpEvent } from "../support/events.js";
import { resetMockedAws, testApp, ZONE_ID } from "../support/mock-aws.js";

const SECRET = "log-test-secret-0123456789abcdef";
const CONFIG = {
  "home.dyn.example.com.": { route_53_zone_id: ZONE_ID, shared_secret: SECRET, wildcard: true },
};
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const NOW = "2026-11-27T14:00:00.123Z";

describe("jsonLine", () => {
  const s3 = mockClient(S3Client);
  const route53 = mockClient(Route53Client);

  beforeEach(() => {
    resetMockedAws(s3, route53, CONFIG);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(NOW));
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it("writes each request line of the app as one line, time first, its fields and EMF at the top level", async () => {
    // prepare
    const { app, logs } = testApp();
    const set = (sourceIp: string, hostname = "home.dyn.example.com") =>
      httpEvent({ query: { mode: "set", hostname, hash: sha256(sourceIp + hostname + SECRET) }, sourceIp });
    // act
    await app(set("203.0.113.10")); // updated: the line lists its changes
    await app(httpEvent({ path: "/nic/update", query: { hostname: 'say "hi"\n\u2028' } }));
    // assess
    const requests = logs.filter((entry) => entry.msg === "request");
    expect(requests).toHaveLength(2);
    for (const entry of requests) {
      const line = jsonLine(entry);
      expect(line).not.toMatch(/[\n\r\u2028\u2029]/);
      const parsed = JSON.parse(line);
      expect(Object.keys(parsed)[0]).toBe("time");
      expect(parsed.time).toBe(NOW);
      expect(parsed.decision).toBe(entry.decision);
      // The EMF directive resolves: every metric it names is a top-level number of the same line.
      const directives = parsed._aws.CloudWatchMetrics as { Metrics: { Name: string }[] }[];
      expect(directives.length).toBeGreaterThan(0);
      for (const directive of directives) {
        for (const { Name } of directive.Metrics) expect(typeof parsed[Name]).toBe("number");
      }
    }
  });

  it("writes an unexpected failure's line with its error's name and message only", async () => {
    // prepare
    const logs: LogEntry[] = [];
    const app = createApp({
      backends: async () => {
        throw new TypeError("something nobody expected");
      },
      log: (entry) => logs.push(entry),
      metricsNamespace: "route53-ddns/test",
    });
    // act
    await app(httpEvent({ query: { mode: "set", hostname: "home.dyn.example.com", hash: "a".repeat(64) } }));
    // assess
    expect(logs[0]?.decision).toBe("error");
    expect(JSON.parse(jsonLine(logs[0] ?? {})).error).toEqual({
      name: "TypeError",
      message: "something nobody expected",
    });
  });

  it("keeps any entry on one line and gives back every field it holds (property)", () => {
    // Any UTF-16 code unit, lone surrogates and line separators included.
    const text = fc.string({ unit: fc.nat({ max: 0xffff }).map((code) => String.fromCharCode(code)) });
    fc.assert(
      fc.property(
        fc.dictionary(
          text.filter((key) => key !== "time" && key !== "__proto__"),
          fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null)),
        ),
        (entry) => {
          const line = jsonLine(entry);
          expect(line).not.toMatch(/[\n\r]/);
          const { time, ...fields } = JSON.parse(line);
          expect(time).toBe(NOW);
          expect(fields).toEqual(JSON.parse(JSON.stringify(entry)));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("summarises errors without their stack", () => {
    expect(errorSummary(new RangeError("out of range"))).toEqual({
      name: "RangeError",
      message: "out of range",
    });
    expect(errorSummary("plain")).toEqual({ name: "Error", message: "plain" });
    expect(errorSummary(undefined)).toBeUndefined();
  });
});
