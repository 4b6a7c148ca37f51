import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  PriorRequestNotComplete,
  Route53Client,
} from "@aws-sdk/client-route-53";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { DnsUpdateError, ThrottledError, UnavailableError } from "../../src/core/errors.js";
import { Route53Records, translateRoute53Error } from "../../src/dns/route53.js";
import { Route53RecordWriter } from "../../src/dns/route53-writer.js";
import { aRecord, mockRecords } from "../support/mock-aws.js";

const ZONE = "Z1";

describe("Route53Records", () => {
  const route53 = mockClient(Route53Client);
  let now: number;
  const records = (recordCacheSeconds = 60) =>
    new Route53Records(new Route53Client({ region: "us-east-1" }), { recordCacheSeconds, now: () => now });

  beforeEach(() => {
    route53.reset();
    now = 1_000_000;
  });

  it("reads the exact name and type, never the first record returned", async () => {
    // prepare: the record after the asked-for name is the only one of its kind
    mockRecords(
      route53,
      [aRecord("other.example.com.", "192.0.2.2"), aRecord("z.example.com.", "192.0.2.3")],
      ZONE,
    );
    const dns = records(0);
    // act
    const values = await dns.currentValues(ZONE, "home.example.com.", "A");
    // assess
    expect(values).toEqual([]);
    expect(route53).toReceiveCommandWith(ListResourceRecordSetsCommand, {
      HostedZoneId: ZONE,
      StartRecordName: "home.example.com.",
      StartRecordType: "A",
      MaxItems: 1,
    });
  });

  it("knows a wildcard record Route 53 lists as \\052 by the name the core writes", async () => {
    // prepare
    mockRecords(
      route53,
      [aRecord("\\052.home.example.com.", "192.0.2.7"), aRecord("home.example.com.", "192.0.2.7")],
      ZONE,
    );
    const dns = records(60);
    // act
    const values = await dns.currentValues(ZONE, "*.home.example.com.", "A");
    // assess
    expect(values).toEqual(["192.0.2.7"]);
    expect(route53.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(1);
  });

  it("answers checks from one zone snapshot for the cache period", async () => {
    // prepare: 650 records, three pages
    const zone = Array.from({ length: 650 }, (_, i) =>
      aRecord(`h${String(i).padStart(3, "0")}.example.com.`, `10.0.${i >> 8}.${i & 255}`),
    );
    mockRecords(route53, zone, ZONE);
    const dns = records(60);
    // act
    const answers = await Promise.all([
      dns.currentValues(ZONE, "h000.example.com.", "A"),
      dns.currentValues(ZONE, "h649.example.com.", "A"),
      dns.currentValues(ZONE, "missing.example.com.", "A"),
    ]);
    now += 59_000;
    await dns.currentValues(ZONE, "h300.example.com.", "A");
    // assess
    expect(answers).toEqual([["10.0.0.0"], ["10.0.2.137"], []]);
    expect(route53).toReceiveCommandTimes(ListResourceRecordSetsCommand, 3);
  });

  it("takes a new snapshot once the cache period is over", async () => {
    mockRecords(route53, [aRecord("a.example.com.", "192.0.2.1")], ZONE);
    const dns = records(60);
    await dns.currentValues(ZONE, "a.example.com.", "A");
    now += 60_000;
    await dns.currentValues(ZONE, "a.example.com.", "A");
    expect(route53).toReceiveCommandTimes(ListResourceRecordSetsCommand, 2);
  });

  it("never trusts a cached answer longer than the record's TTL", async () => {
    mockRecords(route53, [aRecord("short.example.com.", "192.0.2.1", "A", 10)], ZONE);
    const dns = records(60);
    await dns.currentValues(ZONE, "short.example.com.", "A");
    now += 11_000;
    await dns.currentValues(ZONE, "short.example.com.", "A");
    expect(route53).toReceiveCommandTimes(ListResourceRecordSetsCommand, 2);
    expect(route53).toHaveReceivedNthCommandWith(ListResourceRecordSetsCommand, 2, {
      StartRecordName: "short.example.com.",
      MaxItems: 1,
    });
  });

  it("remembers the change it queued, so the next check costs no call and writes nothing", async () => {
    mockRecords(route53, [], ZONE);
    const dns = records(60);
    await dns.currentValues(ZONE, "a.example.com.", "A");
    dns.expect(ZONE, [{ name: "a.example.com.", type: "A", ttl: 60, value: "192.0.2.7" }]);
    const after = await dns.currentValues(ZONE, "a.example.com.", "A");
    expect(after).toEqual(["192.0.2.7"]);
    expect(route53).toReceiveCommandTimes(ListResourceRecordSetsCommand, 1);
    expect(route53).toReceiveCommandTimes(ChangeResourceRecordSetsCommand, 0);
  });

  it("ignores alias and weighted records, which it does not manage", async () => {
    // prepare: record sets the Route 53 fake does not hold, listed as Route 53 lists them
    route53.on(ListResourceRecordSetsCommand).resolves({
      IsTruncated: false,
      ResourceRecordSets: [
        {
          Name: "a.example.com.",
          Type: "A",
          AliasTarget: { DNSName: "x.", HostedZoneId: "Z2", EvaluateTargetHealth: false },
        },
        {
          Name: "w.example.com.",
          Type: "A",
          SetIdentifier: "one",
          Weight: 1,
          TTL: 60,
          ResourceRecords: [{ Value: "192.0.2.1" }],
        },
      ],
    });
    const dns = records(60);
    expect(await dns.currentValues(ZONE, "a.example.com.", "A")).toEqual([]);
    expect(await dns.currentValues(ZONE, "w.example.com.", "A")).toEqual([]);
  });

  it("keeps the pages of a listing that failed part-way, and resumes at the failed page", async () => {
    // prepare: 650 records (three pages); the second page is throttled once
    const zone = Array.from({ length: 650 }, (_, i) =>
      aRecord(`h${String(i).padStart(3, "0")}.example.com.`, "192.0.2.1"),
    );
    mockRecords(route53, zone, ZONE);
    const throttled = Object.assign(new Error("Rate exceeded"), {
      name: "Throttling",
      $metadata: { httpStatusCode: 400 },
    });
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: "h300.example.com." })
      .rejectsOnce(throttled)
      .callsFake((input) => ({
        ResourceRecordSets: zone.slice(300, 600),
        IsTruncated: true,
        NextRecordName: "h600.example.com.",
        NextRecordType: "A",
        MaxItems: input.MaxItems,
      }));
    const dns = new Route53Records(new Route53Client({ region: "us-east-1", maxAttempts: 1 }), {
      recordCacheSeconds: 60,
      now: () => now,
    });
    // act
    const onFirstPage = await dns.currentValues(ZONE, "h010.example.com.", "A");
    const onThirdPage = await dns.currentValues(ZONE, "h640.example.com.", "A");
    // assess: the first answer came from the page that arrived; the retry did not list page one again
    expect(onFirstPage).toEqual(["192.0.2.1"]);
    expect(onThirdPage).toEqual(["192.0.2.1"]);
    const starts = route53
      .commandCalls(ListResourceRecordSetsCommand)
      .map((call) => call.args[0].input.StartRecordName);
    expect(starts).toEqual([undefined, "h300.example.com.", "h300.example.com.", "h600.example.com."]);
  });

  it("maps failures to what the caller should do", () => {
    const meta = (httpStatusCode?: number) => ({ $metadata: httpStatusCode ? { httpStatusCode } : {} });
    expect(
      translateRoute53Error(Object.assign(new Error("Rate exceeded"), { name: "Throttling" }, meta(400))),
    ).toBeInstanceOf(ThrottledError);
    expect(
      translateRoute53Error(
        new PriorRequestNotComplete({ message: "busy", $metadata: { httpStatusCode: 400 } }),
      ),
    ).toBeInstanceOf(UnavailableError);
    expect(
      translateRoute53Error(Object.assign(new Error("socket hang up"), { name: "TimeoutError" })),
    ).toBeInstanceOf(UnavailableError);
    expect(
      translateRoute53Error(Object.assign(new Error("x"), { name: "InvalidChangeBatch" }, meta(400))),
    ).toBeInstanceOf(DnsUpdateError);
    expect(
      translateRoute53Error(Object.assign(new Error("x"), { name: "AccessDenied" }, meta(403))),
    ).toBeInstanceOf(DnsUpdateError);
  });

  it("the writer's adapter UPSERTs in one call and reports a refusal as DnsUpdateError", async () => {
    route53
      .on(ChangeResourceRecordSetsCommand)
      .resolvesOnce({ ChangeInfo: { Id: "/change/C9", Status: "PENDING", SubmittedAt: new Date() } })
      .rejects(
        Object.assign(new Error("bad"), { name: "InvalidChangeBatch", $metadata: { httpStatusCode: 400 } }),
      );
    const writer = new Route53RecordWriter(new Route53Client({}));
    const change = { name: "a.example.com.", type: "A" as const, ttl: 60, value: "192.0.2.2" };
    expect(await writer.upsert(ZONE, [change])).toBe("/change/C9");
    await expect(writer.upsert(ZONE, [change])).rejects.toBeInstanceOf(DnsUpdateError);
    expect(route53).toHaveReceivedCommandWith(ChangeResourceRecordSetsCommand, {
      HostedZoneId: ZONE,
      ChangeBatch: expect.objectContaining({
        Changes: [
          {
            Action: "UPSERT",
            ResourceRecordSet: {
              Name: change.name,
              Type: "A",
              TTL: 60,
              ResourceRecords: [{ Value: change.value }],
            },
          },
        ],
      }),
    });
  });
});
