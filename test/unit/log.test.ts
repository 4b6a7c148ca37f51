/**
 * The log line is built field by field, with the EMF directive spliced in as text, for speed: it must
 * stay exactly the text JSON.stringify({ time, ...entry }) writes, byte for byte, for every line.
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

/** What the logger wrote before it built lines itself. */
const stringified = (entry: LogEntry) => JSON.stringify({ time: new Date().toISOString(), ...entry });

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

  it("writes the request lines of the app, EMF directive included, as JSON.stringify does", async () => {
    // prepare
    const { app, logs } = testApp();
    const set = (sourceIp: string, hostname = "home.dyn.example.com") =>
      httpEvent({ query: { mode: "set", hostname, hash: sha256(sourceIp + hostname + SECRET) }, sourceIp });
    // act
    await app(set("203.0.113.10")); // updated: the line lists its changes
    await app(set("203.0.113.10", "Home.Dyn.Example.com.")); // unchanged
    await app(httpEvent({ query: { mode: "set", hostname: "home.dyn.example.com", hash: "0".repeat(64) } }));
    await app(httpEvent({ path: "/nic/update", query: { hostname: 'say "hi"\n\u2028' } }));
    await app(httpEvent({ path: "/wp-login.php" }));
    // assess
    const requests = logs.filter((entry) => entry.msg === "request");
    expect(requests.map((entry) => entry.decision)).toEqual([
      "updated",
      "unchanged",
      "badauth",
      "badauth",
      "notfound",
    ]);
    for (const entry of requests) expect(jsonLine(entry)).toBe(stringified(entry));
  });

  it("writes an unexpected failure's line, with its error summary, as JSON.stringify does", async () => {
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
    expect(jsonLine(logs[0] ?? {})).toBe(stringified(logs[0] ?? {}));
  });

  it("leaves out what JSON leaves out and escapes what it escapes", () => {
    // prepare
    const entry: LogEntry = {
      level: "warn",
      msg: 'quote " backslash \\ newline \n nul \u0000 lone surrogate \ud800',
      'odd "key"': 1,
      missing: undefined,
      callback: () => 1,
      nested: { list: [1, undefined, "x"], at: new Date(0), gone: undefined },
      error: errorSummary(new RangeError("out of range")),
      notANumber: Number.NaN,
      nothing: null,
    };
    // act
    const line = jsonLine(entry);
    // assess
    expect(line).toBe(stringified(entry));
    expect(jsonLine({})).toBe(stringified({}));
  });

  it("puts integer keys before time, as the spread into { time, ...entry } did (found by the property below)", () => {
    for (const entry of [{ "0": false }, { level: "info", "10": 1, "2": "x", "007": 3, "4294967295": 4 }]) {
      expect(jsonLine(entry)).toBe(stringified(entry));
    }
    expect(jsonLine({ "3": undefined, msg: "m" })).toBe(stringified({ "3": undefined, msg: "m" }));
  });

  it("writes any entry as JSON.stringify does (property)", () => {
    // Any UTF-16 code unit, lone surrogates included, and every kind of number.
    const text = fc.string({ unit: fc.nat({ max: 0xffff }).map((code) => String.fromCharCode(code)) });
    const value = fc.oneof(
      text,
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constantFrom(null, undefined),
      fc.jsonValue(),
      fc.array(text),
    );
    fc.assert(
      fc.property(
        fc.dictionary(
          text.filter((key) => key !== "time"),
          value,
        ),
        (entry) => {
          expect(jsonLine(entry)).toBe(stringified(entry));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
