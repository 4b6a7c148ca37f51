/**
 * docs/architecture.md "Ownership", as the function enforces it whatever the config says: a router writes
 * only at or below its own name; a LAN device that is another configured host (in a sharded config, in
 * another shard) or a reserved name is never written; an ACME account for a reserved name is refused.
 * Through the whole app, with S3 (either layout) and Route 53 mocked at the SDK.
 */
import { ChangeResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { GetObjectCommand, NoSuchKey, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { parseReservedNames, withoutReservedNames } from "../../src/config/reserved-names.js";
import { parseConfigDocument } from "../../src/config/schema.js";
import { configText, manifestDocument, shardObjects, shardOf } from "../../src/config/shards.js";
import { passwordSha256 } from "../../src/core/acme.js";
import { documentSource } from "../support/config-source.js";
import { directQueue } from "../support/direct-queue.js";
import { httpEvent } from "../support/events.js";
import { getObjectOutput, resetMockedAws, testApp, ZONE_ID } from "../support/mock-aws.js";

const SECRET = "router-secret-0123456789abcdef";
const ROUTER = "attacker.dyn.example.test.";
const PREFIX = "2001:db8:bad::/64";
const router = (devices: Record<string, string>) => ({
  route_53_zone_id: ZONE_ID,
  allow_dyndns2: true,
  shared_secret: SECRET,
  ipv6_lan_hosts: devices,
});
const victim = { route_53_zone_id: ZONE_ID, allow_dyndns2: true, shared_secret: "victim-secret-0123456789" };

const prefixUpdate = () =>
  httpEvent({
    path: "/nic/update",
    query: { hostname: ROUTER, ip6lanprefix: PREFIX },
    headers: { authorization: `Basic ${Buffer.from(`${ROUTER}:${SECRET}`).toString("base64")}` },
  });

describe("a host writes only its own names", () => {
  const s3 = mockClient(S3Client);
  const route53 = mockClient(Route53Client);
  const written = () =>
    route53
      .commandCalls(ChangeResourceRecordSetsCommand)
      .flatMap((call) => call.args[0].input.ChangeBatch?.Changes ?? [])
      .map((change) => `${change.ResourceRecordSet?.Name} ${change.ResourceRecordSet?.Type}`);

  beforeEach(() => resetMockedAws(s3, route53, {}));

  it("never writes another host's AAAA named as its LAN device in a sharded config", async () => {
    // prepare: the victim lives below the router, in another shard than the router, which names it as a device
    const shards = 4;
    const victimName = Array.from({ length: 40 }, (_, i) => `victim${i}.${ROUTER}`).find(
      (name) => shardOf(name, shards) !== shardOf(ROUTER, shards),
    ) as string;
    const nas = `nas.${ROUTER}`;
    const document = {
      [ROUTER]: router({ [victimName]: "::dead:beef", [nas]: "::1" }),
      [victimName]: victim,
    };
    const layout = shardObjects(document, "config.json", shards);
    const objects = new Map(layout.shards.map((shard) => [shard.key, shard.text]));
    const manifest = { version: 1, generation: 1, hostCount: 2, shards: layout.shards.map((s) => s.key) };
    objects.set("config.json", configText(manifestDocument(manifest, layout.sections)));
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
      const text = objects.get(input.Key);
      if (text === undefined) throw new NoSuchKey({ message: "no such key", $metadata: {} });
      return getObjectOutput(text);
    });
    const { app, logs } = testApp();
    // act
    const result = await app(prefixUpdate());
    // assess: the router and its own device are written, the other host is not, and the log says why
    expect(result.body).toMatch(/^good /);
    expect(written().sort()).toEqual([`${ROUTER} A`, `${nas} AAAA`]);
    expect(logs.find((entry) => entry.msg === "request")?.configProblem).toContain(
      `${victimName} is another configured host`,
    );
  });

  it("ignores a router whose LAN device lies outside its own name, such as the zone apex", async () => {
    // prepare: the review's `ddns host lan add attacker dyn.example.test`, written into the file by hand
    resetMockedAws(s3, route53, { [ROUTER]: router({ "dyn.example.test.": "::1" }) });
    const { app, logs } = testApp({ reservedNames: ["dyn.example.test."] });
    // act
    const result = await app(prefixUpdate());
    // assess
    expect(result.statusCode).toBe(401);
    expect(written()).toEqual([]);
    expect(logs.some((entry) => String(entry.problem).includes("not below the router's own name"))).toBe(
      true,
    );
  });

  it("leaves out a LAN device at a reserved name and still updates the router", async () => {
    // prepare: the API's own domain below a router's name
    const api = `api.${ROUTER}`;
    resetMockedAws(s3, route53, { [ROUTER]: router({ [api]: "::1", [`nas.${ROUTER}`]: "::2" }) });
    const { app, logs } = testApp({ reservedNames: ["dyn.example.test.", api] });
    // act
    const result = await app(prefixUpdate());
    // assess
    expect(result.body).toMatch(/^good /);
    expect(written().sort()).toEqual([`${ROUTER} A`, `nas.${ROUTER} AAAA`]);
    expect(logs.some((entry) => String(entry.problem).includes(`${api} is the zone apex`))).toBe(true);
  });
});

describe("an ACME account for a reserved name", () => {
  const USER = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b";
  const PASSWORD = "p".repeat(40);
  const config = {
    acme_accounts: {
      [USER]: {
        name: "dyn.example.test.",
        subdomain: "sub-apex",
        txt_name: "_acme-challenge.dyn.example.test.",
        route_53_zone_id: ZONE_ID,
        password_sha256: passwordSha256(PASSWORD),
      },
    },
  };

  it("is refused as an unknown account: its holder cannot get *.<apex>, which covers the API", async () => {
    // prepare
    const writes: string[] = [];
    const txt = {
      read: async () => ({ values: [], ttl: 10 }),
      replace: async (_zone: string, name: string) => {
        writes.push(name);
        return true;
      },
    };
    const app = createApp({
      backends: async () => ({
        config: withoutReservedNames(documentSource(config), parseReservedNames("dyn.example.test")),
        dns: { currentValues: async () => [], upsert: async () => "", expect: () => {} },
        txt,
        queue: directQueue({ txt }),
      }),
      log: () => {},
    });
    // act
    const result = await app(
      httpEvent({
        method: "POST",
        path: "/acme-dns/update",
        body: JSON.stringify({ subdomain: "sub-apex", txt: "1".repeat(43) }),
        headers: { "x-api-user": USER, "x-api-key": PASSWORD },
      }),
    );
    // assess
    expect(result.statusCode).toBe(401);
    expect(writes).toEqual([]);
  });
});

describe("one ACME account per name", () => {
  it("config parsing keeps the first account for a name and reports the second, naming the first", () => {
    // prepare
    const first = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b";
    const second = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d";
    const account = (subdomain: string) => ({
      name: "victim.dyn.example.test.",
      subdomain,
      txt_name: "_acme-challenge.victim.dyn.example.test.",
      route_53_zone_id: ZONE_ID,
      password_sha256: passwordSha256("p".repeat(40)),
    });
    // act
    const { accounts, problems } = parseConfigDocument({
      acme_accounts: { [first]: account("sub-one"), [second]: account("sub-two") },
    });
    // assess
    expect([...accounts].map((a) => a.username)).toEqual([first]);
    expect(problems).toEqual([
      {
        host: `acme_accounts.${second}`,
        field: "name",
        message: `victim.dyn.example.test already has the account ${first}; one name has one account, so this one is ignored.`,
        severity: "error",
      },
    ]);
  });
});
