/**
 * dyndns2 request parsing (Basic credentials, host names, addresses) and the properties that hold
 * for any input: the parsers never throw anything but a BadRequestError, and no request without
 * valid credentials reaches Route 53.
 */
import { ChangeResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { BadRequestError } from "../../src/core/errors.js";
import { readDyndns2Query } from "../../src/protocols/dyndns2-request.js";
import { parseBasicAuth } from "../../src/protocols/http.js";
import { httpEvent } from "../support/events.js";
import { mockConfig, mockRecords, testApp, ZONE_ID } from "../support/mock-aws.js";

const basic = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
const query = (text: string) => readDyndns2Query(new URLSearchParams(text));

describe("parseBasicAuth", () => {
  it("splits at the first ':' so that passwords may contain ':'", () => {
    // act
    const credentials = parseBasicAuth(basic("user", "a:b:c@d%41"));
    // assess
    expect(credentials).toEqual({ username: "user", password: "a:b:c@d%41" });
  });

  it("takes the scheme in any case and base64 without padding", () => {
    const unpadded = Buffer.from("u:pw").toString("base64").replace(/=+$/, "");
    expect(parseBasicAuth(`bAsIc ${unpadded}`)).toEqual({ username: "u", password: "pw" });
  });

  it.each([
    ["missing", undefined],
    ["another scheme", "Digest username=x"],
    ["no credentials", "Basic"],
    ["characters outside base64", "Basic dXNlcjpwYXNz!"],
    ["two tokens", "Basic dXNlcjpwYXNz dXNlcjpwYXNz"],
  ])("refuses %s", (_, header) => {
    expect(parseBasicAuth(header)).toBeUndefined();
  });

  it("never throws, whatever the header", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary" }),
          fc.uint8Array().map((bytes) => `Basic ${Buffer.from(bytes).toString("base64")}`),
        ),
        (header) => {
          parseBasicAuth(header);
        },
      ),
    );
  });

  it("reads back any UTF-8 user name (without ':') and password", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme" }).filter((name) => !name.includes(":")),
        fc.string({ unit: "grapheme" }),
        (username, password) => {
          expect(parseBasicAuth(basic(username, password))).toEqual({ username, password });
        },
      ),
    );
  });
});

describe("readDyndns2Query", () => {
  it("keeps the host names in order, trimmed, with empty entries for notfqdn", () => {
    expect(query("hostname=a.example.com,%20b.example.com,,c.example.com").hostnames).toEqual([
      "a.example.com",
      "b.example.com",
      "",
      "c.example.com",
    ]);
  });

  it("reads myip=v4,v6, myipv6, and puts IPv4 first in canonical form", () => {
    expect(query("myip=2001:DB8::0:1,192.0.2.1").addresses).toEqual([
      { text: "192.0.2.1", recordType: "A" },
      { text: "2001:db8::1", recordType: "AAAA" },
    ]);
    expect(query("myip=192.0.2.1&myipv6=2001:db8::1").addresses.map((ip) => ip.text)).toEqual([
      "192.0.2.1",
      "2001:db8::1",
    ]);
  });

  it("treats empty myip/myipv6 as absent and one address given twice as once", () => {
    expect(query("hostname=h.example.com&myip=&myipv6=").addresses).toEqual([]);
    expect(query("myip=2001:db8::1&myipv6=2001:DB8::1").addresses).toHaveLength(1);
  });

  it("throws nothing but BadRequestError, and never more than one address per family", () => {
    const ipish = fc.oneof(
      fc.ipV4(),
      fc.ipV6(),
      fc.string(),
      fc.constantFrom("", ",", "::ffff:192.0.2.1", "1.2.3.4,5.6.7.8"),
    );
    const queryText = fc.oneof(
      fc.string({ unit: "binary" }),
      fc
        .record({ hostname: fc.string(), myip: ipish, myipv6: ipish })
        .map((fields) => new URLSearchParams(fields).toString()),
      fc.tuple(ipish, ipish).map(([a, b]) => `myip=${encodeURIComponent(a)},${encodeURIComponent(b)}`),
    );
    fc.assert(
      fc.property(queryText, (text) => {
        try {
          const { addresses } = query(text);
          expect(new Set(addresses.map((ip) => ip.recordType)).size).toBe(addresses.length);
        } catch (error) {
          expect(error).toBeInstanceOf(BadRequestError);
        }
      }),
    );
  });
});

