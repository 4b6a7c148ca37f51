/**
 * The sharded config layout (src/config/shards.ts) as the function reads it (S3ConfigStore over an
 * aws-sdk-client-mock S3): only the shards a request needs, each cached on its own, one bad shard
 * failing closed for its own hosts only; plus the layout's pure parts the CLI shares.
 */
import { GetObjectCommand, NoSuchKey, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { S3ConfigStore } from "../../src/config/s3-store.js";
import {
  checkShardedConfig,
  configText,
  defaultShardCount,
  isManifestDocument,
  MANIFEST_FIELD,
  manifestDocument,
  readManifest,
  shardObjects,
  shardOf,
} from "../../src/config/shards.js";
import { UnavailableError } from "../../src/core/errors.js";
import type { LogEntry } from "../../src/core/log.js";
import { configEntry } from "../support/builders.js";
import { getObjectOutput } from "../support/mock-aws.js";

const SHARDS = 8;
const entry = (secret: string) => configEntry({ route_53_zone_id: "Z1", shared_secret: secret });
const FLEET: Record<string, unknown> = Object.fromEntries(
  Array.from({ length: 40 }, (_, i) => [`host-${i}.dyn.example.com.`, entry(`secret-${i}`)]),
);
const SECTIONS = { acme_accounts: { "acme-user": { hosts: ["host-1.dyn.example.com."] } } };
const networkDown = () =>
  Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { name: "Error", code: "ECONNREFUSED" });
const missing = () =>
  new NoSuchKey({ message: "The specified key does not exist.", $metadata: { httpStatusCode: 404 } });

/** The S3 objects of FLEET (or `document`) in the sharded layout, by key. */
function layout(document: Record<string, unknown> = { ...SECTIONS, ...FLEET }, generation = 1) {
  const { sections, shards } = shardObjects(document, "config.json", SHARDS);
  const manifest = manifestDocument(
    {
      version: 1,
      generation,
      hostCount: shards.reduce((sum, shard) => sum + shard.entries, 0),
      shards: shards.map((s) => s.key),
    },
    sections,
  );
  const objects = new Map<string, string>([["config.json", configText(manifest)]]);
  for (const shard of shards) objects.set(shard.key, shard.text);
  return { objects, shardKeys: shards.map((shard) => shard.key) };
}

const shardOfHost = (name: string) => shardOf(`${name}.`, SHARDS);

