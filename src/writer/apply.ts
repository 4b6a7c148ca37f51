/**
 * The record writer's batch (docs/architecture.md "Write path"): the messages of one SQS batch in, the ids
 * of those that must come again out (ReportBatchItemFailures); everything else is done and deleted.
 *
 * - Address records are merged per zone and name: the newest request wins (core/changes.ts). A
 *   change older than the newest already applied to that record (AppliedMarks) is dropped, as is a
 *   redelivery of that newest request: a redelivered older change never overwrites a newer.
 * - What is left goes to Route 53 as few ChangeResourceRecordSets as the limits allow (≤ 1,000
 *   elements, ≤ 32,000 characters, an UPSERT counting twice), a message's records always in one call
 *   (a host and the names that follow it move together), each call after the pacer allows it.
 * - Route 53 refusing a call of several messages (one bad record spoils the batch) retries each
 *   message alone; throttling or an outage fails the call's messages, which SQS delivers again.
 * - ACME edits are applied per TXT record, in request order, in one compare-and-set (core/acme.ts).
 * - Change events go out after each write; their failure never fails a message (events/bounded.ts).
 * - A message that cannot be read is reported failed: after its retries it rests in the dead-letter
 *   queue for the operator (`ddns queue status`), never half applied.
 */
import { applyChallengeEdits } from "../core/acme.js";
import {
  decodeChange,
  type QueuedChallenge,
  type QueuedRecord,
  type QueuedRecords,
} from "../core/changes.js";
import { DnsUpdateError } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import { errorSummary } from "../core/log.js";
import {
  type AppliedMarks,
  type ChangeEvents,
  markKey,
  type RecordChangeEvent,
  type RecordWriter,
  type TxtRecords,
} from "../core/ports.js";
import type { Pacer } from "./pacer.js";

/** Route 53's limits per ChangeResourceRecordSets: ResourceRecord elements and value characters, UPSERTs counting twice. */
export const BATCH_LIMITS = { elements: 1000, characters: 32_000, upsertWeight: 2 } as const;

export interface WriterMessage {
  readonly id: string;
  readonly body: string;
}

export interface WriterTargets {
  readonly records: RecordWriter;
  readonly txt: TxtRecords;
  readonly marks?: AppliedMarks | undefined;
  readonly events?: ChangeEvents | undefined;
  readonly pacer: Pacer;
  readonly log: Logger;
}

interface Winner {
  readonly message: QueuedRecords & { readonly id: string };
  readonly record: QueuedRecord;
}

/** Resolves to the ids of the messages to deliver again. */
export async function applyBatch(
  targets: WriterTargets,
  messages: readonly WriterMessage[],
): Promise<string[]> {
  const failed = new Set<string>();
  const records: (QueuedRecords & { id: string })[] = [];
  const challenges: (QueuedChallenge & { id: string })[] = [];
  for (const message of messages) {
    try {
      const change = decodeChange(message.body);
      if (change.kind === "records") records.push({ ...change, id: message.id });
      else challenges.push({ ...change, id: message.id });
    } catch (error) {
      targets.log({
        level: "error",
        msg: "unreadable change message",
        messageId: message.id,
        error: errorSummary(error),
      });
      failed.add(message.id);
    }
  }
  await Promise.all([writeRecords(targets, records, failed), writeChallenges(targets, challenges, failed)]);
  return messages.filter((message) => failed.has(message.id)).map((message) => message.id);
}

/** Per zone and record, the newest request's change (a later message wins a tie: SQS's order). */
function newestPerRecord(messages: readonly (QueuedRecords & { id: string })[]): Map<string, Winner[]> {
  const newest = new Map<string, Winner>();
  for (const message of messages) {
    for (const record of message.records) {
      const key = `${message.zoneId}|${record.name}|${record.type}`;
      const known = newest.get(key);
      if (!known || known.message.requestedAt <= message.requestedAt) newest.set(key, { message, record });
    }
  }
  const perZone = new Map<string, Winner[]>();
  for (const winner of newest.values()) {
    const zone = perZone.get(winner.message.zoneId) ?? [];
    zone.push(winner);
    perZone.set(winner.message.zoneId, zone);
  }
  return perZone;
}

