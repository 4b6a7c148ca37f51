/**
 * The Route 53 side of DnsRecords. Reads are answered from a RecordCache; what it does not know is
 * asked of the zone's own name servers over DNS (no API quota), and only when they fail, of the API
 * (zone snapshots: a few hundred records per call). So a check whose address is unchanged makes no
 * Route 53 API call. With `recordCacheSeconds: 0` and no name servers every read asks the API for
 * its one record (`ddns host status` reads this way: it shows what Route 53 holds now). Identical
 * concurrent reads share one call. This adapter never writes: changes go to the change queue, and the record writer
 * (src/writer/, dns/route53-writer.ts) writes them.
 *
 * Route 53's name servers can lag a change by up to about a minute, and the writer adds its batching
 * window: for OWN_WRITE_WINS_MS after this container queued a change, DNS still showing the value it
 * replaces is taken as that lag, not as a reason to queue the change again.
 */
import {
  GetHostedZoneCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
} from "@aws-sdk/client-route-53";
import { DnsUpdateError, httpStatusOf, ThrottledError, UnavailableError } from "../core/errors.js";
import { canonicalRecordValue, RECORD_TYPES, type RecordType } from "../core/ip.js";
import type { AuthoritativeDns, DnsRecords, RecordChange, RecordSource } from "../core/ports.js";
import { type ListedRecord, RecordCache } from "./record-cache.js";

export interface Route53RecordsOptions {
  /** Upper bound on how old a cached answer may be (also bounded by each record's TTL). 0 disables the cache. */
  readonly recordCacheSeconds: number;
  /** The zone's name servers; without them every read the cache cannot answer goes to the API. */
  readonly dns?: AuthoritativeDns;
  readonly now?: () => number;
}

/** Route 53 documents that changes reach all its name servers within about 60 seconds. */
export const OWN_WRITE_WINS_MS = 120_000;

/** Route 53 returns at most this many record sets per ListResourceRecordSets call. */
const PAGE_SIZE = 300;

export class Route53Records implements DnsRecords {
  readonly #route53: Route53Client;
  readonly #cache: RecordCache;
  readonly #now: () => number;
  readonly #inFlight = new Map<string, Promise<unknown>>();
  /** A zone listing that failed part-way (throttled, say): the next one resumes where it stopped. */
  readonly #unfinished = new Map<string, UnfinishedListing>();
  readonly #dns: AuthoritativeDns | undefined;
  /** What this container queued lately, in queue order, and the values it replaced. */
  readonly #written = new Map<
    string,
    { value: string; replaced: readonly string[] | undefined; at: number }
  >();

  constructor(route53: Route53Client, options: Route53RecordsOptions) {
    this.#route53 = route53;
    this.#now = options.now ?? Date.now;
    this.#dns = options.dns;
    this.#cache = new RecordCache(options.recordCacheSeconds, this.#now);
  }

  async currentValues(
    zoneId: string,
    name: string,
    type: RecordType,
    answeredBy: (source: RecordSource) => void = () => {},
  ): Promise<readonly string[]> {
    const cached = this.#cache.lookup(zoneId, name, type);
    if (cached.known) {
      answeredBy("cache");
      return cached.values;
    }
    if (this.#dns) {
      const values = await this.#readOverDns(this.#dns, zoneId, name, type);
      if (values) {
        answeredBy("dns");
        return values;
      }
    }
    answeredBy("api");
    return this.#readThroughApi(zoneId, name, type);
  }

  /** The cache and the own-writes list learn the queued values, as if they were written now. */
  expect(zoneId: string, changes: readonly RecordChange[]): void {
    const at = this.#now();
    for (const change of changes) {
      const replaced = this.#cache.lastKnown(zoneId, change.name, change.type);
      this.#cache.remember(zoneId, change.name, change.type, [change.value], change.ttl, at);
      this.#rememberWrite(`${zoneId}|${change.name}|${change.type}`, change.value, replaced, at);
    }
  }

  /** Undefined when the name servers could not answer: the caller falls back to the API. */
  async #readOverDns(
    dns: AuthoritativeDns,
    zoneId: string,
    name: string,
    type: RecordType,
  ): Promise<readonly string[] | undefined> {
    const at = this.#now();
    try {
      const answer = await this.#shared(`dns|${zoneId}|${name}|${type}`, () => dns.query(zoneId, name, type));
      const values = this.#ownWriteOr(zoneId, name, type, answer.values);
      this.#cache.remember(zoneId, name, type, values, answer.ttlSeconds, at);
      return values;
    } catch {
      return undefined;
    }
  }

  /** What DNS shows, unless it is the value this container just replaced (the name servers lag). */
  #ownWriteOr(zoneId: string, name: string, type: RecordType, shown: readonly string[]): readonly string[] {
    const key = `${zoneId}|${name}|${type}`;
    const written = this.#written.get(key);
    if (!written) return shown;
    if (this.#now() - written.at >= OWN_WRITE_WINS_MS) {
      this.#written.delete(key);
      return shown;
    }
    const showsOwn = shown.length === 1 && shown[0] === written.value;
    const showsReplaced = written.replaced === undefined || sameValues(shown, written.replaced);
    return !showsOwn && showsReplaced ? [written.value] : shown;
  }

  async #readThroughApi(zoneId: string, name: string, type: RecordType): Promise<readonly string[]> {
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

  #rememberWrite(key: string, value: string, replaced: readonly string[] | undefined, at: number): void {
    this.#written.delete(key); // re-inserted at the end: the map stays in write order
    this.#written.set(key, { value, replaced, at });
    for (const [oldest, entry] of this.#written) {
      if (at - entry.at < OWN_WRITE_WINS_MS) break;
      this.#written.delete(oldest);
    }
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

/**
 * The name servers of a zone as Route 53 delegates it (one GetHostedZone), for a container that was
 * not given DDNS_NAME_SERVERS.
 */
export async function zoneNameServers(route53: Route53Client, zoneId: string): Promise<string[]> {
  try {
    const zone = await route53.send(new GetHostedZoneCommand({ Id: zoneId }));
    return zone.DelegationSet?.NameServers ?? [];
  } catch (error) {
    throw translateRoute53Error(error);
  }
}

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value) => b.includes(value));
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
