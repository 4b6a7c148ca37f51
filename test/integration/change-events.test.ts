/**
 * Change events end to end against moto: the request function's real clients (src/aws.ts) queue the
 * change, the record writer (polled from the change queue as the event source mapping would) writes
 * it and publishes to an EventBridge bus, a rule on it delivers to an SQS queue, and the test reads
 * that queue. A change delivers one event per record, a no-change none, and a missing or hanging bus
 * never fails the write (nor holds the writer much past the publish bound).
 */
import { createServer, type Server, type Socket } from "node:net";
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createAwsBackends } from "../../src/aws.js";
import type { LogEntry } from "../../src/core/log.js";
import { DEFAULT_PUBLISH_TIMEOUT_MS } from "../../src/events/bounded.js";
import { readSettings } from "../../src/settings.js";
import { type AwsFixture, createAwsFixture, TEST_CREDENTIALS, TEST_REGION } from "../support/aws-fixture.js";
import { deployedEnvironment } from "../support/deployment.js";
import { httpEvent } from "../support/events.js";
import { fleetConfig, fleetHost, setQuery } from "../support/fakes/fleet.js";
import { freePort, type MotoServer, startMoto } from "../support/moto.js";
import { createChangeQueues, type RunningWriter, startTestWriter } from "../support/writer.js";

const BUS = "ddns-events";
const HOST = fleetHost(0);
const FQDN = `${HOST.hostname}.`;
const HOME_IP = "198.51.100.1";

let moto: MotoServer;
let fixture: AwsFixture;
let sqs: SQSClient;
let queueUrl: string;
let changeQueueUrl: string;
let writer: RunningWriter | undefined;
let hangingBus: Server;
const hangingSockets = new Set<Socket>();
const savedEnv = { ...process.env };

beforeAll(async () => {
  moto = await startMoto();
  fixture = await createAwsFixture(moto.url);
  Object.assign(process.env, deployedEnvironment(moto.url, { bucket: fixture.bucket }), {
    DDNS_CONFIG_CACHE_SECONDS: "0",
  });
  const clientConfig = { endpoint: moto.url, region: TEST_REGION, credentials: TEST_CREDENTIALS };
  const eventBridge = new EventBridgeClient(clientConfig);
  sqs = new SQSClient(clientConfig);

  changeQueueUrl = (await createChangeQueues(sqs, "ddns-change-queue")).queueUrl;
  process.env.DDNS_CHANGE_QUEUE_URL = changeQueueUrl;
  // What Terraform's notifications module builds, reduced to the queue a test can read.
  await eventBridge.send(new CreateEventBusCommand({ Name: BUS }));
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "ddns-changes" }))).QueueUrl ?? "";
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }),
  );
  await eventBridge.send(
    new PutRuleCommand({
      Name: "ddns-changes",
      EventBusName: BUS,
      EventPattern: JSON.stringify({ source: ["route53-ddns"], "detail-type": ["DNS record changed"] }),
    }),
  );
  await eventBridge.send(
    new PutTargetsCommand({
      Rule: "ddns-changes",
      EventBusName: BUS,
      Targets: [{ Id: "queue", Arn: attributes.Attributes?.QueueArn }],
    }),
  );

  // Accepts connections and never answers: a bus endpoint that hangs.
  hangingBus = createServer((socket) => {
    hangingSockets.add(socket);
  });
  await new Promise<void>((resolve) => hangingBus.listen(0, "127.0.0.1", resolve));
});

afterEach(async () => {
  await writer?.stop();
  writer = undefined;
});

afterAll(async () => {
  process.env = savedEnv;
  for (const socket of hangingSockets) socket.destroy();
  hangingBus?.close();
  await moto?.stop();
});

beforeEach(async () => {
  delete process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
  await fixture.putConfig(fleetConfig(1, fixture.zoneId));
  await fixture.setRecord(FQDN, "A", HOME_IP);
  await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
});

/**
 * A fresh request container with the function's real clients, and a record writer publishing to
 * `eventBus`; `set` answers once the writer has handled the change. Delivery tests give the publisher
 * more than the writer's 500 ms, which a busy test machine's emulator can exceed; the bound itself is
 * tested with the writer's own value.
 */
async function container(eventBus: string, eventPublishTimeoutMs = 10_000) {
  const logs: LogEntry[] = [];
  const backends = createAwsBackends(readSettings(process.env), (entry) => logs.push(entry));
  const app = createApp({ backends: async () => backends, log: (entry) => logs.push(entry) });
  writer = await startTestWriter({
    sqs,
    queueUrl: changeQueueUrl,
    env: { DDNS_EVENT_BUS: eventBus, DDNS_WRITER_CHANGES_PER_SECOND: "10" },
    eventPublishTimeoutMs,
  });
  const running = writer;
  return {
    logs,
    writerLogs: running.logs,
    set: async (ip: string) => {
      const answer = await app(httpEvent({ sourceIp: ip, query: setQuery(HOST, ip) }));
      await running.drained();
      return answer;
    },
  };
}

async function delivered(): Promise<Array<Record<string, unknown>>> {
  const received = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
  );
  return (received.Messages ?? []).map((message) => JSON.parse(message.Body ?? "{}"));
}

describe("change events through EventBridge to SQS (moto)", () => {
  it("delivers one event for a change, with the previous and current values", async () => {
    // prepare
    const { set, logs, writerLogs } = await container(BUS);
    // act
    const result = await set("203.0.113.7");
    // assess
    expect(result.statusCode).toBe(201);
    const events = await delivered();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ source: "route53-ddns", "detail-type": "DNS record changed" });
    expect(events[0]?.detail).toEqual({
      hostname: FQDN,
      type: "A",
      previous: [HOME_IP],
      current: ["203.0.113.7"],
      protocol: "seed",
      sourceIp: "203.0.113.7",
      changeId: expect.stringMatching(/\S/),
    });
    expect([...logs, ...writerLogs].filter((line) => line.level === "warn")).toEqual([]);
  });

  it("delivers nothing when the record already holds the address", async () => {
    const { set } = await container(BUS);

    const result = await set(HOME_IP);

    expect(result.statusCode).toBe(200);
    expect(await delivered()).toEqual([]);
  });

  it("still answers 201 and changes the record when the bus does not exist, with a warning", async () => {
    const { set, logs, writerLogs } = await container("no-such-bus");

    const result = await set("203.0.113.8");

    expect(result.statusCode).toBe(201);
    expect((await fixture.recordValues(FQDN, "A")).values).toEqual(["203.0.113.8"]);
    expect(writerLogs.find((line) => line.level === "warn")).toMatchObject({
      msg: "change events not published",
      bus: "no-such-bus",
      records: [`${FQDN} A`],
    });
    expect(logs.find((line) => line.msg === "request")).toMatchObject({ level: "info", decision: "updated" });
  });

  it("writes the record and moves on within the publish bound when the bus endpoint hangs", async () => {
    const address = hangingBus.address();
    const port = typeof address === "object" && address ? address.port : await freePort();
    process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = `http://127.0.0.1:${port}`;
    const { set, writerLogs } = await container(BUS, DEFAULT_PUBLISH_TIMEOUT_MS);

    const result = await set("203.0.113.10");

    expect(result.statusCode).toBe(201);
    expect((await fixture.recordValues(FQDN, "A")).values).toEqual(["203.0.113.10"]);
    expect(writerLogs.filter((line) => line.msg === "change events not published")).toMatchObject([
      { error: { name: "TimeoutError" } },
    ]);
    expect(await delivered()).toEqual([]);
  });
});
