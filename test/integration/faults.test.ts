/**
 * Network faults on the way to S3 and Route 53, with the function's real clients (src/aws.ts: its
 * timeouts and retries) against moto. A TCP proxy on loopback sits in front of moto for each
 * service and can forward, stop listening (a closed port), or accept and never answer (a hang).
 * Each test checks the caller's answer, that nothing was half-written, and recovery.
 * AWS error codes (AccessDenied, Throttling, …) and the 15-minute bound are in test/unit/faults.test.ts.
 */

import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createAwsBackends } from "../../src/aws.js";
import { readSettings } from "../../src/settings.js";
import { type AwsFixture, createAwsFixture } from "../support/aws-fixture.js";
import { deployedEnvironment } from "../support/deployment.js";
import { httpEvent } from "../support/events.js";
import { fleetConfig, fleetHost, setQuery } from "../support/fakes/fleet.js";
import { freePort, type MotoServer, startMoto } from "../support/moto.js";

type ProxyMode = "forward" | "hang";

/** A loopback TCP proxy whose behaviour the test switches; `close()` leaves its port refusing connections. */
class FaultProxy {
  mode: ProxyMode = "forward";
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;

  constructor(
    readonly port: number,
    private readonly target: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async open(): Promise<void> {
    if (this.#server) return;
    const server = createServer((client) => {
      this.#track(client);
      if (this.mode === "hang") return; // accepted, never answered
      const upstream = this.#track(new (client.constructor as typeof Socket)());
      upstream.connect(this.target, "127.0.0.1");
      client.pipe(upstream).pipe(client);
      client.once("error", () => upstream.destroy());
      upstream.once("error", () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", resolve);
    });
    this.#server = server;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
    this.#server = undefined;
  }

  #track(socket: Socket): Socket {
    this.#sockets.add(socket);
    socket.once("close", () => this.#sockets.delete(socket));
    return socket;
  }
}

const HOST = fleetHost(0);
const FQDN = `${HOST.hostname}.`;
const HOME_IP = "198.51.100.1";
const NEW_IP = "203.0.113.7";
const GENERIC_503 = {
  return_status: "fail",
  return_message: "The service is temporarily unavailable; try again later.",
};

let moto: MotoServer;
let fixture: AwsFixture;
let s3Proxy: FaultProxy;
let route53Proxy: FaultProxy;
const savedEnv = { ...process.env };

beforeAll(async () => {
  moto = await startMoto();
  fixture = await createAwsFixture(moto.url);
  const motoPort = Number(new URL(moto.url).port);
  s3Proxy = new FaultProxy(await freePort(), motoPort);
  route53Proxy = new FaultProxy(await freePort(), motoPort);
  await s3Proxy.open();
  await route53Proxy.open();
  // The function's own clients read their endpoints from here (no custom endpoint variables:
  // docs/architecture.md "Build artefact").
  Object.assign(process.env, deployedEnvironment(moto.url, { bucket: fixture.bucket }), {
    AWS_ENDPOINT_URL_S3: s3Proxy.url,
    AWS_ENDPOINT_URL_ROUTE_53: route53Proxy.url,
    DDNS_CONFIG_CACHE_SECONDS: "0",
  });
});

afterAll(async () => {
  process.env = savedEnv;
  await s3Proxy?.close();
  await route53Proxy?.close();
  await moto?.stop();
});

beforeEach(async () => {
  s3Proxy.mode = "forward";
  route53Proxy.mode = "forward";
  await s3Proxy.open(); // reopened when a test closed it
  await route53Proxy.open();
  await fixture.drained(); // the writer has handled the last test's changes
  await fixture.putConfig(fleetConfig(1, fixture.zoneId));
  await fixture.setRecord(FQDN, "A", HOME_IP);
});

/** A fresh warm-able container with the function's real AWS clients, on a clock the test moves. */
let latestNow = 0;
function container() {
  // Never behind a clock an earlier test moved on: the writer drops a change older than one it wrote.
  let now = Math.max(Date.now(), latestNow + 1);
  const clock = () => {
    latestNow = Math.max(latestNow, now);
    return now;
  };
  const backends = createAwsBackends(readSettings(process.env), () => {}, clock);
  const app = createApp({ backends: async () => backends, log: () => {}, now: clock });
  return {
    set: (ip: string) => app(httpEvent({ sourceIp: ip, query: setQuery(HOST, ip) })),
    /** Lets the Retry-After the caller was given pass (the config store does not ask S3 again before). */
    waitRetryAfter: (result: { headers?: Record<string, unknown> }) => {
      now += Number(result.headers?.["retry-after"] ?? 0) * 1000;
    },
  };
}

const body = (result: { body?: string }) => JSON.parse(result.body ?? "{}");

describe("S3 faults", () => {
  it("S3 unreachable (closed port), no copy → 503 with Retry-After; recovers when S3 is back", async () => {
    // prepare
    const { set, waitRetryAfter } = container();
    await s3Proxy.close();

    // act
    const failed = await set(NEW_IP);
    await s3Proxy.open();
    waitRetryAfter(failed);
    const recovered = await set(NEW_IP);

    // assess
    expect(failed.statusCode).toBe(503);
    expect(failed.headers?.["retry-after"]).toBe("5");
    expect(body(failed)).toEqual(GENERIC_503);
    expect(recovered.statusCode).toBe(201);
    expect((await fixture.recordValues(FQDN, "A")).values).toEqual([NEW_IP]);
  });

  it("S3 unreachable with a copy cached → the copy keeps serving", async () => {
    // prepare
    const { set } = container();
    expect((await set(HOME_IP)).statusCode).toBe(200);
    await s3Proxy.close();

    // act
    const result = await set(NEW_IP);

    // assess
    expect(result.statusCode).toBe(201);
    expect((await fixture.recordValues(FQDN, "A")).values).toEqual([NEW_IP]);
  });

  it("S3 hangs beyond the client's timeout → 503 with Retry-After, no record written", async () => {
    // prepare
    const { set, waitRetryAfter } = container();
    s3Proxy.mode = "hang";

    // act
    const failed = await set(NEW_IP);
    s3Proxy.mode = "forward";
    waitRetryAfter(failed);
    const recovered = await set(NEW_IP);

    // assess
    expect(failed.statusCode).toBe(503);
    expect(failed.headers?.["retry-after"]).toBe("5");
    expect(recovered.statusCode).toBe(201);
  });

  it("a malformed config object, no copy → 503; fixed → works", async () => {
    // prepare
    const { set, waitRetryAfter } = container();
    await fixture.putConfigText('{ "host0.dyn.example.com.": ');

    // act
    const failed = await set(NEW_IP);
    const recordAfterFailure = await fixture.recordValues(FQDN, "A");
    await fixture.putConfig(fleetConfig(1, fixture.zoneId));
    waitRetryAfter(failed);
    const recovered = await set(NEW_IP);

    // assess
    expect(failed.statusCode).toBe(503);
    expect(failed.headers?.["retry-after"]).toBe("5");
    expect(recordAfterFailure.values).toEqual([HOME_IP]);
    expect(recovered.statusCode).toBe(201);
  });
});

describe("Route 53 faults", () => {
  it("Route 53 unreachable (closed port) → 503 with Retry-After, the record untouched; recovers", async () => {
    // prepare
    const { set } = container();
    await route53Proxy.close();

    // act
    const failed = await set(NEW_IP);
    const recordDuringFault = await fixture.recordValues(FQDN, "A");
    await route53Proxy.open();
    const recovered = await set(NEW_IP);

    // assess
    expect(failed.statusCode).toBe(503);
    expect(failed.headers?.["retry-after"]).toBe("2");
    expect(body(failed)).toEqual(GENERIC_503);
    expect(recordDuringFault.values).toEqual([HOME_IP]);
    expect(recovered.statusCode).toBe(201);
    expect((await fixture.recordValues(FQDN, "A")).values).toEqual([NEW_IP]);
  });

  it("Route 53 hanging does not hold a warm container's change: it makes no Route 53 call, it queues (201)", async () => {
    // prepare: a warm container (zone read), then the request function's Route 53 stops answering
    const { set } = container();
    expect((await set(HOME_IP)).statusCode).toBe(200);
    route53Proxy.mode = "hang";

    // act
    const queued = await set(NEW_IP);

    // assess: the writer (its own clients) writes it
    expect(queued.statusCode).toBe(201);
    expect((await fixture.recordValues(FQDN, "A")).values).toEqual([NEW_IP]);
  });
});
