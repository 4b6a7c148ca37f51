/**
 * An in-memory Route 53, handed to the real adapters (Route53Records, Route53RecordWriter) in place of
 * the SDK client: the one Route 53 fake of the unit tests and the benchmarks. It counts every API call
 * and, when given quotas, enforces Route 53's per-account token buckets the way the service does, with
 * the SDK's retries of throttled calls modelled on top, so a benchmark sees what an account would see.
 */
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  GetHostedZoneCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
} from "@aws-sdk/client-route-53";
import { awsError } from "./aws-error.js";
import { type Clock, wallClock } from "./clock.js";

/** The per-account limits the first scale simulation assumed: per API action, and a change budget. */
export interface Route53Quotas {
  readonly burst: number;
  readonly perSecond: number;
  readonly changeBurst: number;
  readonly changesPerSecond: number;
  readonly upsertCost: number;
}

export const ROUTE53_QUOTAS: Route53Quotas = {
  burst: 50,
  perSecond: 10,
  changeBurst: 100,
  changesPerSecond: 100,
  upsertCost: 2,
};

/**
 * The account as Route 53 documents it: 10/s refill and 50 burst per action, and no budget of record
 * changes per second (Route 53 documents none; it limits a batch to 1,000 elements instead). The budget
 * above, from the first simulation, would refuse every batch of more than 50 UPSERTs forever.
 */
export const ROUTE53_QUOTAS_PER_ACTION: Route53Quotas = {
  ...ROUTE53_QUOTAS,
  changeBurst: Number.POSITIVE_INFINITY,
  changesPerSecond: Number.POSITIVE_INFINITY,
};

export class TokenBucket {
  #tokens: number;
  #updatedAt: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    private readonly clock: Clock,
  ) {
    this.#tokens = capacity;
    this.#updatedAt = clock.now();
  }

  take(cost = 1): boolean {
    const now = this.clock.now();
    this.#tokens = Math.min(this.capacity, this.#tokens + ((now - this.#updatedAt) / 1000) * this.perSecond);
    this.#updatedAt = now;
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }
}

interface StoredRecord {
  readonly name: string;
  readonly type: string;
  ttl: number;
  values: string[];
  /** What the name servers still serve until `servedFrom` (Route 53's propagation lag). */
  previous?: { readonly values: string[]; readonly until: number };
}

export interface Route53StandInOptions {
  readonly clock?: Clock;
  /** Undefined: no throttling (a counting stand-in only). */
  readonly quotas?: Route53Quotas;
  /** How long an answer takes, in (virtual) milliseconds. */
  readonly latencyMs?: { readonly list: number; readonly change: number };
  /** The SDK's attempts per call (src/aws.ts: 3); throttled attempts back off as the SDK does. */
  readonly maxAttempts?: number;
  /** How long a change takes to reach the name servers (DnsStandIn), drawn per change; default none. */
  readonly propagationMs?: () => number;
  /** Hears every record a ChangeResourceRecordSets wrote, in the order Route 53 applied them. */
  readonly onWrite?: (zoneId: string, name: string, type: string, value: string) => void;
  /** Hears each accepted ChangeResourceRecordSets call's changes, one call at a time (tests of batching). */
  readonly onChangeBatch?: (zoneId: string, changes: readonly Change[]) => void;
}

/**
 * Route 53's limits per ChangeResourceRecordSets ("Quotas on ChangeResourceRecordSets requests"):
 * at most 1,000 ResourceRecord elements and 32,000 characters of values, an UPSERT counting twice in
 * both. A call over either is refused whole (InvalidChangeBatch), as Route 53 does.
 */
export const ROUTE53_CHANGE_LIMITS = { elements: 1000, characters: 32_000, upsertWeight: 2 } as const;

const PAGE_LIMIT = 300;

/** Record order for paging: by name, then type (any fixed order works for the adapter). */
function compareKeys(aName: string, aType: string, bName: string, bType: string): number {
  if (aName !== bName) return aName < bName ? -1 : 1;
  return aType < bType ? -1 : aType > bType ? 1 : 0;
}