describe("S3ConfigStore, sharded layout", () => {
  const s3 = mockClient(S3Client);
  let now: number;
  let logs: LogEntry[];
  let objects: Map<string, string>;
  let failing: Map<string, () => Error>;
  const store = () =>
    new S3ConfigStore(new S3Client({ region: "us-east-1" }), {
      bucket: "b",
      key: "config.json",
      cacheSeconds: 60,
      now: () => now,
      log: (line) => logs.push(line),
    });
  const fetchedKeys = () => s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Key);

  beforeEach(() => {
    s3.reset();
    now = 1_000_000;
    logs = [];
    objects = layout().objects;
    failing = new Map();
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
      const fault = failing.get(input.Key);
      if (fault) throw fault();
      const text = objects.get(input.Key);
      if (text === undefined) throw missing();
      return getObjectOutput(text, `"${input.Key}-${text.length}"`);
    });
  });

  it("reads the manifest and only the shard of the host asked for", async () => {
    // prepare
    const config = store();
    // act
    const hosts = await config.hosts(["Host-3.dyn.example.com"]);
    // assess
    expect(hosts.find("host-3.dyn.example.com")?.secret).toBe("secret-3");
    expect(hosts.size).toBe(40);
    expect(fetchedKeys()).toEqual(["config.json", layout().shardKeys[shardOfHost("host-3.dyn.example.com")]]);
  });

  it("loads each shard once: a shard's key names its content, so it is never revalidated", async () => {
    // prepare
    const config = store();
    await config.hosts(["host-3.dyn.example.com"]);
    // act
    now += 30 * 60_000;
    const hosts = await config.hosts(["host-3.dyn.example.com"]);
    // assess
    expect(hosts.find("host-3.dyn.example.com")).toBeDefined();
    expect(fetchedKeys()).toEqual(["config.json", expect.any(String), "config.json"]);
    expect(s3.commandCalls(GetObjectCommand)[2]?.args[0].input.IfNoneMatch).toMatch(/^"config\.json-/);
  });

  it("after an edit, fetches only the shards whose key the new manifest changed", async () => {
    // prepare
    const config = store();
    const names = Object.keys(FLEET);
    await config.hosts(names);
    const edited = { ...SECTIONS, ...FLEET, "host-3.dyn.example.com.": entry("rotated") };
    objects = layout(edited, 2).objects;
    s3.resetHistory();
    // act
    now += 61_000;
    const hosts = await config.hosts(names);
    // assess
    expect(hosts.find("host-3.dyn.example.com")?.secret).toBe("rotated");
    expect(hosts.find("host-4.dyn.example.com")?.secret).toBe("secret-4");
    expect(fetchedKeys()).toEqual([
      "config.json",
      layout(edited).shardKeys[shardOfHost("host-3.dyn.example.com")],
    ]);
  });

  it("one malformed shard fails closed for its own hosts; the other shards keep working", async () => {
    // prepare
    const bad = shardOfHost("host-3.dyn.example.com");
    const badKey = layout().shardKeys[bad] as string;
    objects.set(badKey, "{ broken");
    const other = Object.keys(FLEET).find((name) => shardOf(name, SHARDS) !== bad) as string;
    const config = store();
    // act
    const refused = config.hosts(["host-3.dyn.example.com"]);
    const served = await config.hosts([other]);
    // assess
    await expect(refused).rejects.toBeInstanceOf(UnavailableError);
    expect(served.find(other)).toBeDefined();
    expect(logs).toContainEqual(
      expect.objectContaining({ level: "error", msg: "config unavailable", shard: bad }),
    );
  });

  it("a new shard key that cannot be read fails closed for its hosts, never served from the old shard", async () => {
    // prepare: the container holds host-3's old shard; the manifest now names a rotated one it cannot read
    const config = store();
    await config.hosts(["host-3.dyn.example.com"]);
    const edited = { ...SECTIONS, ...FLEET, "host-3.dyn.example.com.": entry("rotated") };
    objects = layout(edited, 2).objects;
    const newKey = layout(edited).shardKeys[shardOfHost("host-3.dyn.example.com")] as string;
    failing.set(newKey, networkDown);
    // act
    now += 61_000;
    const during = config.hosts(["host-3.dyn.example.com"]);
    await expect(during).rejects.toBeInstanceOf(UnavailableError);
    s3.resetHistory();
    failing.clear();
    now += 5_000;
    const fresh = await config.hosts(["host-3.dyn.example.com"]);
    // assess
    expect(logs).not.toContainEqual(
      expect.objectContaining({ msg: "config fetch failed; using cached copy" }),
    );
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: "error",
        msg: "config unavailable",
        shard: shardOfHost("host-3.dyn.example.com"),
      }),
    );
    expect(fetchedKeys()).toEqual(["config.json", newKey]);
    expect(fresh.find("host-3.dyn.example.com")?.secret).toBe("rotated");
  });

  it("a new shard key that S3 refuses (403) also makes the next request re-read the manifest", async () => {
    // prepare: generation 2 names a shard S3 refuses; generation 3 (current by the next request) does not
    const config = store();
    await config.hosts(["host-3.dyn.example.com"]);
    const refusedDoc = { ...SECTIONS, ...FLEET, "host-3.dyn.example.com.": entry("rotated") };
    objects = layout(refusedDoc, 2).objects;
    const refusedKey = layout(refusedDoc).shardKeys[shardOfHost("host-3.dyn.example.com")] as string;
    failing.set(refusedKey, () =>
      Object.assign(new Error("Access Denied"), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } }),
    );
    now += 61_000;
    await expect(config.hosts(["host-3.dyn.example.com"])).rejects.toBeInstanceOf(UnavailableError);
    objects = layout({ ...SECTIONS, ...FLEET, "host-3.dyn.example.com.": entry("again") }, 3).objects;
    // act: within the manifest's 60 s cache period
    now += 5_000;
    const after = await config.hosts(["host-3.dyn.example.com"]);
    // assess
    expect(after.find("host-3.dyn.example.com")?.secret).toBe("again");
  });

  it("while the same shard key cannot be revalidated, its copy serves (the same object, stale-copy rule)", async () => {
    // prepare: the manifest itself cannot be fetched after its cache period
    const config = store();
    await config.hosts(["host-3.dyn.example.com"]);
    failing.set("config.json", networkDown);
    // act
    now += 61_000;
    const stale = await config.hosts(["host-3.dyn.example.com"]);
    // assess
    expect(stale.find("host-3.dyn.example.com")?.secret).toBe("secret-3");
    expect(logs).toContainEqual(expect.objectContaining({ msg: "config fetch failed; using cached copy" }));
  });

  it("a shard that has gone makes the next request revalidate the manifest at once", async () => {
    // prepare: the container holds generation 1; generation 3 is current and 1's shards are pruned
    const config = store();
    await config.hosts([]);
    const current = layout({ ...SECTIONS, ...FLEET, "host-3.dyn.example.com.": entry("rotated") }, 3).objects;
    objects = new Map([...current]);
    // act
    const during = config.hosts(["host-3.dyn.example.com"]);
    await expect(during).rejects.toBeInstanceOf(UnavailableError);
    now += 5_000;
    const after = await config.hosts(["host-3.dyn.example.com"]);
    // assess
    expect(after.find("host-3.dyn.example.com")?.secret).toBe("rotated");
  });

  it("switches layout when the object at the key changes from config.json to a manifest", async () => {
    // prepare
    const single = configText({ ...FLEET });
    const sharded = objects;
    objects = new Map([["config.json", single]]);
    const config = store();
    const before = await config.hosts(["host-3.dyn.example.com"]);
    // act
    objects = sharded;
    now += 61_000;
    const after = await config.hosts(["host-3.dyn.example.com"]);
    // assess
    expect(before.find("host-3.dyn.example.com")?.secret).toBe("secret-3");
    expect(after.find("host-3.dyn.example.com")?.secret).toBe("secret-3");
    expect(fetchedKeys()).toHaveLength(3);
  });

  it("refuses a manifest of another version (fail closed, like a malformed file)", async () => {
    objects.set("config.json", JSON.stringify({ [MANIFEST_FIELD]: { version: 2, shards: ["x"] } }));
    await expect(store().hosts(["host-3.dyn.example.com"])).rejects.toBeInstanceOf(UnavailableError);
  });
});

