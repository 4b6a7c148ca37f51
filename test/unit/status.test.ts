/**
 * GET /status through the whole app, with a stand-in for the zone's name servers: what it answers,
 * the status codes a monitor reads, and that it reveals nothing about names the caller does not own.
 */
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import type { LogEntry } from "../../src/core/log.js";
import type { AnsweredRecord, AuthoritativeDns, ChangeQueue, DnsRecords } from "../../src/core/ports.js";
import { seedToken, timestampedToken } from "../../src/core/tokens.js";
import { documentSource } from "../support/config-source.js";
import { httpEvent } from "../support/events.js";

const SECRET = "s3cret-for-home";
const ZONE = "Z0123456789ABC";
const NOW = Date.parse("2026-11-27T14:00:00Z");
const CALLER = "198.51.100.7";
const CONFIG = {
  "home.dyn.example.com.": {
    aws_region: "us-east-1",
    route_53_zone_id: ZONE,
    route_53_record_ttl: 60,
    route_53_record_type: "A",
    record_types: ["A", "AAAA"],
    shared_secret: SECRET,
    allow_dyndns2: true,
    wildcard: true,
    ipv6_lan_hosts: { "nas.home.dyn.example.com.": "::211:32ff:fe12:3456" },
  },
  "seedonly.dyn.example.com.": {
    aws_region: "us-east-1",
    route_53_zone_id: ZONE,
    route_53_record_ttl: 60,
    route_53_record_type: "A",
    shared_secret: SECRET,
  },
};

/** Name servers answering from a table of `name type` → values; asked names are noted. */
function nameServers(answers: Record<string, string[]>, fail = false) {
  const asked: string[] = [];
  const dns: AuthoritativeDns = {
    async query(zoneId, name, type): Promise<AnsweredRecord> {
      asked.push(`${zoneId} ${name} ${type}`);
      if (fail) throw new Error("timeout talking to ns-1.example.net");
      const values = answers[`${name} ${type}`] ?? [];
      return { values, ttlSeconds: values.length > 0 ? 60 : 300 };
    },
  };
  return { dns, asked };
}

/** Route 53's API must never be asked, nor a change queued: each call fails the test. */
const NO_ROUTE53: DnsRecords = {
  currentValues: () => Promise.reject(new Error("GET /status asked the Route 53 API")),
  expect: () => {
    throw new Error("GET /status announced a change");
  },
};
const NO_QUEUE: ChangeQueue = {
  send: () => Promise.reject(new Error("GET /status queued a change")),
};

function statusApp(answers: Record<string, string[]>, fail = false) {
  const logs: LogEntry[] = [];
  const servers = nameServers(answers, fail);
  const app = createApp({
    backends: async () => ({
      config: documentSource(CONFIG),
      dns: NO_ROUTE53,
      queue: NO_QUEUE,
      nameServers: servers.dns,
    }),
    log: (entry) => logs.push(entry),
    now: () => NOW,
  });
  return { app, logs, asked: servers.asked };
}

const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
});
const statusRequest = (
  query: Record<string, string>,
  headers: Record<string, string> = basic("home.dyn.example.com", SECRET),
  sourceIp = CALLER,
) => httpEvent({ path: "/status", query, headers, sourceIp });

const MATCHING = {
  "home.dyn.example.com. A": [CALLER],
  "*.home.dyn.example.com. A": [CALLER],
  "home.dyn.example.com. AAAA": ["2001:db8::1"],
  "*.home.dyn.example.com. AAAA": ["2001:db8::1"],
  "nas.home.dyn.example.com. AAAA": ["2001:db8:0:1:211:32ff:fe12:3456"],
};

