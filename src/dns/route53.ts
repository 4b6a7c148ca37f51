/**
 * The Route 53 side of DnsRecords. Reads are answered from a RecordCache kept fresh by zone
 * snapshots, so a check whose address is unchanged normally makes no Route 53 call; with
 * `recordCacheSeconds: 0` every check reads its one record (the upstream behaviour, kept for
 * comparison). Identical concurrent reads and changes share one call.
 */
import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
} from "@aws-sdk/client-route-53";
import { DnsUpdateError, httpStatusOf, ThrottledError, UnavailableError } from "../core/errors.js";
import { canonicalRecordValue, RECORD_TYPES, type RecordType } from "../core/ip.js";
import type { DnsRecords, RecordChange } from "../core/ports.js";
import { type ListedRecord, RecordCache } from "./record-cache.js";

export interface Route53RecordsOptions {
  /** Upper bound on how old a cached answer may be (also bounded by each record's TTL). 0 disables the cache. */
  readonly recordCacheSeconds: number;
  readonly now?: () => number;
}

/** Route 53 returns at most this many record sets per ListResourceRecordSets call. */
const PAGE_SIZE = 300;
const CHANGE_COMMENT = "route53-ddns";

export class Route53Records implements DnsRecords {
  readonly #route53: Route53Client;
  readonly #cache: RecordCache;
  readonly #now: () => number;
  readonly #inFlight = new Map<string, Promise<unknown>>();
  /** A zone listing that failed part-way (throttled, say): the next one resumes where it stopped. */
  readonly #unfinished = new Map<string, UnfinishedListing>();

  constructor(route53: Route53Client, options: Route53RecordsOptions) {
    this.#route53 = route53;
    this.#now = options.now ?? Date.now;
    this.#cache = new RecordCache(options.recordCacheSeconds, this.#now);
  }

  async currentValues(zoneId: string, name: string, type: RecordType): Promise<readonly string[]> {
    if (this.#cache.maxAgeSeconds <= 0) return this.#readRecord(zoneId, name, type);
    let answer = this.#cache.lookup(zoneId, name, type);
    if (answer.known) return answer.values;
    if (!answer.zoneFresh) {
      // A listing that fails part-way may still have brought this record's page.
      const failure = await this.#shared(`snapshot|${zoneId}`, () => this.#takeSnapshot(zoneId)).then(
        () => undefined,
        (error: unknown) => ({ error }),
      );
      answer = this.#cache.lookup(zoneId, name, type);
      if (answer.known) return answer.values;
      if (failure) throw failure.error;
    }
    // Only a record whose TTL is shorter than the cache bound gets here.
    return this.#readRecord(zoneId, name, type);
  }

