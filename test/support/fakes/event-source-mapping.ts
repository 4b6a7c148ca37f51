/**
 * The change queue's event source mapping as Lambda documents it, for the simulations (AWS Lambda
 * Developer Guide, "Configuring scaling behavior for SQS event source mappings" and "Lambda
 * parameters for Amazon SQS event source mappings"):
 * - five pollers long-poll the queue (20 s) while it is idle;
 * - a poller that receives a message gathers a batch (ReceiveMessage takes 10 at most) until it holds
 *   BatchSize messages, MaximumBatchingWindowInSeconds has passed since its first, or 6 MB;
 * - at most ScalingConfig.MaximumConcurrency invocations run at once: a gathered batch waits for a
 *   free one (its messages stay in flight, the queue's visibility timeout is six times the writer's);
 * - each invocation runs in a writer environment: an idle one, else a new one (a cold start); an
 *   environment idle for `idleReclaimMs` is gone (Lambda documents no figure; 10 minutes here);
 * - the answer's batchItemFailures stay (they come again after the visibility timeout); the rest is
 *   deleted (DeleteMessageBatch, 10 a call). An invocation over the function's timeout deletes none.
 * Not documented, so assumed: how a poller spaces its receives within the window (here each receive
 * long-polls until the window ends).
 */
import type { VirtualClock } from "./clock.js";
import type { QueueMessage, SqsStandIn } from "./sqs-stand-in.js";

/** One writer environment's handler: the ids of the messages to deliver again. */
export type WriterBatchHandler = (messages: readonly { id: string; body: string }[]) => Promise<string[]>;

export interface EventSourceMappingOptions {
  readonly clock: VirtualClock;
  readonly queue: SqsStandIn;
  readonly batchSize: number;
  readonly windowSeconds: number;
  readonly maximumConcurrency: number;
  /** Module scope of a new writer environment (its own pacer, clients). */
  readonly startEnvironment: () => WriterBatchHandler;
  readonly coldStartMs: number;
  readonly timeoutMs: number;
  readonly idleReclaimMs?: number;
  readonly pollers?: number;
}

const PAYLOAD_LIMIT = 6 * 1024 * 1024;
const LONG_POLL_MS = 20_000;

export class EventSourceMapping {
  readonly stats = {
    invocations: 0,
    coldStarts: 0,
    billedMs: 0,
    largestBatch: 0,
    timedOut: 0,
    failedReported: 0,
  };
  readonly #options: EventSourceMappingOptions;
  readonly #idle: { handler: WriterBatchHandler; lastUsed: number }[] = [];
  readonly #slotWaiters: (() => void)[] = [];
  #running = 0;
  #stopped = false;

  constructor(options: EventSourceMappingOptions) {
    this.#options = options;
    for (let poller = 0; poller < (options.pollers ?? 5); poller++) void this.#poll();
  }

  /** The pollers stop after their current receive (the simulation's end). */
  stop(): void {
    this.#stopped = true;
  }

  async #poll(): Promise<void> {
    const { clock, queue, batchSize, windowSeconds } = this.#options;
    while (!this.#stopped) {
      const batch = await queue.receive(Math.min(10, batchSize), LONG_POLL_MS);
      if (batch.length === 0) continue;
      const deadline = clock.now() + windowSeconds * 1000;
      let bytes = batch.reduce((total, message) => total + message.body.length, 0);
      while (batch.length < batchSize && clock.now() < deadline && bytes < PAYLOAD_LIMIT && !this.#stopped) {
        const more = await queue.receive(Math.min(10, batchSize - batch.length), deadline - clock.now());
        batch.push(...more);
        bytes += more.reduce((total, message) => total + message.body.length, 0);
      }
      await this.#acquire();
      try {
        await this.#invoke(batch);
      } finally {
        this.#release();
      }
    }
  }

  async #invoke(batch: readonly QueueMessage[]): Promise<void> {
    const { clock, queue, coldStartMs, timeoutMs, idleReclaimMs = 600_000 } = this.#options;
    const startedAt = clock.now();
    let environment = this.#idle.pop();
    if (environment && startedAt - environment.lastUsed > idleReclaimMs) environment = undefined;
    if (!environment) {
      this.stats.coldStarts++;
      environment = { handler: this.#options.startEnvironment(), lastUsed: startedAt };
      await clock.sleep(coldStartMs);
    }
    this.stats.invocations++;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
    const failed = new Set(
      await environment.handler(batch.map((message) => ({ id: message.messageId, body: message.body }))),
    );
    const duration = clock.now() - startedAt;
    this.stats.billedMs += duration;
    environment.lastUsed = clock.now();
    this.#idle.push(environment);
    if (duration > timeoutMs) {
      this.stats.timedOut++;
      return;
    }
    this.stats.failedReported += failed.size;
    await queue.delete(batch.filter((message) => !failed.has(message.messageId)).map((m) => m.receiptHandle));
  }

  async #acquire(): Promise<void> {
    if (this.#running < this.#options.maximumConcurrency) {
      this.#running++;
      return;
    }
    await new Promise<void>((resolve) => this.#slotWaiters.push(resolve));
  }

  #release(): void {
    const next = this.#slotWaiters.shift();
    if (next) next();
    else this.#running--;
  }
}
