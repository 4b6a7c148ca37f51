/**
 * How an authoritative server answers one question from its zones (RFC 1034 §4.3.2, with wildcards
 * as RFC 4592 defines them): the answer, NODATA or NXDOMAIN with the zone's SOA for negative caching
 * (RFC 2308), a referral below a delegation, REFUSED outside its zones. CNAMEs are followed while
 * they stay in the served zones, as BIND and Route 53 do, so a resolver that does not chase them
 * (pebble's) still sees the end of the chain. Pure: the network side is in dns-server.ts.
 */
import type { Answer } from "dns-packet";
import { isWithinZone } from "../core/hostname.js";
import { type RecordSet, toAnswers, type Zone } from "./dns-zones.js";

export type ResponseCode = "NOERROR" | "NXDOMAIN" | "REFUSED";

export interface Reply {
  readonly rcode: ResponseCode;
  readonly authoritative: boolean;
  readonly answers: Answer[];
  readonly authorities: Answer[];
}

/** Longer chains are answered as far as this; real servers stop at about the same depth. */
const MAX_CNAME_CHAIN = 8;

function canonical(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith(".") ? lower : `${lower}.`;
}

function parentOf(name: string): string {
  return name.slice(name.indexOf(".") + 1);
}

/** The zone a name belongs to: the one with the longest apex that contains it. */
function zoneOf(zones: readonly Zone[], name: string): Zone | undefined {
  return zones
    .filter((zone) => isWithinZone(name, zone.name))
    .reduce<Zone | undefined>(
      (best, zone) => (!best || zone.name.length > best.name.length ? zone : best),
      undefined,
    );
}

/** The negative-caching SOA: its TTL is the smaller of its own TTL and its MINIMUM field (RFC 2308 §3). */
function negativeSoa(zone: Zone): Answer[] {
  const minimum = (zone.soa.data[0] as { minimum?: number } | undefined)?.minimum ?? zone.soa.ttl;
  return toAnswers({ ...zone.soa, ttl: Math.min(zone.soa.ttl, minimum) });
}

/** The NS set of a delegation between the apex (excluded) and `name` (included), if any. */
function delegationAbove(zone: Zone, name: string): RecordSet | undefined {
  let current = name;
  let cut: RecordSet | undefined;
  while (current !== zone.name && current.length > zone.name.length) {
    cut = zone.records.get(current)?.get("NS") ?? cut;
    current = parentOf(current);
  }
  return cut;
}

/** The record sets at `name`, found directly or synthesised from the closest encloser's wildcard. */
function recordsAt(zone: Zone, name: string): ReadonlyMap<string, RecordSet> | "nxdomain" {
  const exact = zone.records.get(name);
  if (exact) return exact;
  if (zone.existingNames.has(name)) return new Map(); // an empty non-terminal
  let encloser = parentOf(name);
  while (!zone.existingNames.has(encloser)) encloser = parentOf(encloser);
  return zone.records.get(`*.${encloser}`) ?? "nxdomain";
}

function typesFor(records: ReadonlyMap<string, RecordSet>, qtype: string): RecordSet[] {
  if (qtype === "ANY") return [...records.values()];
  const set = records.get(qtype);
  return set ? [set] : [];
}

export function answerQuestion(zones: readonly Zone[], qname: string, qtype: string): Reply {
  const answers: Answer[] = [];
  let owner = qname;
  let name = canonical(qname);
  let first = true;
  for (let step = 0; step <= MAX_CNAME_CHAIN; step++) {
    const zone = zoneOf(zones, name);
    if (!zone) {
      // Outside every zone: refuse a first question; a CNAME leading out ends the chain.
      return first
        ? { rcode: "REFUSED", authoritative: false, answers: [], authorities: [] }
        : { rcode: "NOERROR", authoritative: true, answers, authorities: [] };
    }
    const cut = delegationAbove(zone, name);
    if (cut && !(cut.name === name && qtype === "DS")) {
      return { rcode: "NOERROR", authoritative: false, answers, authorities: toAnswers(cut) };
    }
    const records = recordsAt(zone, name);
    if (records === "nxdomain") {
      return { rcode: "NXDOMAIN", authoritative: true, answers, authorities: negativeSoa(zone) };
    }
    const found = typesFor(records, qtype);
    if (found.length > 0) {
      for (const set of found) answers.push(...toAnswers(set, owner));
      return { rcode: "NOERROR", authoritative: true, answers, authorities: [] };
    }
    const alias = records.get("CNAME");
    if (!alias) return { rcode: "NOERROR", authoritative: true, answers, authorities: negativeSoa(zone) };
    answers.push(...toAnswers(alias, owner));
    owner = alias.data[0] as string;
    name = owner;
    first = false;
  }
  return { rcode: "NOERROR", authoritative: true, answers, authorities: [] };
}
