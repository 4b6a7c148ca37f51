/**
 * The S3 side of AppliedMarks: per zone, MARK_SHARDS objects `applied/<zone>/<shard>.json`, each a map
 * `name|type` → the newest request's time and value the writer applied to that record. The writer
 * reads the shards of a batch's records before writing and keeps the new marks after Route 53 took the
 * change, so a change SQS delivers again after a newer one was written is dropped (writer/apply.ts).
 *
 * Why shards and not one object per record: a storm's batch of 1,000 changes then costs at most 64
 * GETs and 64 PUTs instead of 1,000 of each, which bound the writer before Route 53 did
 * (docs/performance.md, "Renumbering storms"). 64 keeps a shard of a 100,000-host zone near 130 KB.
 *
 * Two writer environments may change one shard at the same moment: a PUT carries the ETag its GET
 * saw (`If-None-Match: *` for a new shard), and on 412 the writer reads the shard again and merges,
 * the newer mark of a record winning. Two writers may also hold changes for one record at once (a
 * standard queue has no order), and the Route 53 call that lands last wins. Whichever of them keeps
 * its marks second finds the other's mark for that record, newer than what it read: keep() returns
 * that record with the newest mark, and the writer writes it once more (writer/apply.ts), after both
 * calls. Should that fail, the router's next check sees its address missing and queues it again.
 *
 * Marks older than `retentionDays` are dropped when their shard is written, and Terraform expires
 * shards that nothing rewrote for as long (the same `mark_expiration_days`): longer than the
 * dead-letter queue keeps a message, so a replayed old message is still recognised as old.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { httpStatusOf } from "../core/errors.js";
import type { AppliedMark, AppliedMarks, MarkedRecord } from "../core/ports.js";
import { markKey } from "../core/ports.js";

export const MARK_PREFIX = "applied/";
export const MARK_SHARDS = 64;
const DAY_MS = 86_400_000;
/** terraform/modules/state-bucket's `mark_expiration_days` default, for a writer without DDNS_WRITER_MARK_DAYS. */
const DEFAULT_RETENTION_DAYS = 30;
/** Rereads after a 412 before the marks of a batch are given up (logged; the next check repairs). */
const KEEP_ATTEMPTS = 5;

/** The shard of a record: FNV-1a of its key. Part of the stored layout: changing it orphans every mark. */
export function markShard(record: MarkedRecord): number {
  let hash = 0x811c9dc5;
  const key = markKey(record);
  for (let index = 0; index < key.length; index++) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % MARK_SHARDS;
}

interface Shard {
  /** Absent: the shard does not exist yet. */
  readonly etag: string | undefined;
  readonly marks: Map<string, AppliedMark>;
}

export class S3AppliedMarks implements AppliedMarks {
  readonly #s3: S3Client;
  readonly #bucket: string;
  readonly #retentionMs: number;
  readonly #now: () => number;
  /** The shards as this environment last read or wrote them: the ETag a keep() writes against. */
  readonly #seen = new Map<string, Shard>();

  constructor(s3: S3Client, bucket: string, options: { retentionDays?: number; now?: () => number } = {}) {
    this.#s3 = s3;
    this.#bucket = bucket;
    this.#retentionMs = (options.retentionDays ?? DEFAULT_RETENTION_DAYS) * DAY_MS;
    this.#now = options.now ?? Date.now;
  }

  async read(zoneId: string, records: readonly MarkedRecord[]): Promise<Map<string, AppliedMark>> {
    const found = new Map<string, AppliedMark>();
    await Promise.all(
      [...byShard(records)].map(async ([shard, inShard]) => {
        const { marks } = await this.#load(zoneId, shard);
        for (const record of inShard) {
          const mark = marks.get(markKey(record));
          if (mark) found.set(markKey(record), mark);
        }
      }),
    );
    return found;
  }

