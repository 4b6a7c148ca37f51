/**
 * `ddns queue status` and `ddns queue replay` against moto (docs/architecture.md "Write path"):
 * changes that failed every delivery reach the dead-letter queue through SQS's own redrive, status
 * counts and shows them without moving them, a dry run moves nothing, a replay moves each once and the
 * record writer then applies them, and bad input is refused with a clear message and nothing moved.
 */
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeChange } from "../../src/core/changes.js";
import { type AwsFixture, createAwsFixture, TEST_CREDENTIALS, TEST_REGION } from "../support/aws-fixture.js";
import { runDdns } from "../support/ddns-cli.js";
import { deployedEnvironment } from "../support/deployment.js";
import { type MotoServer, startMoto } from "../support/moto.js";
import { type ChangeQueues, createChangeQueues, queueDepth, startTestWriter } from "../support/writer.js";

const MAX_RECEIVES = 3;
const CHALLENGE = "a".repeat(22) + "B".repeat(21);
const UNREADABLE = '{"v":1,"kind":"nonsense","secret":"must-never-be-printed"}';

describe("ddns queue status / replay against moto", () => {
  let moto: MotoServer;
  let aws: AwsFixture;
  let sqs: SQSClient;
  let queues: ChangeQueues;
  let env: Record<string, string>;
  const ddns = (argv: string[]) => runDdns(argv, env);

  const change = (host: string, value: string, requestedAt = Date.now()) =>
    encodeChange({
      kind: "records",
      zoneId: aws.zoneId,
      requestedAt,
      protocol: "seed",
      sourceIp: "192.0.2.99",
      host,
      records: [{ name: host, type: "A", ttl: 60, value, previous: [] }],
    });

  /** Fails every delivery of what waits on the change queue, as a writer facing a Route 53 outage would. */
  async function failEveryDelivery(): Promise<void> {
    for (
      let attempt = 0;
      attempt <= MAX_RECEIVES * 3 && (await queueDepth(sqs, queues.queueUrl)) > 0;
      attempt++
    ) {
      await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queues.queueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 0,
        }),
      );
    }
  }

  const depths = async () => ({
    changes: await queueDepth(sqs, queues.queueUrl),
    deadLetter: await queueDepth(sqs, queues.dlqUrl),
  });

  beforeAll(async () => {
    moto = await startMoto();
    aws = await createAwsFixture(moto.url);
    sqs = new SQSClient({ endpoint: moto.url, region: TEST_REGION, credentials: TEST_CREDENTIALS });
    queues = await createChangeQueues(sqs, "ddns-ops-changes", { maxReceiveCount: MAX_RECEIVES });
    // The dead-letter queue is left for the CLI to find from the change queue's redrive policy.
    env = { ...deployedEnvironment(moto.url, { bucket: aws.bucket, queueUrl: queues.queueUrl }) };
    for (const [host, value] of [
      ["stranded-1.dyn.example.com.", "198.51.100.1"],
      ["stranded-2.dyn.example.com.", "198.51.100.2"],
    ] as const) {
      await sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: change(host, value) }));
    }
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.queueUrl,
        MessageBody: encodeChange({
          kind: "acme",
          zoneId: aws.zoneId,
          requestedAt: Date.now(),
          protocol: "acme-dns",
          sourceIp: "192.0.2.99",
          name: "stranded-1.dyn.example.com.",
          txtName: "_acme-challenge.stranded-1.dyn.example.com.",
          action: "present",
          value: CHALLENGE,
        }),
      }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: UNREADABLE }));
    await failEveryDelivery();
    // One change that is merely waiting, not failed.
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.queueUrl,
        MessageBody: change("waiting.dyn.example.com.", "198.51.100.9"),
      }),
    );
  });

  afterAll(async () => {
    await moto?.stop();
  });

  it("status counts both queues and shows what the dead-letter messages wanted, moving nothing", async () => {
    // prepare
    expect(await depths()).toEqual({ changes: 1, deadLetter: 4 });
    // act
    const human = await ddns(["queue", "status"]);
    const json = await ddns(["queue", "status", "--json"]);
    // assess
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain(
      `change queue      ${queues.queueUrl}\n  waiting 1, in flight 0, delayed 0`,
    );
    expect(human.stdout).toContain(`dead-letter queue ${queues.dlqUrl}\n  waiting 4, in flight 0, delayed 0`);
    expect(human.stdout).toContain(`after ${MAX_RECEIVES} failed deliveries from the change queue`);
    expect(human.stdout).toContain(`zone ${aws.zoneId} stranded-1.dyn.example.com. A 198.51.100.1`);
    expect(human.stdout).toContain(
      `zone ${aws.zoneId} _acme-challenge.stranded-1.dyn.example.com. TXT present "${CHALLENGE}"`,
    );
    expect(human.stdout).toContain("unreadable (The message's zoneId is missing or malformed.)");
    expect(human.stdout).toMatch(/the oldest of them sent \d{4}-\d\d-\d\dT[\d:.]+Z \(0 min ago\)/);
    // Only what a change wanted is shown: no raw body, no source address.
    expect(human.stdout + json.stdout).not.toContain("must-never-be-printed");
    expect(human.stdout + json.stdout).not.toContain("192.0.2.99");
    const data = JSON.parse(json.stdout);
    expect(data.changeQueue).toEqual({ url: queues.queueUrl, waiting: 1, inFlight: 0, delayed: 0 });
    expect(data.deadLetterQueue).toMatchObject({
      url: queues.dlqUrl,
      waiting: 4,
      maxReceiveCount: MAX_RECEIVES,
    });
    expect(data.deadLetterQueue.messages).toHaveLength(4);
    expect(await depths()).toEqual({ changes: 1, deadLetter: 4 });
  });

  it("replay --dry-run counts what would move and moves nothing", async () => {
    // act
    const dry = await ddns(["queue", "replay", "--dry-run"]);
    // assess
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(
      `would move 3 changes from ${queues.dlqUrl} to ${queues.queueUrl} (--dry-run`,
    );
    expect(dry.stdout).toContain("left 1 message the writer cannot read");
    // What it held is visible again at once, for the next status or replay.
    const status = JSON.parse((await ddns(["queue", "status", "--json"])).stdout);
    expect(status.deadLetterQueue.waiting).toBe(4);
    expect(status.changeQueue.waiting).toBe(1);
  });

  it("refuses bad input with a clear message, and moves nothing", async () => {
    // act
    const zero = await ddns(["queue", "replay", "--max", "0"]);
    const typo = await ddns(["queue", "replay", "--dryrun"]);
    const extra = await ddns(["queue", "status", "now"]);
    const missing = await ddns(["queue", "status", "--queue-url", `${moto.url}/123456789012/no-such-queue`]);
    const notUrl = await ddns(["queue", "status", "--dlq-url", "ddns-ops-changes-dlq"]);
    const swapped = await ddns([
      "queue",
      "replay",
      "--queue-url",
      queues.dlqUrl,
      "--dlq-url",
      queues.queueUrl,
    ]);
    const unknown = await runDdns(["queue", "status"], { ...env, DDNS_CHANGE_QUEUE_URL: "" });
    // assess
    expect([zero.code, zero.stderr]).toEqual([
      2,
      'ddns queue replay: --max takes a whole number of messages from 1, not "0".\n',
    ]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("unknown option --dryrun (did you mean --dry-run?)");
    expect([extra.code, extra.stderr]).toEqual([2, 'ddns queue status: takes no arguments, not "now".\n']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`There is no change queue at ${moto.url}/123456789012/no-such-queue`);
    expect(notUrl.code).toBe(2);
    expect(notUrl.stderr).toContain("--dlq-url takes a queue URL such as https://sqs.");
    expect(swapped.code).toBe(3);
    expect(swapped.stderr).toContain(
      `${queues.queueUrl} is not the dead-letter queue of ${queues.dlqUrl} (it has no redrive policy)`,
    );
    expect(swapped.stderr).toContain("Nothing was moved.");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("No change queue: pass --queue-url, set DDNS_CHANGE_QUEUE_URL");
    expect(await depths()).toEqual({ changes: 1, deadLetter: 4 });
  });

  it("replay moves each change once (--max first), leaves the unreadable one, and the writer applies them", async () => {
    // act
    const first = await ddns(["queue", "replay", "--max", "1", "--dlq-url", queues.dlqUrl]);
    const afterFirst = await depths();
    const rest = await ddns(["queue", "replay", "--json"]);
    const afterRest = await depths();
    const writer = await startTestWriter({
      sqs,
      queueUrl: queues.queueUrl,
      env: { DDNS_WRITER_CHANGES_PER_SECOND: "10" },
      clientConfig: { endpoint: moto.url, credentials: TEST_CREDENTIALS },
    });
    try {
      await writer.drained();
    } finally {
      await writer.stop();
    }
    // assess
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`moved 1 change from ${queues.dlqUrl} to ${queues.queueUrl}`);
    expect(first.stdout).toContain("stopped at --max 1");
    expect(afterFirst).toEqual({ changes: 2, deadLetter: 3 });
    expect(rest.code, rest.stderr).toBe(0);
    expect(JSON.parse(rest.stdout)).toMatchObject({ dryRun: false, moved: 2, unreadable: 1, sendFailed: 0 });
    expect(afterRest).toEqual({ changes: 4, deadLetter: 1 });
    expect(writer.logs.filter((line) => line.level === "error")).toEqual([]);
    for (const [host, value] of [
      ["stranded-1.dyn.example.com.", "198.51.100.1"],
      ["stranded-2.dyn.example.com.", "198.51.100.2"],
      ["waiting.dyn.example.com.", "198.51.100.9"],
    ]) {
      expect((await aws.recordValues(host as string, "A")).values, host).toEqual([value]);
    }
    expect((await aws.recordValues("_acme-challenge.stranded-1.dyn.example.com.", "TXT")).values).toEqual([
      `"${CHALLENGE}"`,
    ]);
    expect(await depths()).toEqual({ changes: 0, deadLetter: 1 });
    const leftover = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queues.dlqUrl, VisibilityTimeout: 0 }),
    );
    expect(leftover.Messages?.map((message) => message.Body)).toEqual([UNREADABLE]);
  });
});