describe("the sharded layout's rules", () => {
  it("places a name by SHA-256 of its canonical form (pinned: other tools may compute it)", () => {
    // uint32 big-endian of SHA-256's first 4 bytes, modulo the shard count
    expect([shardOf("home.dyn.example.com.", 256), shardOf("a.example.org.", 1024)]).toEqual([160, 512]);
  });

  it("tells a manifest from a config.json by a key that is never a host name", () => {
    expect(isManifestDocument(JSON.parse(layout().objects.get("config.json") as string))).toBe(true);
    expect(isManifestDocument(FLEET)).toBe(false);
  });

  it("keeps non-host sections in the manifest and every host in its own shard", () => {
    const { sections, shards } = shardObjects({ ...SECTIONS, ...FLEET }, "prod/config.json", SHARDS);
    expect(sections).toEqual(SECTIONS);
    expect(shards.reduce((sum, shard) => sum + shard.entries, 0)).toBe(40);
    expect(shards[0]?.key).toMatch(/^prod\/config\.json\.d\/00000-[0-9a-f]{16}\.json$/);
  });

  it("sizes shards near 500 hosts, in powers of two", () => {
    expect([10, 10_000, 100_000, 1_000_000].map(defaultShardCount)).toEqual([1, 32, 256, 2048]);
  });

  it("validation finds misplaced hosts, hosts in the manifest, missing and malformed shards", () => {
    // prepare
    const { objects, shardKeys } = layout();
    const manifest = JSON.parse(objects.get("config.json") as string);
    manifest["stray.dyn.example.com."] = entry("stray-secret");
    const texts = shardKeys.map((key) => objects.get(key));
    const wrong = (shardOfHost("host-3.dyn.example.com") + 1) % SHARDS;
    texts[wrong] = configText({
      ...JSON.parse(texts[wrong] as string),
      "host-3.dyn.example.com.": entry("x"),
    });
    texts[(wrong + 1) % SHARDS] = undefined;
    texts[(wrong + 2) % SHARDS] = "{ broken";
    // act
    const { problems } = checkShardedConfig(manifest, texts);
    // assess
    const messages = problems.map((problem) => `${problem.host}: ${problem.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^stray\.dyn\.example\.com: A host in the manifest/),
        expect.stringMatching(/^host-3\.dyn\.example\.com: Is in shard \d+ but its name belongs in shard/),
        expect.stringMatching(/is missing: its hosts get 503/),
        expect.stringMatching(/not valid JSON/),
      ]),
    );
    expect(JSON.stringify(problems)).not.toContain("stray-secret");
  });

  it("reads the layout fields back as written", () => {
    const written = { version: 1, generation: 7, hostCount: 3, shards: ["a", "b"] };
    expect(readManifest(manifestDocument(written, {}))).toEqual(written);
  });
});
