/**
 * What the core needs from the outside world (docs/architecture.md "Ports and adapters"). The S3,
 * Route 53, SQS and EventBridge adapters implement these; tests and benchmarks substitute their own.
 */
import type { AcmeAccountDirectory } from "./acme.js";
import type { QueuedChange } from "./changes.js";
import type { HostDirectory } from "./hosts.js";
import type { RecordType } from "./ip.js";
import type { Share } from "./shares.js";

export interface ConfigSource {
  /**
   * The current hosts; throws UnavailableError when there is no usable copy.
   * With `names`, the directory need only answer for those names (a sharded config loads just the
   * parts they live in); callers still look hosts up with `find()`. Without, it answers for every host.
   */
  hosts(names?: readonly string[]): Promise<HostDirectory>;
  /**
   * The ACME accounts, a section of the config in either layout; throws UnavailableError like hosts().
   * Required, like hosts(): a wrapper around a source (the reserved-name filter) must hand it on, or the
   * accounts would vanish in every deployment that wraps the store.
   */
  acmeAccounts(): Promise<AcmeAccountDirectory>;
}

/** A TXT record as read: its values (the text, unquoted) in the order written; none when it does not exist. */
export interface TxtRecordState {
  readonly values: readonly string[];
  readonly ttl: number;
}

/**
 * TXT records for ACME DNS-01, kept apart from DnsRecords: they are written in their own change
 * batches, never with address records, so each IAM statement stays narrow.
 */
export interface TxtRecords {
  read(zoneId: string, name: string): Promise<TxtRecordState>;
  /**
   * Replaces `expected` (what read() returned) with `values` (none: delete the record) in one atomic
   * change; resolves to false, changing nothing, when the record no longer is `expected`.
   */
  replace(
    zoneId: string,
    name: string,
    expected: TxtRecordState,
    values: readonly string[],
    ttl: number,
  ): Promise<boolean>;
}

export interface RecordChange {
  readonly name: string;
  readonly type: RecordType;
  readonly ttl: number;
  readonly value: string;
}

/** What answered a read, for the request's log line: this container's cache, the zone's name servers, or the Route 53 API. */
export type RecordSource = "cache" | "dns" | "api";

export interface DnsRecords {
  /**
   * The values of the simple record `name`/`type` (canonical), empty when there is none.
   * `answeredBy` hears which path answered.
   */
  currentValues(
    zoneId: string,
    name: string,
    type: RecordType,
    answeredBy?: (source: RecordSource) => void,
  ): Promise<readonly string[]>;
  /**
   * Tells the reader that these changes are on their way to Route 53 (queued for the record writer):
   * for a while, the name servers still showing the values they replace is their lag, not a reason
   * to queue the change again.
   */
  expect(zoneId: string, changes: readonly RecordChange[]): void;
}

/** One record as the zone's authoritative name servers answer it. */
export interface AnsweredRecord {
  /** Canonical values; empty when the name has no record of that type. */
  readonly values: readonly string[];
  /** How long the answer may be reused (the record's TTL, or a negative-answer time). */
  readonly ttlSeconds: number;
}

/** The zone's own name servers, asked over DNS: no API quota, unlike the Route 53 API. */
export interface AuthoritativeDns {
  /** Throws when the name servers cannot answer (timeout, refusal, unknown servers). */
  query(zoneId: string, name: string, type: RecordType): Promise<AnsweredRecord>;
}

/** One record the update decision changed (docs/architecture.md "Events"): the detail of its change event. */
export interface RecordChangeEvent {
  /** Canonical name of the record that changed: a host or a name that follows it. */
  readonly hostname: string;
  readonly type: RecordType;
  /** What Route 53 held before the change; empty when the record did not exist. */
  readonly previous: readonly string[];
  readonly current: readonly string[];
  /** The wire format of the request that caused it: `seed` or `dyndns2`. */
  readonly protocol: string;
  /** The caller's address as API Gateway saw it. */
  readonly sourceIp: string;
  readonly changeId: string;
}