  async upsert(zoneId: string, changes: readonly RecordChange[]): Promise<string> {
    const key = `change|${zoneId}|${JSON.stringify(changes)}`;
    return this.#shared(key, async () => {
      try {
        const response = await this.#route53.send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: zoneId,
            ChangeBatch: {
              Comment: CHANGE_COMMENT,
              Changes: changes.map((change) => ({
                Action: "UPSERT",
                ResourceRecordSet: {
                  Name: change.name,
                  Type: change.type,
                  TTL: change.ttl,
                  ResourceRecords: [{ Value: change.value }],
                },
              })),
            },
          }),
        );
        const at = this.#now();
        for (const change of changes) {
          this.#cache.remember(zoneId, change.name, change.type, [change.value], change.ttl, at);
        }
        return response.ChangeInfo?.Id ?? "";
      } catch (error) {
        for (const change of changes) this.#cache.forget(zoneId, change.name, change.type);
        throw translateRoute53Error(error);
      }
    });
  }

  /** Reads exactly one record: the first record set at or after name/type is it, or there is none. */
  async #readRecord(zoneId: string, name: string, type: RecordType): Promise<readonly string[]> {
    return this.#shared(`read|${zoneId}|${name}|${type}`, async () => {
      const at = this.#now();
      const page = await this.#list(zoneId, name, type, 1);
      const first = page.ResourceRecordSets?.[0];
      const record = first && simpleAddressRecord(first);
      const found = record && record.name === name && record.type === type ? record : undefined;
      if (found) this.#cache.remember(zoneId, name, type, found.values, found.ttlSeconds, at);
      return found?.values ?? [];
    });
  }

  /**
   * Lists the whole zone. Each page answers checks as soon as it arrives (its records dated from when
   * that page was asked for); if a page fails, the next listing resumes there, as long as its start is
   * within the cache bound. Absence is only known from a complete listing, dated from its start.
   */
  async #takeSnapshot(zoneId: string): Promise<void> {
    const now = this.#now();
    const previous = this.#unfinished.get(zoneId);
    this.#unfinished.delete(zoneId);
    const listing =
      previous && now - previous.startedAt < this.#cache.maxAgeSeconds * 1000
        ? previous
        : { startedAt: now, records: [], next: {} };
    try {
      for (;;) {
        const pageStartedAt = this.#now();
        const page = await this.#list(zoneId, listing.next.name, listing.next.type, PAGE_SIZE);
        const records = (page.ResourceRecordSets ?? []).flatMap((set) => simpleAddressRecord(set) ?? []);
        this.#cache.applyListedPage(zoneId, pageStartedAt, records);
        listing.records.push(...records);
        if (!page.IsTruncated) break;
        listing.next = { name: page.NextRecordName, type: page.NextRecordType };
      }
    } catch (error) {
      this.#unfinished.set(zoneId, listing);
      throw error;
    }
    this.#cache.applySnapshot(zoneId, listing.startedAt, listing.records);
  }

  async #list(zoneId: string, name: string | undefined, type: string | undefined, maxItems: number) {
    try {
      return await this.#route53.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          StartRecordName: name,
          StartRecordType: name === undefined ? undefined : (type as RecordType | undefined),
          MaxItems: maxItems,
        }),
      );
    } catch (error) {
      throw translateRoute53Error(error);
    }
  }

  /** Callers asking for the same key while a call is under way share its result. */
  #shared<T>(key: string, run: () => Promise<T>): Promise<T> {
    const existing = this.#inFlight.get(key) as Promise<T> | undefined;
    if (existing) return existing;
    const promise = run().finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, promise);
    return promise;
  }
}

interface UnfinishedListing {
  readonly startedAt: number;
  readonly records: ListedRecord[];
  next: { name?: string | undefined; type?: string | undefined };
}

/** A plain A/AAAA record in canonical form; alias, weighted, latency… records are not ours to manage. */
function simpleAddressRecord(recordSet: ResourceRecordSet): ListedRecord | undefined {
  const type = recordSet.Type as RecordType;
  if (!RECORD_TYPES.includes(type) || recordSet.AliasTarget || recordSet.SetIdentifier) return undefined;
  return {
    name: recordName(recordSet.Name ?? ""),
    type,
    values: (recordSet.ResourceRecords ?? []).map((record) => canonicalRecordValue(record.Value ?? "")),
    ttlSeconds: recordSet.TTL ?? 0,
  };
}

/**
 * A listed name as the core spells it: lower case, and `*` where Route 53 lists the wildcard label
 * as the escape `\052` (the only escape a name the core writes can contain).
 */
export function recordName(listed: string): string {
  const name = listed.toLowerCase();
  return name.startsWith("\\052.") ? `*${name.slice(4)}` : name;
}

const THROTTLING = new Set([
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
]);
const BUSY = new Set(["PriorRequestNotComplete", "ServiceUnavailable", "InternalFailure", "InternalError"]);

/** Maps SDK failures (already retried by the SDK) to the errors the protocols know. */
export function translateRoute53Error(error: unknown): Error {
  const name = (error as { name?: string })?.name ?? "";
  const status = httpStatusOf(error);
  const options = { cause: error };
  if (THROTTLING.has(name) || status === 429)
    return new ThrottledError("Route 53 is throttling requests.", 2, options);
  if (BUSY.has(name) || (status !== undefined && status >= 500)) {
    return new UnavailableError("Route 53 is busy or unavailable.", 2, options);
  }
  if (status === undefined) {
    // No HTTP answer at all: a timeout or a network failure.
    return new UnavailableError("Route 53 could not be reached.", 2, options);
  }
  return new DnsUpdateError(`Route 53 refused the request (${name}).`, options);
}
