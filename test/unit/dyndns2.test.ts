/**
 * dyndns2 (`GET /nic/update`) through the whole app, with S3 and Route 53 mocked at the SDK.
 */
import { ChangeResourceRecordSetsCommand, InvalidChangeBatch, Route53Client } from "@aws-sdk/client-route-53";
import { GetObjectCommand, NoSuchKey, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { BASIC_CHALLENGE } from "../../src/protocols/http.js";
import { httpEvent } from "../support/events.js";
import { aRecord, mockRecords, resetMockedAws, testApp, ZONE_ID } from "../support/mock-aws.js";

const OTHER_ZONE_ID = "Z9876543210XYZ";
const ROUTER_SECRET = "router-secret-0123456789abcdef";
const RELAY_SECRET = "p@ss:wörd%25 ünïcødé 🙂";
const FAMILY_SECRET = "family-shared-secret-000000000";
const SOURCE = "203.0.113.10";
const SOURCE6 = "2001:db8::10";

const host = (extra: Record<string, unknown>) => ({
  route_53_zone_id: ZONE_ID,
  route_53_record_ttl: 60,
  ...extra,
});
const CONFIG = {
  "router.dyn.example.com.": host({
    record_types: ["A", "AAAA"],
    allow_dyndns2: true,
    shared_secret: ROUTER_SECRET,
  }),
  "relay.dyn.example.com.": host({
    record_types: ["A", "AAAA"],
    allow_dyndns2: true,
    allow_client_ip: true,
    username: "Relay-User",
    shared_secret: RELAY_SECRET,
  }),
  "v4only.dyn.example.com.": host({
    route_53_record_type: "A",
    allow_dyndns2: true,
    allow_client_ip: true,
    username: "family",
    shared_secret: FAMILY_SECRET,
  }),
  "seedonly.dyn.example.com.": host({ shared_secret: ROUTER_SECRET }),
  "a.dyn.example.com.": host({ allow_dyndns2: true, username: "family", shared_secret: FAMILY_SECRET }),
  "b.dyn.example.com.": host({ allow_dyndns2: true, username: "family", shared_secret: FAMILY_SECRET }),
  "c.example.org.": {
    route_53_zone_id: OTHER_ZONE_ID,
    allow_dyndns2: true,
    username: "family",
    shared_secret: FAMILY_SECRET,
  },
};

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

function update(
  query: Record<string, string> | string,
  authorization: string | null = basic("router.dyn.example.com", ROUTER_SECRET),
  sourceIp = SOURCE,
) {
  return httpEvent({
    path: "/nic/update",
    query,
    headers: authorization === null ? {} : { authorization },
    sourceIp,
  });
}

describe("dyndns2 /nic/update", () => {
  const s3 = mockClient(S3Client);
  const route53 = mockClient(Route53Client);
  const changes = () => route53.commandCalls(ChangeResourceRecordSetsCommand);

  beforeEach(() => {
    resetMockedAws(s3, route53, CONFIG);
  });

  describe("updates", () => {
    it("sets the caller's address when myip is absent and answers good with 200", async () => {
      // prepare
      const { app, logs } = testApp();
      // act
      const result = await app(update({ hostname: "router.dyn.example.com" }));
      // assess
      expect(result.statusCode).toBe(200);
      expect(result.headers?.["content-type"]).toMatch(/^text\/plain/);
      expect(result.body).toBe(`good ${SOURCE}\n`);
      expect(route53).toReceiveCommandWith(ChangeResourceRecordSetsCommand, {
        HostedZoneId: ZONE_ID,
        ChangeBatch: expect.objectContaining({
          Changes: [
            {
              Action: "UPSERT",
              ResourceRecordSet: {
                Name: "router.dyn.example.com.",
                Type: "A",
                TTL: 60,
                ResourceRecords: [{ Value: SOURCE }],
              },
            },
          ],
        }),
      });
      expect(logs.at(-1)).toMatchObject({ decision: "updated", hostname: "router.dyn.example.com." });
    });

    it("answers nochg only when the record really holds the address", async () => {
      // prepare
      mockRecords(route53, [
        aRecord("a.dyn.example.com.", SOURCE),
        {
          ...aRecord("b.dyn.example.com.", SOURCE),
          ResourceRecords: [{ Value: SOURCE }, { Value: "192.0.2.1" }],
        },
      ]);
      const { app } = testApp();
      // act
      const result = await app(
        update({ hostname: "a.dyn.example.com,b.dyn.example.com" }, basic("family", FAMILY_SECRET)),
      );
      // assess
      expect(result.body).toBe(`nochg ${SOURCE}\ngood ${SOURCE}\n`);
      expect(changes()).toHaveLength(1);
      expect(changes()[0]?.args[0].input.ChangeBatch?.Changes).toHaveLength(1);
    });

    it("accepts myip equal to the caller's address for a host without allow_client_ip", async () => {
      const { app } = testApp();
      const result = await app(update({ hostname: "router.dyn.example.com", myip: SOURCE }));
      expect(result.body).toBe(`good ${SOURCE}\n`);
    });

    it("sets AAAA for an IPv6 caller", async () => {
      const { app } = testApp();
      const result = await app(update({ hostname: "router.dyn.example.com" }, undefined, "2001:DB8:0::10"));
      expect(result.body).toBe(`good ${SOURCE6}\n`);
      expect(route53).toReceiveCommandWith(ChangeResourceRecordSetsCommand, {
        ChangeBatch: expect.objectContaining({
          Changes: [
            expect.objectContaining({ ResourceRecordSet: expect.objectContaining({ Type: "AAAA" }) }),
          ],
        }),
      });
    });

    it.each([
      ["myip=v4,v6", { myip: `198.51.100.7,${SOURCE6}` }],
      ["myip + myipv6", { myip: "198.51.100.7", myipv6: SOURCE6 }],
      ["myip=v6,v4", { myip: `${SOURCE6},198.51.100.7` }],
    ])("sets A and AAAA in one change batch for %s and answers one line", async (_, query) => {
      // prepare
      const { app } = testApp();
      // act
      const result = await app(
        update({ hostname: "relay.dyn.example.com", ...query }, basic("relay-user", RELAY_SECRET)),
      );
      // assess
      expect(result.body).toBe(`good 198.51.100.7,${SOURCE6}\n`);
      expect(changes()).toHaveLength(1);
      expect(changes()[0]?.args[0].input.ChangeBatch?.Changes?.map((c) => c.ResourceRecordSet?.Type)).toEqual(
        ["A", "AAAA"],
      );
    });

    it("answers good for a dual-stack update when only one of the two records changes", async () => {
      mockRecords(route53, [aRecord("relay.dyn.example.com.", "198.51.100.7")]);
      const { app } = testApp();
      const result = await app(
        update(
          { hostname: "relay.dyn.example.com", myip: `198.51.100.7,${SOURCE6}` },
          basic("Relay-User", RELAY_SECRET),
        ),
      );
      expect(result.body).toBe(`good 198.51.100.7,${SOURCE6}\n`);
      expect(changes()[0]?.args[0].input.ChangeBatch?.Changes).toHaveLength(1);
    });

    it("sends every host of a request in one change batch per zone and answers in request order", async () => {
      // prepare
      const { app } = testApp();
      // act
      const result = await app(
        update(
          {
            hostname: "b.dyn.example.com,unknown.dyn.example.com,c.example.org,a.dyn.example.com,not_a_name",
          },
          basic("family", FAMILY_SECRET),
        ),
      );
      // assess
      expect(result.statusCode).toBe(200);
      expect(result.body).toBe(
        [`good ${SOURCE}`, "nohost", `good ${SOURCE}`, `good ${SOURCE}`, "notfqdn", ""].join("\n"),
      );
      expect(changes()).toHaveLength(2);
      const byZone = Object.fromEntries(
        changes().map((call) => [
          call.args[0].input.HostedZoneId,
          call.args[0].input.ChangeBatch?.Changes?.map((c) => c.ResourceRecordSet?.Name),
        ]),
      );
      expect(byZone).toEqual({
        [ZONE_ID]: ["b.dyn.example.com.", "a.dyn.example.com."],
        [OTHER_ZONE_ID]: ["c.example.org."],
      });
    });

    it("answers each repeated host name and changes its record once", async () => {
      const { app } = testApp();
      const result = await app(
        update({ hostname: "a.dyn.example.com,A.dyn.example.com." }, basic("family", FAMILY_SECRET)),
      );
      expect(result.body).toBe(`good ${SOURCE}\ngood ${SOURCE}\n`);
      expect(changes()[0]?.args[0].input.ChangeBatch?.Changes).toHaveLength(1);
    });

    it("ignores the arguments other dyndns2 services take (system, wildcard, mx, backmx)", async () => {
      const { app } = testApp();
      const result = await app(
        update(`system=dyndns&hostname=router.dyn.example.com&myip=&wildcard=ON&mx=mx.example.com&backmx=NO`),
      );
      expect(result.body).toBe(`good ${SOURCE}\n`);
    });
  });

  describe("credentials", () => {
    it("challenges a request without credentials with 401 and WWW-Authenticate, touching no backend", async () => {
      // prepare
      const { app, logs } = testApp();
      // act
      const result = await app(update({ hostname: "router.dyn.example.com" }, null));
      // assess
      expect(result.statusCode).toBe(401);
      expect(result.headers?.["www-authenticate"]).toBe(BASIC_CHALLENGE);
      expect(result.body).toBe("badauth\n");
      expect(s3.calls()).toHaveLength(0);
      expect(route53.calls()).toHaveLength(0);
      expect(logs.at(-1)).toMatchObject({ decision: "badauth", reason: "no credentials" });
    });

    it("answers an unknown host exactly as a known host with the wrong password", async () => {
      // prepare
      const { app, logs } = testApp();
      // act
      const unknown = await app(
        update({ hostname: "nobody.dyn.example.com" }, basic("nobody.dyn.example.com", "x")),
      );
      const wrong = await app(
        update({ hostname: "router.dyn.example.com" }, basic("router.dyn.example.com", "x")),
      );
      // assess
      expect(wrong).toEqual(unknown);
      expect(wrong.statusCode).toBe(401);
      expect(wrong.body).toBe("badauth\n");
      expect(route53.calls()).toHaveLength(0);
      expect(logs.map((entry) => entry.refusedHostname)).toEqual([
        "nobody.dyn.example.com.",
        "router.dyn.example.com.",
      ]);
      expect(logs.map((entry) => entry.reason)).toEqual([
        "#1 nohost: unknown host",
        "#1 nohost: password mismatch",
      ]);
    });

    it.each([
      [
        "a host without allow_dyndns2",
        "seedonly.dyn.example.com",
        basic("seedonly.dyn.example.com", ROUTER_SECRET),
      ],
      ["another host's user name", "router.dyn.example.com", basic("family", ROUTER_SECRET)],
      [
        "a password that differs only in case",
        "router.dyn.example.com",
        basic("router.dyn.example.com", ROUTER_SECRET.toUpperCase()),
      ],
      [
        "a password with a trailing newline",
        "router.dyn.example.com",
        basic("router.dyn.example.com", `${ROUTER_SECRET}\n`),
      ],
    ])("refuses %s with badauth", async (_, hostname, authorization) => {
      const { app } = testApp();
      const result = await app(update({ hostname }, authorization));
      expect(result.statusCode).toBe(401);
      expect(result.body).toBe("badauth\n");
      expect(route53.calls()).toHaveLength(0);
    });

    it.each([
      ["not Basic", "Bearer abc"],
      ["not base64", "Basic !!!not-base64!!!"],
      ["no colon", `Basic ${Buffer.from("router.dyn.example.com").toString("base64")}`],
      [
        "not UTF-8",
        `Basic ${Buffer.concat([Buffer.from("router.dyn.example.com:"), Buffer.from([0xff, 0xfe])]).toString("base64")}`,
      ],
      ["empty", "Basic "],
    ])(
      "answers garbled credentials (%s) with badauth before loading the config",
      async (_, authorization) => {
        const { app, logs } = testApp();
        const result = await app(update({ hostname: "router.dyn.example.com" }, authorization));
        expect(result.statusCode).toBe(401);
        expect(result.headers?.["www-authenticate"]).toBe(BASIC_CHALLENGE);
        expect(s3.calls()).toHaveLength(0);
        expect(logs.at(-1)).toMatchObject({ decision: "badauth", reason: "malformed credentials" });
      },
    );

    it("takes user names case-insensitively and passwords with ':', '@', '%' and non-ASCII", async () => {
      const { app } = testApp();
      const result = await app(
        update(
          { hostname: "relay.dyn.example.com" },
          `basic ${Buffer.from(`rElAy-UsEr:${RELAY_SECRET}`).toString("base64")}`,
        ),
      );
      expect(result.body).toBe(`good ${SOURCE}\n`);
    });

    it("accepts the host name as user name in any case, with or without the trailing dot", async () => {
      const { app } = testApp();
      const result = await app(
        update({ hostname: "router.dyn.example.com" }, basic("ROUTER.dyn.example.com.", ROUTER_SECRET)),
      );
      expect(result.body).toBe(`good ${SOURCE}\n`);
    });

    it("never writes the password or the Authorization header to the log", async () => {
      const { app, logs } = testApp();
      const authorization = basic("relay-user", RELAY_SECRET);
      await app(update({ hostname: "relay.dyn.example.com" }, authorization));
      await app(update({ hostname: "relay.dyn.example.com" }, basic("relay-user", `${RELAY_SECRET}x`)));
      const logged = JSON.stringify(logs);
      expect(logged).not.toContain(RELAY_SECRET);
      expect(logged).not.toContain(authorization.slice(6));
    });
  });

  describe("policy", () => {
    it("answers abuse, logged, when myip is not the caller's address and allow_client_ip is off", async () => {
      // prepare
      const { app, logs } = testApp();
      // act
      const result = await app(update({ hostname: "router.dyn.example.com", myip: "198.51.100.7" }));
      // assess
      expect(result.statusCode).toBe(200);
      expect(result.body).toBe("abuse\n");
      expect(route53.calls()).toHaveLength(0);
      expect(logs.at(-1)).toMatchObject({
        decision: "abuse",
        reason: "#1 abuse: myip 198.51.100.7 is not the caller's address and allow_client_ip is off",
      });
    });

    it("refuses a dual-stack myip for a host without allow_client_ip, changing neither record", async () => {
      const { app } = testApp();
      const result = await app(update({ hostname: "router.dyn.example.com", myip: `${SOURCE},${SOURCE6}` }));
      expect(result.body).toBe("abuse\n");
      expect(changes()).toHaveLength(0);
    });

    it("answers abuse for AAAA on an A-only host, and says why in the log", async () => {
      const { app, logs } = testApp();
      const result = await app(
        update(
          { hostname: "v4only.dyn.example.com,a.dyn.example.com" },
          basic("family", FAMILY_SECRET),
          SOURCE6,
        ),
      );
      expect(result.body).toBe(`abuse\ngood ${SOURCE6}\n`);
      expect(logs.at(-1)?.reason).toBe("#1 abuse: AAAA records are not allowed");
      expect(changes()[0]?.args[0].input.ChangeBatch?.Changes?.map((c) => c.ResourceRecordSet?.Name)).toEqual(
        ["a.dyn.example.com."],
      );
    });
  });

  describe("request shape", () => {
    it("answers numhost for more than 20 host names, touching no backend", async () => {
      const { app } = testApp();
      const names = Array.from({ length: 21 }, (_, i) => `h${i}.dyn.example.com`).join(",");
      const twenty = Array.from({ length: 20 }, () => "nobody.dyn.example.com").join(",");
      const result = await app(update({ hostname: names }));
      const atLimit = await app(update({ hostname: twenty }));
      expect(result.statusCode).toBe(200);
      expect(result.body).toBe("numhost\n");
      expect(atLimit.body).toBe("badauth\n");
    });

    it.each([
      ["no hostname", {}],
      ["an empty hostname", { hostname: "" }],
    ])("answers notfqdn for %s", async (_, query) => {
      const { app } = testApp();
      const result = await app(update(query));
      expect(result.statusCode).toBe(200);
      expect(result.body).toBe("notfqdn\n");
    });

    it("answers notfqdn per name when no name is a valid host name", async () => {
      const { app } = testApp();
      const result = await app(update({ hostname: "localhost,bad_name.example.com,," }));
      expect(result.body).toBe("notfqdn\nnotfqdn\nnotfqdn\nnotfqdn\n");
      expect(route53.calls()).toHaveLength(0);
    });

    it.each([
      ["myip=banana", "&myip=banana", "The myip= argument must be an IPv4 or IPv6 address"],
      ["myipv6 with IPv4", "&myipv6=192.0.2.1", "The myipv6= argument must be an IPv6 address."],
      ["two IPv4", "&myip=192.0.2.1,192.0.2.2", "Pass at most one IPv4 and one IPv6 address"],
      ["leading zeros", "&myip=192.000.2.1", "The myip= argument must be"],
      ["a repeated hostname=", "&hostname=a.dyn.example.com", "Pass the hostname= argument only once."],
    ])("refuses %s with 400 and a sentence, before loading the config", async (_, extra, message) => {
      const { app } = testApp();
      const result = await app(update(`hostname=router.dyn.example.com${extra}`));
      expect(result.statusCode).toBe(400);
      expect(result.body).toContain(message);
      expect(result.body).not.toMatch(/good|nochg|911|dnserr/);
      expect(s3.calls()).toHaveLength(0);
    });
  });

  describe("backend failures", () => {
    it("answers good while Route 53 refuses the writer's change: the writer keeps the message for the dead-letter queue", async () => {
      // prepare
      route53
        .on(ChangeResourceRecordSetsCommand, { HostedZoneId: OTHER_ZONE_ID })
        .rejects(new InvalidChangeBatch({ message: "nope", $metadata: { httpStatusCode: 400 } }));
      const { app, writerLogs } = testApp();
      // act
      const result = await app(
        update({ hostname: "a.dyn.example.com,c.example.org" }, basic("family", FAMILY_SECRET)),
      );
      // assess
      expect(result.statusCode).toBe(200);
      expect(result.body).toBe(`good ${SOURCE}\ngood ${SOURCE}\n`);
      expect(writerLogs.filter((entry) => entry.msg === "records not written")).toMatchObject([
        { zoneId: OTHER_ZONE_ID },
      ]);
    });

    it("answers 911 with 429 and Retry-After when the change queue refuses the changes", async () => {
      // prepare
      const { app, logs } = testApp({
        queueFault: () => Object.assign(new Error("slow down"), { name: "RequestThrottled" }),
      });
      // act
      const result = await app(
        update({ hostname: "a.dyn.example.com,c.example.org" }, basic("family", FAMILY_SECRET)),
      );
      // assess
      expect(result.statusCode).toBe(429);
      expect(result.headers?.["retry-after"]).toBe("2");
      expect(result.body).toBe("911\n");
      expect(logs.at(-1)).toMatchObject({ decision: "throttled" });
    });

    it("answers 911 once with 503 and Retry-After when the config cannot be read", async () => {
      // prepare
      s3.on(GetObjectCommand).rejects(
        new NoSuchKey({ message: "no such key", $metadata: { httpStatusCode: 404 } }),
      );
      const { app, logs } = testApp();
      // act
      const result = await app(update({ hostname: "router.dyn.example.com,a.dyn.example.com" }));
      // assess
      expect(result.statusCode).toBe(503);
      expect(result.body).toBe("911\n");
      expect(result.headers?.["retry-after"]).toBeDefined();
      expect(logs.at(-1)).toMatchObject({ decision: "unavailable", level: "error" });
    });
  });
});
