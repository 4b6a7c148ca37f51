/**
 * The change queue's event source mapping, on one machine: moto speaks SQS but runs no event source
 * mappings, so the local stack and the tests poll the queue and invoke `writer.handler` the way
 * Lambda's poller does (docs/architecture.md "Write path"):
 * - receive up to 10 messages a call (long polling), gathering until the batch size is reached or the
 *   batching window has passed since the first message of the batch;
 * - invoke the handler with an SQS event (`Records`, one per message, as Lambda builds it);
 * - delete the messages the answer's `batchItemFailures` does not name; a handler that throws
 *   deletes none. What is not deleted comes again once the queue's visibility timeout has passed,
 *   and after the queue's maxReceiveCount goes to the dead-letter queue, as in AWS.
 * One batch at a time (the mapping's maximum concurrency is at least 2; one here keeps logs readable).
 */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";

export type WriterHandler = (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;

export interface PollerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly handler: WriterHandler;
  /** The mapping's BatchSize (default 100). */
  readonly batchSize?: number;
  /** The mapping's MaximumBatchingWindowInSeconds (default 1). */
  readonly windowSeconds?: number;
  /** Hears each invocation: how many messages went in, how many failed, or what the handler threw. */
  readonly onBatch?: (report: { messages: number; failed: number; error?: unknown }) => void;
}

/** SQS hands out at most 10 messages per ReceiveMessage. */
const RECEIVE_MAX = 10;
/** SQS deletes at most 10 per DeleteMessageBatch. */
const DELETE_MAX = 10;

export interface WriterPoller {
  /** Stops after the batch under way; resolves once stopped. */
  stop(): Promise<void>;
  /** How many batches the handler has been given so far. */
  readonly batches: () => number;
}

export async function startWriterPoller(options: PollerOptions): Promise<WriterPoller> {
  const batchSize = options.batchSize ?? 100;
  const windowMs = (options.windowSeconds ?? 1) * 1000;
  const arn = await queueArn(options.sqs, options.queueUrl);
  const abort = new AbortController();
  let batches = 0;

  const receive = async (max: number, waitSeconds: number): Promise<Message[]> => {
    const received = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(RECEIVE_MAX, max),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
      { abortSignal: abort.signal },
    );
    return received.Messages ?? [];
  };

  const gather = async (): Promise<Message[]> => {
    const batch = await receive(batchSize, 1);
    if (batch.length === 0) return batch;
    const deadline = Date.now() + windowMs;
    while (batch.length < batchSize && Date.now() < deadline && !abort.signal.aborted) {
      const waitSeconds = Math.min(20, Math.max(0, Math.floor((deadline - Date.now()) / 1000)));
      batch.push(...(await receive(batchSize - batch.length, waitSeconds)));
    }
    return batch;
  };

  const invoke = async (messages: Message[]): Promise<void> => {
    let failed = new Set<string>(messages.map((message) => message.MessageId ?? ""));
    let error: unknown;
    try {
      const answer = await options.handler(sqsEvent(messages, arn));
      failed = new Set((answer?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch (thrown) {
      error = thrown;
    }
    const done = messages.filter((message) => !failed.has(message.MessageId ?? ""));
    for (let start = 0; start < done.length; start += DELETE_MAX) {
      await options.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: done.slice(start, start + DELETE_MAX).map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
    }
    batches++;
    options.onBatch?.({ messages: messages.length, failed: messages.length - done.length, error });
  };

  const loop = (async () => {
    while (!abort.signal.aborted) {
      try {
        const batch = await gather();
        if (batch.length > 0) await invoke(batch);
      } catch (error) {
        if (abort.signal.aborted) break;
        options.onBatch?.({ messages: 0, failed: 0, error });
        // Unref'd: a poller whose emulator has gone never keeps its process alive.
        await new Promise((resolve) => setTimeout(resolve, 1000).unref());
      }
    }
  })();

  return {
    stop: async () => {
      abort.abort();
      await loop;
    },
    batches: () => batches,
  };
}

async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }),
  );
  return attributes.Attributes?.QueueArn ?? "";
}

/** The event Lambda's SQS poller builds: one record per message. */
export function sqsEvent(messages: readonly Message[], eventSourceARN: string): SQSEvent {
  return {
    Records: messages.map((message) => ({
      messageId: message.MessageId ?? "",
      receiptHandle: message.ReceiptHandle ?? "",
      body: message.Body ?? "",
      attributes: {
        ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? "1",
        SentTimestamp: message.Attributes?.SentTimestamp ?? "",
        SenderId: message.Attributes?.SenderId ?? "",
        ApproximateFirstReceiveTimestamp: message.Attributes?.ApproximateFirstReceiveTimestamp ?? "",
      },
      messageAttributes: {},
      md5OfBody: message.MD5OfBody ?? "",
      eventSource: "aws:sqs",
      eventSourceARN,
      awsRegion: eventSourceARN.split(":")[3] ?? "",
    })),
  };
}
