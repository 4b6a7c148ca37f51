/**
 * The write path against moto (SQS, Route 53, S3): the request function's real clients queue each
 * change, the record writer polled as the event source mapping would poll it (src/local/writer-poller.ts)
 * writes it; an older change delivered after a newer one is dropped; a message that keeps failing ends
 * in the dead-letter queue.
 */
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createAwsBackends } from "../../src/aws.js";
import { encodeChange } from "../../src/core/changes.js";
import { readSettings } from "../../src/settings.js";
import { type AwsFixture, createAwsFixture, TEST_CREDENTIALS, TEST_REGION } from "../support/aws-fixture.js";
import { deployedEnvironment } from "../support/deployment.js";
import { httpEvent } from "../support/events.js";
import { fleetConfig, fleetHost, setQuery } from "../support/fakes/fleet.js";
import { type MotoServer, startMoto } from "../support/moto.js";
import {
  type ChangeQueues,
  createChangeQueues,
  queueDepth,
  type RunningWriter,
  startTestWriter,
} from "../support/writer.js";

const STATE_BUCKET = "ddns-writer-state";
let moto: MotoServer;
let fixture: AwsFixture;
let sqs: SQSClient;
let queues: ChangeQueues;
let writer: RunningWriter;
const savedEnv = { ...process.env };

beforeAll(async () => {
  moto = await startMoto();
  fixture = await createAwsFixture(moto.url);
  await fixture.s3.send(new CreateBucketCommand({ Bucket: STATE_BUCKET }));
  sqs = new SQSClient({ endpoint: moto.url, region: TEST_REGION, credentials: TEST_CREDENTIALS });
  queues = await createChangeQueues(sqs, "ddns-changes", { visibilityTimeoutSeconds: 1, maxReceiveCount: 2 });
  Object.assign(process.env, deployedEnvironment(moto.url, { bucket: fixture.bucket }), {
    DDNS_CONFIG_CACHE_SECONDS: "0",
    DDNS_CHANGE_QUEUE_URL: queues.queueUrl,
  });
  writer = await startTestWriter({
    sqs,
    queueUrl: queues.queueUrl,
    env: { DDNS_WRITER_STATE_BUCKET: STATE_BUCKET, DDNS_WRITER_CHANGES_PER_SECOND: "10" },
  });
  await fixture.putConfig(fleetConfig(3, fixture.zoneId));
});

afterAll(async () => {
  await writer?.stop();
  process.env = savedEnv;
  await moto?.stop();
});

function request() {
  const app = createApp({
    backends: async () => createAwsBackends(readSettings(process.env), () => {}),
    log: () => {},
  });
  return (index: number, ip: string) =>
    app(httpEvent({ sourceIp: ip, query: setQuery(fleetHost(index), ip) }));
}

const records = (host: string, requestedAt: number, value: string) =>
  encodeChange({
    kind: "records",
    zoneId: fixture.zoneId,
    requestedAt,
    protocol: "seed",
    sourceIp: value,
    host,
    records: [{ name: host, type: "A", ttl: 60, value, previous: [] }],
  });

describe("the record writer behind the change queue", () => {
  it("writes what the request function queued; the router heard 201 before", async () => {
    // prepare
    const set = request();
    // act
    const answers = await Promise.all([set(0, "203.0.113.10"), set(1, "203.0.113.11")]);
    await writer.drained();
    // assess
    expect(answers.map((answer) => answer.statusCode)).toEqual([201, 201]);
    expect((await fixture.recordValues(`${fleetHost(0).hostname}.`, "A")).values).toEqual(["203.0.113.10"]);
    expect((await fixture.recordValues(`${fleetHost(1).hostname}.`, "A")).values).toEqual(["203.0.113.11"]);
    expect(writer.logs.filter((line) => line.level === "error")).toEqual([]);
  });

  it("drops an older change that arrives after a newer one was written", async () => {
    // prepare
    const host = `${fleetHost(2).hostname}.`;
    const now = Date.now();
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: records(host, now, "198.51.100.2") }),
    );
    await writer.drained();
    // act: SQS delivers an older request after it
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.queueUrl,
        MessageBody: records(host, now - 60_000, "198.51.100.1"),
      }),
    );
    await writer.drained();
    // assess
    expect((await fixture.recordValues(host, "A")).values).toEqual(["198.51.100.2"]);
  });

  it("leaves a message that keeps failing in the dead-letter queue", async () => {
    // act
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: '{"v":1,"kind":"nonsense"}' }),
    );
    await writer.drained();
    // assess
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.dlqUrl, WaitTimeSeconds: 1 }));
    expect(dead.Messages?.map((message) => message.Body)).toEqual(['{"v":1,"kind":"nonsense"}']);
    expect(await queueDepth(sqs, queues.queueUrl)).toBe(0);
    expect(writer.logs.some((line) => line.msg === "unreadable change message")).toBe(true);
  });
});