async function writeRecords(
  targets: WriterTargets,
  messages: readonly (QueuedRecords & { id: string })[],
  failed: Set<string>,
): Promise<void> {
  for (const [zoneId, winners] of newestPerRecord(messages)) {
    let fresh: Winner[];
    try {
      fresh = await withoutApplied(targets.marks, zoneId, winners);
    } catch (error) {
      // Without the marks the writer cannot tell old from new: the messages come again.
      targets.log({ level: "error", msg: "applied marks unavailable", zoneId, error: errorSummary(error) });
      for (const winner of winners) failed.add(winner.message.id);
      continue;
    }
    const written: Winner[] = [];
    for (const chunk of chunks(fresh)) written.push(...(await writeChunk(targets, zoneId, chunk, failed)));
    await keepMarks(targets, zoneId, written);
  }
}

/**
 * Drops the changes a newer request, or this very request (a redelivery), already wrote. A newer
 * request for the value the mark holds is written again: the request function queues a change only
 * when the name servers gave something else, so the record was changed behind the writer's back.
 */
async function withoutApplied(
  marks: AppliedMarks | undefined,
  zoneId: string,
  winners: readonly Winner[],
): Promise<Winner[]> {
  if (!marks) return [...winners];
  const applied = await marks.read(
    zoneId,
    winners.map(({ record }) => record),
  );
  return winners.filter((winner) => {
    const mark = applied.get(markKey(winner.record));
    if (!mark) return true;
    if (mark.requestedAt > winner.message.requestedAt) return false;
    // The same request again (a redelivery) is done. A newer one with the mark's value is written
    // all the same: after two writers raced (writer/s3-marks.ts), Route 53 may hold the older value
    // under a mark of the newer, and the router's next check is what puts it right.
    if (mark.requestedAt === winner.message.requestedAt) return mark.value !== winner.record.value;
    return true;
  });
}

function weight(record: QueuedRecord): { elements: number; characters: number } {
  return {
    elements: BATCH_LIMITS.upsertWeight,
    characters: BATCH_LIMITS.upsertWeight * record.value.length,
  };
}

/** The changes in calls within Route 53's limits, a message's records never split. */
export function chunks(winners: readonly Winner[]): Winner[][] {
  const byMessage = new Map<string, Winner[]>();
  for (const winner of winners) {
    const list = byMessage.get(winner.message.id) ?? [];
    list.push(winner);
    byMessage.set(winner.message.id, list);
  }
  const result: Winner[][] = [];
  let current: Winner[] = [];
  let size = { elements: 0, characters: 0 };
  for (const group of byMessage.values()) {
    const add = group.reduce(
      (sum, winner) => {
        const w = weight(winner.record);
        return { elements: sum.elements + w.elements, characters: sum.characters + w.characters };
      },
      { elements: 0, characters: 0 },
    );
    const fits =
      size.elements + add.elements <= BATCH_LIMITS.elements &&
      size.characters + add.characters <= BATCH_LIMITS.characters;
    if (!fits && current.length > 0) {
      result.push(current);
      current = [];
      size = { elements: 0, characters: 0 };
    }
    current.push(...group);
    size = { elements: size.elements + add.elements, characters: size.characters + add.characters };
  }
  if (current.length > 0) result.push(current);
  return result;
}

/**
 * After Route 53 took them: what a redelivery of these changes will be told (see withoutApplied). A
 * record another writer changed meanwhile gets the newest mark's value written once more, after both
 * writers' calls: otherwise an older address could stay until the router's next check.
 */
