/**
 * The request path tells the ConfigSource which hosts it needs, so a sharded config can load only
 * the parts those names live in and a cold start does not grow with the fleet. Checked with a
 * ConfigSource that records its calls.
 */

import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { parseConfigDocument } from "../../src/config/schema.js";
import type { ConfigSource, DnsRecords } from "../../src/core/ports.js";
import { seedToken } from "../../src/core/tokens.js";
import { hostsOnlySource } from "../support/config-source.js";
import { httpEvent } from "../support/events.js";

const SECRET = "names-test-secret-0123456789";
const hosts = parseConfigDocument({
  "home.dyn.example.com.": { route_53_zone_id: "Z1", shared_secret: SECRET, allow_dyndns2: true },
}).hosts;

function recordingApp() {
  const asked: (readonly string[] | undefined)[] = [];
  const config: ConfigSource = hostsOnlySource((names) => {
    asked.push(names);
    return hosts;
  });
  const dns: DnsRecords = { currentValues: async () => ["203.0.113.10"], expect: () => {} };
  const queue = { send: async () => ["message-1"] };
  const app = createApp({ backends: async () => ({ config, dns, queue }), log: () => {} });
  return { app, asked };
}

describe("the request path names the hosts it needs", () => {
  it("seed mode=set asks for the one host of the request", async () => {
    // prepare
    const { app, asked } = recordingApp();
    const hash = seedToken("203.0.113.10", "Home.Dyn.Example.com", SECRET);
    // act
    const result = await app(
      httpEvent({ query: { mode: "set", hostname: "Home.Dyn.Example.com", hash }, sourceIp: "203.0.113.10" }),
    );
    // assess
    expect(result.statusCode).toBe(200);
    expect(asked).toEqual([["home.dyn.example.com."]]);
  });

  it("dyndns2 asks for every host name of the request, as sent", async () => {
    // prepare
    const { app, asked } = recordingApp();
    const basic = `Basic ${Buffer.from(`home.dyn.example.com:${SECRET}`).toString("base64")}`;
    // act
    const result = await app(
      httpEvent({
        path: "/nic/update",
        query: { hostname: "home.dyn.example.com,other.example.org" },
        headers: { authorization: basic },
        sourceIp: "203.0.113.10",
      }),
    );
    // assess
    expect(result.statusCode).toBe(200);
    expect(asked).toEqual([["home.dyn.example.com", "other.example.org"]]);
  });
});
