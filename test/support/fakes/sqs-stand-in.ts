/**
 * An SQS standard queue for the simulations, in virtual time: the request function's SqsChangeQueue
 * sends to it through `client` (SendMessage, SendMessageBatch), and the event source mapping's model
 * (event-source-mapping.ts) receives and deletes through `receive` / `delete`.
 *
 * What a standard queue promises, and no more ("Amazon SQS standard queues", SQS Developer Guide):
 * - no order: a receive hands out visible messages picked at random, not oldest first;
 * - at least once: with `duplicateRate`, a received message is also delivered again later (a copy
 *   left on a server that was unavailable when it was received or deleted), with its own receipt;
 * - a received message is invisible for the visibility timeout, then comes again unless deleted; the
 *   receive that would make its count exceed `maxReceiveCount` moves it to the dead-letter queue;
 * - a long poll answers as soon as a message is visible, else after its wait, empty;
 * - billing: every call is a request, and each 64 KiB of a call's payload another (SQS pricing).
 */
import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { VirtualClock } from "./clock.js";

export interface QueueMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly receiveCount: number;
}

interface Stored {
  readonly messageId: string;
  readonly body: string;
  receiveCount: number;
  /** Changes with every receive: a delete or a return with an older handle does nothing. */
  handle: string;
  deleted: boolean;
}

interface Waiter {
  readonly max: number;
  readonly resolve: (messages: QueueMessage[]) => void;
  done: boolean;
}

export interface SqsStandInOptions {
  readonly clock: VirtualClock;
  /** Each call's round trip, in virtual milliseconds. */
  readonly latencyMs: number;
  readonly visibilityTimeoutMs: number;
  readonly maxReceiveCount: number;
  /** Share of receives that leave a second copy to be delivered again within 10 s. */
  readonly duplicateRate?: number;
}

const BILLING_CHUNK = 64 * 1024;

export class SqsStandIn {
  /** Calls by action, and billed requests (64 KiB chunks) over all of them. */
  readonly calls = {
    SendMessage: 0,
    SendMessageBatch: 0,
    ReceiveMessage: 0,
    emptyReceives: 0,
    DeleteMessageBatch: 0,
  };
  billedRequests = 0;
  /** Messages sent, deliveries made (duplicates included), and duplicate deliveries. */
  sent = 0;
  deliveries = 0;
  duplicates = 0;
  readonly deadLetters: string[] = [];
  readonly #options: SqsStandInOptions;
  readonly #visible: Stored[] = [];
  readonly #waiters: Waiter[] = [];
  #inFlight = 0;
  #sequence = 0;

  constructor(options: SqsStandInOptions) {
    this.#options = options;
  }

  /** Messages visible or in flight (ApproximateNumberOfMessages + …NotVisible). */
  get depth(): number {
    return this.#visible.length + this.#inFlight;
  }

