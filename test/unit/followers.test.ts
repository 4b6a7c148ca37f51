/**
 * Names that follow a host (the wildcard and the LAN devices' AAAA) through the whole app, over the
 * Route 53 fake (test/support/fakes/route53.ts): one change batch with the host's own record, only
 * differing records written, the prefix authenticated (dyndns2 Basic auth; the v2 HMAC covers it;
 * seed tokens refused).
 */

import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from "@aws-sdk/client-route-53";
import { S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { parseConfigDocument } from "../../src/config/schema.js";
import { checkShardedConfig, manifestDocument, shardObjects, shardOf } from "../../src/config/shards.js";
import { LAN_PREFIX_NEEDS_HMAC_MESSAGE } from "../../src/core/auth.js";
import type { RecordType } from "../../src/core/ip.js";
import type { RecordChange, RecordChangeEvent } from "../../src/core/ports.js";
import { seedToken, timestampedToken } from "../../src/core/tokens.js";
import { applyUpdates } from "../../src/core/update.js";
import { Route53Records } from "../../src/dns/route53.js";
import { Route53RecordWriter } from "../../src/dns/route53-writer.js";
import { hostsOnlySource } from "../support/config-source.js";
import { directQueue } from "../support/direct-queue.js";
import { httpEvent, seedBody } from "../support/events.js";
import { Route53StandIn } from "../support/fakes/route53.js";
import { aRecord, mockConfig, mockRecords, testApp, ZONE_ID } from "../support/mock-aws.js";

const ZONE = "Z1";
const SECRET = "router-secret-0123456789abcdef";
const NOW = 1_800_000_000;
const ROUTER = "home.dyn.example.com";
const ORIGIN = { protocol: "dyndns2", sourceIp: "198.51.100.7", requestedAt: NOW * 1000 };

const CONFIG = {
  [`${ROUTER}.`]: {
    route_53_zone_id: ZONE,
    shared_secret: SECRET,
    allow_dyndns2: true,
    // The box sends its IPv6 address in myip= over IPv4 (and the other way round).
    allow_client_ip: true,
    wildcard: true,
    ipv6_lan_hosts: {
      "nas.home.dyn.example.com.": "::211:32ff:fe12:3456",
      "camera.home.dyn.example.com.": "00:11:32:ab:cd:ef",
      "printer.home.dyn.example.com.": "::10",
    },
  },
  "plain.dyn.example.com.": { route_53_zone_id: ZONE, shared_secret: SECRET, allow_dyndns2: true },
  "lan-source.dyn.example.com.": {
    route_53_zone_id: ZONE,
    shared_secret: SECRET,
    ipv6_lan_hosts: { "tv.lan-source.dyn.example.com.": "::77" },
    ipv6_lan_prefix_length: 56,
    ipv6_lan_prefix_from_source: true,
  },
};

/**
 * The request path's and the record writer's real Route 53 adapters over the Route 53 fake, reading
 * every record through the API (no cache), so `reads()` counts the records a check read.
 */
function inMemoryRoute53() {
  const batches: RecordChange[][] = [];
  const route53 = new Route53StandIn({
    onChangeBatch: (_zoneId, changes) =>
      batches.push(
        changes.map((change) => ({
          name: change.ResourceRecordSet?.Name ?? "",
          type: change.ResourceRecordSet?.Type as RecordType,
          ttl: change.ResourceRecordSet?.TTL ?? 0,
          value: change.ResourceRecordSet?.ResourceRecords?.[0]?.Value ?? "",
        })),
      ),
  });
  return {
    route53,
    batches,
    records: new Route53Records(route53.client, { recordCacheSeconds: 0 }),
    writer: new Route53RecordWriter(route53.client),
    reads: () => route53.calls.ListResourceRecordSets,
    value: (name: string, type: RecordType) => route53.value(ZONE, name, type),
  };
}

describe("names that follow a host", () => {
  let dns: ReturnType<typeof inMemoryRoute53>;
  const { hosts, problems } = parseConfigDocument(CONFIG);
  const config = hostsOnlySource(hosts);
  const app = createApp({
    backends: async () => ({ config, dns: dns.records, queue: directQueue({ records: dns.writer }) }),
    log: () => {},
    now: () => NOW * 1000,
  });
  const fritzbox = (query: string, sourceIp = "198.51.100.7") =>
    app(
      httpEvent({
        path: "/nic/update",
        query,
        sourceIp,
        headers: { authorization: `Basic ${Buffer.from(`${ROUTER}:${SECRET}`).toString("base64")}` },
      }),
    );

  beforeEach(() => {
    dns = inMemoryRoute53();
  });

  it("the config is valid", () => {
    expect(problems).toEqual([]);
  });

  it("a FRITZ!Box update writes the router, its wildcard and its LAN devices in one batch", async () => {
    // act
    const result = await fritzbox(
      `hostname=${ROUTER}&myip=198.51.100.7,2001:db8:1200:ab00::1&ip6lanprefix=2001:db8:1200:ab00::/56`,
    );
    // assess
    expect(result.body).toBe("good 198.51.100.7,2001:db8:1200:ab00::1\n");
    expect(dns.batches).toHaveLength(1);
    expect(dns.batches[0]?.map((change) => `${change.name} ${change.type} ${change.value}`)).toEqual([
      "home.dyn.example.com. A 198.51.100.7",
      "*.home.dyn.example.com. A 198.51.100.7",
      "home.dyn.example.com. AAAA 2001:db8:1200:ab00::1",
      "*.home.dyn.example.com. AAAA 2001:db8:1200:ab00::1",
      "nas.home.dyn.example.com. AAAA 2001:db8:1200:ab00:211:32ff:fe12:3456",
      "camera.home.dyn.example.com. AAAA 2001:db8:1200:ab00:211:32ff:feab:cdef",
      "printer.home.dyn.example.com. AAAA 2001:db8:1200:ab00::10",
    ]);
  });

  it("the same update again writes nothing; a new prefix writes only the LAN names", async () => {
    // prepare
    const query = `hostname=${ROUTER}&myip=198.51.100.7,&ip6lanprefix=`;
    await fritzbox(`${query}2001:db8:1200:ab00::/64`);
    // act
    const again = await fritzbox(`${query}2001:db8:1200:ab00::/64`);
    const moved = await fritzbox(`${query}2001:db8:77:1100::/64`);
    // assess
    expect(again.body).toBe("nochg 198.51.100.7\n");
    expect(moved.body).toBe("good 198.51.100.7\n");
    expect(dns.batches).toHaveLength(2);
    expect(dns.batches[1]?.map((change) => `${change.name} ${change.value}`)).toEqual([
      "nas.home.dyn.example.com. 2001:db8:77:1100:211:32ff:fe12:3456",
      "camera.home.dyn.example.com. 2001:db8:77:1100:211:32ff:feab:cdef",
      "printer.home.dyn.example.com. 2001:db8:77:1100::10",
    ]);
  });

  it("empty FRITZ!Box placeholders count as absent", async () => {
    // act
    const noIpv6 = await fritzbox(`hostname=${ROUTER}&myip=198.51.100.7,&ip6lanprefix=`);
    const noIpv4 = await fritzbox(
      `hostname=${ROUTER}&myip=,2001:db8:1200:ab00::1&ip6lanprefix=2001:db8:1200:ab00::/64`,
    );
    // assess
    expect(noIpv6.body).toBe("good 198.51.100.7\n");
    expect(noIpv4.body).toBe("good 2001:db8:1200:ab00::1\n");
    expect(dns.value("nas.home.dyn.example.com.", "AAAA")).toBe("2001:db8:1200:ab00:211:32ff:fe12:3456");
  });

  it("a host without ipv6_lan_hosts that sends a prefix is refused and nothing changes", async () => {
    // act
    const result = await app(
      httpEvent({
        path: "/nic/update",
        query: "hostname=plain.dyn.example.com&myip=198.51.100.7&ip6lanprefix=2001:db8:1::/64",
        sourceIp: "198.51.100.7",
        headers: {
          authorization: `Basic ${Buffer.from(`plain.dyn.example.com:${SECRET}`).toString("base64")}`,
        },
      }),
    );
    // assess
    expect(result.body).toBe("abuse\n");
    expect(dns.batches).toEqual([]);
  });

  it.each([
    ["fd00:1::/64", "The ip6lanprefix= argument is not a global unicast prefix (it must lie in 2000::/3).\n"],
    ["::ffff:192.0.2.1", "The ip6lanprefix= argument is an IPv4-mapped address, not an IPv6 prefix.\n"],
    ["2001:db8::/40", "The ip6lanprefix= argument must have a length from /48 to /64.\n"],
  ])("refuses the prefix %s with a sentence and changes nothing", async (sent, message) => {
    const result = await fritzbox(`hostname=${ROUTER}&myip=198.51.100.7&ip6lanprefix=${sent}`);
    expect(result.statusCode).toBe(400);
    expect(result.body).toBe(message);
    expect(dns.batches).toEqual([]);
  });

  it("the seed's v2 token covers the prefix; old v2 tokens without one still work", async () => {
    // prepare
    const ip = "198.51.100.7";
    const sent = "2001:db8:1200:ab00::/64";
    const set = (query: Record<string, string>) =>
      app(httpEvent({ query: { mode: "set", hostname: ROUTER, ts: String(NOW), ...query }, sourceIp: ip }));
    const covering = timestampedToken(ip, ROUTER, String(NOW), SECRET, sent);
    const old = timestampedToken(ip, ROUTER, String(NOW), SECRET);
    // act
    const forged = await set({ hash: old, ip6lanprefix: "2001:db8:666::/64" });
    const accepted = await set({ hash: covering, ip6lanprefix: sent });
    const oldClient = await set({ hash: old });
    // assess
    expect([forged.statusCode, accepted.statusCode, oldClient.statusCode]).toEqual([401, 201, 200]);
    expect(dns.value("nas.home.dyn.example.com.", "AAAA")).toBe("2001:db8:1200:ab00:211:32ff:fe12:3456");
    expect(dns.batches).toHaveLength(1);
  });

  it("a seed token cannot carry a prefix", async () => {
    // prepare
    const ip = "198.51.100.7";
    const hash = seedToken(ip, ROUTER, SECRET);
    // act
    const result = await app(
      httpEvent({
        method: "POST",
        body: JSON.stringify({
          execution_mode: "set",
          ddns_hostname: ROUTER,
          validation_hash: hash,
          ip6lanprefix: "2001:db8:1200:ab00::/64",
        }),
        sourceIp: ip,
      }),
    );
    // assess
    expect(result.statusCode).toBe(400);
    expect(seedBody(result).return_message).toBe(LAN_PREFIX_NEEDS_HMAC_MESSAGE);
    expect(dns.batches).toEqual([]);
  });

  it("a host that opts in takes the prefix from an IPv6 caller's own address", async () => {
    // prepare
    const ip = "2001:db8:1200:ab00:1c2d:3e4f:5a6b:7c8d";
    const hash = seedToken(ip, "lan-source.dyn.example.com", SECRET);
    // act
    const result = await app(
      httpEvent({ query: { mode: "set", hostname: "lan-source.dyn.example.com", hash }, sourceIp: ip }),
    );
    // assess
    expect(result.statusCode).toBe(201);
    expect(dns.value("tv.lan-source.dyn.example.com.", "AAAA")).toBe("2001:db8:1200:ab00::77");
    expect(dns.value("*.lan-source.dyn.example.com.", "AAAA")).toBeUndefined();
  });

  it("a no-change check reads each followed record once and writes nothing", async () => {
    // prepare
    const [host] = [hosts.find(ROUTER)];
    if (!host) throw new Error("no host");
    const update = {
      host,
      addresses: [{ text: "198.51.100.7", recordType: "A" as const }],
      lanPrefix: { bits: 0x20010db812000000n << 64n, length: 64 },
    };
    const queue = directQueue({ records: dns.writer });
    await applyUpdates({ config, dns: dns.records, queue }, [update], ORIGIN);
    const readsBefore = dns.reads();
    // act
    const [result] = await applyUpdates({ config, dns: dns.records, queue }, [update], ORIGIN);
    // assess
    expect(result).toEqual({ outcome: "unchanged" });
    expect(dns.reads() - readsBefore).toBe(5);
    expect(dns.batches).toHaveLength(1);
  });

  it("announces each changed record, followers included, with the value it replaced", async () => {
    // prepare
    const host = hosts.find(ROUTER);
    if (!host) throw new Error("no host");
    dns.route53.setRecord(ZONE, "home.dyn.example.com.", "A", "192.0.2.1");
    dns.route53.setRecord(ZONE, "*.home.dyn.example.com.", "A", "198.51.100.7");
    const published: RecordChangeEvent[] = [];
    const events = {
      publish: async (batch: readonly RecordChangeEvent[]) => void published.push(...batch),
      publishChallenges: async () => {},
    };
    // act
    const [result] = await applyUpdates(
      { config, dns: dns.records, queue: directQueue({ records: dns.writer, events }) },
      [
        {
          host,
          addresses: [{ text: "198.51.100.7", recordType: "A" }],
          lanPrefix: { bits: 0x20010db812000000n << 64n, length: 64 },
        },
      ],
      ORIGIN,
    );
    // assess
    expect(result?.outcome === "updated" && result.changes.map((change) => change.name)).toEqual([
      "home.dyn.example.com.",
      "nas.home.dyn.example.com.",
      "camera.home.dyn.example.com.",
      "printer.home.dyn.example.com.",
    ]);
    expect(published).toHaveLength(4);
    expect(published[0]).toEqual({
      hostname: "home.dyn.example.com.",
      type: "A",
      previous: ["192.0.2.1"],
      current: ["198.51.100.7"],
      protocol: ORIGIN.protocol,
      sourceIp: ORIGIN.sourceIp,
      changeId: "/change/C1",
    });
    expect(published[1]).toMatchObject({
      hostname: "nas.home.dyn.example.com.",
      previous: [],
      current: ["2001:db8:1200:0:211:32ff:fe12:3456"],
    });
  });
});

describe("config: names that follow a host", () => {
  const router = { route_53_zone_id: ZONE, shared_secret: SECRET };

  it("a name belongs to one router only", () => {
    // act: a device that is another host, and two nested routers naming one device
    const { hosts, problems } = parseConfigDocument({
      "home.dyn.example.com.": { ...router, ipv6_lan_hosts: { "nas.home.dyn.example.com.": "::1" } },
      "nas.home.dyn.example.com.": router,
      "a.dyn.example.com.": { ...router, ipv6_lan_hosts: { "x.b.a.dyn.example.com.": "::1" } },
      "b.a.dyn.example.com.": { ...router, ipv6_lan_hosts: { "X.b.a.dyn.example.com": "::2" } },
      "c.dyn.example.com.": { ...router, wildcard: true },
    });
    // assess
    expect([...hosts].map((host) => host.fqdn)).toEqual(["c.dyn.example.com."]);
    expect(problems.map((problem) => problem.host)).toEqual([
      "home.dyn.example.com.",
      "nas.home.dyn.example.com.",
      "a.dyn.example.com.",
      "b.a.dyn.example.com.",
    ]);
    expect(problems[0]?.message).toBe(
      "nas.home.dyn.example.com is also written by nas.home.dyn.example.com; a name belongs to one router only, so each of them is ignored.",
    );
  });

  it.each([
    [{ ipv6_lan_hosts: {} }, "ipv6_lan_hosts", "Must be a non-empty object"],
    [{ ipv6_lan_hosts: { "nas.r.dyn.example.com.": "::1:0:0:0:1" } }, "ipv6_lan_hosts", "does not fit"],
    [
      { ipv6_lan_hosts: { "nas.dyn.example.com.": "::1" } },
      "ipv6_lan_hosts",
      "not below the router's own name",
    ],
    [{ ipv6_lan_hosts: { nas: "::1" } }, "ipv6_lan_hosts", "The name nas is not a fully qualified"],
    [{ ipv6_lan_hosts: { "r.dyn.example.com": "::1" } }, "ipv6_lan_hosts", "the router's own name"],
    [{ ipv6_lan_hosts: { "n.r.dyn.example.com": 5 } }, "ipv6_lan_hosts", "must be a string"],
    [
      { ipv6_lan_hosts: { "n.r.dyn.example.com": "::1" }, ipv6_lan_prefix_length: 65 },
      "ipv6_lan_prefix_length",
      "from 48 to 64",
    ],
    [{ ipv6_lan_prefix_length: 56 }, "ipv6_lan_prefix_length", "Only means something with ipv6_lan_hosts"],
    [{ wildcard: "yes" }, "wildcard", "Must be true or false."],
  ])("refuses %j in %s", (extra, field, message) => {
    const { hosts, problems } = parseConfigDocument({ "r.dyn.example.com.": { ...router, ...extra } });
    expect(hosts.size).toBe(0);
    expect(problems[0]).toMatchObject({ field, severity: "error" });
    expect(problems[0]?.message).toContain(message);
  });

  it("a sharded config's check finds a router whose device is a host in another shard", () => {
    // prepare: a host below a router, in another shard than the router, which names it as a device
    const names = Array.from({ length: 20 }, (_, i) => `n${i}.r.dyn.example.com.`);
    const below = names.find((name) => shardOf(name, 4) !== shardOf("r.dyn.example.com.", 4)) as string;
    const document = {
      "r.dyn.example.com.": { ...router, ipv6_lan_hosts: { [below]: "::1" } },
      [below]: router,
    };
    const { sections, shards } = shardObjects(document, "config.json", 4);
    const manifest = manifestDocument(
      { version: 1, generation: 1, hostCount: 2, shards: shards.map((shard) => shard.key) },
      sections,
    );
    // act
    const checked = checkShardedConfig(
      manifest,
      shards.map((shard) => shard.text),
    );
    // assess
    expect(checked.hostCount).toBe(0);
    expect(checked.problems.map((problem) => problem.host).sort()).toEqual(
      ["r.dyn.example.com.", below].map((name) => name.slice(0, -1)).sort(),
    );
  });

  it("caps a router's LAN devices so every change fits one batch", () => {
    const devices = Object.fromEntries(
      Array.from({ length: 33 }, (_, index) => [`d${index}.dyn.example.com.`, `::${index + 1}`]),
    );
    const { problems } = parseConfigDocument({
      "r.dyn.example.com.": { ...router, ipv6_lan_hosts: devices },
    });
    expect(problems[0]?.message).toBe("Lists 33 names; at most 32 are allowed.");
  });
});

describe("names that follow a host, with the Route 53 adapter", () => {
  const s3 = mockClient(S3Client);
  const route53 = mockClient(Route53Client);

  beforeEach(() => {
    s3.reset();
    route53.reset();
  });

  it("a repeated update checks every follower from one zone listing and makes no Route 53 call", async () => {
    // prepare: Route 53 already holds every record, the wildcard listed as \052 as Route 53 lists it
    const router = CONFIG[`${ROUTER}.`];
    mockConfig(s3, { [`${ROUTER}.`]: { ...router, route_53_zone_id: ZONE_ID } });
    mockRecords(route53, [
      aRecord("camera.home.dyn.example.com.", "2001:db8:1200:ab00:211:32ff:feab:cdef", "AAAA"),
      aRecord(`${ROUTER}.`, "198.51.100.7"),
      aRecord(`\\052.${ROUTER}.`, "198.51.100.7"),
      aRecord("nas.home.dyn.example.com.", "2001:db8:1200:ab00:211:32ff:fe12:3456", "AAAA"),
      aRecord("printer.home.dyn.example.com.", "2001:db8:1200:ab00::10", "AAAA"),
    ]);
    const { app } = testApp();
    const fritzbox = () =>
      app(
        httpEvent({
          path: "/nic/update",
          query: `hostname=${ROUTER}&myip=198.51.100.7,&ip6lanprefix=2001:db8:1200:ab00::/64`,
          sourceIp: "198.51.100.7",
          headers: { authorization: `Basic ${Buffer.from(`${ROUTER}:${SECRET}`).toString("base64")}` },
        }),
      );
    // act
    const first = await fritzbox();
    const callsAfterFirst = route53.calls().length;
    const again = await fritzbox();
    // assess
    expect([first.body, again.body]).toEqual(["nochg 198.51.100.7\n", "nochg 198.51.100.7\n"]);
    expect(route53.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(1);
    expect(route53.calls()).toHaveLength(callsAfterFirst);
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
  });
});
