/**
 * The local DNS server's answers from zone data, without a network: Route 53's value formats read
 * into wire-format data, and the RFC 1034 / 4592 answer rules (referrals, CNAME chains, wildcards).
 */
import type { ResourceRecordSet } from "@aws-sdk/client-route-53";
import { describe, expect, it } from "vitest";
import { txtStrings } from "../../src/dns/txt-values.js";
import { answerQuestion } from "../../src/local/dns-answer.js";
import { buildZone, canonicalName, recordData } from "../../src/local/dns-zones.js";

const set = (Name: string, Type: string, ...values: string[]): ResourceRecordSet =>
  ({ Name, Type, TTL: 60, ResourceRecords: values.map((Value) => ({ Value })) }) as ResourceRecordSet;

describe("Route 53 values as DNS data", () => {
  it("decodes octal escapes in names and lower-cases them", () => {
    expect(canonicalName("\\052.Home.example.test.")).toBe("*.home.example.test.");
    expect(canonicalName("example.test")).toBe("example.test.");
  });

  it("splits TXT values into their character strings, with escapes", () => {
    expect(txtStrings('"a b" "c\\"d" "\\101\\\\"').map(String)).toEqual(["a b", 'c"d', "A\\"]);
    expect(txtStrings("unquoted").map(String)).toEqual(["unquoted"]);
  });

  it("reads SOA fields from Route 53's form and from moto's wrapped form", () => {
    const fields = { mname: "ns-1.example.", rname: "hostmaster.example.", serial: 1, minimum: 86400 };
    expect(recordData("SOA", "ns-1.example. hostmaster.example. 1 7200 900 1209600 86400")).toMatchObject(
      fields,
    );
    expect(
      recordData("SOA", "{'Value': 'ns-1.example. hostmaster.example. 1 7200 900 1209600 86400'}"),
    ).toMatchObject(fields);
  });

  it("keeps one TXT record's strings together", () => {
    const zone = buildZone("example.test.", [set("t.example.test.", "TXT", '"one"', '"two" "parts"')]);
    expect(zone.records.get("t.example.test.")?.get("TXT")?.data).toHaveLength(2);
  });
});

describe("answering a question", () => {
  const zone = buildZone("example.test.", [
    set("example.test.", "SOA", "ns.example.test. hostmaster.example.test. 1 7200 900 1209600 300"),
    set("example.test.", "NS", "ns.example.test."),
    set("sub.example.test.", "NS", "ns.elsewhere.test."),
    set("loop1.example.test.", "CNAME", "loop2.example.test."),
    set("loop2.example.test.", "CNAME", "loop1.example.test."),
    set("out.example.test.", "CNAME", "somewhere.else.test."),
    set("\\052.example.test.", "CNAME", "target.example.test."),
    set("target.example.test.", "A", "192.0.2.1"),
  ]);

  it("refers names below a delegation, without the AA bit", () => {
    // act
    const reply = answerQuestion([zone], "host.sub.example.test", "A");

    // assess
    expect(reply).toMatchObject({ rcode: "NOERROR", authoritative: false, answers: [] });
    expect(reply.authorities[0]).toMatchObject({ type: "NS", data: "ns.elsewhere.test." });
  });

  it("gives the negative-caching SOA the smaller of its TTL and MINIMUM", () => {
    expect(answerQuestion([zone], "target.example.test", "AAAA").authorities[0]).toMatchObject({ ttl: 60 });
  });

  it("stops a CNAME loop, and a chain that leaves the zones, without failing", () => {
    // act
    const loop = answerQuestion([zone], "loop1.example.test", "A");
    const out = answerQuestion([zone], "out.example.test", "A");

    // assess
    expect(loop.rcode).toBe("NOERROR");
    expect(loop.answers.length).toBeLessThanOrEqual(9);
    expect(out).toMatchObject({ rcode: "NOERROR", authoritative: true });
    expect(out.answers).toHaveLength(1);
  });

  it("synthesises a wildcard CNAME and follows it", () => {
    const reply = answerQuestion([zone], "anything.example.test", "A");
    expect(reply.answers.map((answer) => `${answer.name} ${answer.type}`)).toEqual([
      "anything.example.test CNAME",
      "target.example.test. A",
    ]);
  });

  it("answers from the closest zone when zones nest", () => {
    // prepare
    const child = buildZone("sub.example.test.", [set("host.sub.example.test.", "A", "192.0.2.9")]);

    // act
    const reply = answerQuestion([zone, child], "host.sub.example.test", "A");

    // assess
    expect(reply).toMatchObject({ rcode: "NOERROR", authoritative: true });
    expect(reply.answers[0]).toMatchObject({ data: "192.0.2.9" });
  });
});