export class Route53StandIn {
  /** API calls that reached the service, by action, throttled ones included. */
  readonly calls = { ListResourceRecordSets: 0, ChangeResourceRecordSets: 0, GetHostedZone: 0 };
  /** When each ChangeResourceRecordSets call was accepted (clock time), and how many changes it carried. */
  readonly changesAccepted: { at: number; changes: number }[] = [];
  /** When each ChangeResourceRecordSets attempt arrived, throttled ones included. */
  readonly changesAttemptedAt: number[] = [];
  throttled = 0;
  /** The largest call accepted: ResourceRecord elements and value characters as Route 53 counts them. */
  readonly largestCall = { elements: 0, characters: 0 };
  /** Calls refused for going over ROUTE53_CHANGE_LIMITS. */
  oversizeCalls = 0;
  /** When each throttled call happened (clock time), to tell a start-up burst from steady state. */
  readonly throttledAt: number[] = [];
  readonly #zones = new Map<
    string,
    { byKey: Map<string, StoredRecord>; sorted: StoredRecord[] | undefined }
  >();
  readonly #clock: Clock;
  readonly #options: Route53StandInOptions;
  readonly #buckets: { list?: TokenBucket; change?: TokenBucket; changeBudget?: TokenBucket } = {};

  constructor(options: Route53StandInOptions = {}) {
    this.#options = options;
    this.#clock = options.clock ?? wallClock;
    const quotas = options.quotas;
    if (quotas) {
      this.#buckets.list = new TokenBucket(quotas.burst, quotas.perSecond, this.#clock);
      this.#buckets.change = new TokenBucket(quotas.burst, quotas.perSecond, this.#clock);
      this.#buckets.changeBudget = new TokenBucket(quotas.changeBurst, quotas.changesPerSecond, this.#clock);
    }
  }

  /** What the adapter is given in place of `new Route53Client(…)`. */
  get client(): Route53Client {
    return { send: (command: unknown) => this.send(command) } as unknown as Route53Client;
  }

  /** A client whose SDK makes `maxAttempts` attempts per call (the record writer's is 5, src/writer/handler.ts). */
  clientWithAttempts(maxAttempts: number): Route53Client {
    return { send: (command: unknown) => this.send(command, maxAttempts) } as unknown as Route53Client;
  }

  get totalCalls(): number {
    return this.calls.ListResourceRecordSets + this.calls.ChangeResourceRecordSets + this.calls.GetHostedZone;
  }

