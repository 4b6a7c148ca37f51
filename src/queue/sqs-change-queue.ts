/**
 * The SQS side of ChangeQueue: the request function's only way to Route 53. One SendMessage for a
 * lone change, SendMessageBatch (10 entries a call) for several. SQS may refuse single entries of a
 * batch (throttled, say): those are sent once more, and what still fails throws, so the caller tells
 * its client to come back (a change sent twice is harmless: the writer merges and skips what is set).
 */
import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { encodeChange, type QueuedChange } from "../core/changes.js";
import { httpStatusOf, ThrottledError, UnavailableError } from "../core/errors.js";
import type { ChangeQueue } from "../core/ports.js";

/** SendMessageBatch takes at most 10 entries. */
const ENTRIES_PER_CALL = 10;
const ATTEMPTS = 2;

export class SqsChangeQueue implements ChangeQueue {
  readonly #sqs: SQSClient;
  readonly #queueUrl: string;

  constructor(sqs: SQSClient, queueUrl: string) {
    this.#sqs = sqs;
    this.#queueUrl = queueUrl;
  }

  async send(changes: readonly QueuedChange[]): Promise<readonly string[]> {
    try {
      if (changes.length === 1) {
        const sent = await this.#sqs.send(
          new SendMessageCommand({
            QueueUrl: this.#queueUrl,
            MessageBody: encodeChange(changes[0] as QueuedChange),
          }),
        );
        return [sent.MessageId ?? ""];
      }
      const ids: string[] = new Array(changes.length).fill("");
      for (let start = 0; start < changes.length; start += ENTRIES_PER_CALL) {
        await this.#sendBatch(changes, start, Math.min(changes.length, start + ENTRIES_PER_CALL), ids);
      }
      return ids;
    } catch (error) {
      throw translateSqsError(error);
    }
  }

  async #sendBatch(changes: readonly QueuedChange[], from: number, to: number, ids: string[]): Promise<void> {
    let pending = Array.from({ length: to - from }, (_, offset) => from + offset);
    for (let attempt = 1; attempt <= ATTEMPTS && pending.length > 0; attempt++) {
      const sent = await this.#sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.#queueUrl,
          Entries: pending.map((index) => ({
            Id: String(index),
            MessageBody: encodeChange(changes[index] as QueuedChange),
          })),
        }),
      );
      for (const entry of sent.Successful ?? []) ids[Number(entry.Id)] = entry.MessageId ?? "";
      const failed = new Set((sent.Failed ?? []).map((entry) => Number(entry.Id)));
      pending = pending.filter((index) => failed.has(index));
    }
    if (pending.length > 0) throw new ThrottledError("The change queue refused some changes.", 2);
  }
}

function translateSqsError(error: unknown): Error {
  if (error instanceof ThrottledError || error instanceof UnavailableError) return error;
  const name = (error as { name?: string })?.name ?? "";
  if (name.includes("Throttl") || httpStatusOf(error) === 429 || name === "RequestThrottled") {
    return new ThrottledError("The change queue is throttling requests.", 2, { cause: error });
  }
  // Anything else (unreachable, refused, misconfigured): the change was not queued.
  return new UnavailableError("The change queue could not take the change.", 2, { cause: error });
}