  /** What SqsChangeQueue is given in place of `new SQSClient(…)`. */
  get client(): SQSClient {
    return { send: (command: unknown) => this.#send(command) } as unknown as SQSClient;
  }

  async #send(command: unknown): Promise<unknown> {
    const { clock, latencyMs } = this.#options;
    if (command instanceof SendMessageCommand) {
      this.calls.SendMessage++;
      this.#bill(command.input.MessageBody?.length ?? 0);
      await clock.sleep(latencyMs);
      return { MessageId: this.#enqueue(command.input.MessageBody ?? "") };
    }
    if (command instanceof SendMessageBatchCommand) {
      this.calls.SendMessageBatch++;
      const entries = command.input.Entries ?? [];
      if (entries.length > 10) throw new Error("SendMessageBatch takes at most 10 entries");
      this.#bill(entries.reduce((total, entry) => total + (entry.MessageBody?.length ?? 0), 0));
      await clock.sleep(latencyMs);
      return {
        Successful: entries.map((entry) => ({
          Id: entry.Id,
          MessageId: this.#enqueue(entry.MessageBody ?? ""),
        })),
        Failed: [],
      };
    }
    throw new Error(`the SQS stand-in does not answer ${(command as object).constructor.name}`);
  }

  /** ReceiveMessage: up to `max` (≤ 10) messages, waiting up to `waitMs` for the first. */
  async receive(max: number, waitMs: number): Promise<QueueMessage[]> {
    const { clock, latencyMs } = this.#options;
    this.calls.ReceiveMessage++;
    this.billedRequests++;
    await clock.sleep(latencyMs);
    let messages = this.#take(Math.min(10, max));
    if (messages.length === 0 && waitMs > 0) {
      messages = await new Promise<QueueMessage[]>((resolve) => {
        const waiter: Waiter = { max: Math.min(10, max), resolve, done: false };
        this.#waiters.push(waiter);
        clock.at(clock.now() + waitMs, () => {
          if (waiter.done) return;
          waiter.done = true;
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          resolve([]);
        });
      });
    }
    if (messages.length === 0) this.calls.emptyReceives++;
    return messages;
  }

  /** DeleteMessageBatch (10 a call): what the mapping does with the messages the writer did not report failed. */
  async delete(receiptHandles: readonly string[]): Promise<void> {
    for (let start = 0; start < receiptHandles.length; start += 10) {
      this.calls.DeleteMessageBatch++;
      this.billedRequests++;
      await this.#options.clock.sleep(this.#options.latencyMs);
      for (const handle of receiptHandles.slice(start, start + 10)) {
        const stored = this.#byHandle.get(handle);
        if (!stored || stored.handle !== handle || stored.deleted) continue;
        stored.deleted = true;
        this.#byHandle.delete(handle);
        this.#inFlight--;
      }
    }
  }

  readonly #byHandle = new Map<string, Stored>();

  #bill(payloadBytes: number): void {
    this.billedRequests += Math.max(1, Math.ceil(payloadBytes / BILLING_CHUNK));
  }

  #enqueue(body: string): string {
    this.sent++;
    const messageId = `m-${++this.#sequence}`;
    this.#makeVisible({ messageId, body, receiveCount: 0, handle: "", deleted: false });
    return messageId;
  }

  #makeVisible(stored: Stored): void {
    this.#visible.push(stored);
    while (this.#waiters.length > 0 && this.#visible.length > 0) {
      const waiter = this.#waiters.shift() as Waiter;
      waiter.done = true;
      waiter.resolve(this.#take(waiter.max));
    }
  }

  #take(max: number): QueueMessage[] {
    const { clock, visibilityTimeoutMs, maxReceiveCount, duplicateRate = 0 } = this.#options;
    const taken: QueueMessage[] = [];
    while (taken.length < max && this.#visible.length > 0) {
      const pick = Math.floor(Math.random() * this.#visible.length);
      const stored = this.#visible[pick] as Stored;
      this.#visible[pick] = this.#visible[this.#visible.length - 1] as Stored;
      this.#visible.pop();
      if (stored.receiveCount >= maxReceiveCount) {
        this.deadLetters.push(stored.body);
        continue;
      }
      stored.receiveCount++;
      stored.handle = `${stored.messageId}#${stored.receiveCount}#${++this.#sequence}`;
      this.#byHandle.set(stored.handle, stored);
      this.#inFlight++;
      this.deliveries++;
      taken.push({
        messageId: stored.messageId,
        receiptHandle: stored.handle,
        body: stored.body,
        receiveCount: stored.receiveCount,
      });
      const handle = stored.handle;
      clock.at(clock.now() + visibilityTimeoutMs, () => {
        if (stored.deleted || stored.handle !== handle) return;
        this.#byHandle.delete(handle);
        this.#inFlight--;
        this.#makeVisible(stored);
      });
      if (Math.random() < duplicateRate) {
        this.duplicates++;
        const copy: Stored = {
          messageId: stored.messageId,
          body: stored.body,
          receiveCount: 0,
          handle: "",
          deleted: false,
        };
        this.#inFlight++;
        clock.at(clock.now() + Math.random() * 10_000, () => {
          this.#inFlight--;
          this.#makeVisible(copy);
        });
      }
    }
    return taken;
  }
}
