/**
 * docs/architecture.md "Ownership" at the CLI, against moto with the real SDK, in the sharded layout where
 * the review found it open (a router's shard alone was read): LAN devices lie below the router's name and
 * are never another host, whichever shard it is in; reserved names (the zone apex, `*.<apex>`, the API's
 * domain) are no LAN device and no ACME account; one ACME account per name; and `config shard|unshard`
 * refuse a layout in which the function would ignore a host.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigObject } from "../../src/admin/config-object.js";
import { shardOf } from "../../src/config/shards.js";
import { type AwsFixture, createAwsFixture } from "../support/aws-fixture.js";
import { runDdns } from "../support/ddns-cli.js";
import { deployedEnvironment } from "../support/deployment.js";
import { type MotoServer, startMoto } from "../support/moto.js";

const SHARDS = 4;
const ROUTER = "attacker.dyn.example.com";
/** A name below the router that lives in another shard than the router. */
const BELOW = Array.from({ length: 40 }, (_, i) => `n${i}.${ROUTER}`).find(
  (name) => shardOf(`${name}.`, SHARDS) !== shardOf(`${ROUTER}.`, SHARDS),
) as string;

describe("ownership at the CLI, sharded config against moto", () => {
  let moto: MotoServer;
  let aws: AwsFixture;
  let env: Record<string, string>;
  const ddns = (...argv: string[]) => runDdns(argv, env);
  const lanAdd = (device: string) =>
    ddns("host", "lan", "add", ROUTER, device, "--interface-id", "::dead:beef");

  beforeAll(async () => {
    moto = await startMoto();
    aws = await createAwsFixture(moto.url);
    env = {
      ...deployedEnvironment(moto.url, { bucket: aws.bucket }),
      DDNS_API_URL: "https://ddns.dyn.example.com",
    };
    for (const host of [ROUTER, "victim.dyn.example.com"]) {
      const added = await ddns("host", "add", host, "--dyndns2");
      expect(added.code, added.stderr).toBe(0);
    }
    const sharded = await ddns("config", "shard", "--shards", String(SHARDS));
    expect(sharded.code, sharded.stderr).toBe(0);
  });

  afterAll(async () => {
    await moto?.stop();
  });

  it("refuses a LAN device that is another host's name, or outside the router's name", async () => {
    // prepare: a host below the router, in another shard
    const below = await ddns("host", "add", BELOW);
    // act
    const otherHost = await lanAdd(BELOW);
    const outside = await lanAdd("victim.dyn.example.com");
    const apex = await lanAdd("dyn.example.com");
    const own = await lanAdd(`nas.${ROUTER}`);
    // assess
    expect(below.code, below.stderr).toBe(0);
    expect(otherHost.code).toBe(2);
    expect(otherHost.stderr).toContain(`${BELOW} is also written by`);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain("is not below the router's own name");
    expect(apex.code).not.toBe(0);
    expect(own.code, own.stderr).toBe(0);
  });

  it("refuses a new host that a router above it already writes as a LAN device", async () => {
    // prepare: the router names a device first, in another shard than the device's name
    const name = Array.from({ length: 40 }, (_, i) => `m${i}.${ROUTER}`).find(
      (candidate) => shardOf(`${candidate}.`, SHARDS) !== shardOf(`${ROUTER}.`, SHARDS),
    ) as string;
    const device = await lanAdd(name);
    // act
    const host = await ddns("host", "add", name);
    // assess
    expect(device.code, device.stderr).toBe(0);
    expect(host.code).toBe(2);
    expect(host.stderr).toContain(`${name} is also written by ${ROUTER}`);
  });

  it("refuses ACME accounts for reserved names and a second account for one name", async () => {
    // act
    const apex = await ddns("acme", "add", "dyn.example.com");
    const wildcardApex = await ddns("acme", "add", "*.dyn.example.com");
    const api = await ddns("acme", "add", "ddns.dyn.example.com");
    const first = await ddns("acme", "add", "victim.dyn.example.com", "--json");
    const second = await ddns("acme", "add", "victim.dyn.example.com");
    // assess
    for (const refused of [apex, wildcardApex]) {
      expect(refused.code).toBe(3);
      expect(refused.stderr).toContain("is the apex of the zone dyn.example.com");
    }
    expect(api.code).toBe(3);
    expect(api.stderr).toContain("is the API's own domain name");
    expect(first.code, first.stderr).toBe(0);
    expect(second.code).toBe(3);
    expect(second.stderr).toContain(`already has the ACME account ${JSON.parse(first.stdout).username}`);
  });

  it("config unshard and shard refuse a result that leaves a host ignored", async () => {
    // prepare: a conflict written past the CLI (as the old CLI let it through), into the router's shard
    const editor = new ConfigObject(aws.s3, aws.bucket, "config.json");
    const snapshot = await editor.read([ROUTER]);
    const key = Object.keys(snapshot.document).find((k) => k.startsWith(ROUTER)) as string;
    const entry = snapshot.document[key] as Record<string, unknown>;
    const devices = { ...(entry.ipv6_lan_hosts as object), [`${BELOW}.`]: "::1" };
    await editor.write({ ...snapshot.document, [key]: { ...entry, ipv6_lan_hosts: devices } }, snapshot);
    const before = await editor.read();
    // act
    const unshard = await ddns("config", "unshard");
    const reshard = await ddns("config", "shard", "--shards", "8");
    // assess
    for (const refused of [unshard, reshard]) {
      expect(refused.code).toBe(5);
      expect(refused.stderr).toContain("would leave 2 of");
      expect(refused.stderr).toContain(`${BELOW} is also written by`);
    }
    expect((await editor.read()).etag).toBe(before.etag);
  });
});