  async keep(
    zoneId: string,
    marks: readonly (MarkedRecord & AppliedMark)[],
  ): Promise<(MarkedRecord & AppliedMark)[]> {
    const contested = await Promise.all(
      [...byShard(marks)].map(([shard, added]) => this.#keepInShard(zoneId, shard, added)),
    );
    return contested.flat();
  }

  async #keepInShard(
    zoneId: string,
    shard: number,
    added: readonly (MarkedRecord & AppliedMark)[],
  ): Promise<(MarkedRecord & AppliedMark)[]> {
    const key = this.#key(zoneId, shard);
    // What the batch's read saw: a record whose mark differs from it now was written by another writer
    // in between, and which of the two Route 53 calls landed last is unknown.
    const read = this.#seen.get(key) ?? (await this.#load(zoneId, shard));
    let current = read;
    for (let attempt = 1; ; attempt++) {
      const merged = new Map<string, AppliedMark>();
      const oldest = this.#now() - this.#retentionMs;
      for (const [record, mark] of current.marks) if (mark.requestedAt >= oldest) merged.set(record, mark);
      for (const { name, type, requestedAt, value } of added) {
        const known = merged.get(markKey({ name, type }));
        if (!known || known.requestedAt <= requestedAt)
          merged.set(markKey({ name, type }), { requestedAt, value });
      }
      try {
        const written = await this.#s3.send(
          new PutObjectCommand({
            Bucket: this.#bucket,
            Key: key,
            Body: JSON.stringify(Object.fromEntries(merged)),
            ContentType: "application/json",
            ...(current.etag === undefined ? { IfNoneMatch: "*" } : { IfMatch: current.etag }),
          }),
        );
        this.#seen.set(key, { etag: written.ETag, marks: merged });
        return added.flatMap(({ name, type }) => {
          const before = read.marks.get(markKey({ name, type }));
          const now = current.marks.get(markKey({ name, type }));
          const newest = merged.get(markKey({ name, type }));
          const changed =
            now !== undefined && (before?.requestedAt !== now.requestedAt || before.value !== now.value);
          return changed && newest ? [{ name, type, ...newest }] : [];
        });
      } catch (error) {
        // 412: another writer changed the shard since it was read; 409: it is writing it right now.
        const status = httpStatusOf(error);
        if ((status !== 412 && status !== 409) || attempt >= KEEP_ATTEMPTS) throw error;
        current = await this.#load(zoneId, shard);
      }
    }
  }

  async #load(zoneId: string, shard: number): Promise<Shard> {
    const key = this.#key(zoneId, shard);
    let loaded: Shard;
    try {
      const object = await this.#s3.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      loaded = { etag: object.ETag, marks: parseShard((await object.Body?.transformToString()) ?? "") };
    } catch (error) {
      if (httpStatusOf(error) !== 404 && (error as { name?: string }).name !== "NoSuchKey") throw error;
      loaded = { etag: undefined, marks: new Map() };
    }
    this.#seen.set(key, loaded);
    return loaded;
  }

  #key(zoneId: string, shard: number): string {
    return `${MARK_PREFIX}${zoneId}/${shard.toString().padStart(2, "0")}.json`;
  }
}

/** The records grouped by their shard, each record's shard computed once. */
function byShard<R extends MarkedRecord>(records: readonly R[]): Map<number, R[]> {
  const groups = new Map<number, R[]>();
  for (const record of records) {
    const shard = markShard(record);
    const group = groups.get(shard);
    if (group) group.push(record);
    else groups.set(shard, [record]);
  }
  return groups;
}

/** A shard's marks; entries that are not a mark are skipped (the shard is rewritten without them). */
function parseShard(text: string): Map<string, AppliedMark> {
  const marks = new Map<string, AppliedMark>();
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return marks;
  }
  if (typeof document !== "object" || document === null) return marks;
  for (const [record, mark] of Object.entries(document as Record<string, Partial<AppliedMark>>)) {
    if (typeof mark?.requestedAt === "number" && typeof mark.value === "string") {
      marks.set(record, { requestedAt: mark.requestedAt, value: mark.value });
    }
  }
  return marks;
}
