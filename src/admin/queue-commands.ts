/**
 * `ddns queue status` and `ddns queue replay` (docs/architecture.md "Write path"): the change queue
 * between the request function and the record writer, and its dead-letter queue, where a change rests
 * once it has failed every delivery (Route 53's control plane down, a zone that refused it).
 *
 * - status: each queue's depth as SQS counts it (approximate: waiting, in flight, delayed) and a
 *   look at the dead-letter queue's first messages, received with a visibility timeout of 0 so they
 *   stay where they are. The change queue itself is never received from: every receive counts toward
 *   its maxReceiveCount, so a look would push waiting changes toward the dead-letter queue.
 * - replay: each dead-letter message is sent to the change queue, then deleted, once per run. A
 *   replayed change older than one already written is dropped by the writer (never backwards), and
 *   one sent twice is harmless (the writer skips what is set), so replaying after an outage is safe.
 *   A message the writer cannot read would only fail again: it stays in the dead-letter queue.
 *
 * A message is shown through core/changes.ts's reader (zone, name, type, value, times), never as its
 * raw body: the body of a message that is not a change is not ours to print.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type Message,
  type QueueAttributeName,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { decodeChange, type QueuedChange } from "../core/changes.js";
import { createSqsClient } from "./aws-clients.js";
import type { CommandContext } from "./context.js";
import { CliError, EXIT, RefusedError, UsageError } from "./errors.js";
import { ago } from "./status-commands.js";

/** SQS hands out, sends and deletes at most 10 messages per call. */
const PER_CALL = 10;
/**
 * How long a replay (or its dry run) hides each message it received, so that one run sees every
 * message once; what it did not delete is made visible again when it ends. An interrupted run leaves
 * them hidden this long at most.
 */
const HOLD_SECONDS = 120;
/** A long poll asks every SQS server, so a nearly empty queue still answers with what it has. */
const WAIT_SECONDS = 1;

const ATTRIBUTES: QueueAttributeName[] = [
  "QueueArn",
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesNotVisible",
  "ApproximateNumberOfMessagesDelayed",
  "MessageRetentionPeriod",
  "RedrivePolicy",
];

interface QueueFacts {
  readonly url: string;
  readonly arn: string;
  readonly waiting: number;
  readonly inFlight: number;
  readonly delayed: number;
  readonly retentionSeconds: number;
  readonly redrive?: { readonly deadLetterTargetArn: string; readonly maxReceiveCount: number };
}

interface Queues {
  readonly sqs: SQSClient;
  readonly changes: QueueFacts;
  readonly deadLetter: QueueFacts;
  /** Whether the change queue's redrive policy names this dead-letter queue. */
  readonly paired: boolean;
}

/** What a dead-letter message wanted, as the operator sees it. */
interface ShownMessage {
  readonly messageId: string;
  readonly sentAt?: string;
  readonly change?: ReturnType<typeof summary>;
  /** Why the writer cannot read it. */
  readonly unreadable?: string;
}

export async function queueStatus(context: CommandContext): Promise<void> {
  const queues = await findQueues(context);
  const { changes, deadLetter } = queues;
  if (!queues.paired) context.out.warn(unpairedProblem(queues));
  const received =
    deadLetter.waiting > 0
      ? await receive(queues.sqs, deadLetter.url, PER_CALL, 0).catch((error) => {
          throw sqsProblem(error, deadLetter.url, "dead-letter queue");
        })
      : [];
  const shown = received.map(showMessage);
  const now = new Date();
  const oldestSent = shown
    .map((message) => message.sentAt)
    .filter((sentAt): sentAt is string => sentAt !== undefined)
    .sort()[0];

  const human = [
    `change queue      ${changes.url}`,
    `  ${depth(changes)}`,
    `dead-letter queue ${deadLetter.url}`,
    `  ${depth(deadLetter)}; messages kept ${duration(deadLetter.retentionSeconds)}${
      changes.redrive && queues.paired
        ? `, after ${changes.redrive.maxReceiveCount} failed deliveries from the change queue`
        : ""
    }`,
  ];
  if (shown.length > 0) {
    human.push(
      `  the first ${shown.length} of about ${deadLetter.waiting}${
        oldestSent ? `, the oldest of them sent ${ago(new Date(oldestSent), now)}` : ""
      }:`,
      ...shown.map((message) => `  - ${describe(message, now)}`),
      "Once the cause is fixed (Route 53 answers again), 'ddns queue replay' sends them back to the change queue.",
    );
  }
  context.out.result(human, {
    changeQueue: depthData(changes),
    deadLetterQueue: {
      ...depthData(deadLetter),
      retentionSeconds: deadLetter.retentionSeconds,
      maxReceiveCount: queues.paired ? changes.redrive?.maxReceiveCount : undefined,
      messages: shown,
    },
  });
}

