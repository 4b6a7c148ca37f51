/**
 * A router behind another NAT (carrier-grade NAT, or a private WAN behind a second router) that sends
 * its own WAN address in dyndns2's `myip=`: the answer stays a valid dyndns2 line (`abuse` first) and
 * says why, and no record changes, even on a host that may name another address (allow_client_ip).
 */
import { ChangeResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { parseIp, unreachableScope } from "../../src/core/ip.js";
import { httpEvent } from "../support/events.js";
import { resetMockedAws, testApp, ZONE_ID } from "../support/mock-aws.js";

const SECRET = "cgnat-secret-0123456789abcdef";
const SOURCE = "203.0.113.10";
const entry = (extra: Record<string, unknown>) => ({
  route_53_zone_id: ZONE_ID,
  route_53_record_type: "A",
  allow_dyndns2: true,
  shared_secret: SECRET,
  ...extra,
});
const CONFIG = {
  "router.dyn.example.com.": entry({}),
  "relay.dyn.example.com.": entry({ allow_client_ip: true }),
};

const update = (hostname: string, myip: string) =>
  httpEvent({
    path: "/nic/update",
    query: { hostname, myip },
    headers: { authorization: `Basic ${Buffer.from(`${hostname}:${SECRET}`).toString("base64")}` },
    sourceIp: SOURCE,
  });

describe("dyndns2 myip= behind another NAT", () => {
  const s3 = mockClient(S3Client);
  const route53 = mockClient(Route53Client);
  beforeEach(() => resetMockedAws(s3, route53, CONFIG));

  it.each([
    ["100.64.0.1", "carrier-grade NAT (100.64.0.0/10)"],
    ["100.127.255.254", "carrier-grade NAT (100.64.0.0/10)"],
    ["10.1.2.3", "private (10.0.0.0/8)"],
    ["172.31.0.9", "private (172.16.0.0/12)"],
    ["192.168.178.20", "private (192.168.0.0/16)"],
  ])("answers myip=%s with abuse and why, changing nothing", async (myip, scope) => {
    for (const hostname of ["router.dyn.example.com", "relay.dyn.example.com"]) {
      // prepare
      const { app, logs } = testApp();
      // act
      const result = await app(update(hostname, myip));
      // assess
      expect(result.statusCode).toBe(200);
      const line = (result.body ?? "").trimEnd();
      expect(line.split("\n")).toHaveLength(1);
      expect(line.split(" ")[0]).toBe("abuse");
      expect(line).toContain(`myip ${myip} is a ${scope} address`);
      expect(line).toContain(`the API sees ${SOURCE}`);
      expect(line).not.toMatch(/good|nochg/);
      expect(logs[0]?.decision).toBe("abuse");
    }
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
  });

  it("still answers a bare abuse for another public address without allow_client_ip", async () => {
    // prepare
    const { app } = testApp();
    // act
    const result = await app(update("router.dyn.example.com", "198.51.100.99"));
    // assess
    expect(result.body).toBe("abuse\n");
  });

  it("knows the ranges' edges", () => {
    const scope = (text: string) => unreachableScope(parseIp(text) ?? { text, recordType: "A" });
    expect(scope("100.63.255.255")).toBeUndefined();
    expect(scope("100.128.0.0")).toBeUndefined();
    expect(scope("172.15.255.255")).toBeUndefined();
    expect(scope("172.32.0.0")).toBeUndefined();
    expect(scope("192.169.0.1")).toBeUndefined();
    expect(scope("11.0.0.1")).toBeUndefined();
    expect(scope("2001:db8::1")).toBeUndefined();
    expect(scope("100.64.0.0")).toBe("carrier-grade NAT (100.64.0.0/10)");
  });
});
