import { createHash, createHmac } from "node:crypto";
import {
  ChangeResourceRecordSetsCommand,
  Route53Client,
  ThrottlingException,
} from "@aws-sdk/client-route-53";
import { GetObjectCommand, NoSuchKey, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { httpEvent, seedBody } from "../support/events.js";
import { aRecord, mockRecords, resetMockedAws, testApp, ZONE_ID } from "../support/mock-aws.js";

const SECRET = "s3cr3t-shared-value-for-tests-0123456789";
const STRICT_SECRET = "another-secret-for-the-strict-host-000";
const CONFIG = {
  "home.dyn.example.com.": {
    aws_region: "us-west-2",
    route_53_zone_id: ZONE_ID,
    route_53_record_ttl: 60,
    route_53_record_type: "A",
    shared_secret: SECRET,
  },
  "dual.dyn.example.com.": {
    route_53_zone_id: ZONE_ID,
    route_53_record_ttl: 300,
    record_types: ["A", "AAAA"],
    shared_secret: SECRET,
  },
  "strict.dyn.example.com": {
    route_53_zone_id: ZONE_ID,
    shared_secret: STRICT_SECRET,
    require_timestamp: true,
  },
};

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const seedHash = (ip: string, host: string, secret = SECRET) => sha256(ip + host + secret);
const v2Hash = (ip: string, host: string, ts: number, secret = SECRET) =>
  createHmac("sha256", secret).update(`ddns-v2|${ip}|${host}|${ts}`).digest("hex");

const setEvent = (
  hostname: string,
  hash: string,
  sourceIp = "203.0.113.10",
  extra: Record<string, string> = {},
) => httpEvent({ query: { mode: "set", hostname, hash, ...extra }, sourceIp });

describe("seed protocol", () => {
  const s3 = mockClient(S3Client);
  const route53 = mockClient(Route53Client);

  beforeEach(() => {
    resetMockedAws(s3, route53, CONFIG);
  });

  describe("mode=get", () => {
    it("reflects the caller's IPv4 address without touching AWS", async () => {
      // prepare
      const { app } = testApp();
      // act
      const result = await app(httpEvent({ query: { mode: "get" }, sourceIp: "198.51.100.7" }));
      // assess
      expect(result.statusCode).toBe(200);
      expect(seedBody(result)).toEqual({ return_status: "success", return_message: "198.51.100.7" });
      expect(s3.calls()).toHaveLength(0);
      expect(route53.calls()).toHaveLength(0);
    });

    it("reflects IPv6 in canonical form and IPv4-mapped addresses as IPv4", async () => {
      const { app } = testApp();
      const v6 = await app(httpEvent({ query: { mode: "get" }, sourceIp: "2001:DB8:0:0:0:0:0:1" }));
      const mapped = await app(httpEvent({ query: { mode: "get" }, sourceIp: "::ffff:192.0.2.1" }));
      expect(seedBody(v6).return_message).toBe("2001:db8::1");
      expect(seedBody(mapped).return_message).toBe("192.0.2.1");
    });

    it("works through the POST JSON form", async () => {
      const { app } = testApp();
      const result = await app(httpEvent({ method: "POST", body: '{"execution_mode":"get"}' }));
      expect(seedBody(result)).toEqual({ return_status: "success", return_message: "203.0.113.10" });
    });
  });

  describe("input validation", () => {
    it.each([
      ["no mode", {}],
      ["an unknown mode", { mode: "delete" }],
    ])("refuses %s with the seed's message", async (_label, query) => {
      const { app } = testApp();
      const result = await app(httpEvent({ query }));
      expect(result.statusCode).toBe(400);
      expect(seedBody(result)).toEqual({
        return_status: "fail",
        return_message: "You must pass mode=get or mode=set arguments.",
      });
    });

    it.each(["", "zz", "g".repeat(64), "a".repeat(63), "a".repeat(65)])(
      "refuses the hash %j",
      async (hash) => {
        const { app } = testApp();
        const result = await app(setEvent("home.dyn.example.com.", hash));
        expect(result.statusCode).toBe(400);
        expect(seedBody(result).return_message).toBe(
          "You must pass a valid sha256 hash in the hash= argument.",
        );
      },
    );

    it.each([
      "",
      "nodots",
      "bad_name.example.com",
      "-x.example.com",
      `${"a".repeat(64)}.example.com`,
      "a..b.com",
    ])("refuses the hostname %j and names the argument", async (hostname) => {
      const { app } = testApp();
      const result = await app(setEvent(hostname, "a".repeat(64)));
      expect(result.statusCode).toBe(400);
      expect(seedBody(result).return_message).toMatch(
        /^You must pass a valid hostname in the hostname= argument: /,
      );
    });

    it("refuses a repeated argument instead of guessing which one counts", async () => {
      const { app } = testApp();
      const result = await app(
        httpEvent({ query: "mode=set&hostname=a.example.com&hostname=b.example.com&hash=x" }),
      );
      expect(result.statusCode).toBe(400);
      expect(seedBody(result).return_message).toBe("Pass the hostname= argument only once.");
    });

    it("refuses a POST body that is not JSON, not an object, or too large", async () => {
      const { app } = testApp();
      const notJson = await app(httpEvent({ method: "POST", body: "mode=set" }));
      const notObject = await app(httpEvent({ method: "POST", body: "[1,2]" }));
      const tooLarge = await app(
        httpEvent({ method: "POST", body: JSON.stringify({ execution_mode: "get", pad: "x".repeat(5000) }) }),
      );
      const wrongType = await app(
        httpEvent({ method: "POST", body: '{"execution_mode":"set","ddns_hostname":5}' }),
      );
      expect([notJson, notObject, tooLarge, wrongType].map((r) => r.statusCode)).toEqual([
        400, 400, 400, 400,
      ]);
      expect(seedBody(notJson).return_message).toBe("The request body must be a JSON object.");
      expect(seedBody(tooLarge).return_message).toBe("The request body is larger than 4096 bytes.");
      expect(seedBody(wrongType).return_message).toBe("The ddns_hostname field must be a string.");
      expect(s3.calls()).toHaveLength(0);
    });
  });

  describe("mode=set", () => {
    it("creates a missing record with one UPSERT and answers 201 in the seed's words", async () => {
      // prepare
      const { app } = testApp();
      const host = "home.dyn.example.com.";
      // act
      const result = await app(setEvent(host, seedHash("203.0.113.10", host)));
      // assess
      expect(result.statusCode).toBe(201);
      expect(seedBody(result)).toEqual({
        return_status: "success",
        return_message: "Your hostname record home.dyn.example.com. has been set to 203.0.113.10.",
      });
      expect(route53).toReceiveCommandTimes(ChangeResourceRecordSetsCommand, 1);
      expect(route53).toReceiveCommandWith(ChangeResourceRecordSetsCommand, {
        HostedZoneId: ZONE_ID,
        ChangeBatch: {
          Comment: "route53-ddns",
          Changes: [
            {
              Action: "UPSERT",
              ResourceRecordSet: {
                Name: "home.dyn.example.com.",
                Type: "A",
                TTL: 60,
                ResourceRecords: [{ Value: "203.0.113.10" }],
              },
            },
          ],
        },
      });
    });

    it("answers 200 and writes nothing when the record already holds the address", async () => {
      mockRecords(route53, [aRecord("home.dyn.example.com.", "203.0.113.10")]);
      const { app } = testApp();
      const result = await app(
        setEvent("home.dyn.example.com.", seedHash("203.0.113.10", "home.dyn.example.com.")),
      );
      expect(result.statusCode).toBe(200);
      expect(seedBody(result).return_message).toBe("Your IP address matches the current Route53 DNS record.");
      expect(route53).not.toReceiveCommand(ChangeResourceRecordSetsCommand);
    });

    it("replaces a record that holds another address, or several", async () => {
      mockRecords(route53, [
        {
          Name: "home.dyn.example.com.",
          Type: "A",
          TTL: 60,
          ResourceRecords: [{ Value: "203.0.113.10" }, { Value: "192.0.2.1" }],
        },
      ]);
      const { app } = testApp();
      const result = await app(
        setEvent("home.dyn.example.com.", seedHash("203.0.113.10", "home.dyn.example.com.")),
      );
      expect(result.statusCode).toBe(201);
    });

    it("matches the host case-insensitively with or without the dot; the token covers the name as sent", async () => {
      const { app } = testApp();
      const sent = "HOME.Dyn.Example.COM";
      const result = await app(setEvent(sent, seedHash("203.0.113.10", sent).toUpperCase()));
      expect(result.statusCode).toBe(201);
      expect(route53).toReceiveCommandWith(ChangeResourceRecordSetsCommand, {
        ChangeBatch: expect.objectContaining({
          Changes: [
            expect.objectContaining({
              ResourceRecordSet: expect.objectContaining({ Name: "home.dyn.example.com." }),
            }),
          ],
        }),
      });
    });

    it("sets AAAA for an IPv6 caller with the host's TTL", async () => {
      const { app } = testApp();
      const ip = "2001:db8::42";
      const result = await app(
        setEvent("dual.dyn.example.com", seedHash(ip, "dual.dyn.example.com"), "2001:0db8:0::42"),
      );
      expect(result.statusCode).toBe(201);
      expect(route53).toReceiveCommandWith(ChangeResourceRecordSetsCommand, {
        ChangeBatch: expect.objectContaining({
          Changes: [
            {
              Action: "UPSERT",
              ResourceRecordSet: {
                Name: "dual.dyn.example.com.",
                Type: "AAAA",
                TTL: 300,
                ResourceRecords: [{ Value: ip }],
              },
            },
          ],
        }),
      });
    });

    it("refuses an IPv6 caller for an A-only host with 403 and changes nothing", async () => {
      const { app } = testApp();
      const ip = "2001:db8::42";
      const result = await app(setEvent("home.dyn.example.com", seedHash(ip, "home.dyn.example.com"), ip));
      expect(result.statusCode).toBe(403);
      expect(seedBody(result).return_message).toContain("does not allow AAAA records");
      expect(route53.calls()).toHaveLength(0);
    });

    it("sets an A record for an IPv4-mapped IPv6 caller", async () => {
      const { app } = testApp();
      const result = await app(
        setEvent("home.dyn.example.com", seedHash("192.0.2.9", "home.dyn.example.com"), "::ffff:192.0.2.9"),
      );
      expect(result.statusCode).toBe(201);
    });

    it("works through the POST JSON form of the later upstream client", async () => {
      const { app } = testApp();
      const body = JSON.stringify({
        execution_mode: "set",
        ddns_hostname: "home.dyn.example.com.",
        validation_hash: seedHash("203.0.113.10", "home.dyn.example.com."),
      });
      const plain = await app(httpEvent({ method: "POST", body }));
      const encoded = await app(
        httpEvent({ method: "POST", body: Buffer.from(body).toString("base64"), isBase64Encoded: true }),
      );
      expect(plain.statusCode).toBe(201);
      expect(encoded.statusCode).toBe(200);
    });
  });

  describe("authentication", () => {
    it("gives an unknown host and a wrong hash the same 401 body, and the log says which", async () => {
      // prepare
      const { app, logs } = testApp();
      // act
      const unknown = await app(
        setEvent("nobody.dyn.example.com", seedHash("203.0.113.10", "nobody.dyn.example.com")),
      );
      const wrong = await app(
        setEvent("home.dyn.example.com", seedHash("203.0.113.10", "home.dyn.example.com", "guess")),
      );
      // assess
      expect(unknown.statusCode).toBe(401);
      expect(wrong.statusCode).toBe(401);
      expect(unknown.body).toBe(wrong.body);
      expect(seedBody(wrong).return_message).toBe("Validation hashes do not match.");
      expect(logs.map((entry) => [entry.decision, entry.reason])).toEqual([
        ["badauth", "unknown host"],
        ["badauth", "hash mismatch"],
      ]);
      expect(route53.calls()).toHaveLength(0);
    });

    it("ignores X-Forwarded-For and friends: the token must cover the real source address", async () => {
      const { app } = testApp();
      const spoofed = "192.0.2.200";
      const headers = { "x-forwarded-for": spoofed, forwarded: `for=${spoofed}`, "x-real-ip": spoofed };
      const forSpoofed = await app(
        httpEvent({
          query: {
            mode: "set",
            hostname: "home.dyn.example.com",
            hash: seedHash(spoofed, "home.dyn.example.com"),
          },
          headers,
        }),
      );
      const forSource = await app(
        httpEvent({
          query: {
            mode: "set",
            hostname: "home.dyn.example.com",
            hash: seedHash("203.0.113.10", "home.dyn.example.com"),
          },
          headers,
        }),
      );
      expect(forSpoofed.statusCode).toBe(401);
      expect(forSource.statusCode).toBe(201);
      expect(route53).toReceiveCommandWith(ChangeResourceRecordSetsCommand, {
        ChangeBatch: expect.objectContaining({
          Changes: [
            expect.objectContaining({
              ResourceRecordSet: expect.objectContaining({ ResourceRecords: [{ Value: "203.0.113.10" }] }),
            }),
          ],
        }),
      });
    });

    it("accepts the replay-proof token within ±300 s and says why it refuses one outside", async () => {
      const { app, nowSeconds } = testApp();
      const host = "home.dyn.example.com";
      const at = (offset: number) => {
        const ts = nowSeconds() + offset;
        return setEvent(host, v2Hash("203.0.113.10", host, ts), "203.0.113.10", { ts: String(ts) });
      };
      const fresh = await app(at(-299));
      const expired = await app(at(-301));
      const future = await app(at(301));
      const garbled = await app(setEvent(host, "a".repeat(64), "203.0.113.10", { ts: "yesterday" }));
      expect(fresh.statusCode).toBe(201);
      expect([expired.statusCode, future.statusCode, garbled.statusCode]).toEqual([401, 401, 401]);
      expect(seedBody(expired).return_message).toMatch(/more than 300 seconds old/);
      expect(seedBody(future).return_message).toMatch(/more than 300 seconds in the future/);
      expect(seedBody(garbled).return_message).toBe("The ts= argument must be a Unix time in seconds.");
    });

    it("refuses a seed token for a require_timestamp host, telling only a caller who holds the secret", async () => {
      const { app, nowSeconds } = testApp();
      const host = "strict.dyn.example.com";
      const right = await app(setEvent(host, seedHash("203.0.113.10", host, STRICT_SECRET)));
      const wrong = await app(setEvent(host, seedHash("203.0.113.10", host, "guess")));
      const ts = nowSeconds();
      const v2 = await app(
        setEvent(host, v2Hash("203.0.113.10", host, ts, STRICT_SECRET), "203.0.113.10", { ts: String(ts) }),
      );
      expect(right.statusCode).toBe(401);
      expect(seedBody(right).return_message).toMatch(/requires the replay-proof token/);
      expect(seedBody(wrong).return_message).toBe("Validation hashes do not match.");
      expect(v2.statusCode).toBe(201);
    });
  });

  describe("backend failures", () => {
    const validSet = () => setEvent("home.dyn.example.com", seedHash("203.0.113.10", "home.dyn.example.com"));

    it("answers 503 with Retry-After and a generic body when the config object is missing", async () => {
      s3.on(GetObjectCommand).rejects(
        new NoSuchKey({
          message: "The specified key does not exist. bucket=ddns-config-test",
          $metadata: { httpStatusCode: 404 },
        }),
      );
      const { app, logs } = testApp();
      const result = await app(validSet());
      expect(result.statusCode).toBe(503);
      expect(result.headers?.["retry-after"]).toBe("5");
      expect(seedBody(result).return_message).toBe(
        "The service is temporarily unavailable; try again later.",
      );
      expect(result.body).not.toContain("ddns-config-test");
      expect(logs.some((entry) => entry.msg === "config unavailable")).toBe(true);
      expect(route53.calls()).toHaveLength(0);
    });

    it("answers 201 while Route 53 throttles the writer: the change waits in the queue", async () => {
      route53
        .on(ChangeResourceRecordSetsCommand)
        .rejects(new ThrottlingException({ message: "Rate exceeded", $metadata: { httpStatusCode: 400 } }));
      const { app, writerLogs } = testApp();
      const result = await app(validSet());
      expect(result.statusCode).toBe(201);
      expect(writerLogs.some((entry) => entry.msg === "records not written")).toBe(true);
    });

    it("answers 429 with Retry-After when the change queue throttles, 503 when it cannot be reached", async () => {
      // One mocked SQS at a time: each testApp mocks the client anew.
      const throttled = testApp({
        queueFault: () => Object.assign(new Error("slow down"), { name: "RequestThrottled" }),
      });
      const slow = await throttled.app(validSet());
      const unreachable = testApp({
        queueFault: () =>
          Object.assign(new Error("arn:aws:sqs:us-east-1:123456789012:ddns"), { name: "TimeoutError" }),
      });
      const down = await unreachable.app(validSet());
      expect(slow.statusCode).toBe(429);
      expect(slow.headers?.["retry-after"]).toBe("2");
      expect(down.statusCode).toBe(503);
      expect(down.body).not.toContain("arn:");
      expect(unreachable.logs.at(-1)).toMatchObject({ decision: "unavailable" });
    });
  });

  describe("logging", () => {
    it("writes one JSON line per request with no secret and no token", async () => {
      const { app, logs } = testApp();
      const hash = seedHash("203.0.113.10", "home.dyn.example.com");
      await app(setEvent("home.dyn.example.com", hash));
      await app(setEvent("home.dyn.example.com", hash));
      const requestLines = logs.filter((entry) => entry.msg === "request");
      expect(requestLines).toHaveLength(2);
      expect(requestLines[0]).toMatchObject({
        route: "/",
        hostname: "home.dyn.example.com.",
        sourceIp: "203.0.113.10",
        decision: "updated",
        changeId: "message-1",
        status: 201,
      });
      expect(requestLines[1]).toMatchObject({ decision: "unchanged", status: 200 });
      const text = JSON.stringify(logs);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(hash);
    });
  });
});

describe("other routes", () => {
  const s3 = mockClient(S3Client);
  beforeEach(() => s3.reset());

  it("serves /checkip as plain text and /health without any AWS call", async () => {
    const { app } = testApp();
    const checkip = await app(httpEvent({ path: "/checkip", sourceIp: "2001:db8::7" }));
    const health = await app(httpEvent({ path: "/health" }));
    expect(checkip).toMatchObject({ statusCode: 200, body: "2001:db8::7\n" });
    expect(checkip.headers?.["content-type"]).toMatch(/^text\/plain/);
    expect(health.statusCode).toBe(200);
    expect(s3.calls()).toHaveLength(0);
  });

  it("answers 404 for unknown paths and 405 with Allow for unknown methods", async () => {
    const { app } = testApp();
    const missing = await app(httpEvent({ path: "/admin" }));
    const wrongMethod = await app(httpEvent({ path: "/checkip", method: "DELETE" }));
    expect(missing.statusCode).toBe(404);
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers?.allow).toBe("GET");
  });

  it("never runs a set for HEAD", async () => {
    const { app } = testApp();
    const result = await app(
      httpEvent({ method: "HEAD", query: { mode: "set", hostname: "a.example.com", hash: "a".repeat(64) } }),
    );
    expect(result.statusCode).toBe(405);
    expect(s3.calls()).toHaveLength(0);
  });
});
