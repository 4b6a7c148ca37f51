/**
 * The built dist/lambda.zip on what Lambda runs: Node.js 22 (nodejs22.x) loading `index.handler`
 * from the unpacked zip, against moto — once imported directly, once through aws-lambda-ric (the
 * Runtime Interface Client of AWS's Node.js images) talking to the Runtime API stand-in below, and
 * once imported directly by Node 22 for arm64 (the module's default architecture) under qemu.
 * Needs `make build` and test/runtime/tools.sh (Node 22, aws-lambda-ric); `make test-runtime` does both.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSecret } from "../../src/admin/secrets.js";
import { passwordSha256 } from "../../src/core/acme.js";
import { seedToken } from "../../src/core/tokens.js";
import { type AwsFixture, createAwsFixture } from "../support/aws-fixture.js";
import { deployedEnvironment } from "../support/deployment.js";
import { type DnsServer, startTestDnsServer } from "../support/dns.js";
import { httpEvent, seedBody } from "../support/events.js";
import { type MotoServer, startMoto } from "../support/moto.js";
import { directRunner, lastRequestLog, type Runner, ricRunner } from "./runners.js";
import { RuntimeApiStandIn } from "./runtime-api.js";

const run = promisify(execFile);
const ZIP = resolve("dist/lambda.zip");
const tool = async (name: "node" | "ric" | "node-arm64") =>
  (await run("test/runtime/tools.sh", [name])).stdout.trim();

describe("the built zip on the Lambda runtime (Node 22, aws-lambda-ric)", () => {
  let moto: MotoServer;
  let aws: AwsFixture;
  let node: string;
  let ric: string;
  let nodeArm64: string;
  let taskRoot: string;
  let api: RuntimeApiStandIn;
  let dns: DnsServer;
  const runners = new Map<string, Runner>();
  const secret = generateSecret();
  const acmePassword = randomBytes(30).toString("base64url"); // 40 characters
  const hostFor = (way: string) => `${way}.dyn.example.com.`;
  const WAYS = ["direct", "ric", "arm64"] as const;
  /** A prefix and the way's own last digit: each runtime sets its own addresses. */
  const addressFor = (way: (typeof WAYS)[number], prefix: string) => `${prefix}${WAYS.indexOf(way) + 1}`;
  const acmeUserFor = (way: (typeof WAYS)[number]) =>
    `00000000-0000-4000-8000-00000000000${WAYS.indexOf(way)}`;

  beforeAll(async () => {
    [node, ric, nodeArm64] = await Promise.all([tool("node"), tool("ric"), tool("node-arm64")]);
    for (const path of [ZIP, node, ric, nodeArm64.split(" ").at(-1) ?? ""])
      if (!existsSync(path)) throw new Error(`${path} is missing: run \`make test-runtime\``);
    taskRoot = await mkdtemp(join(tmpdir(), "ddns-task-"));
    await run("unzip", ["-q", ZIP, "-d", taskRoot]);
    moto = await startMoto();
    aws = await createAwsFixture(moto.url);
    const entry = {
      aws_region: "us-east-1",
      route_53_zone_id: aws.zoneId,
      route_53_record_ttl: 60,
      shared_secret: secret,
      route_53_record_type: "A",
      allow_dyndns2: true,
    };
    await aws.putConfig({
      ...Object.fromEntries(WAYS.map((way) => [hostFor(way), entry])),
      // One acme-dns account per runtime, for a name outside the zone (its TXT record under _acme-dns.)
      acme_accounts: Object.fromEntries(
        WAYS.map((way) => [
          acmeUserFor(way),
          {
            name: `nas-${way}.example.org.`,
            subdomain: `nas-${way}`,
            txt_name: `nas-${way}._acme-dns.dyn.example.com.`,
            route_53_zone_id: aws.zoneId,
            password_sha256: passwordSha256(acmePassword),
          },
        ]),
      ),
    });
    // Each host starts with a record, so the first set of each runtime is a no-change check.
    for (const way of WAYS) await aws.setRecord(hostFor(way), "A", addressFor(way, "192.0.2.6"), 60);
    // The no-change check asks the zone's name servers first (node:dns): here, the local DNS server.
    dns = await startTestDnsServer(moto.url, { maxAgeMs: 0 });
    api = await RuntimeApiStandIn.start();
  });

  afterAll(async () => {
    await Promise.all([...runners.values()].map((runner) => runner.stop()));
    await api?.close();
    await dns?.stop();
    await moto?.stop();
    if (taskRoot) await rm(taskRoot, { recursive: true, force: true });
  });

  it("runs Node.js 22, as nodejs22.x does, for x64 and for arm64", async () => {
    const [qemu = "", ...arm64] = nodeArm64.split(" ");
    const x64 = await run(node, ["-p", "process.version + ' ' + process.arch"]);
    const onArm = await run(qemu, [...arm64, "-p", "process.version + ' ' + process.arch"]);
    expect(x64.stdout).toMatch(/^v22\.\S+ x64$/m);
    expect(onArm.stdout).toMatch(/^v22\.\S+ arm64$/m);
  });

  const functionEnvironment = () => ({
    ...deployedEnvironment(moto.url, { bucket: aws.bucket }),
    DDNS_NAME_SERVERS: dns.address,
  });
  const ways = {
    direct: () => directRunner(node, taskRoot, functionEnvironment()),
    ric: () => ricRunner(node, ric, api, taskRoot, functionEnvironment()),
    arm64: () => directRunner(nodeArm64, taskRoot, functionEnvironment()),
  };

  describe.each(WAYS)("index.handler, %s", (way) => {
    let runner: Runner;
    const host = hostFor(way);

    beforeAll(async () => {
      runner = await ways[way]();
      runners.set(way, runner);
    });

    /** Runs the step; on failure shows the function's log lines (kept out of passing runs). */
    async function step<T>(body: () => Promise<T>): Promise<T> {
      try {
        return await body();
      } catch (error) {
        console.error(`${way} output:\n${runner.output()}`);
        throw error;
      }
    }

    it("answers the seed get route with the caller's address", () =>
      step(async () => {
        const result = await runner.invoke(httpEvent({ query: { mode: "get" }, sourceIp: "192.0.2.44" }));
        expect(result.statusCode).toBe(200);
        expect(seedBody(result)).toEqual({ return_status: "success", return_message: "192.0.2.44" });
      }));

    it("finds an unchanged address through the zone's name servers (node:dns), no API read", () =>
      step(async () => {
        const ip = addressFor(way, "192.0.2.6");
        const event = httpEvent({
          query: { mode: "set", hostname: host, hash: seedToken(ip, host, secret) },
          sourceIp: ip,
        });
        const result = await runner.invoke(event);
        expect(result.statusCode).toBe(200);
        expect(lastRequestLog(runner)).toMatchObject({ decision: "unchanged", recordSource: "dns" });
      }));

    it("sets the record on a seed set (a change), then finds it unchanged (no change)", () =>
      step(async () => {
        const ip = addressFor(way, "198.51.100.2");
        const event = httpEvent({
          query: { mode: "set", hostname: host, hash: seedToken(ip, host, secret) },
          sourceIp: ip,
        });
        const first = await runner.invoke(event);
        const second = await runner.invoke(event);
        expect(first.statusCode).toBe(201);
        expect(seedBody(first).return_message).toBe(`Your hostname record ${host} has been set to ${ip}.`);
        expect(await aws.recordValues(host, "A")).toEqual({ values: [ip], ttl: 60 });
        expect(second.statusCode).toBe(200);
        expect(seedBody(second).return_message).toBe(
          "Your IP address matches the current Route53 DNS record.",
        );
      }));

    it("answers dyndns2 with good on a change and nochg after", () =>
      step(async () => {
        const ip = addressFor(way, "203.0.113.3");
        const name = host.slice(0, -1);
        const event = httpEvent({
          path: "/nic/update",
          query: { hostname: name, myip: ip },
          headers: { authorization: `Basic ${Buffer.from(`${name}:${secret}`).toString("base64")}` },
          sourceIp: ip,
        });
        const first = await runner.invoke(event);
        const second = await runner.invoke(event);
        expect([first.statusCode, first.body]).toEqual([200, `good ${ip}\n`]);
        expect(await aws.recordValues(host, "A")).toEqual({ values: [ip], ttl: 60 });
        expect([second.statusCode, second.body]).toEqual([200, `nochg ${ip}\n`]);
      }));

    it("writes an ACME DNS-01 challenge through the acme-dns update route", () =>
      step(async () => {
        const txt = randomBytes(32).toString("base64url"); // 43 characters, as ACME's digests
        const result = await runner.invoke(
          httpEvent({
            method: "POST",
            path: "/acme-dns/update",
            headers: { "x-api-user": acmeUserFor(way), "x-api-key": acmePassword },
            body: JSON.stringify({ subdomain: `nas-${way}`, txt }),
            sourceIp: "192.0.2.80",
          }),
        );
        expect([result.statusCode, JSON.parse(result.body ?? "{}")]).toEqual([200, { txt }]);
        expect((await aws.recordValues(`nas-${way}._acme-dns.dyn.example.com.`, "TXT")).values).toContain(
          `"${txt}"`,
        );
      }));
  });

  it("through aws-lambda-ric: posts the result as the response, with the request id in the log", async () => {
    // prepare: the runner the "ric" cases started is still polling the stand-in
    const ricWay = runners.get("ric") as Awaited<ReturnType<typeof ricRunner>>;
    // act
    const invocation = await ricWay.invocation(httpEvent({ query: { mode: "get" }, sourceIp: "192.0.2.45" }));
    // assess: the body ric posted is the handler's result, as JSON, with API Gateway's fields
    expect(invocation.outcome).toBe("response");
    expect(invocation.contentType).toMatch(/json/);
    expect(Object.keys(invocation.payload as object).sort()).toEqual(["body", "headers", "statusCode"]);
    expect(ricWay.output()).toContain(`"requestId":"${invocation.requestId}"`);
  });

  it("through aws-lambda-ric: a handler string that names nothing is an init error", async () => {
    // prepare: a second stand-in, so the running runtime's polling is not disturbed
    const other = await RuntimeApiStandIn.start();
    const broken = await ricRunner(node, ric, other, taskRoot, {}, "index.nothere");
    try {
      // act
      const error = await other.initError();
      // assess
      expect(error.errorType).toBe("Runtime.HandlerNotFound");
    } finally {
      await broken.stop();
      await other.close();
    }
  });
});
