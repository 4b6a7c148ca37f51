/**
 * What the local DNS server answers from: every hosted zone in the emulator's Route 53, read through
 * the SDK, as records in DNS wire-format terms (dns-packet's shapes). A snapshot is at most
 * `maxAgeMs` old when a query is answered: it is refreshed on demand (one refresh at a time, shared
 * by the queries it is recent enough for), so an idle server costs nothing and a change in Route 53
 * is seen by the first query after `maxAgeMs`.
 */
import {
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
} from "@aws-sdk/client-route-53";
import type { Answer } from "dns-packet";
import { txtStrings } from "../dns/txt-values.js";

/** A record set as the server sends it: owner name canonical (lower case, trailing dot). */
export interface RecordSet {
  readonly name: string;
  readonly type: string;
  readonly ttl: number;
  readonly data: readonly unknown[];
}

export interface Zone {
  /** Canonical apex, e.g. `dyn.example.test.` */
  readonly name: string;
  /** Record sets by owner name, then by type. */
  readonly records: ReadonlyMap<string, ReadonlyMap<string, RecordSet>>;
  /** Every name that exists in the zone, empty non-terminals included (RFC 4592 §2.2.2). */
  readonly existingNames: ReadonlySet<string>;
  readonly soa: RecordSet;
}

/** The types the server can put on the wire; others in Route 53 make their name exist but are not served. */
const SERVED_TYPES = new Set(["A", "AAAA", "TXT", "CNAME", "NS", "SOA", "MX", "SRV", "CAA", "PTR"]);

/** Route 53 writes `*` and other special characters as `\ooo` octal escapes (`\052`), in names and TXT values alike. */
export function canonicalName(route53Name: string): string {
  const decoded = route53Name.replace(/\\(\d{3})/g, (_, octal: string) =>
    String.fromCharCode(Number.parseInt(octal, 8)),
  );
  const lower = decoded.toLowerCase();
  return lower.endsWith(".") ? lower : `${lower}.`;
}

const SOA_FIELDS = /([^\s'"]+)\s+([^\s'"]+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/;

/** One Route 53 value as dns-packet's `data`, or undefined when it cannot be read. */
export function recordData(type: string, value: string): unknown {
  const fields = value.trim().split(/\s+/);
  switch (type) {
    case "A":
    case "AAAA":
      return value.trim();
    case "CNAME":
    case "NS":
    case "PTR":
      return canonicalName(value.trim());
    case "TXT":
      return txtStrings(value);
    case "MX":
      return { preference: Number(fields[0]), exchange: canonicalName(fields[1] ?? ".") };
    case "SRV":
      return {
        priority: Number(fields[0]),
        weight: Number(fields[1]),
        port: Number(fields[2]),
        target: canonicalName(fields[3] ?? "."),
      };
    case "CAA": {
      const match = /^(\d+)\s+(\S+)\s+"?(.*?)"?$/.exec(value.trim());
      return match && { flags: Number(match[1]), tag: match[2], value: match[3] };
    }
    case "SOA": {
      // moto wraps the value in a Python dict's text; the seven fields are the same inside.
      const match = SOA_FIELDS.exec(value);
      if (!match) return undefined;
      const [, mname = "", rname = "", ...numbers] = match;
      const [serial, refresh, retry, expire, minimum] = numbers.map(Number);
      return {
        mname: canonicalName(mname),
        rname: canonicalName(rname),
        serial,
        refresh,
        retry,
        expire,
        minimum,
      };
    }
    default:
      return undefined;
  }
}

/** The parents of `name` up to (and including) `apex`. */
function namesUpTo(name: string, apex: string): string[] {
  const names: string[] = [];
  let current = name;
  while (current.length >= apex.length) {
    names.push(current);
    if (current === apex) break;
    current = current.slice(current.indexOf(".") + 1);
  }
  return names;
}

/** Builds a zone from its Route 53 record sets. Alias and routing-policy sets are skipped. */
export function buildZone(apex: string, recordSets: readonly ResourceRecordSet[]): Zone {
  const records = new Map<string, Map<string, RecordSet>>();
  const existingNames = new Set<string>([apex]);
  for (const set of recordSets) {
    if (!set.Name || !set.Type || set.AliasTarget || set.SetIdentifier) continue;
    const name = canonicalName(set.Name);
    if (name !== apex && !name.endsWith(`.${apex}`)) continue;
    for (const existing of namesUpTo(name, apex)) existingNames.add(existing);
    if (!SERVED_TYPES.has(set.Type)) continue;
    const data = (set.ResourceRecords ?? [])
      .map((record) => recordData(set.Type ?? "", record.Value ?? ""))
      .filter((value) => value !== undefined && value !== null);
    if (data.length === 0) continue;
    const byType = records.get(name) ?? new Map<string, RecordSet>();
    byType.set(set.Type, { name, type: set.Type, ttl: set.TTL ?? 300, data });
    records.set(name, byType);
  }
  const soa = records.get(apex)?.get("SOA") ?? defaultSoa(apex);
  return { name: apex, records, existingNames, soa };
}

/** What Route 53 would hold: used when a zone's SOA cannot be read, so negative answers still carry one. */
function defaultSoa(apex: string): RecordSet {
  return {
    name: apex,
    type: "SOA",
    ttl: 900,
    data: [
      {
        mname: `ns.${apex}`,
        rname: `hostmaster.${apex}`,
        serial: 1,
        refresh: 7200,
        retry: 900,
        expire: 1209600,
        minimum: 86400,
      },
    ],
  };
}

/** A record set in the form dns-packet encodes, owned by `owner` (the name as asked, for wildcards). */
export function toAnswers(set: RecordSet, owner: string = set.name): Answer[] {
  return set.data.map((data) => ({ name: owner, type: set.type, ttl: set.ttl, class: "IN", data }) as Answer);
}

async function listZones(route53: Route53Client): Promise<{ id: string; name: string }[]> {
  const zones: { id: string; name: string }[] = [];
  let marker: string | undefined;
  do {
    const page = await route53.send(new ListHostedZonesCommand({ Marker: marker }));
    for (const zone of page.HostedZones ?? []) {
      if (zone.Id && zone.Name) zones.push({ id: zone.Id, name: canonicalName(zone.Name) });
    }
    marker = page.IsTruncated ? page.NextMarker : undefined;
  } while (marker);
  return zones;
}

async function listRecordSets(route53: Route53Client, zoneId: string): Promise<ResourceRecordSet[]> {
  const sets: ResourceRecordSet[] = [];
  let start: { name?: string; type?: string } = {};
  for (;;) {
    const page = await route53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        StartRecordName: start.name,
        StartRecordType: start.type as ResourceRecordSet["Type"],
      }),
    );
    sets.push(...(page.ResourceRecordSets ?? []));
    if (!page.IsTruncated) return sets;
    start = { name: page.NextRecordName, type: page.NextRecordType };
  }
}