describe("GET /status", () => {
  it("answers 200 with what the name servers hold for the host and its followers, over DNS only", async () => {
    // prepare
    const { app, asked, logs } = statusApp(MATCHING);
    // act
    const result = await app(statusRequest({ hostname: "home.dyn.example.com" }));
    // assess
    expect(result.statusCode).toBe(200);
    expect(result.headers?.["content-type"]).toBe("application/json");
    const body = JSON.parse(result.body ?? "");
    expect(body).toMatchObject({ hostname: "home.dyn.example.com", status: "ok", address: CALLER, ttl: 60 });
    expect(body.mismatches).toEqual([]);
    expect(body.records).toContainEqual({
      name: "*.home.dyn.example.com",
      type: "A",
      role: "wildcard",
      values: [CALLER],
      ttl: 60,
      matches: true,
    });
    expect(body.records).toContainEqual({
      name: "nas.home.dyn.example.com",
      type: "AAAA",
      role: "lan",
      values: ["2001:db8:0:1:211:32ff:fe12:3456"],
      ttl: 60,
      matches: null,
    });
    expect(asked).toHaveLength(5);
    expect(asked.every((query) => query.startsWith(`${ZONE} `))).toBe(true);
    expect(logs[0]).toMatchObject({ decision: "status", protocol: "status", status: 200 });
  });

  it("answers 409 and names what differs when a record does not hold the caller's address", async () => {
    // prepare
    const { app } = statusApp({ ...MATCHING, "*.home.dyn.example.com. A": ["198.51.100.1"] });
    // act
    const json = await app(statusRequest({ hostname: "home.dyn.example.com" }));
    const text = await app(statusRequest({ hostname: "home.dyn.example.com", format: "text" }));
    // assess
    expect(json.statusCode).toBe(409);
    expect(JSON.parse(json.body ?? "").mismatches).toEqual([
      `*.home.dyn.example.com A 198.51.100.1 (you are ${CALLER})`,
    ]);
    expect(text.statusCode).toBe(409);
    expect(text.body).toBe(`mismatch *.home.dyn.example.com A 198.51.100.1 (you are ${CALLER})\n`);
  });

  it("says ok in the text form, and mismatch when the host has no record at all", async () => {
    // prepare
    const matching = statusApp(MATCHING).app;
    const empty = statusApp({}).app;
    // act
    const ok = await matching(statusRequest({ hostname: "home.dyn.example.com", format: "text" }));
    const none = await empty(statusRequest({ hostname: "home.dyn.example.com", format: "text" }));
    // assess
    expect([ok.statusCode, ok.body]).toEqual([200, "ok\n"]);
    expect(none.statusCode).toBe(409);
    expect(none.body).toContain("mismatch home.dyn.example.com A none");
  });

  it("accepts the replay-proof token and refuses the seed token", async () => {
    // prepare
    const { app } = statusApp(MATCHING);
    const ts = String(NOW / 1000);
    const hash = timestampedToken(CALLER, "home.dyn.example.com", ts, SECRET);
    const seed = seedToken(CALLER, "home.dyn.example.com", SECRET);
    // act
    const v2 = await app(statusRequest({ hostname: "home.dyn.example.com", ts, hash }, {}));
    const seeded = await app(statusRequest({ hostname: "home.dyn.example.com", hash: seed }, {}));
    // assess
    expect(v2.statusCode).toBe(200);
    expect(seeded.statusCode).toBe(401);
  });

  it("gives an unknown host, a wrong secret, a host without dyndns2 and no credentials the same answer", async () => {
    // prepare
    const { app, asked, logs } = statusApp(MATCHING);
    const ts = String(NOW / 1000);
    const requests = [
      statusRequest({ hostname: "nobody.dyn.example.com" }, basic("nobody.dyn.example.com", SECRET)),
      statusRequest({ hostname: "home.dyn.example.com" }, basic("home.dyn.example.com", "wrong")),
      statusRequest({ hostname: "seedonly.dyn.example.com" }, basic("seedonly.dyn.example.com", SECRET)),
      statusRequest({ hostname: "home.dyn.example.com" }, {}),
      statusRequest(
        {
          hostname: "nobody.dyn.example.com",
          ts,
          hash: timestampedToken(CALLER, "nobody.dyn.example.com", ts, SECRET),
        },
        {},
      ),
      statusRequest({ hostname: "home.dyn.example.com", ts, hash: "0".repeat(64) }, {}),
    ];
    for (const format of ["json", "text"]) {
      // act
      const answers = [];
      for (const request of requests) {
        answers.push(await app({ ...request, rawQueryString: `${request.rawQueryString}&format=${format}` }));
      }
      // assess
      const shapes = answers.map((a) => [a.statusCode, a.headers?.["www-authenticate"], a.body]);
      expect(new Set(shapes.map((shape) => JSON.stringify(shape))).size, format).toBe(1);
      expect(shapes[0]?.[0]).toBe(401);
    }
    expect(asked).toEqual([]);
    expect(logs.every((line) => line.decision === "badauth")).toBe(true);
    expect(JSON.stringify(logs)).not.toContain(SECRET);
  });

  it("answers 503 with Retry-After and no detail when the name servers do not answer", async () => {
    // prepare
    const { app, logs } = statusApp(MATCHING, true);
    // act
    const result = await app(statusRequest({ hostname: "home.dyn.example.com", format: "text" }));
    // assess
    expect(result.statusCode).toBe(503);
    expect(result.headers?.["retry-after"]).toBe("30");
    expect(result.body).not.toContain("ns-1");
    expect(logs[0]?.decision).toBe("unavailable");
  });

  it("refuses a malformed hostname or format with 400 and says which", async () => {
    // prepare
    const { app } = statusApp(MATCHING);
    // act
    const badName = await app(statusRequest({ hostname: "not a name" }));
    const badFormat = await app(statusRequest({ hostname: "home.dyn.example.com", format: "xml" }));
    // assess
    expect(badName.statusCode).toBe(400);
    expect(badName.body).toContain("hostname=");
    expect(badFormat.statusCode).toBe(400);
    expect(badFormat.body).toContain("format=");
  });

  it("compares an IPv6 caller with the AAAA records", async () => {
    // prepare
    const { app } = statusApp(MATCHING);
    // act
    const result = await app(statusRequest({ hostname: "home.dyn.example.com" }, undefined, "2001:db8::1"));
    // assess
    expect(result.statusCode).toBe(200);
    const matched = JSON.parse(result.body ?? "").records.filter(
      (r: { matches: unknown }) => r.matches === true,
    );
    expect(matched.map((r: { type: string }) => r.type)).toEqual(["AAAA", "AAAA"]);
  });
});
