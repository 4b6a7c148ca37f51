/**
 * The change queue's messages (docs/architecture.md "Write path"): what the request function decided and
 * the record writer applies. The request function never writes DNS; each wanted change travels as one
 * message, so a host's records and the names that follow it stay together (one message, one
 * ChangeResourceRecordSets).
 *
 * Never backwards: every message carries `requestedAt`, the request's time in epoch milliseconds, and
 * each record carries `previous`, what the name servers showed when the request decided. The writer
 * merges a batch per zone and name so that the newest request wins, and keeps the newest applied
 * `requestedAt` per name (writer/marks.ts): a change whose request is older than what was already
 * written for that name is dropped, whatever order SQS delivers it in. Two requests for one name within
 * the same millisecond are ordered by the queue; the router's next check puts right whatever slips.
 *
 * Parsing is strict: a message the writer cannot read is reported failed (and reaches the dead-letter
 * queue after its retries), never half applied.
 */
import { isChallengeValue } from "./acme.js";
import { RECORD_TYPES, type RecordType } from "./ip.js";

export const MESSAGE_VERSION = 1;

export interface QueuedRecord {
  readonly name: string;
  readonly type: RecordType;
  readonly ttl: number;
  readonly value: string;
  /** What the name servers showed when the request decided (for the change event). */
  readonly previous: readonly string[];
}

interface Origin {
  readonly zoneId: string;
  /** The request's time (epoch ms): the newest request wins. */
  readonly requestedAt: number;
  readonly protocol: string;
  readonly sourceIp: string;
}

/** A host's records and the names that follow it, written together. */
export interface QueuedRecords extends Origin {
  readonly kind: "records";
  /** The host the records belong to (canonical). */
  readonly host: string;
  readonly records: readonly QueuedRecord[];
}

/** One ACME TXT edit: add a challenge value (the record keeps two) or remove one. */
export interface QueuedChallenge extends Origin {
  readonly kind: "acme";
  /** The certificate name and the TXT record written for it (canonical). */
  readonly name: string;
  readonly txtName: string;
  readonly action: "present" | "cleanup";
  readonly value: string;
}

export type QueuedChange = QueuedRecords | QueuedChallenge;

export function encodeChange(change: QueuedChange): string {
  return JSON.stringify({ v: MESSAGE_VERSION, ...change });
}

export class MalformedChangeError extends Error {
  override name = "MalformedChangeError";
}

const NAME = /^[a-z0-9*_-][a-z0-9_.-]*\.$/;

function text(raw: Record<string, unknown>, key: string, pattern?: RegExp): string {
  const value = raw[key];
  if (typeof value !== "string" || value === "" || (pattern && !pattern.test(value))) {
    throw new MalformedChangeError(`The message's ${key} is missing or malformed.`);
  }
  return value;
}

function whole(raw: Record<string, unknown>, key: string, min: number, max: number): number {
  const value = raw[key];
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new MalformedChangeError(`The message's ${key} must be a whole number from ${min} to ${max}.`);
  }
  return value;
}

function record(raw: unknown): QueuedRecord {
  if (typeof raw !== "object" || raw === null) throw new MalformedChangeError("A record is not an object.");
  const fields = raw as Record<string, unknown>;
  const type = text(fields, "type") as RecordType;
  if (!RECORD_TYPES.includes(type))
    throw new MalformedChangeError(`The record type ${type} is not A or AAAA.`);
  const previous = fields.previous;
  if (!Array.isArray(previous) || !previous.every((value) => typeof value === "string")) {
    throw new MalformedChangeError("A record's previous values are not a list of strings.");
  }
  return {
    name: text(fields, "name", NAME),
    type,
    ttl: whole(fields, "ttl", 0, 2_147_483_647),
    value: text(fields, "value"),
    previous,
  };
}

/** Reads a message body; throws MalformedChangeError naming what is wrong. */
export function decodeChange(body: string): QueuedChange {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new MalformedChangeError("The message is not JSON.");
  }
  if (typeof raw !== "object" || raw === null)
    throw new MalformedChangeError("The message is not an object.");
  const fields = raw as Record<string, unknown>;
  if (fields.v !== MESSAGE_VERSION)
    throw new MalformedChangeError(`The message version is not ${MESSAGE_VERSION}.`);
  const origin: Origin = {
    zoneId: text(fields, "zoneId", /^[A-Za-z0-9]{1,32}$/),
    requestedAt: whole(fields, "requestedAt", 0, Number.MAX_SAFE_INTEGER),
    protocol: text(fields, "protocol"),
    sourceIp: text(fields, "sourceIp"),
  };
  if (fields.kind === "records") {
    const records = fields.records;
    if (!Array.isArray(records) || records.length === 0) {
      throw new MalformedChangeError("The message has no records.");
    }
    return { kind: "records", ...origin, host: text(fields, "host", NAME), records: records.map(record) };
  }
  if (fields.kind === "acme") {
    const action = fields.action;
    if (action !== "present" && action !== "cleanup") {
      throw new MalformedChangeError("The message's action is not present or cleanup.");
    }
    const value = text(fields, "value");
    if (!isChallengeValue(value)) throw new MalformedChangeError("The challenge value is malformed.");
    return {
      kind: "acme",
      ...origin,
      name: text(fields, "name", NAME),
      txtName: text(fields, "txtName", NAME),
      action,
      value,
    };
  }
  throw new MalformedChangeError("The message's kind is not records or acme.");
}