export async function replayQueue(context: CommandContext): Promise<number | undefined> {
  const max = maxOption(context.string("max"));
  const dryRun = context.flag("dry-run");
  const queues = await findQueues(context);
  if (!queues.paired) throw new RefusedError(`${unpairedProblem(queues)} Nothing was moved.`);
  const { sqs, changes, deadLetter } = queues;

  const id = (message: Message) => message.MessageId ?? "";
  const seen = new Set<string>();
  const movedIds = new Set<string>();
  const held: Message[] = [];
  let moved = 0;
  let duplicates = 0;
  const unreadable: string[] = [];
  const sendFailed: string[] = [];
  const deleteFailed: string[] = [];
  context.out.progress(
    `${dryRun ? "reading" : "moving"} the messages of ${deadLetter.url} (about ${deadLetter.waiting})`,
  );
  try {
    while (max === undefined || moved < max) {
      const wanted = Math.min(PER_CALL, max === undefined ? PER_CALL : max - moved);
      const batch = await receive(sqs, deadLetter.url, wanted, HOLD_SECONDS);
      if (batch.length === 0) break;
      const again = batch.filter((message) => seen.has(id(message)));
      // A copy of a message this run already sent (SQS delivers at least once, or its delete
      // failed) is deleted, not sent twice; one it kept is kept again with its new receipt.
      duplicates += await deleteMessages(
        sqs,
        deadLetter.url,
        again.filter((message) => movedIds.has(id(message))),
        deleteFailed,
      );
      held.push(...again.filter((message) => !movedIds.has(id(message))));
      const fresh = batch.filter((message) => !seen.has(id(message)));
      // Nothing new in sight: every visible message has been handled by this run.
      if (fresh.length === 0) break;
      const movable: Message[] = [];
      for (const message of fresh) {
        seen.add(id(message));
        if (showMessage(message).unreadable) {
          unreadable.push(id(message));
          held.push(message);
        } else movable.push(message);
      }
      if (dryRun) {
        moved += movable.length;
        held.push(...movable);
        continue;
      }
      const sent = await sendMessages(sqs, changes.url, movable, sendFailed);
      for (const message of sent) movedIds.add(id(message));
      held.push(...movable.filter((message) => !sent.includes(message)));
      await deleteMessages(sqs, deadLetter.url, sent, deleteFailed);
      moved += sent.length;
    }
  } catch (error) {
    throw sqsProblem(error, deadLetter.url, "dead-letter queue");
  } finally {
    await release(sqs, deadLetter.url, held, context);
  }

  const verb = dryRun ? "would move" : "moved";
  const human = [
    `${verb} ${moved} change${moved === 1 ? "" : "s"} from ${deadLetter.url} to ${changes.url}${
      dryRun ? " (--dry-run: nothing moved)" : ""
    }`,
  ];
  if (max !== undefined && moved >= max) human.push(`stopped at --max ${max}; more may be waiting`);
  if (unreadable.length > 0) {
    human.push(
      `left ${unreadable.length} message${unreadable.length === 1 ? "" : "s"} the writer cannot read in the dead-letter queue (they would only fail again; 'ddns queue status' shows why)`,
    );
  }
  if (sendFailed.length > 0) {
    human.push(
      `${sendFailed.length} could not be sent and stay in the dead-letter queue: run the replay again`,
    );
  }
  if (deleteFailed.length > 0) {
    human.push(
      `${deleteFailed.length} were sent but could not be deleted from the dead-letter queue: a later replay sends them again, which is harmless (the writer skips what is already set)`,
    );
  }
  context.out.result(human, {
    dryRun,
    moved,
    unreadable: unreadable.length,
    sendFailed: sendFailed.length,
    deleteFailed: deleteFailed.length,
    duplicatesDeleted: duplicates,
    from: deadLetter.url,
    to: changes.url,
  });
  return sendFailed.length > 0 || deleteFailed.length > 0 ? EXIT.failed : undefined;
}

function maxOption(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(raw))
    throw new UsageError(`--max takes a whole number of messages from 1, not "${raw}".`);
  return Number(raw);
}

