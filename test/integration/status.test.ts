/**
 * GET /status with the real bundle (dist/lambda/index.mjs, `make build`), the emulator and the local
 * DNS server, each request in a fresh process (a cold container). Route 53's API is pointed at a port
 * nobody answers on: the route must answer from the zone's name servers alone.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { timestampedToken } from "../../src/core/tokens.js";
import { type AwsFixture, createAwsFixture } from "../support/aws-fixture.js";
import { builtBundle, FIRST_REQUEST } from "../support/bundle.js";
import { deployedEnvironment } from "../support/deployment.js";
import { type DnsServer, startTestDnsServer } from "../support/dns.js";
import { freePort, type MotoServer, startMoto } from "../support/moto.js";

const BUNDLE = builtBundle();
const HOME = "home.dyn.example.com.";
const SECRET = "integration-secret-for-the-status-route-0123";

describe("GET /status (real bundle, cold, DNS only)", () => {
  let moto: MotoServer;
  let aws: AwsFixture;
  let dns: DnsServer;
  let deadRoute53: string;

  /** One status request, authenticated with the replay-proof token, in a fresh process. */
  async function coldStatus(sourceIp: string, extra = "", secret = SECRET) {
    const hostname = HOME.slice(0, -1);
    const ts = String(Math.floor(Date.now() / 1000));
    const hash = timestampedToken(sourceIp, hostname, ts, secret);
    const query = `hostname=${hostname}&ts=${ts}&hash=${hash}${extra}`;
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [FIRST_REQUEST, BUNDLE, sourceIp, "/status", query],
      {
        env: {
          PATH: process.env.PATH,
          ...deployedEnvironment(moto.url, { bucket: aws.bucket }),
          AWS_ENDPOINT_URL_ROUTE_53: deadRoute53,
          DDNS_NAME_SERVERS: dns.address,
        },
      },
    );
    const line = stdout.split("\n").find((text) => text.includes('"msg":"request"'));
    return {
      status: Number(/status (\d+)/.exec(stderr)?.[1]),
      log: JSON.parse(line ?? "{}") as Record<string, unknown>,
    };
  }

  beforeAll(async () => {
    moto = await startMoto();
    aws = await createAwsFixture(moto.url);
    await aws.putConfig({
      [HOME]: {
        aws_region: "us-east-1",
        route_53_zone_id: aws.zoneId,
        route_53_record_ttl: 60,
        route_53_record_type: "A",
        shared_secret: SECRET,
        wildcard: true,
      },
    });
    await aws.setRecord(HOME, "A", "198.51.100.10");
    await aws.setRecord(`\\052.${HOME}`, "A", "198.51.100.10");
    dns = await startTestDnsServer(moto.url, { maxAgeMs: 0 });
    deadRoute53 = `http://127.0.0.1:${await freePort()}`;
  });

  afterAll(async () => {
    await dns?.stop();
    await moto?.stop();
  });

  it("answers 200 when the host and its wildcard hold the caller's address", async () => {
    // act
    const check = await coldStatus("198.51.100.10");
    // assess
    expect(check.status).toBe(200);
    expect(check.log).toMatchObject({ decision: "status", protocol: "status", results: ["ok"] });
  });

  it("answers 409 from another address, and 401 for a wrong secret", async () => {
    // act
    const moved = await coldStatus("203.0.113.20", "&format=text");
    const wrong = await coldStatus("198.51.100.10", "", "not-the-secret");
    // assess
    expect(moved.status).toBe(409);
    expect(moved.log).toMatchObject({ decision: "status", results: ["mismatch"] });
    expect(String(moved.log.reason)).toContain("*.home.dyn.example.com A 198.51.100.10");
    expect(wrong.status).toBe(401);
    expect(wrong.log).toMatchObject({ decision: "badauth" });
  });
});
