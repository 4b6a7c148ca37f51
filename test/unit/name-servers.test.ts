/**
 * The DNS reader (src/dns/name-servers.ts) against a tiny authoritative server on loopback, built
 * here with dns-packet: answers and TTLs, empty answers, TCP after a truncated UDP answer, and the
 * failures that send a check back to the API path (refusal, silence) within the budget; and the one
 * name-server list parser the function's settings and `ddns host status` share.
 */
import { createSocket } from "node:dgram";
import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:net";
import { Route53Client } from "@aws-sdk/client-route-53";
import packet, { type Answer, type Packet } from "dns-packet";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { UsageError } from "../../src/admin/errors.js";
import { nameServersFor } from "../../src/admin/name-servers.js";
import { UnavailableError } from "../../src/core/errors.js";
import {
  DnsQueryError,
  NodeDnsReader,
  parseNameServer,
  parseNameServerList,
  resolverAddresses,
} from "../../src/dns/name-servers.js";
import { readSettings } from "../../src/settings.js";

const ZONE_ID = "ZTEST";
const NXDOMAIN = 3;
const REFUSED = 5;

interface Behaviour {
  rcode?: number;
  answers?: Answer[];
  /** UDP answers carry only the TC bit; TCP gets the answers. */
  truncateUdp?: boolean;
  /** Never answer. */
  silent?: boolean;
}

/** A loopback DNS server whose answer for each query the test decides; it counts queries by transport. */
async function startServer() {
  const state = { behaviour: {} as Behaviour, udpQueries: 0, tcpQueries: 0 };
  const respond = (query: Packet, truncated: boolean): Buffer =>
    packet.encode({
      type: "response",
      id: query.id,
      flags:
        packet.AUTHORITATIVE_ANSWER |
        (truncated ? packet.TRUNCATED_RESPONSE : 0) |
        (state.behaviour.rcode ?? 0),
      questions: query.questions,
      answers: truncated ? [] : (state.behaviour.answers ?? []),
    });

  const udp = createSocket("udp4");
  udp.on("message", (message, peer) => {
    state.udpQueries++;
    if (state.behaviour.silent) return;
    udp.send(respond(packet.decode(message), state.behaviour.truncateUdp === true), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => udp.bind(0, "127.0.0.1", resolve));
  const port = (udp.address() as AddressInfo).port;

  const tcp: Server = createServer((socket) => {
    socket.on("data", (data) => {
      state.tcpQueries++;
      if (state.behaviour.silent) return;
      const query = packet.streamDecode(data);
      socket.end(framed(respond(query, false)));
    });
  });
  await new Promise<void>((resolve) => tcp.listen(port, "127.0.0.1", resolve));

  return {
    state,
    address: `127.0.0.1:${port}`,
    stop: () => {
      udp.close();
      tcp.close();
    },
  };
}

function framed(message: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(message.length);
  return Buffer.concat([length, message]);
}

const a = (name: string, data: string, ttl = 60): Answer => ({ type: "A", name, ttl, data });

describe("the DNS reader", () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.stop());
  beforeEach(() => {
    server.state.behaviour = {};
    server.state.udpQueries = 0;
    server.state.tcpQueries = 0;
  });
  const reader = (timeoutMs = 800) =>
    new NodeDnsReader({ nameServers: async () => [server.address], timeoutMs });

  it("answers a record's values and TTL over UDP", async () => {
    // prepare
    server.state.behaviour = { answers: [a("home.example.com", "198.51.100.7", 300)] };

    // act
    const answer = await reader().query(ZONE_ID, "home.example.com.", "A");

    // assess
    expect(answer).toEqual({ values: ["198.51.100.7"], ttlSeconds: 300 });
    expect(server.state.udpQueries).toBe(1);
    expect(server.state.tcpQueries).toBe(0);
  });

  it("gives AAAA values in canonical form", async () => {
    // prepare
    server.state.behaviour = {
      answers: [{ type: "AAAA", name: "home.example.com", ttl: 60, data: "2001:0db8:0000::0001" }],
    };

    // act
    const answer = await reader().query(ZONE_ID, "home.example.com.", "AAAA");

    // assess
    expect(answer.values).toEqual(["2001:db8::1"]);
  });

  it.each([
    { case: "NXDOMAIN", behaviour: { rcode: NXDOMAIN } },
    { case: "no record of that type", behaviour: { answers: [] } },
  ])("answers empty for $case", async ({ behaviour }) => {
    // prepare
    server.state.behaviour = behaviour;

    // act
    const answer = await reader().query(ZONE_ID, "new.example.com.", "A");

    // assess
    expect(answer.values).toEqual([]);
  });

  it("asks again over TCP when the UDP answer is truncated", async () => {
    // prepare
    const many = Array.from({ length: 40 }, (_, index) => a("big.example.com", `198.51.100.${index + 1}`));
    server.state.behaviour = { answers: many, truncateUdp: true };

    // act
    const answer = await reader().query(ZONE_ID, "big.example.com.", "A");

    // assess
    expect(answer.values).toHaveLength(40);
    expect(server.state.tcpQueries).toBeGreaterThanOrEqual(1);
  });

  it("fails with DnsQueryError when the server refuses", async () => {
    // prepare
    server.state.behaviour = { rcode: REFUSED };

    // act
    const query = reader().query(ZONE_ID, "home.other.org.", "A");

    // assess
    await expect(query).rejects.toBeInstanceOf(DnsQueryError);
  });

  it("waits its whole budget when the server stays silent, then stops asking for a while", async () => {
    // prepare
    server.state.behaviour = { silent: true };
    const silent = reader(300);

    // act: each attempt's duration and whether it sent a query (wall-clock upper bounds would fail
    // for load on a shared machine, so the test counts queries instead)
    const attempts: { ms: number; queried: boolean; outcome: unknown }[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const queriesBefore = server.state.udpQueries + server.state.tcpQueries;
      const startedAt = performance.now();
      const outcome = await silent.query(ZONE_ID, "home.example.com.", "A").catch((error: unknown) => error);
      attempts.push({
        ms: performance.now() - startedAt,
        queried: server.state.udpQueries + server.state.tcpQueries > queriesBefore,
        outcome,
      });
    }

    // assess: three timeouts that each waited the budget, then the fourth fails without a query
    expect(attempts.every(({ outcome }) => outcome instanceof DnsQueryError)).toBe(true);
    expect(attempts.map(({ queried }) => queried)).toEqual([true, true, true, false]);
    for (const { ms } of attempts.slice(0, 3)) expect(ms).toBeGreaterThanOrEqual(290);
  });

  it("resolves a name server's host name once and fails when a zone has none", async () => {
    // prepare
    server.state.behaviour = { answers: [a("home.example.com", "198.51.100.9")] };
    const port = server.address.split(":")[1];
    let asked = 0;
    const byName = new NodeDnsReader({
      nameServers: async (zoneId) => {
        asked++;
        return zoneId === ZONE_ID ? [`localhost:${port}`] : [];
      },
    });

    // act
    const first = await byName.query(ZONE_ID, "home.example.com.", "A");
    const second = await byName.query(ZONE_ID, "home.example.com.", "A");
    const none = byName.query("ZNONE", "home.example.com.", "A");

    // assess
    expect(first.values).toEqual(["198.51.100.9"]);
    expect(second.values).toEqual(["198.51.100.9"]);
    await expect(none).rejects.toBeInstanceOf(DnsQueryError);
    expect(asked).toBe(2);
  });
});