describe("dyndns2 handler, for any request", () => {
  const s3 = mockClient(S3Client);
  const route53 = mockClient(Route53Client);
  const SECRET = "the-only-valid-password-0123456789";
  const HOSTS = ["router.dyn.example.com", "relay.dyn.example.com", "seedonly.dyn.example.com"];

  beforeEach(() => {
    s3.reset();
    route53.reset();
    mockConfig(s3, {
      "router.dyn.example.com.": { route_53_zone_id: ZONE_ID, allow_dyndns2: true, shared_secret: SECRET },
      "relay.dyn.example.com.": {
        route_53_zone_id: ZONE_ID,
        allow_dyndns2: true,
        allow_client_ip: true,
        username: "relay",
        shared_secret: SECRET,
      },
      // Holds the same secret but has not opted in: its password must not open dyndns2.
      "seedonly.dyn.example.com.": { route_53_zone_id: ZONE_ID, shared_secret: SECRET },
    });
    mockRecords(route53, []);
    route53
      .on(ChangeResourceRecordSetsCommand)
      .resolves({ ChangeInfo: { Id: "C", Status: "PENDING", SubmittedAt: new Date() } });
  });

  const knownName = fc.constantFrom(...HOSTS, "ROUTER.dyn.example.com.");
  const hostnames = fc
    .array(fc.oneof({ weight: 2, arbitrary: knownName }, fc.domain(), fc.string()), { maxLength: 4 })
    .map((names) => names.join(","));
  const myip = fc.oneof(fc.constant("203.0.113.10"), fc.ipV4(), fc.ipV6(), fc.string());
  const structuredQuery = (names: fc.Arbitrary<string>) =>
    fc
      .record({ hostname: names, myip }, { requiredKeys: ["hostname"] })
      .map((fields) => new URLSearchParams(fields).toString());

  /** Right password with a user name no dyndns2 host has, or a known user with a password that is nearly right. */
  const nearMiss = fc.oneof(
    fc.constantFrom(
      basic("relay", `${SECRET} `),
      basic("router.dyn.example.com", SECRET.toUpperCase()),
      basic("seedonly.dyn.example.com", SECRET),
      basic("someone-else", SECRET),
      basic("relay.dyn.example.com", SECRET),
    ),
    fc
      .tuple(fc.constantFrom(...HOSTS, "relay"), fc.string({ unit: "grapheme" }))
      .filter(([, password]) => password !== SECRET)
      .map(([user, password]) => basic(user, password)),
  );
  const garbage = fc.oneof(
    fc.string({ unit: "binary" }),
    fc.uint8Array().map((bytes) => `Basic ${Buffer.from(bytes).toString("base64")}`),
  );

  async function assertNeverReachesRoute53(
    query: fc.Arbitrary<string>,
    authorization: fc.Arbitrary<string | undefined>,
  ): Promise<void> {
    const { app } = testApp();
    await fc.assert(
      fc.asyncProperty(query, authorization, async (text, header) => {
        route53.resetHistory();
        // act
        const result = await app(
          httpEvent({
            path: "/nic/update",
            query: text,
            headers: header === undefined ? {} : { authorization: header },
          }),
        );
        // assess
        expect([200, 400, 401]).toContain(result.statusCode);
        expect(result.body).not.toMatch(/^(good|nochg)/m);
        expect(route53.calls()).toHaveLength(0);
      }),
      { numRuns: 200 },
    );
  }

  it("never fails unexpectedly on any query string and Authorization header", async () => {
    await assertNeverReachesRoute53(
      fc.oneof(fc.string({ unit: "binary" }), structuredQuery(hostnames)),
      fc.option(fc.oneof(garbage, nearMiss), { nil: undefined }),
    );
  });

  it("never reaches Route 53 with credentials that are nearly right for the hosts asked for", async () => {
    const someKnownHosts = fc
      .array(knownName, { minLength: 1, maxLength: 3 })
      .map((names) => names.join(","));
    await assertNeverReachesRoute53(structuredQuery(someKnownHosts), nearMiss);
  });

  it("answers 200 with one line per host name for any host list a valid caller sends", async () => {
    const { app } = testApp();
    await fc.assert(
      fc.asyncProperty(
        hostnames.filter((names) => names.trim() !== ""),
        async (names) => {
          const result = await app(
            httpEvent({
              path: "/nic/update",
              query: { hostname: names },
              headers: { authorization: basic("router.dyn.example.com", SECRET) },
            }),
          );
          const sent = names.split(",");
          if (result.statusCode === 401) {
            // Only when no name was this caller's own host.
            expect(sent.map((name) => name.trim().toLowerCase().replace(/\.$/, ""))).not.toContain(
              "router.dyn.example.com",
            );
            return;
          }
          expect(result.statusCode).toBe(200);
          const lines = (result.body ?? "").trimEnd().split("\n");
          expect(lines).toHaveLength(sent.length);
          lines.forEach((line, index) => {
            const own = sent[index]?.trim().toLowerCase().replace(/\.$/, "") === "router.dyn.example.com";
            expect(line).toMatch(own ? /^(good|nochg) 203\.0\.113\.10$/ : /^(nohost|notfqdn)$/);
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});
