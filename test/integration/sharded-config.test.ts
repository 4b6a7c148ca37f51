/**
 * The sharded config layout against moto with the real SDK: the CLI converts, edits and validates it
 * (conditional writes included), and the real handler, as a fresh container, reads only what it needs
 * and keeps serving the hosts of good shards when one shard is broken.
 */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ConfigObject } from "../../src/admin/config-object.js";
import { ConcurrentEditError } from "../../src/admin/errors.js";
import { isManifestDocument, readManifest, shardOf } from "../../src/config/shards.js";
import { seedToken } from "../../src/core/tokens.js";
import type { HttpResult } from "../../src/protocols/http.js";
import { type AwsFixture, createAwsFixture } from "../support/aws-fixture.js";
import { freshHandler, runDdns } from "../support/ddns-cli.js";
import { deployedEnvironment } from "../support/deployment.js";
import { httpEvent } from "../support/events.js";
import { type MotoServer, startMoto } from "../support/moto.js";

const SOURCE_IP = "198.51.100.9";
const listedKeys = (listing: { Contents?: { Key?: string }[] }) =>
  (listing.Contents ?? []).map((object) => object.Key ?? "");

describe("sharded config against moto", () => {
  let moto: MotoServer;
  let aws: AwsFixture;
  let env: Record<string, string>;
  const secrets = new Map<string, string>();
  const ddns = (...argv: string[]) => runDdns(argv, env);

  async function text(key: string): Promise<string> {
    const response = await aws.s3.send(new GetObjectCommand({ Bucket: aws.bucket, Key: key }));
    return (await response.Body?.transformToString("utf-8")) ?? "";
  }
  const manifest = async () => readManifest(JSON.parse(await text("config.json")));

  /** The real handler as a new container (config cache 0); its log lines, with the S3 keys it read. */
  async function update(
    host: string,
    secret = secrets.get(host) ?? "",
  ): Promise<{ result: HttpResult; logs: string[] }> {
    const logs: string[] = [];
    const handler = await freshHandler({ ...env, DDNS_CONFIG_CACHE_SECONDS: "0" }, logs);
    const result = await handler(
      httpEvent({
        query: { mode: "set", hostname: host, hash: seedToken(SOURCE_IP, host, secret) },
        sourceIp: SOURCE_IP,
      }),
    );
    return { result, logs };
  }

  async function add(host: string): Promise<void> {
    const added = await ddns("host", "add", host, "--json");
    expect(added.code, added.stderr).toBe(0);
    secrets.set(host, JSON.parse(added.stdout).secret);
  }

  beforeAll(async () => {
    moto = await startMoto();
    aws = await createAwsFixture(moto.url);
    await aws.s3.send(
      new PutBucketVersioningCommand({ Bucket: aws.bucket, VersioningConfiguration: { Status: "Enabled" } }),
    );
    env = deployedEnvironment(moto.url, { bucket: aws.bucket });
    for (const name of ["a", "b", "c", "d", "e", "f"]) await add(`${name}.dyn.example.com`);
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await moto?.stop();
  });

  it("converts config.json to a manifest over shards; the function reads it", async () => {
    // act
    const sharded = await ddns("config", "shard", "--shards", "4", "--json");
    const { result } = await update("c.dyn.example.com");
    // assess
    expect(sharded.code, sharded.stderr).toBe(0);
    expect(JSON.parse(sharded.stdout)).toMatchObject({ layout: "sharded", shards: 4, hosts: 6 });
    const layout = await manifest();
    expect(layout).toMatchObject({ generation: 1, hostCount: 6 });
    expect(layout.shards).toHaveLength(4);
    expect(result.statusCode).toBe(201);
  });

  it("adds, rotates, shows, lists and removes hosts in the sharded layout, writing one shard each", async () => {
    // prepare
    const before = await manifest();
    // act
    await add("g.dyn.example.com");
    const afterAdd = await manifest();
    const oldSecret = secrets.get("d.dyn.example.com") as string;
    const rotated = await ddns("host", "rotate", "d.dyn.example.com", "--json");
    const withOld = await update("d.dyn.example.com", oldSecret);
    const withNew = await update("d.dyn.example.com", JSON.parse(rotated.stdout).secret);
    const shown = await ddns("host", "show", "g.dyn.example.com", "--json");
    const removed = await ddns("host", "remove", "e.dyn.example.com");
    const listed = await ddns("host", "list", "--json");
    // assess
    const changed = afterAdd.shards.filter((key, index) => key !== before.shards[index]);
    expect(changed).toHaveLength(1);
    expect(afterAdd).toMatchObject({ generation: before.generation + 1, hostCount: 7 });
    expect(withOld.result.statusCode).toBe(401);
    expect(withNew.result.statusCode).toBe(201);
    expect(JSON.parse(shown.stdout)).toMatchObject({ hostname: "g.dyn.example.com" });
    expect(removed.code, removed.stderr).toBe(0);
    expect(
      JSON.parse(listed.stdout)
        .map((host: { hostname: string }) => host.hostname)
        .sort(),
    ).toEqual(["a", "b", "c", "d", "f", "g"].map((name) => `${name}.dyn.example.com`));
    expect(await manifest()).toMatchObject({ hostCount: 6 });
  });

  it("refuses a write when the manifest changed since the read: the other edit stays whole", async () => {
    // prepare: two editors read the same generation
    const first = new ConfigObject(aws.s3, aws.bucket, "config.json");
    const second = new ConfigObject(aws.s3, aws.bucket, "config.json");
    const mine = await first.read(["a.dyn.example.com"]);
    const theirs = await second.read(["b.dyn.example.com"]);
    const entry = (secret: string) => ({ route_53_zone_id: aws.zoneId, shared_secret: secret });
    // act
    await second.write(
      { ...theirs.document, "b.dyn.example.com.": entry("theirs-0123456789abcdef0123456789") },
      theirs,
    );
    const late = first.write(
      { ...mine.document, "a.dyn.example.com.": entry("mine-0123456789abcdef0123456789") },
      mine,
    );
    // assess
    await expect(late).rejects.toBeInstanceOf(ConcurrentEditError);
    const { document } = await first.read();
    expect((document["b.dyn.example.com."] as { shared_secret: string }).shared_secret).toMatch(/^theirs-/);
    expect((document["a.dyn.example.com."] as { shared_secret: string }).shared_secret).toBe(
      secrets.get("a.dyn.example.com"),
    );
    // put b's secret back for the tests below
    const again = await first.read(["b.dyn.example.com"]);
    await first.write(
      { ...again.document, "b.dyn.example.com.": entry(secrets.get("b.dyn.example.com") as string) },
      again,
    );
  });

  it("validates the layout downloaded to a directory, and names a broken shard", async () => {
    // prepare: the bucket as `aws s3 cp --recursive` lays it out
    const dir = await mkdtemp(join(tmpdir(), "ddns-shards-"));
    const listing = await aws.s3.send(new ListObjectsV2Command({ Bucket: aws.bucket }));
    const layout = await manifest();
    for (const object of listing.Contents ?? []) {
      const key = object.Key as string;
      await mkdir(dirname(join(dir, key)), { recursive: true });
      await writeFile(join(dir, key), await text(key));
    }
    // act
    const good = await ddns("config", "validate", dir, "--json");
    await writeFile(join(dir, layout.shards[2] as string), "{ not json");
    const bad = await ddns("config", "validate", join(dir, "config.json"));
    // assess
    expect(good.code, good.stdout).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({
      valid: true,
      hosts: 6,
      layout: expect.stringMatching(/^sharded \(4 shards/),
    });
    expect(bad.code).toBe(5);
    expect(bad.stdout).toContain(`${layout.shards[2]}: Shard 2: The config file is not valid JSON`);
  });

  it("one broken shard takes down only its own hosts", async () => {
    // prepare: point shard i of the manifest at a malformed object
    const layout = await manifest();
    const broken = shardOf("a.dyn.example.com.", 4);
    const other = ["b", "c", "d", "f", "g"]
      .map((name) => `${name}.dyn.example.com`)
      .find((host) => shardOf(`${host}.`, 4) !== broken) as string;
    const document = JSON.parse(await text("config.json"));
    const shards = [...layout.shards];
    shards[broken] = `config.json.d/0000${broken}-broken.json`;
    await aws.putConfigText("{ broken", shards[broken]);
    document.ddns_sharded_config.shards = shards;
    await aws.putConfig(document);
    // act
    const inBroken = await update("a.dyn.example.com");
    const inOther = await update(other);
    // assess
    expect(inBroken.result.statusCode).toBe(503);
    expect(inBroken.logs.join("")).toContain(`"shard":${broken}`);
    expect(inOther.result.statusCode).toBeLessThan(300);
    // repair: put the good manifest back
    await aws.putConfig({
      ...document,
      ddns_sharded_config: { ...document.ddns_sharded_config, shards: layout.shards },
    });
  });

  it("converts back to one config.json, and restores the sharded version from history", async () => {
    // prepare
    const history = JSON.parse((await ddns("config", "history", "--json")).stdout) as { versionId: string }[];
    const shardedVersion = history[0]?.versionId as string;
    // act
    const unsharded = await ddns("config", "unshard");
    const single = JSON.parse(await text("config.json"));
    const whileSingle = await update("f.dyn.example.com");
    const restored = await ddns("config", "restore", shardedVersion);
    const afterRestore = await update("g.dyn.example.com");
    // assess
    expect(unsharded.code, unsharded.stderr).toBe(0);
    expect(isManifestDocument(single)).toBe(false);
    expect(Object.keys(single)).toHaveLength(6);
    expect(whileSingle.result.statusCode).toBeLessThan(300);
    expect(restored.code, restored.stderr).toBe(0);
    expect(isManifestDocument(JSON.parse(await text("config.json")))).toBe(true);
    expect(afterRestore.result.statusCode).toBeLessThan(300);
  });

  it("prunes old shards, and still reads an old version whose shards were pruned (from their S3 versions)", async () => {
    // prepare: an editor that prunes at once, and a version of the config to come back to
    const key = "prune/config.json";
    const editor = new ConfigObject(aws.s3, aws.bucket, key, { pruneAfterMs: 0 });
    const entry = (secret: string) => ({ route_53_zone_id: aws.zoneId, shared_secret: secret });
    const hosts = { "p.dyn.example.com.": entry("first-0123456789abcdef0123456789") };
    await editor.write(hosts, { document: {}, etag: undefined }, { kind: "sharded", shards: 2 });
    const firstShards = readManifest(JSON.parse(await text(key))).shards;
    const [firstVersion] = await editor.history();
    // act: two more edits, so the first generation's shards are named by neither current manifest
    for (const secret of ["second-0123456789abcdef01234567", "third-0123456789abcdef012345678"]) {
      const snapshot = await editor.read();
      await editor.write({ ...snapshot.document, "p.dyn.example.com.": entry(secret) }, snapshot);
    }
    const listing = await aws.s3.send(new ListObjectsV2Command({ Bucket: aws.bucket, Prefix: `${key}.d/` }));
    const old = await editor.readVersion(firstVersion?.versionId as string);
    // assess
    const pruned = firstShards.filter((shardKey) => !listedKeys(listing).includes(shardKey));
    expect(pruned).not.toEqual([]);
    expect(old.document["p.dyn.example.com."]).toEqual(hosts["p.dyn.example.com."]);
    expect(old.layout).toEqual({ kind: "sharded", shards: 2 });
  });

  it("shards a config.json automatically when a write would take it past 2 MiB", async () => {
    // prepare: 12,000 hosts in one file (about 2.5 MiB as the CLI writes it) under another key
    const key = "big/config.json";
    const big = Object.fromEntries(
      Array.from({ length: 12_000 }, (_, i) => [
        `host-${i}.dyn.example.com.`,
        {
          route_53_zone_id: aws.zoneId,
          shared_secret: `secret-${i}-0123456789abcdef0123456789`,
          comment: "branch office router, added by the migration script",
        },
      ]),
    );
    await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: key, Body: JSON.stringify(big) }));
    // act
    const added = await runDdns(["host", "add", "late.dyn.example.com", "--key", key], env);
    // assess
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).toContain("is now a manifest over 32 shards");
    const layout = readManifest(JSON.parse(await text(key)));
    expect(layout).toMatchObject({ hostCount: 12_001 });
    expect(layout.shards[0]).toMatch(/^big\/config\.json\.d\//);
  });
});
