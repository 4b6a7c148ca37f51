/**
 * The record writer for tests against moto: a change queue with its dead-letter queue (as Terraform
 * builds them, reduced to what a test needs) and the writer polling it as the event source mapping
 * would (src/local/writer-poller.ts). The writer is the real one (src/writer/) over the SDK, built
 * for each start, so a test may give it its own environment; `drained()` waits until every queued
 * change has been handled. Its log lines are kept, not printed.
 */
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import type { LogEntry } from "../../src/core/log.js";
import { startWriterPoller } from "../../src/local/writer-poller.js";
import { readWriterSettings } from "../../src/settings.js";
import { applyBatch } from "../../src/writer/apply.js";
import { createWriterTargets } from "../../src/writer/handler.js";

export interface ChangeQueues {
  readonly queueUrl: string;
  readonly dlqUrl: string;
}

/** A change queue whose messages go to the dead-letter queue after `maxReceiveCount` receives. */
export async function createChangeQueues(
  sqs: SQSClient,
  name: string,
  options: { visibilityTimeoutSeconds?: number; maxReceiveCount?: number } = {},
): Promise<ChangeQueues> {
  const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl ?? "";
  const dlqArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["QueueArn"] }))
  ).Attributes?.QueueArn;
  const queueUrl =
    (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: name,
          Attributes: {
            VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 1),
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: dlqArn,
              maxReceiveCount: options.maxReceiveCount ?? 3,
            }),
          },
        }),
      )
    ).QueueUrl ?? "";
  return { queueUrl, dlqUrl };
}

/** Messages waiting or in flight on a queue. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return (
    Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

export interface RunningWriter {
  readonly logs: LogEntry[];
  /** Resolves once the queue is empty (every change written, or moved to the dead-letter queue). */
  drained(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the writer on `queueUrl` with `env` (the writer's environment: DDNS_WRITER_*, DDNS_EVENT_BUS). */
export async function startTestWriter(options: {
  sqs: SQSClient;
  queueUrl: string;
  env: NodeJS.ProcessEnv;
  batchSize?: number;
  eventPublishTimeoutMs?: number;
  /** Reaches the emulator without the process's environment. */
  clientConfig?: { endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } };
}): Promise<RunningWriter> {
  const logs: LogEntry[] = [];
  const targets = createWriterTargets(
    { ...readWriterSettings(options.env), eventPublishTimeoutMs: options.eventPublishTimeoutMs },
    (entry) => logs.push(entry),
    options.clientConfig,
  );
  const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failed = await applyBatch(
      targets,
      event.Records.map((record) => ({ id: record.messageId, body: record.body })),
    );
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };
  const poller = await startWriterPoller({
    sqs: options.sqs,
    queueUrl: options.queueUrl,
    handler,
    batchSize: options.batchSize ?? 100,
    windowSeconds: 1,
  });
  return {
    logs,
    async drained(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while ((await queueDepth(options.sqs, options.queueUrl)) > 0) {
        if (Date.now() > deadline) throw new Error(`the change queue did not drain within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    stop: () => poller.stop(),
  };
}
