/**
 * The record writer's applied marks against moto's S3 (real conditional writes, `If-Match` and
 * `If-None-Match` → 412): a batch reads and writes a few shard objects, not one object per record;
 * two writer environments keeping marks in the same shard at once both stay, the newer mark of a
 * record winning, and the second is told which records the first wrote meanwhile; marks past their retention are dropped when their shard is written.
 */
import { CreateBucketCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MarkedRecord } from "../../src/core/ports.js";
import { MARK_SHARDS, markShard, S3AppliedMarks } from "../../src/writer/s3-marks.js";
import { clientsFor } from "../support/aws-fixture.js";
import { type MotoServer, startMoto } from "../support/moto.js";

const DAY_MS = 86_400_000;
const NOW = 1_800_000_000_000;

function hosts(count: number, zone = "dyn.example.com"): MarkedRecord[] {
  return Array.from({ length: count }, (_, index) => ({
    name: `host-${index}.${zone}.`,
    type: "A" as const,
  }));
}

describe("applied marks in S3", () => {
  let moto: MotoServer;
  let s3: S3Client;
  let bucketCount = 0;

  beforeAll(async () => {
    moto = await startMoto();
    s3 = clientsFor(moto.url).s3;
  });

  afterAll(async () => {
    s3?.destroy();
    await moto?.stop();
  });

  /** Each test its own bucket: none depends on what another wrote. */
  async function freshBucket(): Promise<string> {
    const bucket = `ddns-marks-${++bucketCount}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    return bucket;
  }

  async function keys(bucket: string): Promise<string[]> {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    return (listed.Contents ?? []).map((object) => object.Key ?? "");
  }

  it("keeps 1,000 records' marks in at most 64 shard objects and reads them back", async () => {
    // prepare
    const bucket = await freshBucket();
    const marks = new S3AppliedMarks(s3, bucket, { now: () => NOW });
    const records = hosts(1000);
    // act
    await marks.keep(
      "Z1",
      records.map((record, index) => ({
        ...record,
        requestedAt: NOW - index,
        value: `100.64.0.${index % 250}`,
      })),
    );
    const again = await new S3AppliedMarks(s3, bucket, { now: () => NOW }).read("Z1", records);
    // assess
    const stored = await keys(bucket);
    expect(stored.length).toBeLessThanOrEqual(MARK_SHARDS);
    expect(stored.every((key) => /^applied\/Z1\/\d\d\.json$/.test(key))).toBe(true);
    expect(again.size).toBe(1000);
    expect(again.get("host-7.dyn.example.com.|A")).toEqual({ requestedAt: NOW - 7, value: "100.64.0.7" });
    expect((await marks.read("Z2", records)).size).toBe(0);
  });

  it("merges two environments' marks in the same shard (412, read again), the newer mark winning", async () => {
    // prepare: both environments have read the shard before either writes
    const bucket = await freshBucket();
    const [first, second] = [0, 1].map(() => new S3AppliedMarks(s3, bucket, { now: () => NOW }));
    const shard = markShard(hosts(1)[0] as MarkedRecord);
    const sameShard = hosts(200)
      .filter((record) => markShard(record) === shard)
      .slice(0, 3);
    expect(sameShard).toHaveLength(3);
    const [a, b, c] = sameShard as [MarkedRecord, MarkedRecord, MarkedRecord];
    await first?.keep("Z1", [{ ...c, requestedAt: NOW - 10, value: "192.0.2.1" }]);
    await first?.read("Z1", sameShard);
    await second?.read("Z1", sameShard);
    // act: the second writes against the ETag the first has just replaced
    const firstContested = await first?.keep("Z1", [
      { ...a, requestedAt: NOW, value: "192.0.2.10" },
      { ...c, requestedAt: NOW - 1, value: "192.0.2.3" },
    ]);
    const secondContested = await second?.keep("Z1", [
      { ...b, requestedAt: NOW, value: "192.0.2.20" },
      { ...c, requestedAt: NOW - 5, value: "192.0.2.2" },
    ]);
    // assess: the second keeper is told c was written by the other meanwhile, with the newest mark
    expect(firstContested).toEqual([]);
    expect(secondContested).toEqual([{ ...c, requestedAt: NOW - 1, value: "192.0.2.3" }]);
    const read = await new S3AppliedMarks(s3, bucket).read("Z1", sameShard);
    expect(Object.fromEntries(read)).toEqual({
      [`${a.name}|A`]: { requestedAt: NOW, value: "192.0.2.10" },
      [`${b.name}|A`]: { requestedAt: NOW, value: "192.0.2.20" },
      [`${c.name}|A`]: { requestedAt: NOW - 1, value: "192.0.2.3" },
    });
  });

  it("drops marks older than their retention when their shard is written", async () => {
    // prepare
    const bucket = await freshBucket();
    const [old, fresh] = hosts(200).filter(
      (record) => markShard(record) === markShard(hosts(1)[0] as MarkedRecord),
    );
    const [oldRecord, freshRecord] = [old, fresh] as [MarkedRecord, MarkedRecord];
    let now = NOW;
    const marks = new S3AppliedMarks(s3, bucket, { retentionDays: 30, now: () => now });
    await marks.keep("Z1", [{ ...oldRecord, requestedAt: NOW, value: "192.0.2.1" }]);
    // act: 31 days later another record of the shard is written
    now = NOW + 31 * DAY_MS;
    await marks.keep("Z1", [{ ...freshRecord, requestedAt: now, value: "192.0.2.2" }]);
    // assess
    const read = await new S3AppliedMarks(s3, bucket).read("Z1", [oldRecord, freshRecord]);
    expect([...read.keys()]).toEqual([`${freshRecord.name}|A`]);
  });
});
