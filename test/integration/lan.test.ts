/**
 * The names that follow a router, against moto with the function's real adapters: a FRITZ!Box-shaped
 * dyndns2 request sets the router's A and AAAA, three LAN AAAAs and the wildcard in one change batch;
 * the same request again changes nothing; a new prefix moves every LAN name; a host without
 * ipv6_lan_hosts that sends a prefix is refused and nothing changes. The local stack's DNS server
 * answers the derived names and the wildcard, asked with `dig`.
 */
import { execFile } from "node:child_process";
import { Resolver } from "node:dns/promises";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createAwsBackends } from "../../src/aws.js";
import type { ChangeQueue, RecordChange } from "../../src/core/ports.js";
import { readSettings } from "../../src/settings.js";
import { type AwsFixture, createAwsFixture } from "../support/aws-fixture.js";
import { deployedEnvironment } from "../support/deployment.js";
import { type DnsServer, startTestDnsServer } from "../support/dns.js";
import { httpEvent } from "../support/events.js";
import { type MotoServer, startMoto } from "../support/moto.js";

const SECRET = "fritzbox-secret-0123456789abcdef";
const ROUTER = "home.dyn.example.test";
const PLAIN = "plain.dyn.example.test";
const WAN4 = "198.51.100.7";
const WAN6 = "2001:db8:4400:1::1";

describe("names that follow a router, against moto", () => {
  let moto: MotoServer;
  let aws: AwsFixture;
  const savedEnv = { ...process.env };
  const batches: RecordChange[][] = [];
  let app: ReturnType<typeof createApp>;
  let dnsServer: DnsServer | undefined;

  beforeAll(async () => {
    moto = await startMoto();
    aws = await createAwsFixture(moto.url, { zoneName: "dyn.example.test." });
    const router = {
      route_53_zone_id: aws.zoneId,
      shared_secret: SECRET,
      allow_dyndns2: true,
      allow_client_ip: true,
    };
    await aws.putConfig({
      [`${ROUTER}.`]: {
        ...router,
        wildcard: true,
        ipv6_lan_hosts: {
          "nas.home.dyn.example.test.": "::211:32ff:fe12:3456",
          "camera.home.dyn.example.test.": "00:11:32:ab:cd:ef",
          "printer.home.dyn.example.test.": "::10",
        },
      },
      [`${PLAIN}.`]: router,
    });
    Object.assign(process.env, deployedEnvironment(moto.url, { bucket: aws.bucket }));
    const backends = createAwsBackends(readSettings(process.env), () => {});
    // Each queued host message becomes one ChangeResourceRecordSets in the writer.
    const queue: ChangeQueue = {
      send: async (changes) => {
        for (const change of changes) if (change.kind === "records") batches.push([...change.records]);
        return backends.queue.send(changes);
      },
    };
    app = createApp({ backends: async () => ({ ...backends, queue }), log: () => {} });
  });

  afterAll(async () => {
    process.env = savedEnv;
    await dnsServer?.stop();
    await moto?.stop();
  });

  /** The request exactly as a FRITZ!Box fills in its custom update URL. */
  const fritzbox = (hostname: string, lanPrefix: string) =>
    app(
      httpEvent({
        path: "/nic/update",
        query: `hostname=${hostname}&myip=${WAN4},${WAN6}&ip6lanprefix=${lanPrefix}`,
        sourceIp: WAN4,
        headers: { authorization: `Basic ${Buffer.from(`${hostname}:${SECRET}`).toString("base64")}` },
      }),
    );

  const lanValues = async () => ({
    nas: (await aws.recordValues("nas.home.dyn.example.test", "AAAA")).values,
    camera: (await aws.recordValues("camera.home.dyn.example.test", "AAAA")).values,
    printer: (await aws.recordValues("printer.home.dyn.example.test", "AAAA")).values,
  });

  it("sets the router's A and AAAA, three LAN AAAAs and the wildcard in one batch", async () => {
    // act
    const result = await fritzbox(ROUTER, "2001:db8:1200:ab00::/56");
    // assess
    expect(result.body).toBe(`good ${WAN4},${WAN6}\n`);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(7);
    expect((await aws.recordValues(ROUTER, "A")).values).toEqual([WAN4]);
    expect((await aws.recordValues(ROUTER, "AAAA")).values).toEqual([WAN6]);
    expect((await aws.recordValues(`*.${ROUTER}`, "A")).values).toEqual([WAN4]);
    expect((await aws.recordValues(`*.${ROUTER}`, "AAAA")).values).toEqual([WAN6]);
    expect(await lanValues()).toEqual({
      nas: ["2001:db8:1200:ab00:211:32ff:fe12:3456"],
      camera: ["2001:db8:1200:ab00:211:32ff:feab:cdef"],
      printer: ["2001:db8:1200:ab00::10"],
    });
  });

  it("the same request again makes no change", async () => {
    const result = await fritzbox(ROUTER, "2001:db8:1200:ab00::/56");
    expect(result.body).toBe(`nochg ${WAN4},${WAN6}\n`);
    expect(batches).toHaveLength(1);
  });

  it("a new prefix moves every LAN name, and only them", async () => {
    // act
    const result = await fritzbox(ROUTER, "2001:db8:99:4200::/64");
    // assess
    expect(result.body).toBe(`good ${WAN4},${WAN6}\n`);
    expect(batches).toHaveLength(2);
    expect(batches[1]?.map((change) => change.name)).toEqual([
      "nas.home.dyn.example.test.",
      "camera.home.dyn.example.test.",
      "printer.home.dyn.example.test.",
    ]);
    expect(await lanValues()).toEqual({
      nas: ["2001:db8:99:4200:211:32ff:fe12:3456"],
      camera: ["2001:db8:99:4200:211:32ff:feab:cdef"],
      printer: ["2001:db8:99:4200::10"],
    });
  });

  it("a host without ipv6_lan_hosts that sends a prefix is refused and nothing changes", async () => {
    // act
    const result = await fritzbox(PLAIN, "2001:db8:99:4200::/64");
    // assess
    expect(result.statusCode).toBe(200);
    expect(result.body).toBe("abuse\n");
    expect(batches).toHaveLength(2);
    expect((await aws.recordValues(PLAIN, "A")).values).toEqual([]);
  });

  it("the local DNS server answers the LAN names and the wildcard", async () => {
    // prepare
    dnsServer = await startTestDnsServer(moto.url);
    const dig = async (name: string, type: string) => {
      const server = dnsServer as DnsServer;
      const args = [`@${server.host}`, "-p", String(server.port), "+short", "+tries=1", name, type];
      return (await promisify(execFile)("dig", args)).stdout.trim();
    };
    // act
    const nas = await dig("nas.home.dyn.example.test", "AAAA");
    const anything = await dig("anything.home.dyn.example.test", "A");
    const anything6 = await dig("anything.home.dyn.example.test", "AAAA");
    // The no-change check's DNS path (node:dns) asks for the wildcard's own name.
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([dnsServer.address]);
    const wildcardOwner = await resolver.resolve4("*.home.dyn.example.test");
    // assess
    expect(nas).toBe("2001:db8:99:4200:211:32ff:fe12:3456");
    expect(anything).toBe(WAN4);
    expect(anything6).toBe(WAN6);
    expect(wildcardOwner).toEqual([WAN4]);
  });
});
