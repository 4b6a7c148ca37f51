/**
 * How the CLI writes a sharded config (src/admin/config-object.ts), with S3 mocked at the SDK:
 * changed shards first under new keys, the manifest last and only if nobody changed it since.
 */
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { ConfigObject } from "../../src/admin/config-object.js";
import { ConcurrentEditError } from "../../src/admin/errors.js";
import { configText, manifestDocument, readManifest, shardObjects } from "../../src/config/shards.js";
import { configEntry } from "../support/builders.js";
import { getObjectOutput } from "../support/mock-aws.js";

const entry = (secret: string) => configEntry({ route_53_zone_id: "Z1", shared_secret: secret });
const FLEET: Record<string, unknown> = Object.fromEntries(
  Array.from({ length: 20 }, (_, i) => [`host-${i}.dyn.example.com.`, entry(`secret-${i}`)]),
);

describe("ConfigObject, sharded layout", () => {
  const s3 = mockClient(S3Client);
  let objects: Map<string, string>;

  beforeEach(() => {
    s3.reset();
    const { sections, shards } = shardObjects({ acme_accounts: {}, ...FLEET }, "config.json", 4);
    const manifest = manifestDocument(
      { version: 1, generation: 5, hostCount: 20, shards: shards.map((shard) => shard.key) },
      sections,
    );
    objects = new Map([
      ["config.json", configText(manifest)],
      ...shards.map((s) => [s.key, s.text] as const),
    ]);
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
      const text = objects.get(input.Key);
      if (text === undefined)
        throw new NoSuchKey({ message: "no such key", $metadata: { httpStatusCode: 404 } });
      return getObjectOutput(text, '"manifest-etag"');
    });
    s3.on(PutObjectCommand).resolves({ VersionId: "v6" });
    s3.on(ListObjectsV2Command).resolves({ Contents: [] });
  });

  const config = () => new ConfigObject(new S3Client({ region: "us-east-1" }), "b", "config.json");

  it("reads only the shard of the named host, and writes that shard then the manifest with If-Match", async () => {
    // prepare
    const object = config();
    const snapshot = await object.read(["host-7.dyn.example.com"]);
    const gets = s3.commandCalls(GetObjectCommand).length;
    // act
    const result = await object.write(
      { ...snapshot.document, "host-7.dyn.example.com.": entry("rotated") },
      snapshot,
    );
    // assess
    expect(gets).toBe(2);
    expect(Object.keys(snapshot.document)).toContain("acme_accounts");
    const puts = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(puts).toHaveLength(2);
    expect(puts[0]).toMatchObject({
      Key: expect.stringMatching(/^config\.json\.d\/0000\d-/),
      IfNoneMatch: "*",
    });
    expect(puts[1]).toMatchObject({ Key: "config.json", IfMatch: '"manifest-etag"' });
    const manifest = JSON.parse(String(puts[1]?.Body));
    expect(readManifest(manifest)).toMatchObject({ generation: 6, hostCount: 20 });
    expect(manifest.acme_accounts).toEqual({});
    expect(result).toMatchObject({ layout: { kind: "sharded", shards: 4 }, shardsWritten: 1 });
  });

  it("a manifest changed meanwhile is a conflict: nothing the function reads has changed", async () => {
    // prepare
    const object = config();
    const snapshot = await object.read(["host-7.dyn.example.com"]);
    s3.on(PutObjectCommand, { Key: "config.json" }).rejects(
      new S3ServiceException({
        name: "PreconditionFailed",
        $fault: "client",
        $metadata: { httpStatusCode: 412 },
        message: "At least one of the pre-conditions you specified did not hold",
      }),
    );
    // act
    const write = object.write({ ...snapshot.document, "host-7.dyn.example.com.": entry("x") }, snapshot);
    // assess
    await expect(write).rejects.toBeInstanceOf(ConcurrentEditError);
    expect(s3).toReceiveCommandTimes(DeleteObjectsCommand, 0);
  });

  it("prunes shards that neither the new nor the previous manifest names, once old enough", async () => {
    // prepare
    const object = new ConfigObject(new S3Client({ region: "us-east-1" }), "b", "config.json", {
      now: () => Date.parse("2026-11-30T12:00:00Z"),
    });
    const snapshot = await object.read(["host-7.dyn.example.com"]);
    const previous = snapshot.sharded?.manifest.shards ?? [];
    s3.on(ListObjectsV2Command).resolves({
      Contents: [
        { Key: previous[0], LastModified: new Date("2026-11-29T00:00:00Z") },
        { Key: "config.json.d/00001-old.json", LastModified: new Date("2026-11-29T00:00:00Z") },
        { Key: "config.json.d/00001-fresh.json", LastModified: new Date("2026-11-30T11:30:00Z") },
      ],
    });
    // act
    await object.write({ ...snapshot.document, "host-7.dyn.example.com.": entry("x") }, snapshot);
    // assess
    expect(s3).toReceiveCommandWith(DeleteObjectsCommand, {
      Delete: { Objects: [{ Key: "config.json.d/00001-old.json" }], Quiet: true },
    });
  });
});