async function keepMarks(targets: WriterTargets, zoneId: string, written: readonly Winner[]): Promise<void> {
  if (!targets.marks || written.length === 0) return;
  let contested: Awaited<ReturnType<AppliedMarks["keep"]>>;
  try {
    contested = await targets.marks.keep(
      zoneId,
      written.map(({ message, record }) => ({
        name: record.name,
        type: record.type,
        requestedAt: message.requestedAt,
        value: record.value,
      })),
    );
  } catch (error) {
    // The records are written; only a redelivery of these messages could now be written again.
    targets.log({
      level: "warn",
      msg: "applied marks not kept",
      zoneId,
      records: written.length,
      error: errorSummary(error),
    });
    return;
  }
  if (contested.length === 0) return;
  // keep() returns only records of `written`: each takes its TTL from the change this batch wrote.
  const writtenRecords = new Map(written.map(({ record }) => [markKey(record), record]));
  const again = contested.flatMap(({ name, type, value }) => {
    const record = writtenRecords.get(markKey({ name, type }));
    return record ? [{ name, type, value, ttl: record.ttl }] : [];
  });
  try {
    await targets.pacer.take();
    const changeId = await targets.records.upsert(zoneId, again);
    targets.log({
      level: "info",
      msg: "records written again after a race",
      zoneId,
      changeId,
      records: again.length,
    });
  } catch (error) {
    // The router's next check finds its address missing and queues it again.
    targets.log({
      level: "warn",
      msg: "records not written again after a race",
      zoneId,
      records: again.length,
      error: errorSummary(error),
    });
  }
}

/** Resolves to the changes Route 53 took (their messages done); the others' ids are in `failed`. */
async function writeChunk(
  targets: WriterTargets,
  zoneId: string,
  chunk: readonly Winner[],
  failed: Set<string>,
): Promise<Winner[]> {
  const ids = new Set(chunk.map((winner) => winner.message.id));
  let changeId: string;
  try {
    await targets.pacer.take();
    changeId = await targets.records.upsert(
      zoneId,
      chunk.map(({ record: { name, type, ttl, value } }) => ({ name, type, ttl, value })),
    );
  } catch (error) {
    if (error instanceof DnsUpdateError && ids.size > 1) {
      // One message's record may have spoilt the call: each message alone.
      const written: Winner[] = [];
      for (const id of ids) {
        const alone = chunk.filter((winner) => winner.message.id === id);
        written.push(...(await writeChunk(targets, zoneId, alone, failed)));
      }
      return written;
    }
    targets.log({
      level: "error",
      msg: "records not written",
      zoneId,
      records: chunk.length,
      error: errorSummary(error),
    });
    for (const id of ids) failed.add(id);
    return [];
  }
  const events: RecordChangeEvent[] = chunk.map(({ message, record }) => ({
    hostname: record.name,
    type: record.type,
    previous: record.previous,
    current: [record.value],
    protocol: message.protocol,
    sourceIp: message.sourceIp,
    changeId,
  }));
  targets.log({
    level: "info",
    msg: "records written",
    zoneId,
    changeId,
    records: chunk.length,
    messages: ids.size,
  });
  if (targets.events) await targets.events.publish(events);
  return [...chunk];
}

async function writeChallenges(
  targets: WriterTargets,
  messages: readonly (QueuedChallenge & { id: string })[],
  failed: Set<string>,
): Promise<void> {
  const perRecord = new Map<string, (QueuedChallenge & { id: string })[]>();
  for (const message of messages) {
    const key = `${message.zoneId}|${message.txtName}`;
    perRecord.set(key, [...(perRecord.get(key) ?? []), message]);
  }
  for (const edits of perRecord.values()) {
    edits.sort((a, b) => a.requestedAt - b.requestedAt);
    const first = edits[0] as QueuedChallenge;
    try {
      await targets.pacer.take();
      const written = await applyChallengeEdits(targets.txt, first.zoneId, first.txtName, edits);
      if (written.changed && targets.events) {
        await targets.events.publishChallenges(
          edits.map((edit) => ({
            txtName: edit.txtName,
            name: edit.name,
            action: edit.action,
            current: written.values,
            protocol: edit.protocol,
            sourceIp: edit.sourceIp,
            changeId: edit.id,
          })),
        );
      }
    } catch (error) {
      targets.log({
        level: "error",
        msg: "challenge not written",
        txtName: first.txtName,
        error: errorSummary(error),
      });
      for (const edit of edits) failed.add(edit.id);
    }
  }
}