/** An ACME TXT edit the record writer made (docs/architecture.md "Events": `ACME challenge set`). */
export interface ChallengeEvent {
  /** The TXT record (canonical) and the certificate name it serves. */
  readonly txtName: string;
  readonly name: string;
  readonly action: "present" | "cleanup";
  /** The record's values after the edit. */
  readonly current: readonly string[];
  readonly protocol: string;
  readonly sourceIp: string;
  readonly changeId: string;
}

/**
 * The request function's way to Route 53: wanted changes go to the change queue (SQS), the record
 * writer (src/writer/) applies them. Resolves to one id per change, in order, once every change is
 * queued; throws ThrottledError or UnavailableError when the queue could not take them (nothing queued
 * for a change that failed, so the caller tells its client to come back).
 */
export interface ChangeQueue {
  send(changes: readonly QueuedChange[]): Promise<readonly string[]>;
}

/**
 * Fair shares at the queue's door (core/shares.ts): may this identity queue one more change now?
 * Resolves to the seconds until it may, or 0 when it may now (and the change counts against its share).
 */
export interface ChangeShares {
  take(identity: string, share: Share): Promise<number>;
}

export interface ChangeEvents {
  /**
   * Announces changes already written. Resolves within a short bound and never rejects: a change
   * event must never fail or slow the update it reports, so the adapter logs its own failures.
   */
  publish(events: readonly RecordChangeEvent[]): Promise<void>;
  /** The same promise for ACME TXT edits (`ACME challenge set`). */
  publishChallenges(events: readonly ChallengeEvent[]): Promise<void>;
}

/** The record writer's way to Route 53 for address records (dns/route53-writer.ts). */
export interface RecordWriter {
  /**
   * UPSERTs every change in one atomic ChangeResourceRecordSets; resolves to the change id. Throws
   * ThrottledError / UnavailableError (try again later) or DnsUpdateError (Route 53 refused the batch).
   */
  upsert(zoneId: string, changes: readonly RecordChange[]): Promise<string>;
}

/** The newest request the writer applied for one record (writer/s3-marks.ts). */
export interface AppliedMark {
  readonly requestedAt: number;
  readonly value: string;
}

/** One record of a zone, as the applied marks know it. */
export interface MarkedRecord {
  readonly name: string;
  readonly type: RecordType;
}

/** `name|type`: how the marks of a zone are looked up. */
export function markKey(record: MarkedRecord): string {
  return `${record.name}|${record.type}`;
}

/**
 * Where the record writer keeps, per record, the newest request it applied: its "never backwards".
 * Whole batches at a time: a storm's writer asks about thousands of records a second.
 */
export interface AppliedMarks {
  /** The marks of these records of one zone, by markKey(); a record never written has none. */
  read(zoneId: string, records: readonly MarkedRecord[]): Promise<Map<string, AppliedMark>>;
  /**
   * Keeps these marks; where a newer one is kept for a record already (another writer), it stays.
   * Resolves to the records another writer kept a mark for since this one read them, with the newest
   * mark: the order of the two writers' Route 53 calls is unknown, so the caller writes that again.
   */
  keep(
    zoneId: string,
    marks: readonly (MarkedRecord & AppliedMark)[],
  ): Promise<(MarkedRecord & AppliedMark)[]>;
}

/**
 * The request function's ports, together: what a protocol reaches through `RequestContext.backends`.
 * aws.ts builds them from the SDK; tests and benchmarks build their own.
 */
export interface Backends {
  readonly config: ConfigSource;
  /** Reads only: the request function never writes DNS. */
  readonly dns: DnsRecords;
  /** Where wanted changes go (DDNS_CHANGE_QUEUE_URL); the record writer applies them. */
  readonly queue: ChangeQueue;
  /** Fair shares per host and ACME account (DDNS_SHARE_TABLE); absent: none. */
  readonly shares?: ChangeShares | undefined;
  /** The zones' name servers over DNS, for reads that must cost no Route 53 call (GET /status); absent: 503. */
  readonly nameServers?: AuthoritativeDns;
}