/** Every zone in Route 53 with its records. */
export async function loadZones(route53: Route53Client): Promise<Zone[]> {
  const zones = await listZones(route53);
  return Promise.all(zones.map(async (zone) => buildZone(zone.name, await listRecordSets(route53, zone.id))));
}

/**
 * Zones no older than `maxAgeMs` when asked for, one refresh at a time. A query that arrives while a
 * refresh is under way shares it if it began at most `maxAgeMs` before; otherwise that refresh may
 * have read Route 53 before a change the query must see, and the query waits for the next one, which
 * starts when this one ends and serves every query that arrived meanwhile. (A refresh per late query
 * instead would pile up on a slow emulator and slow every refresh further.)
 */
export class ZoneSnapshots {
  readonly #load: () => Promise<Zone[]>;
  readonly #maxAgeMs: number;
  readonly #onStale: (error: unknown) => void;
  readonly #now: () => number;
  #zones: Zone[] | undefined;
  #loadedAt = Number.NEGATIVE_INFINITY;
  #refreshing: { readonly startedAt: number; readonly zones: Promise<Zone[]> } | undefined;
  #next: Promise<Zone[]> | undefined;

  constructor(
    load: () => Promise<Zone[]>,
    maxAgeMs: number,
    onStale: (error: unknown) => void,
    now: () => number = Date.now,
  ) {
    this.#load = load;
    this.#maxAgeMs = maxAgeMs;
    this.#onStale = onStale;
    this.#now = now;
  }

  /** Fresh zones; after a failed refresh the previous snapshot (reported through `onStale`), if any. */
  async current(): Promise<Zone[]> {
    const askedAt = this.#now();
    if (this.#zones && askedAt - this.#loadedAt <= this.#maxAgeMs) return this.#zones;
    const underWay = this.#refreshing;
    if (!underWay) return this.#start();
    if (askedAt - underWay.startedAt <= this.#maxAgeMs) return underWay.zones;
    this.#next ??= underWay.zones.then(
      () => this.#startNext(),
      () => this.#startNext(),
    );
    return this.#next;
  }

  #startNext(): Promise<Zone[]> {
    this.#next = undefined;
    return this.#start();
  }

  #start(): Promise<Zone[]> {
    const startedAt = this.#now();
    const refresh = { startedAt, zones: this.#refresh(startedAt) };
    this.#refreshing = refresh;
    void refresh.zones
      .finally(() => {
        if (this.#refreshing === refresh) this.#refreshing = undefined;
      })
      .catch(() => {});
    return refresh.zones;
  }

  async #refresh(startedAt: number): Promise<Zone[]> {
    try {
      this.#zones = await this.#load();
      this.#loadedAt = startedAt;
      return this.#zones;
    } catch (error) {
      if (!this.#zones) throw error;
      this.#onStale(error);
      return this.#zones;
    }
  }
}