/** The two queues from the options, the environment or the Terraform outputs, and what SQS says of them. */
async function findQueues(context: CommandContext): Promise<Queues> {
  if (context.args.length > 0) throw new UsageError(`takes no arguments, not "${context.args.join(" ")}".`);
  const queueUrl =
    queueUrlOption(context.string("queue-url"), "--queue-url") ?? (await context.target.changeQueueUrl());
  if (!queueUrl) {
    throw new UsageError(
      "No change queue: pass --queue-url, set DDNS_CHANGE_QUEUE_URL, or point --terraform-dir at the deployed Terraform root module (output change_queue_url).",
    );
  }
  const sqs = context.clients.sqs ?? createSqsClient(context.io.env, queueUrl);
  const changes = await readQueue(sqs, queueUrl, "change queue");
  const dlqUrl =
    queueUrlOption(context.string("dlq-url"), "--dlq-url") ??
    (await context.target.deadLetterQueueUrl()) ??
    (changes.redrive ? await urlOfArn(sqs, changes.redrive.deadLetterTargetArn) : undefined);
  if (!dlqUrl) {
    throw new UsageError(
      `No dead-letter queue: ${queueUrl} has no redrive policy; pass --dlq-url, set DDNS_CHANGE_DLQ_URL, or point --terraform-dir at the deployed Terraform root module (output change_dlq_url).`,
    );
  }
  if (dlqUrl === queueUrl) {
    throw new UsageError(`--queue-url and --dlq-url name the same queue (${queueUrl}).`);
  }
  const deadLetter = await readQueue(sqs, dlqUrl, "dead-letter queue");
  return { sqs, changes, deadLetter, paired: changes.redrive?.deadLetterTargetArn === deadLetter.arn };
}

function queueUrlOption(raw: string | undefined, option: string): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.pathname.split("/").filter(Boolean).length !== 2) {
    throw new UsageError(
      `${option} takes a queue URL such as https://sqs.eu-west-1.amazonaws.com/123456789012/ddns-changes, not "${raw}".`,
    );
  }
  return raw;
}

function unpairedProblem({ changes, deadLetter }: Queues): string {
  const named = changes.redrive
    ? `its redrive policy names ${changes.redrive.deadLetterTargetArn}`
    : "it has no redrive policy";
  return `${deadLetter.url} is not the dead-letter queue of ${changes.url} (${named}): check --queue-url and --dlq-url.`;
}

async function readQueue(sqs: SQSClient, url: string, role: string): Promise<QueueFacts> {
  let attributes: Record<string, string>;
  try {
    attributes =
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ATTRIBUTES })))
        .Attributes ?? {};
  } catch (error) {
    throw sqsProblem(error, url, role);
  }
  const count = (name: string) => Number(attributes[name] ?? 0);
  return {
    url,
    arn: attributes.QueueArn ?? "",
    waiting: count("ApproximateNumberOfMessages"),
    inFlight: count("ApproximateNumberOfMessagesNotVisible"),
    delayed: count("ApproximateNumberOfMessagesDelayed"),
    retentionSeconds: count("MessageRetentionPeriod"),
    redrive: redrivePolicy(attributes.RedrivePolicy),
  };
}

function redrivePolicy(raw: string | undefined): QueueFacts["redrive"] {
  if (!raw) return undefined;
  try {
    const policy = JSON.parse(raw) as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
    if (typeof policy.deadLetterTargetArn !== "string") return undefined;
    return {
      deadLetterTargetArn: policy.deadLetterTargetArn,
      maxReceiveCount: Number(policy.maxReceiveCount),
    };
  } catch {
    return undefined;
  }
}

/** arn:aws:sqs:REGION:ACCOUNT:NAME → the queue's URL. */
async function urlOfArn(sqs: SQSClient, arn: string): Promise<string | undefined> {
  const [, , , , account, name] = arn.split(":");
  if (!account || !name) return undefined;
  try {
    return (await sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account })))
      .QueueUrl;
  } catch (error) {
    throw sqsProblem(error, arn, "dead-letter queue");
  }
}

function sqsProblem(error: unknown, where: string, role: string): Error {
  if (error instanceof CliError) return error;
  const name = (error as { name?: string }).name ?? "";
  if (name === "QueueDoesNotExist" || name === "AWS.SimpleQueueService.NonExistentQueue") {
    return new CliError(
      `There is no ${role} at ${where}: check --queue-url and --dlq-url, or the deployment's Terraform outputs (change_queue_url, change_dlq_url).`,
      EXIT.failed,
      { cause: error },
    );
  }
  return error as Error;
}

