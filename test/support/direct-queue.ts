/**
 * A change queue for tests that hands each message straight to the record writer (src/writer/apply.ts)
 * and keeps the messages the writer reported failed, as SQS would, until `redeliver()`. With Route 53
 * mocked by aws-sdk-client-mock, the writer's real adapters make the calls a test asserts on.
 */
import { encodeChange } from "../../src/core/changes.js";
import type { ChangeQueue } from "../../src/core/ports.js";
import { applyBatch, type WriterMessage, type WriterTargets } from "../../src/writer/apply.js";
import { createWriterTargets } from "../../src/writer/handler.js";

export interface DirectQueue extends ChangeQueue {
  /** Messages the writer reported failed, waiting for redelivery. */
  readonly pending: WriterMessage[];
  /** Delivers the pending messages again; resolves to how many failed again. */
  redeliver(): Promise<number>;
}

export function directQueue(targets?: Partial<WriterTargets>): DirectQueue {
  const writer: WriterTargets = {
    ...createWriterTargets({ changesPerSecond: 10 }, () => {}),
    pacer: { take: async () => {} },
    ...targets,
  };
  const pending: WriterMessage[] = [];
  let sequence = 0;
  const deliver = async (messages: WriterMessage[]) => {
    const failed = await applyBatch(writer, messages);
    pending.push(...messages.filter((message) => failed.includes(message.id)));
    return failed.length;
  };
  return {
    pending,
    async send(changes) {
      const messages = changes.map((change) => ({ id: `message-${++sequence}`, body: encodeChange(change) }));
      await deliver(messages);
      return messages.map((message) => message.id);
    },
    async redeliver() {
      return deliver(pending.splice(0));
    },
  };
}