  /** Sets a record (one value, or several) directly, as an operator or another tool would: no quota, no counting. */
  setRecord(
    zoneId: string,
    name: string,
    type: string,
    value: string | readonly string[],
    ttl = 60,
    propagationMs = 0,
  ): void {
    const zone = this.#zone(zoneId);
    const key = `${name}|${type}`;
    const values = typeof value === "string" ? [value] : [...value];
    const existing = zone.byKey.get(key);
    if (existing) {
      if (propagationMs > 0) {
        existing.previous = { values: existing.values, until: this.#clock.now() + propagationMs };
      }
      existing.values = values;
      existing.ttl = ttl;
      return;
    }
    const previous = propagationMs > 0 ? { values: [], until: this.#clock.now() + propagationMs } : undefined;
    zone.byKey.set(key, { name, type, ttl, values, previous });
    zone.sorted = undefined;
  }

  value(zoneId: string, name: string, type: string): string | undefined {
    return this.#zone(zoneId).byKey.get(`${name}|${type}`)?.values[0];
  }

  /** What the zone's name servers answer now: the latest values once they have propagated. */
  served(zoneId: string, name: string, type: string): { values: string[]; ttl: number } | undefined {
    const record = this.#zone(zoneId).byKey.get(`${name}|${type}`);
    if (!record) return undefined;
    const lagging = record.previous && this.#clock.now() < record.previous.until;
    return { values: lagging ? (record.previous?.values ?? []) : record.values, ttl: record.ttl };
  }

  async send(command: unknown, maxAttempts = this.#options.maxAttempts ?? 1): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      try {
        const output = (await this.#attempt(command)) as object;
        return { ...output, $metadata: { httpStatusCode: 200, attempts: attempt } };
      } catch (error) {
        if ((error as Error).name !== "Throttling" || attempt >= maxAttempts) throw error;
        // The SDK's standard retry: full jitter over an exponential delay, 500 ms base for throttling.
        await this.#clock.sleep(Math.random() * Math.min(20_000, 500 * 2 ** attempt));
      }
    }
  }

  async #attempt(command: unknown): Promise<unknown> {
    const latency = this.#options.latencyMs;
    if (command instanceof ListResourceRecordSetsCommand) {
      this.calls.ListResourceRecordSets++;
      this.#takeOrThrottle(this.#buckets.list);
      await this.#clock.sleep(latency?.list ?? 0);
      return this.#list(command.input);
    }
    if (command instanceof ChangeResourceRecordSetsCommand) {
      this.calls.ChangeResourceRecordSets++;
      this.changesAttemptedAt.push(this.#clock.now());
      const changes = command.input.ChangeBatch?.Changes ?? [];
      const cost = changes.length * (this.#options.quotas?.upsertCost ?? 0);
      this.#takeOrThrottle(this.#buckets.change);
      this.#takeOrThrottle(this.#buckets.changeBudget, cost);
      let elements = 0;
      let characters = 0;
      for (const change of changes) {
        const weight = change.Action === "UPSERT" ? ROUTE53_CHANGE_LIMITS.upsertWeight : 1;
        for (const record of change.ResourceRecordSet?.ResourceRecords ?? []) {
          elements += weight;
          characters += weight * (record.Value?.length ?? 0);
        }
      }
      if (elements > ROUTE53_CHANGE_LIMITS.elements || characters > ROUTE53_CHANGE_LIMITS.characters) {
        this.oversizeCalls++;
        throw awsError(
          "InvalidChangeBatch",
          400,
          `Number of records limit of ${ROUTE53_CHANGE_LIMITS.elements} exceeded, or ${ROUTE53_CHANGE_LIMITS.characters} characters`,
        );
      }
      this.largestCall.elements = Math.max(this.largestCall.elements, elements);
      this.largestCall.characters = Math.max(this.largestCall.characters, characters);
      this.changesAccepted.push({ at: this.#clock.now(), changes: changes.length });
      const names = new Set(
        changes.map((change) => `${change.ResourceRecordSet?.Name}|${change.ResourceRecordSet?.Type}`),
      );
      if (names.size < changes.length) throw awsError("InvalidChangeBatch", 400, "Duplicate Resource Record");
      await this.#clock.sleep(latency?.change ?? 0);
      this.#options.onChangeBatch?.(command.input.HostedZoneId ?? "", changes);
      for (const change of changes) {
        const set = change.ResourceRecordSet;
        if (!set?.Name || !set.Type) continue;
        this.setRecord(
          command.input.HostedZoneId ?? "",
          set.Name,
          set.Type,
          set.ResourceRecords?.[0]?.Value ?? "",
          set.TTL,
          this.#options.propagationMs?.() ?? 0,
        );
        this.#options.onWrite?.(
          command.input.HostedZoneId ?? "",
          set.Name,
          set.Type,
          set.ResourceRecords?.[0]?.Value ?? "",
        );
      }
      return { ChangeInfo: { Id: `/change/C${this.calls.ChangeResourceRecordSets}`, Status: "PENDING" } };
    }
    if (command instanceof GetHostedZoneCommand) {
      this.calls.GetHostedZone++;
      await this.#clock.sleep(latency?.list ?? 0);
      return { DelegationSet: { NameServers: ["ns-1.stand-in.example", "ns-2.stand-in.example"] } };
    }
    throw new Error(`the Route 53 stand-in does not answer ${(command as object).constructor.name}`);
  }

  #takeOrThrottle(bucket: TokenBucket | undefined, cost = 1): void {
    if (!bucket || bucket.take(cost)) return;
    this.throttled++;
    this.throttledAt.push(this.#clock.now());
    throw awsError("Throttling", 400, "Rate exceeded");
  }

  #list(input: ListResourceRecordSetsCommand["input"]) {
    const zone = this.#zone(input.HostedZoneId ?? "");
    zone.sorted ??= [...zone.byKey.values()].sort((a, b) => compareKeys(a.name, a.type, b.name, b.type));
    const sorted = zone.sorted;
    const startName = input.StartRecordName ?? "";
    const startType = input.StartRecordType ?? "";
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      const record = sorted[middle] as StoredRecord;
      if (compareKeys(record.name, record.type, startName, startType) < 0) low = middle + 1;
      else high = middle;
    }
    const limit = Math.min(input.MaxItems ?? PAGE_LIMIT, PAGE_LIMIT);
    const page = sorted.slice(low, low + limit);
    const next = sorted[low + limit];
    const recordSets: ResourceRecordSet[] = page.map((record) => ({
      Name: record.name,
      Type: record.type as ResourceRecordSet["Type"],
      TTL: record.ttl,
      ResourceRecords: record.values.map((Value) => ({ Value })),
    }));
    return {
      ResourceRecordSets: recordSets,
      IsTruncated: next !== undefined,
      NextRecordName: next?.name,
      NextRecordType: next?.type,
      MaxItems: limit,
    };
  }

  #zone(zoneId: string) {
    let zone = this.#zones.get(zoneId);
    if (!zone) {
      zone = { byKey: new Map(), sorted: undefined };
      this.#zones.set(zoneId, zone);
    }
    return zone;
  }
}
