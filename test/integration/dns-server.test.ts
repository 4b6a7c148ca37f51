/**
 * The local authoritative DNS server against a moto server: what Route 53 holds, answered over UDP
 * and TCP as an authoritative server answers it, checked with a raw client (flags, sections),
 * node:dns's Resolver and `dig`.
 */
import { execFile } from "node:child_process";
import { createSocket } from "node:dgram";
import { Resolver } from "node:dns/promises";
import { promisify } from "node:util";
import type { RRType } from "@aws-sdk/client-route-53";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsFixture, createAwsFixture } from "../support/aws-fixture.js";
import { type DnsServer, queryDns, startTestDnsServer, txtStrings } from "../support/dns.js";
import { type MotoServer, startMoto } from "../support/moto.js";

const ZONE = "dyn.example.test";
const OTHER_ZONE = "example.org";

describe("local DNS server", () => {
  let moto: MotoServer;
  let zone: AwsFixture;
  let otherZone: AwsFixture;
  let server: DnsServer;
  let resolver: Resolver;

  beforeAll(async () => {
    moto = await startMoto();
    zone = await createAwsFixture(moto.url, { zoneName: `${ZONE}.` });
    otherZone = await createAwsFixture(moto.url, { zoneName: `${OTHER_ZONE}.` });
    const records: [string, RRType, string | string[]][] = [
      [`home.${ZONE}`, "A", "198.51.100.7"],
      [`home.${ZONE}`, "AAAA", "2001:db8::7"],
      // Route 53 stores `*` as \052; the console and moto may also keep it as written.
      [`\\052.home.${ZONE}`, "A", "198.51.100.7"],
      [`*.wild.${ZONE}`, "TXT", '"wild"'],
      [`_acme-challenge.home.${ZONE}`, "TXT", ['"first-value"', '"second" "part"']],
      [`www.${ZONE}`, "CNAME", `home.${ZONE}.`],
      [`deep.below.${ZONE}`, "A", "192.0.2.1"],
      [
        `big.${ZONE}`,
        "TXT",
        Array.from({ length: 12 }, (_, i) => `"${String(i).padStart(2, "0")}${"x".repeat(200)}"`),
      ],
      [`_acme-challenge.nas.${OTHER_ZONE}`, "CNAME", `_acme-challenge.home.${ZONE}.`],
    ];
    for (const [name, type, value] of records) {
      await (name.endsWith(OTHER_ZONE) ? otherZone : zone).setRecord(name, type, value);
    }
    server = await startTestDnsServer(moto.url);
    resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([server.address]);
  });

  afterAll(async () => {
    await server?.stop();
    await moto?.stop();
  });

  it("answers A, AAAA, TXT, NS and SOA authoritatively", async () => {
    // act
    const a = await queryDns(server, `home.${ZONE}`, "A");
    const aaaa = await queryDns(server, `HOME.${ZONE}`, "AAAA");
    const txt = await queryDns(server, `_acme-challenge.home.${ZONE}`, "TXT");
    const ns = await queryDns(server, ZONE, "NS");
    const soa = await queryDns(server, ZONE, "SOA");

    // assess
    expect(a).toMatchObject({ rcode: "NOERROR", flag_aa: true });
    expect(a.answers).toEqual([
      expect.objectContaining({ name: `home.${ZONE}`, type: "A", data: "198.51.100.7" }),
    ]);
    expect(aaaa.answers?.[0]).toMatchObject({ name: `HOME.${ZONE}`, data: "2001:db8::7" });
    expect(txtStrings(txt)).toEqual(expect.arrayContaining([["first-value"], ["second", "part"]]));
    expect(ns.answers?.length).toBeGreaterThan(0);
    expect(ns.flag_aa).toBe(true);
    expect(soa.answers?.[0]).toMatchObject({
      type: "SOA",
      data: expect.objectContaining({ minimum: 86400 }),
    });
  });

  it("follows a CNAME within the served zones, also from one zone into another", async () => {
    // act
    const www = await queryDns(server, `www.${ZONE}`, "A");
    const outside = await queryDns(server, `_acme-challenge.nas.${OTHER_ZONE}`, "TXT");
    const cnameItself = await queryDns(server, `www.${ZONE}`, "CNAME");

    // assess
    expect(www.answers?.map((answer) => answer.type)).toEqual(["CNAME", "A"]);
    expect(outside.answers?.map((answer) => `${answer.type} ${answer.name}`)).toEqual([
      `CNAME _acme-challenge.nas.${OTHER_ZONE}`,
      `TXT _acme-challenge.home.${ZONE}`,
      `TXT _acme-challenge.home.${ZONE}`,
    ]);
    expect(cnameItself.answers).toHaveLength(1);
  });

  it("synthesises wildcard answers (RFC 4592) with the name asked for", async () => {
    // act
    const one = await queryDns(server, `printer.home.${ZONE}`, "A");
    const two = await queryDns(server, `a.b.home.${ZONE}`, "A");
    const otherType = await queryDns(server, `printer.home.${ZONE}`, "TXT");
    const txtWildcard = await resolver.resolveTxt(`anything.wild.${ZONE}`);
    const belowExistingName = await queryDns(server, `x.deep.below.${ZONE}`, "A");

    // assess
    expect(one).toMatchObject({ rcode: "NOERROR", flag_aa: true });
    expect(one.answers?.[0]).toMatchObject({ name: `printer.home.${ZONE}`, data: "198.51.100.7" });
    expect(two.answers?.[0]).toMatchObject({ name: `a.b.home.${ZONE}`, data: "198.51.100.7" });
    expect(otherType).toMatchObject({ rcode: "NOERROR", answers: [] });
    expect(otherType.authorities?.[0]?.type).toBe("SOA");
    expect(txtWildcard).toEqual([["wild"]]);
    // `*.home` does not cover names below other existing names
    expect(belowExistingName.rcode).toBe("NXDOMAIN");
  });

  it("says NXDOMAIN or NODATA with the SOA, empty non-terminals included, and REFUSED outside its zones", async () => {
    // act
    const missing = await queryDns(server, `nothing.${ZONE}`, "A");
    const noData = await queryDns(server, `home.${ZONE}`, "MX");
    const emptyNonTerminal = await queryDns(server, `below.${ZONE}`, "A");
    const outside = await queryDns(server, "example.com", "A");
    const lookup = resolver.resolve4(`nothing.${ZONE}`);

    // assess
    expect(missing).toMatchObject({ rcode: "NXDOMAIN", flag_aa: true, answers: [] });
    expect(missing.authorities?.[0]).toMatchObject({ name: `${ZONE}`, type: "SOA", ttl: 900 });
    expect(noData).toMatchObject({ rcode: "NOERROR", flag_aa: true, answers: [] });
    expect(noData.authorities?.[0]?.type).toBe("SOA");
    expect(emptyNonTerminal).toMatchObject({ rcode: "NOERROR", answers: [] });
    expect(outside).toMatchObject({ rcode: "REFUSED", flag_aa: false, answers: [] });
    await expect(lookup).rejects.toMatchObject({ code: "ENOTFOUND" });
  });

  it("answers FORMERR, echoing no question, for a label that is not UTF-8 (63 bytes of 0xff)", async () => {
    // prepare: id 0x1234, one question: a 63-byte label of 0xff, then the zone, type A, class IN
    const label = Buffer.concat([Buffer.from([63]), Buffer.alloc(63, 0xff)]);
    const zoneLabels = Buffer.concat(
      ZONE.split(".").map((part) => Buffer.concat([Buffer.from([part.length]), Buffer.from(part)])),
    );
    const header = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    const query = Buffer.concat([header, label, zoneLabels, Buffer.from([0, 0, 1, 0, 1])]);
    // act
    const socket = createSocket("udp4");
    const answer = await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no answer within 2 s")), 2000);
      socket.once("message", (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      socket.send(query, server.port, server.host);
    }).finally(() => socket.close());
    // assess: same id, a response, rcode 1 (FORMERR), no question copied back
    expect(answer.readUInt16BE(0)).toBe(0x1234);
    expect(answer.readUInt8(2) & 0x80).toBe(0x80);
    expect(answer.readUInt8(3) & 0x0f).toBe(1);
    expect(answer.readUInt16BE(4)).toBe(0);
    expect(answer).toHaveLength(12);
  });

  it("truncates a large answer over UDP and gives all of it over TCP; dig retries by itself", async () => {
    // act
    const udp = await queryDns(server, `big.${ZONE}`, "TXT");
    const udpEdns = await queryDns(server, `big.${ZONE}`, "TXT", { ednsPayloadSize: 4096 });
    const tcp = await queryDns(server, `big.${ZONE}`, "TXT", { tcp: true });
    const { stdout } = await promisify(execFile)("dig", [
      `@${server.host}`,
      "-p",
      String(server.port),
      "+short",
      `big.${ZONE}`,
      "TXT",
    ]);

    // assess
    expect(udp).toMatchObject({ flag_tc: true, answers: [] });
    expect(udpEdns).toMatchObject({ flag_tc: true, answers: [] }); // 12 × 203 bytes > 1232
    expect(tcp).toMatchObject({ flag_tc: false, flag_aa: true });
    expect(tcp.answers).toHaveLength(12);
    expect(stdout.trim().split("\n")).toHaveLength(12);
  });

  it("sees a change in Route 53 within a second", async () => {
    // prepare
    const name = `changing.${ZONE}`;
    await zone.setRecord(name, "A", "192.0.2.10");
    await expect.poll(() => resolver.resolve4(name), { timeout: 1000, interval: 50 }).toEqual(["192.0.2.10"]);

    // act
    const changedAt = Date.now();
    await zone.setRecord(name, "A", "192.0.2.11");
    await expect.poll(() => resolver.resolve4(name), { timeout: 1000, interval: 50 }).toEqual(["192.0.2.11"]);
    const elapsedMs = Date.now() - changedAt;

    // assess
    expect(elapsedMs).toBeLessThan(1000);
  });
});
