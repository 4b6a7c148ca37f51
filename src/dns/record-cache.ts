/**
 * What this container knows about a zone's A/AAAA records, so that the routine "has my address
 * changed?" check costs no Route 53 call. Knowledge comes from zone snapshots (a full listing,
 * a few hundred records per call) and from this container's own successful changes.
 *
 * Staleness bound: an answer is never older than `maxAgeSeconds`, nor older than the record's TTL.
 * A record someone else changed is therefore seen within that bound.
 *
 * Memory: records older than the bound answer nothing, so they are swept out once per bound; a
 * container holds the records it read in the last minute, not every record of a large fleet.
 */
import type { RecordType } from "../core/ip.js";

interface CachedRecord {
  readonly values: readonly string[];
  readonly ttlSeconds: number;
  /** When Route 53 told us (snapshot) or when we wrote it. */
  readonly at: number;
}

export interface ListedRecord {
  readonly name: string;
  readonly type: RecordType;
  readonly values: readonly string[];
  readonly ttlSeconds: number;
}

export type CacheAnswer =
  | { readonly known: true; readonly values: readonly string[] }
  /** `zoneFresh`: the snapshot is fresh, only this record is not (its TTL is shorter than the bound). */
  | { readonly known: false; readonly zoneFresh: boolean };

export class RecordCache {
  readonly #records = new Map<string, CachedRecord>();
  readonly #snapshotAt = new Map<string, number>();
  #sweptAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly maxAgeSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  lookup(zoneId: string, name: string, type: RecordType): CacheAnswer {
    const now = this.now();
    const snapshotAt = this.#snapshotAt.get(zoneId);
    const zoneFresh = snapshotAt !== undefined && now - snapshotAt < this.maxAgeSeconds * 1000;
    const record = this.#records.get(recordKey(zoneId, name, type));
    if (record) {
      const boundSeconds = Math.min(record.ttlSeconds, this.maxAgeSeconds);
      if (now - record.at < boundSeconds * 1000) return { known: true, values: record.values };
      return { known: false, zoneFresh };
    }
    // A fresh snapshot lists every record of the zone: absence from it means there is no record.
    return zoneFresh ? { known: true, values: [] } : { known: false, zoneFresh };
  }

  /**
   * Records what one page of a listing started at `startedAt` showed. The zone is not fresh until
   * the listing completes (absence means nothing yet), but these records can answer checks at once.
   */
  applyListedPage(zoneId: string, startedAt: number, records: Iterable<ListedRecord>): void {
    this.#sweepIfDue();
    for (const record of records) {
      const key = recordKey(zoneId, record.name, record.type);
      // Our own change made during the listing is newer than what the listing saw.
      if ((this.#records.get(key)?.at ?? Number.NEGATIVE_INFINITY) > startedAt) continue;
      this.#records.set(key, { values: record.values, ttlSeconds: record.ttlSeconds, at: startedAt });
    }
  }

  /** Records what Route 53 listed when a snapshot taken at `startedAt` completes. */
  applySnapshot(zoneId: string, startedAt: number, records: Iterable<ListedRecord>): void {
    const listed = new Set<string>();
    for (const record of records) listed.add(recordKey(zoneId, record.name, record.type));
    this.applyListedPage(zoneId, startedAt, records);
    const prefix = `${zoneId}|`;
    for (const [key, record] of this.#records) {
      if (key.startsWith(prefix) && !listed.has(key) && record.at <= startedAt) this.#records.delete(key);
    }
    this.#snapshotAt.set(zoneId, startedAt);
  }

  /** Records one record's state, read or written by this container at `at`. */
  remember(
    zoneId: string,
    name: string,
    type: RecordType,
    values: readonly string[],
    ttlSeconds: number,
    at = this.now(),
  ): void {
    if (this.maxAgeSeconds <= 0) return;
    this.#sweepIfDue();
    this.#records.set(recordKey(zoneId, name, type), { values, ttlSeconds, at });
  }

  /** The values last seen or written for a record, however old; undefined when never known. */
  lastKnown(zoneId: string, name: string, type: RecordType): readonly string[] | undefined {
    return this.#records.get(recordKey(zoneId, name, type))?.values;
  }

  /**
   * Drops what can no longer answer. Safe for absence too: a fresh snapshot re-dated every record it
   * listed, so an entry older than the bound is never one that a fresh snapshot vouches for.
   */
  #sweepIfDue(): void {
    const now = this.now();
    const boundMs = this.maxAgeSeconds * 1000;
    if (now - this.#sweptAt < boundMs) return;
    this.#sweptAt = now;
    for (const [key, record] of this.#records) if (now - record.at >= boundMs) this.#records.delete(key);
  }

  /** Forgets a record whose state is uncertain (a change that failed may or may not have applied). */
  forget(zoneId: string, name: string, type: RecordType): void {
    this.#records.delete(recordKey(zoneId, name, type));
  }
}

function recordKey(zoneId: string, name: string, type: RecordType): string {
  return `${zoneId}|${name}|${type}`;
}