async function receive(
  sqs: SQSClient,
  url: string,
  max: number,
  visibilitySeconds: number,
): Promise<Message[]> {
  const received = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: max,
      VisibilityTimeout: visibilitySeconds,
      WaitTimeSeconds: WAIT_SECONDS,
      MessageSystemAttributeNames: ["SentTimestamp"],
      MessageAttributeNames: ["All"],
    }),
  );
  return received.Messages ?? [];
}

/** Sends `messages` (at most 10) to the change queue as they are; resolves to those SQS took. */
async function sendMessages(
  sqs: SQSClient,
  url: string,
  messages: readonly Message[],
  failed: string[],
): Promise<Message[]> {
  if (messages.length === 0) return [];
  const answer = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: url,
      Entries: messages.map((message, index) => ({
        Id: String(index),
        MessageBody: message.Body ?? "",
        MessageAttributes: message.MessageAttributes,
      })),
    }),
  );
  const taken = new Set((answer.Successful ?? []).map((entry) => Number(entry.Id)));
  for (const [index, message] of messages.entries())
    if (!taken.has(index)) failed.push(message.MessageId ?? "");
  return messages.filter((_, index) => taken.has(index));
}

/** Resolves to how many were deleted; the ids of the others go to `failed`. */
async function deleteMessages(
  sqs: SQSClient,
  url: string,
  messages: readonly Message[],
  failed: string[],
): Promise<number> {
  if (messages.length === 0) return 0;
  const answer = await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: url,
      Entries: messages.map((message, index) => ({
        Id: String(index),
        ReceiptHandle: message.ReceiptHandle,
      })),
    }),
  );
  for (const entry of answer.Failed ?? []) failed.push(messages[Number(entry.Id)]?.MessageId ?? "");
  return answer.Successful?.length ?? 0;
}

/** Makes the held messages visible again at once, so `queue status` and the next replay see them. */
async function release(sqs: SQSClient, url: string, held: readonly Message[], context: CommandContext) {
  try {
    for (let start = 0; start < held.length; start += PER_CALL) {
      await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: url,
          Entries: held.slice(start, start + PER_CALL).map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: 0,
          })),
        }),
      );
    }
  } catch {
    context.out.warn(
      `some messages of ${url} stay hidden for up to ${HOLD_SECONDS} s before they show again.`,
    );
  }
}

function showMessage(message: Message): ShownMessage {
  const sent = Number(message.Attributes?.SentTimestamp);
  const base = {
    messageId: message.MessageId ?? "",
    ...(Number.isFinite(sent) && sent > 0 ? { sentAt: new Date(sent).toISOString() } : {}),
  };
  try {
    return { ...base, change: summary(decodeChange(message.Body ?? "")) };
  } catch (error) {
    return { ...base, unreadable: (error as Error).message };
  }
}

/** What a change wanted: zone, names, types and values (no source address, no earlier values). */
function summary(change: QueuedChange) {
  const requestedAt = new Date(change.requestedAt).toISOString();
  if (change.kind === "records") {
    return {
      kind: change.kind,
      zoneId: change.zoneId,
      host: change.host,
      requestedAt,
      records: change.records.map(({ name, type, value, ttl }) => ({ name, type, value, ttl })),
    };
  }
  return {
    kind: change.kind,
    zoneId: change.zoneId,
    host: change.name,
    requestedAt,
    records: [{ name: change.txtName, type: "TXT", value: change.value, action: change.action }],
  };
}

function describe(message: ShownMessage, now: Date): string {
  const sent = message.sentAt ? `sent ${ago(new Date(message.sentAt), now)}` : "sent at an unknown time";
  if (!message.change) return `${sent}: unreadable (${message.unreadable})`;
  const records = message.change.records
    .map((record) =>
      "action" in record
        ? `${record.name} TXT ${record.action} "${record.value}"`
        : `${record.name} ${record.type} ${record.value}`,
    )
    .join(", ");
  return `${sent}: zone ${message.change.zoneId} ${records}`;
}

function depth(queue: QueueFacts): string {
  return `waiting ${queue.waiting}, in flight ${queue.inFlight}, delayed ${queue.delayed} (approximate)`;
}

function depthData(queue: QueueFacts) {
  return { url: queue.url, waiting: queue.waiting, inFlight: queue.inFlight, delayed: queue.delayed };
}

function duration(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  return `${seconds} s`;
}
