/**
 * The no-change check through DNS with the real bundle (dist/lambda/index.mjs, `make build`), the
 * emulator and the local DNS server (src/local/dns-server.ts): each request runs in a fresh process,
 * so every cache is cold, and Route 53 is reached through a request log in front of moto
 * (test/support/request-log.ts), so the test sees every Route 53 API call the function makes.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedToken } from "../../src/core/tokens.js";
import { type AwsFixture, createAwsFixture } from "../support/aws-fixture.js";
import { builtBundle, FIRST_REQUEST } from "../support/bundle.js";
import { deployedEnvironment } from "../support/deployment.js";
import { type DnsServer, startTestDnsServer } from "../support/dns.js";
import { freePort, type MotoServer, startMoto } from "../support/moto.js";
import { type RequestLog, requestLog } from "../support/request-log.js";

const BUNDLE = builtBundle();
const HOME = "home.dyn.example.com.";
const WILD = "wild.dyn.example.com.";
const SECRET = "integration-secret-for-the-dns-path-0123456789";

/** The Route 53 API calls a request log saw, by action. */
function route53Actions(log: RequestLog): string[] {
  return log.requests.map(({ method, url }) =>
    url.endsWith("/rrset") || url.includes("/rrset?")
      ? method === "POST"
        ? "ChangeResourceRecordSets"
        : "ListResourceRecordSets"
      : `${method} ${url.split("?")[0]}`,
  );
}

describe("the no-change check asks the local DNS server (real bundle, cold)", () => {
  let moto: MotoServer;
  let aws: AwsFixture;
  let dns: DnsServer;
  let proxy: RequestLog;

  /** One request in a fresh process (a cold container); returns its status and its request log line. */
  async function coldSet(host: string, sourceIp: string, nameServers: string) {
    const hostname = host.slice(0, -1);
    const query = `mode=set&hostname=${hostname}&hash=${seedToken(sourceIp, hostname, SECRET)}`;
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [FIRST_REQUEST, BUNDLE, sourceIp, "/", query],
      {
        env: {
          PATH: process.env.PATH,
          ...deployedEnvironment(moto.url, { bucket: aws.bucket }),
          AWS_ENDPOINT_URL_ROUTE_53: proxy.url,
          DDNS_NAME_SERVERS: nameServers,
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
    const entry = { aws_region: "us-east-1", route_53_zone_id: aws.zoneId, shared_secret: SECRET };
    await aws.putConfig({
      [HOME]: { ...entry, route_53_record_ttl: 60, route_53_record_type: "A" },
      [WILD]: { ...entry, route_53_record_ttl: 60, route_53_record_type: "A", wildcard: true },
    });
    await aws.setRecord(HOME, "A", "198.51.100.10");
    await aws.setRecord(WILD, "A", "198.51.100.11");
    await aws.setRecord(`\\052.${WILD}`, "A", "198.51.100.11");
    dns = await startTestDnsServer(moto.url, { maxAgeMs: 0 });
    proxy = await requestLog(moto.url);
  });

  afterAll(async () => {
    await proxy?.close();
    await dns?.stop();
    await moto?.stop();
  });

  it("answers an unchanged address with zero Route 53 API calls", async () => {
    // prepare
    proxy.requests.length = 0;

    // act
    const check = await coldSet(HOME, "198.51.100.10", dns.address);

    // assess
    expect(check.status).toBe(200);
    expect(check.log).toMatchObject({ decision: "unchanged", recordSource: "dns" });
    expect(route53Actions(proxy)).toEqual([]);
  });

  it("reads a host and its wildcard over DNS too", async () => {
    // prepare
    proxy.requests.length = 0;

    // act
    const check = await coldSet(WILD, "198.51.100.11", dns.address);

    // assess
    expect(check.status).toBe(200);
    expect(check.log).toMatchObject({ decision: "unchanged", recordSource: "dns" });
    expect(route53Actions(proxy)).toEqual([]);
  });

  it("queues a moved address without any Route 53 call of its own; the writer writes it", async () => {
    // prepare
    proxy.requests.length = 0;

    // act
    const changed = await coldSet(HOME, "203.0.113.20", dns.address);
    await aws.drained();
    const again = await coldSet(HOME, "203.0.113.20", dns.address);

    // assess: the request function never calls ChangeResourceRecordSets (the writer's role does)
    expect(changed.status).toBe(201);
    expect(again).toMatchObject({ status: 200, log: { recordSource: "dns" } });
    expect(route53Actions(proxy)).toEqual([]);
    expect((await aws.recordValues(HOME, "A")).values).toEqual(["203.0.113.20"]);
  });

  it("falls back to the Route 53 API when the name servers do not answer, and says so in the log", async () => {
    // prepare: a port nobody answers on
    proxy.requests.length = 0;
    const silent = `127.0.0.1:${await freePort()}`;

    // act
    const check = await coldSet(HOME, "203.0.113.20", silent);

    // assess
    expect(check.status).toBe(200);
    expect(check.log).toMatchObject({ decision: "unchanged", recordSource: "api" });
    expect(route53Actions(proxy)).toContain("ListResourceRecordSets");
  });
});
