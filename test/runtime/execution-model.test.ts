/**
 * The zip run the way Lambda runs it, beyond "it loads": several execution environments at once, each
 * answering one invocation at a time; an environment frozen between invocations (SIGSTOP) for longer
 * than the idle sockets survive, then thawed; a read-only task root with only /tmp writable; the
 * memory of a 128 MB function with a 100,000-host config; hung dependencies answered inside API
 * Gateway's 30 s; and the payload 2.0 example AWS publishes.
 * Needs `make build` and test/runtime/tools.sh; `make test-runtime` does both.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer as createHttpServer, request as httpRequest } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { PutBucketVersioningCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSecret } from "../../src/admin/secrets.js";
import { seedToken } from "../../src/core/tokens.js";
import type { HttpEvent } from "../../src/protocols/http.js";
import { type AwsFixture, createAwsFixture } from "../support/aws-fixture.js";
import { runDdns } from "../support/ddns-cli.js";
import { deployedEnvironment } from "../support/deployment.js";
import { type DnsServer, startTestDnsServer } from "../support/dns.js";
import { httpEvent, seedBody } from "../support/events.js";
import { type MotoServer, startMoto } from "../support/moto.js";
import { directRunner, lastRequestLog, type Runner } from "./runners.js";

const run = promisify(execFile);
const ZIP = resolve("dist/lambda.zip");
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * An HTTP relay to the emulator that keeps connections alive, as AWS endpoints do (moto answers
 * `Connection: close`, so without it no socket would stay open to die), and closes a connection
 * idle for `idleMs`, as servers and NATs do.
 */
async function idleClosingRelay(
  target: URL,
  idleMs: number,
): Promise<{ url: string; dropped(): number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let dropped = 0;
  const server = createHttpServer((request, response) => {
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.url,
        headers: request.headers,
      },
      (answer) => {
        const { connection: _close, ...headers } = answer.headers;
        response.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(response);
      },
    );
    upstream.on("error", () => response.destroy());
    request.pipe(upstream);
  });
  // The server closes a kept-alive connection idle this long (its own timer, reset by each request).
  server.keepAliveTimeout = idleMs;
  let closing = false;
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => {
      sockets.delete(socket);
      if (!closing) dropped += 1;
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    dropped: () => dropped,
    close: () => {
      closing = true;
      for (const socket of sockets) socket.destroy();
      return new Promise((done) => server.close(() => done()));
    },
  };
}

/** A TCP server that accepts and never answers, and a UDP one for DNS: a hung dependency. */
async function blackHoles(): Promise<{ tcp: string; udp: string; close(): Promise<void> }> {
  const held: Socket[] = [];
  const tcp: Server = createServer((socket) => {
    held.push(socket);
    socket.on("error", () => {});
  });
  await new Promise<void>((done) => tcp.listen(0, "127.0.0.1", done));
  const udp = createSocket("udp4");
  await new Promise<void>((done) => udp.bind(0, "127.0.0.1", done));
  return {
    tcp: `http://127.0.0.1:${(tcp.address() as { port: number }).port}`,
    udp: `127.0.0.1:${udp.address().port}`,
    close: async () => {
      for (const socket of held) socket.destroy();
      udp.close();
      await new Promise((done) => tcp.close(done));
    },
  };
}

