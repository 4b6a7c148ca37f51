import { createHash } from "node:crypto";
import { ChangeResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { parseReservedNames } from "../../src/config/reserved-names.js";
import { readSettings } from "../../src/settings.js";
import { httpEvent, seedBody } from "../support/events.js";
import { resetMockedAws, testApp, ZONE_ID } from "../support/mock-aws.js";

const SECRET = "a-secret-the-operator-gave-the-apex-by-mistake";
const entry = {
  route_53_zone_id: ZONE_ID,
  record_types: ["A", "AAAA"],
  shared_secret: SECRET,
  allow_dyndns2: true,
};
const CONFIG = {
  "dyn.example.com.": entry,
  "ddns.dyn.example.com": entry,
  "home.dyn.example.com.": entry,
};
const RESERVED = parseReservedNames("dyn.example.com, DDNS.dyn.example.com.");
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const seedSet = (host: string) =>
  httpEvent({ query: { mode: "set", hostname: host, hash: sha256(`203.0.113.10${host}${SECRET}`) } });
const dyndns2 = (host: string) =>
  httpEvent({
    path: "/nic/update",
    query: { hostname: host },
    headers: { authorization: `Basic ${Buffer.from(`${host}:${SECRET}`).toString("base64")}` },
  });

describe("reserved names (the zone apex and the API's own domain)", () => {
  const s3 = mockClient(S3Client);
  const route53 = mockClient(Route53Client);

  beforeEach(() => {
    resetMockedAws(s3, route53, CONFIG);
  });

  it("reads DDNS_RESERVED_NAMES into canonical names", () => {
    const settings = readSettings({
      DDNS_CONFIG_BUCKET: "b",
      DDNS_RESERVED_NAMES: "Dyn.Example.com,, ddns.dyn.example.com.",
    });
    expect(settings.reservedNames).toEqual(["dyn.example.com.", "ddns.dyn.example.com."]);
    expect(readSettings({ DDNS_CONFIG_BUCKET: "b" }).reservedNames).toEqual([]);
  });

  it("refuses them through both protocols even when the config lists them, and logs why once", async () => {
    // prepare
    const { app, logs } = testApp({ reservedNames: RESERVED });
    // act
    const apex = await app(seedSet("dyn.example.com"));
    const apiDomain = await app(seedSet("ddns.dyn.example.com."));
    const apexAgain = await app(dyndns2("dyn.example.com"));
    const ordinary = await app(seedSet("home.dyn.example.com"));
    // assess
    expect([apex.statusCode, apiDomain.statusCode, apexAgain.statusCode]).toEqual([401, 401, 401]);
    expect(seedBody(apex).return_message).toBe("Validation hashes do not match.");
    expect(apexAgain.body?.trim()).toBe("badauth");
    expect(ordinary.statusCode).toBe(201);
    expect(route53).toReceiveCommandTimes(ChangeResourceRecordSetsCommand, 1);
    expect(route53).toReceiveCommandWith(ChangeResourceRecordSetsCommand, {
      ChangeBatch: expect.objectContaining({
        Changes: [
          expect.objectContaining({
            ResourceRecordSet: expect.objectContaining({ Name: "home.dyn.example.com." }),
          }),
        ],
      }),
    });
    const problems = logs.filter((entry) => entry.msg === "config problem");
    expect(problems.map((entry) => entry.problem)).toEqual([
      "dyn.example.com.: is the zone apex or the API's own domain name, which cannot be a dynamic host; the entry is ignored.",
    ]);
    expect(JSON.stringify(logs)).not.toContain(SECRET);
  });

  it("without DDNS_RESERVED_NAMES the config alone decides (the IAM deny still holds in AWS)", async () => {
    const { app } = testApp();
    const apex = await app(seedSet("dyn.example.com"));
    expect(apex.statusCode).toBe(201);
  });
});