describe("DDNS_NAME_SERVERS entries", () => {
  it.each([
    ["192.0.2.53", { host: "192.0.2.53", port: 53 }],
    ["192.0.2.53:5353", { host: "192.0.2.53", port: 5353 }],
    ["[2001:db8::53]:5353", { host: "2001:db8::53", port: 5353 }],
    ["2001:db8::53", { host: "2001:db8::53", port: 53 }],
    ["ns-1.awsdns-01.org", { host: "ns-1.awsdns-01.org", port: 53 }],
  ])("%s is a name server", (entry, expected) => {
    expect(parseNameServer(entry)).toEqual(expected);
  });

  it.each(["", "bad host", "a:b:c", "192.0.2.53:0", "192.0.2.53:70000", "[nope]:53"])(
    "%j is refused with a message naming it",
    (entry) => {
      expect(() => parseNameServer(entry)).toThrow(`"${entry}" is not a name server`);
    },
  );
});

describe("name-server lists: the function and `ddns host status` read them alike", () => {
  const LIST = " 192.0.2.53:5353, ,[2001:db8::53]:5300,2001:db8::54 ,";
  const ADDRESSES = ["192.0.2.53:5353", "[2001:db8::53]:5300", "[2001:db8::54]:53"];
  // No credentials and no endpoint: a call that reached Route 53 would fail.
  const route53 = new Route53Client({ region: "us-east-1" });

  it("trims entries and skips empty ones", () => {
    expect(parseNameServerList(LIST)).toEqual(["192.0.2.53:5353", "[2001:db8::53]:5300", "2001:db8::54"]);
    expect(parseNameServerList(" , ")).toEqual([]);
  });

  it("gives the same servers to the function's resolver and to the CLI's", async () => {
    // act
    const settings = readSettings({ DDNS_CONFIG_BUCKET: "bucket", DDNS_NAME_SERVERS: LIST });
    const functionAddresses = await resolverAddresses(settings.nameServers);
    const cliAddresses = await nameServersFor(route53, "ZTEST", { from: "--name-servers", list: LIST });
    // assess
    expect(functionAddresses).toEqual(ADDRESSES);
    expect(cliAddresses).toEqual(ADDRESSES);
  });

  it.each(["a:b:c", "192.0.2.53:0", "ns1.example.com, bad host"])(
    "refuses %j in the same words, each naming where the list came from",
    async (list) => {
      // prepare
      const bad = list.split(",").at(-1)?.trim() ?? "";
      const message = `"${bad}" is not a name server; use host[:port] or [IPv6]:port.`;
      // act
      const settings = () => readSettings({ DDNS_CONFIG_BUCKET: "bucket", DDNS_NAME_SERVERS: list });
      const cli = nameServersFor(route53, "ZTEST", { from: "--name-servers", list });
      // assess
      expect(settings).toThrow(UnavailableError);
      expect(settings).toThrow(`DDNS_NAME_SERVERS: ${message}`);
      await expect(cli).rejects.toBeInstanceOf(UsageError);
      await expect(cli).rejects.toThrow(`--name-servers: ${message}`);
    },
  );
});
