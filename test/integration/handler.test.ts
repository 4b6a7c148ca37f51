/**
 * The handler with the real SDK against a moto server on a free loopback port: bucket, config
 * object and hosted zone are created through the AWS APIs, and the results read back from them.
 */

import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { generateSecret } from "../../src/admin/secrets.js";
import type { HttpEvent, HttpResult } from "../../src/protocols/http.js";
import { type AwsFixture, createAwsFixture } from "../support/aws-fixture.js";
import { deployedEnvironment } from "../support/deployment.js";
import { httpEvent, seedBody } from "../support/events.js";
import { type MotoServer, startMoto } from "../support/moto.js";
import { requestLog } from "../support/request-log.js";

type Handler = (event: HttpEvent) => Promise<HttpResult>;

const seedHash = (ip: string, host: string, secret: string) =>
  createHash("sha256")
    .update(ip + host + secret)
    .digest("hex");

describe("handler against moto", () => {
  let moto: MotoServer;
  let aws: AwsFixture;
  const secret = generateSecret();
  const home = "home.dyn.example.com.";
  const dual = "dual.dyn.example.com.";

  /** A fresh container: module state (SDK clients, caches) starts empty. */
  async function coldHandler(extraEnv: Record<string, string> = {}): Promise<Handler> {
    vi.resetModules();
    vi.unstubAllEnvs();
    for (const [name, value] of Object.entries({
      ...deployedEnvironment(moto.url, { bucket: aws.bucket }),
      ...extraEnv,
    })) {
      vi.stubEnv(name, value);
    }
    return (await import("../../src/handler.js")).handler;
  }

  beforeAll(async () => {
    moto = await startMoto();
    aws = await createAwsFixture(moto.url);
    const entry = { aws_region: "us-east-1", route_53_zone_id: aws.zoneId, shared_secret: secret };
    await aws.putConfig({
      [home]: { ...entry, route_53_record_ttl: 120, route_53_record_type: "A" },
      [dual]: { ...entry, route_53_record_ttl: 60, record_types: ["A", "AAAA"] },
    });
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await moto?.stop();
  });

  it("creates the record on the first set (201), then finds it unchanged (200)", async () => {
    // prepare
    const handler = await coldHandler();
    const event = httpEvent({
      query: { mode: "set", hostname: home, hash: seedHash("198.51.100.20", home, secret) },
      sourceIp: "198.51.100.20",
    });
    // act
    const first = await handler(event);
    const second = await handler(event);
    // assess
    expect(first.statusCode).toBe(201);
    expect(seedBody(first).return_message).toBe(
      `Your hostname record ${home} has been set to 198.51.100.20.`,
    );
    expect(await aws.recordValues(home, "A")).toEqual({ values: ["198.51.100.20"], ttl: 120 });
    expect(second.statusCode).toBe(200);
    expect(seedBody(second).return_message).toBe("Your IP address matches the current Route53 DNS record.");
  });

  it("a cold container sees a record someone else changed, and sets it back", async () => {
    await aws.setRecord(home, "A", "192.0.2.99", 120);
    const handler = await coldHandler();
    const result = await handler(
      httpEvent({
        query: { mode: "set", hostname: home, hash: seedHash("198.51.100.20", home, secret) },
        sourceIp: "198.51.100.20",
      }),
    );
    expect(result.statusCode).toBe(201);
    expect((await aws.recordValues(home, "A")).values).toEqual(["198.51.100.20"]);
  });

  it("sets an AAAA record for an IPv6 caller", async () => {
    const handler = await coldHandler();
    const ip = "2001:db8:85a3::8a2e:370:7334";
    const result = await handler(
      httpEvent({ query: { mode: "set", hostname: dual, hash: seedHash(ip, dual, secret) }, sourceIp: ip }),
    );
    expect(result.statusCode).toBe(201);
    expect(await aws.recordValues(dual, "AAAA")).toEqual({ values: [ip], ttl: 60 });
  });

  it("answers 503 with Retry-After when the config object does not exist", async () => {
    // prepare: this test's own record, to see that it is left alone
    await aws.setRecord(home, "A", "198.51.100.20", 120);
    const handler = await coldHandler({ DDNS_CONFIG_KEY: "missing.json" });
    const result = await handler(
      httpEvent({
        query: { mode: "set", hostname: home, hash: seedHash("198.51.100.21", home, secret) },
        sourceIp: "198.51.100.21",
      }),
    );
    expect(result.statusCode).toBe(503);
    expect(result.headers?.["retry-after"]).toBeDefined();
    expect(result.body).not.toContain(aws.bucket);
    expect((await aws.recordValues(home, "A")).values).toEqual(["198.51.100.20"]);
  });

  it("revalidates the config by ETag (304 while unchanged) and picks up a new host without a restart", async () => {
    // prepare: S3 reached through a request log, to see the conditional GETs
    const s3Log = await requestLog(moto.url);
    try {
      const handler = await coldHandler({ DDNS_CONFIG_CACHE_SECONDS: "0", AWS_ENDPOINT_URL_S3: s3Log.url });
      const added = "added.dyn.example.com.";
      const event = httpEvent({
        query: { mode: "set", hostname: added, hash: seedHash("198.51.100.30", added, secret) },
        sourceIp: "198.51.100.30",
      });
      // act
      const before = await handler(event);
      const unchanged = await handler(event);
      await aws.putConfig({
        [home]: { route_53_zone_id: aws.zoneId, shared_secret: secret },
        [added]: { route_53_zone_id: aws.zoneId, shared_secret: secret },
      });
      const after = await handler(event);
      // assess
      expect([before.statusCode, unchanged.statusCode, after.statusCode]).toEqual([401, 401, 201]);
      const configGets = s3Log.requests.filter(
        (call) => call.method === "GET" && call.url.startsWith(`/${aws.bucket}/`),
      );
      expect(configGets.map(({ ifNoneMatch, status }) => [ifNoneMatch !== undefined, status])).toEqual([
        [false, 200],
        [true, 304],
        [true, 200],
      ]);
      expect(configGets[2]?.ifNoneMatch).toBe(configGets[1]?.ifNoneMatch);
    } finally {
      await s3Log.close();
    }
  });
});