describe("the zip under Lambda's execution model", () => {
  let moto: MotoServer;
  let aws: AwsFixture;
  let dns: DnsServer;
  let node: string;
  let taskRoot: string;
  const runners: Runner[] = [];
  const secret = generateSecret();
  const zone = "dyn.example.com.";
  const hosts = Array.from({ length: 8 }, (_, index) => `env${index}.${zone}`);

  const setEvent = (host: string, ip: string): HttpEvent =>
    httpEvent({ query: { mode: "set", hostname: host, hash: seedToken(ip, host, secret) }, sourceIp: ip });
  const environment = (overrides: Record<string, string> = {}) => ({
    ...deployedEnvironment(moto.url, { bucket: aws.bucket }),
    DDNS_NAME_SERVERS: dns.address,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "128",
    ...overrides,
  });
  async function start(command: string | string[], env: Record<string, string>): Promise<Runner> {
    const runner = await directRunner(command, taskRoot, env);
    runners.push(runner);
    return runner;
  }

  beforeAll(async () => {
    node = (await run("test/runtime/tools.sh", ["node"])).stdout.trim();
    for (const path of [ZIP, node])
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
    await aws.putConfig(Object.fromEntries(hosts.map((host) => [host, entry])));
    dns = await startTestDnsServer(moto.url, { maxAgeMs: 0 });
  });

  afterAll(async () => {
    await Promise.all(runners.map((runner) => runner.stop()));
    await dns?.stop();
    await moto?.stop();
    if (taskRoot) await rm(taskRoot, { recursive: true, force: true });
  });

  it("many environments at once, each answering one invocation at a time: every change lands", async () => {
    // prepare: four environments (the runner hands its process one event after the other)
    const environments = await Promise.all([0, 1, 2, 3].map(() => start(node, environment())));
    // act: each environment sets its host twice in a row, all environments at the same time
    const results = await Promise.all(
      environments.map(async (runner, index) => {
        const host = hosts[index] as string;
        const first = await runner.invoke(setEvent(host, `198.51.100.${index + 1}`));
        const second = await runner.invoke(setEvent(host, `198.51.100.${index + 101}`));
        return [first.statusCode, second.statusCode];
      }),
    );
    // assess
    expect(results).toEqual([
      [201, 201],
      [201, 201],
      [201, 201],
      [201, 201],
    ]);
    for (const [index, host] of hosts.slice(0, 4).entries()) {
      expect((await aws.recordValues(host, "A")).values).toEqual([`198.51.100.${index + 101}`]);
    }
  });

  it("frozen between invocations past the idle-socket timeouts: the first request after the thaw succeeds", async () => {
    // prepare: the emulator behind a relay that drops connections idle for 1 s; a warm environment
    const relay = await idleClosingRelay(new URL(moto.url), 1000);
    try {
      const runner = await start(node, environment({ AWS_ENDPOINT_URL: relay.url }));
      const host = hosts[4] as string;
      expect((await runner.invoke(setEvent(host, "203.0.113.1"))).statusCode).toBe(201);
      // act: freeze for 4 s (its sockets die meanwhile, its timers do not run), thaw, invoke at once
      process.kill(runner.pid as number, "SIGSTOP");
      await sleep(4000);
      const droppedWhileFrozen = relay.dropped();
      process.kill(runner.pid as number, "SIGCONT");
      const thawed = await runner.invoke(setEvent(host, "203.0.113.2"));
      const after = await runner.invoke(setEvent(host, "203.0.113.2"));
      // assess: its keep-alive connections were dropped while it was frozen; the change is made once,
      // nothing failed in between
      expect(droppedWhileFrozen).toBeGreaterThan(0);
      expect(thawed.statusCode, runner.output()).toBe(201);
      expect((await aws.recordValues(host, "A")).values).toEqual(["203.0.113.2"]);
      expect(after.statusCode).toBe(200);
      expect(runner.output()).not.toMatch(/"level":"(error|warn)"/);
    } finally {
      await relay.close();
    }
  });

  it("a read-only task root, only /tmp writable: every route still works, and the sandbox is real", async () => {
    // prepare: a user and mount namespace where the task root and the rest of the system are read-only
    const readOnly = [taskRoot, "/root", "/home", "/work", "/usr", "/etc", "/opt", "/var"];
    const sandbox = [
      "unshare",
      "-rm",
      "sh",
      "-c",
      'for d in $DDNS_READ_ONLY; do [ -d "$d" ] && mount --bind "$d" "$d" && mount -o remount,bind,ro "$d"; done; exec "$@"',
      "sh",
    ];
    const env = environment({ DDNS_READ_ONLY: readOnly.join(" "), HOME: "/root" });
    const probe = await run(
      sandbox[0] as string,
      [
        ...sandbox.slice(1),
        node,
        "-e",
        `const fs = require("node:fs");
         for (const dir of [${JSON.stringify(taskRoot)}, "/root", "/tmp"]) {
           try { fs.writeFileSync(dir + "/probe-" + process.pid, "x"); fs.rmSync(dir + "/probe-" + process.pid); console.log(dir, "writable"); }
           catch (error) { console.log(dir, error.code); }
         }`,
      ],
      { env: { PATH: process.env.PATH ?? "", ...env } },
    );
    const runner = await start([...sandbox, node], env);
    // act
    const host = hosts[5] as string;
    const get = await runner.invoke(httpEvent({ query: { mode: "get" }, sourceIp: "192.0.2.7" }));
    const set = await runner.invoke(setEvent(host, "192.0.2.7"));
    const again = await runner.invoke(setEvent(host, "192.0.2.7"));
    // assess
    expect(probe.stdout.trim().split("\n")).toEqual([`${taskRoot} EROFS`, "/root EROFS", "/tmp writable"]);
    expect([get.statusCode, set.statusCode, again.statusCode], runner.output()).toEqual([200, 201, 200]);
    expect(seedBody(get).return_message).toBe("192.0.2.7");
    expect(runner.output()).not.toMatch(/EROFS|EACCES/);
  });

  it("memory: a 100,000-host sharded config stays inside 128 MB with the heap Terraform gives a 128 MB function", async () => {
    // prepare: 100,000 hosts, sharded by the CLI as an operator would
    const key = "big.json";
    const entry = { aws_region: "us-east-1", route_53_zone_id: aws.zoneId, route_53_record_type: "A" };
    const big: Record<string, unknown> = {};
    for (let index = 0; index < 100_000; index += 1) {
      big[`h${index}.${zone}`] = {
        ...entry,
        shared_secret: `${secret.slice(0, 30)}${String(index).padStart(13, "0")}`,
      };
    }
    await aws.s3.send(
      new PutBucketVersioningCommand({ Bucket: aws.bucket, VersioningConfiguration: { Status: "Enabled" } }),
    );
    await aws.putConfigText(JSON.stringify(big), key);
    const sharded = await runDdns(["config", "shard", "--shards", "256", "--key", key, "--json"], {
      ...deployedEnvironment(moto.url, { bucket: aws.bucket }),
      DDNS_CONFIG_KEY: key,
    });
    expect(sharded.code, sharded.stderr).toBe(0);
    // Terraform's NODE_OPTIONS for memory_size = 128 (terraform/modules/function/main.tf, local.node_options)
    const runner = await start(
      node,
      environment({ DDNS_CONFIG_KEY: key, NODE_OPTIONS: "--max-old-space-size=100 --max-semi-space-size=4" }),
    );
    // act: hosts on many shards, a change each
    const statuses: number[] = [];
    for (const index of [0, 12_345, 54_321, 77_777, 99_999]) {
      const host = `h${index}.${zone}`;
      const ip = `198.18.0.${(index % 250) + 1}`;
      const hostSecret = `${secret.slice(0, 30)}${String(index).padStart(13, "0")}`;
      const event = httpEvent({
        query: { mode: "set", hostname: host, hash: seedToken(ip, host, hostSecret) },
        sourceIp: ip,
      });
      statuses.push((await runner.invoke(event)).statusCode);
    }
    const status = await readFile(`/proc/${runner.pid}/status`, "utf8");
    const peakKb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
    // assess
    expect(statuses, runner.output().slice(-2000)).toEqual([201, 201, 201, 201, 201]);
    expect(peakKb).toBeGreaterThan(0);
    expect(peakKb / 1024).toBeLessThan(128);
  }, 120_000);

  describe("a hung dependency is answered inside API Gateway's 30 s with the documented status", () => {
    let holes: Awaited<ReturnType<typeof blackHoles>>;
    beforeAll(async () => {
      holes = await blackHoles();
    });
    afterAll(async () => {
      await holes?.close();
    });

    const cases: [string, () => Record<string, string>, number[]][] = [
      // The config cannot be read: fail closed, 503 (docs/architecture.md "Config").
      ["S3 (the config)", () => ({ AWS_ENDPOINT_URL_S3: holes.tcp }), [503]],
      // The record cannot be read nor changed: backend unavailable or update failed.
      [
        "Route 53, and the name servers",
        () => ({ AWS_ENDPOINT_URL_ROUTE_53: holes.tcp, DDNS_NAME_SERVERS: holes.udp }),
        [502, 503],
      ],
    ];
    it.each(cases)(
      "%s",
      async (_, overrides, statuses) => {
        // prepare
        const runner = await start(node, environment(overrides()));
        const started = Date.now();
        // act
        const result = await runner.invoke(setEvent(hosts[6] as string, "192.0.2.99"));
        // assess
        expect(Date.now() - started).toBeLessThan(30_000);
        expect(statuses, result.body).toContain(result.statusCode);
        if (result.statusCode === 503)
          expect(Object.keys(result.headers ?? {}).map((h) => h.toLowerCase())).toContain("retry-after");
        expect(lastRequestLog(runner)).toMatchObject({ status: result.statusCode });
      },
      60_000,
    );
  });

  describe("the payload format 2.0 example of the API Gateway documentation", () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
    // (its fields and values, with the path and query of one of this API's routes where said)
    const documented = (changes: {
      rawPath?: string;
      rawQueryString?: string;
      body?: string;
      isBase64Encoded?: boolean;
      method?: string;
      sourceIp?: string;
      headers?: Record<string, string>;
    }) => {
      const rawPath = changes.rawPath ?? "/my/path";
      const rawQueryString = changes.rawQueryString ?? "parameter1=value1&parameter1=value2&parameter2=value";
      return {
        version: "2.0",
        routeKey: "$default",
        rawPath,
        rawQueryString,
        cookies: ["cookie1", "cookie2"],
        headers: { header1: "value1", header2: "value1,value2", ...changes.headers },
        queryStringParameters: Object.fromEntries(
          [...new URLSearchParams(rawQueryString).keys()].map((key) => [
            key,
            new URLSearchParams(rawQueryString).getAll(key).join(","),
          ]),
        ),
        requestContext: {
          accountId: "123456789012",
          apiId: "api-id",
          authentication: {
            clientCert: {
              clientCertPem: "CERT_CONTENT",
              subjectDN: "www.example.com",
              issuerDN: "Example issuer",
              serialNumber: "a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1",
              validity: { notBefore: "May 28 12:30:02 2019 GMT", notAfter: "Aug  5 09:36:04 2021 GMT" },
            },
          },
          authorizer: {
            jwt: { claims: { claim1: "value1", claim2: "value2" }, scopes: ["scope1", "scope2"] },
          },
          domainName: "id.execute-api.us-east-1.amazonaws.com",
          domainPrefix: "id",
          http: {
            method: changes.method ?? "POST",
            path: rawPath,
            protocol: "HTTP/1.1",
            sourceIp: changes.sourceIp ?? "192.0.2.1",
            userAgent: "agent",
          },
          requestId: "id",
          routeKey: "$default",
          stage: "$default",
          time: "12/Mar/2020:19:03:58 +0000",
          timeEpoch: 1583348638390,
        },
        body: changes.body ?? "Hello from Lambda",
        pathParameters: { parameter1: "value1" },
        isBase64Encoded: changes.isBase64Encoded ?? false,
        stageVariables: { stageVariable1: "value1", stageVariable2: "value2" },
      } as unknown as HttpEvent;
    };
    let runner: Runner;
    beforeAll(async () => {
      runner = await start(node, environment());
    });

    it("as published: a path this API does not serve is a 404, not a crash", async () => {
      const result = await runner.invoke(documented({}));
      expect(result.statusCode).toBe(404);
    });

    it("with a dyndns2 update: repeated query keys as API Gateway sends them, cookies, a base64 body", async () => {
      const host = (hosts[7] as string).slice(0, -1);
      const result = await runner.invoke(
        documented({
          method: "GET",
          rawPath: "/nic/update",
          rawQueryString: `hostname=${host}&myip=192.0.2.55&parameter1=value1&parameter1=value2`,
          body: Buffer.from("ignored").toString("base64"),
          isBase64Encoded: true,
          sourceIp: "192.0.2.55",
          headers: { authorization: `Basic ${Buffer.from(`${host}:${secret}`).toString("base64")}` },
        }),
      );
      expect([result.statusCode, result.body]).toEqual([200, "good 192.0.2.55\n"]);
      expect((await aws.recordValues(host, "A")).values).toEqual(["192.0.2.55"]);
    });

    it("with an acme-dns update in a base64 body: read as its bytes (a wrong account is refused)", async () => {
      const txt = randomBytes(32).toString("base64url");
      const result = await runner.invoke(
        documented({
          rawPath: "/acme-dns/update",
          rawQueryString: "",
          body: Buffer.from(JSON.stringify({ subdomain: "nas", txt })).toString("base64"),
          isBase64Encoded: true,
          headers: { "x-api-user": "00000000-0000-4000-8000-000000000000", "x-api-key": "x".repeat(40) },
        }),
      );
      expect([result.statusCode, JSON.parse(result.body ?? "{}")]).toEqual([401, { error: "forbidden" }]);
    });
  });
});
