/**
 * The app wired to the real S3, Route 53 and SQS adapters over SDK clients mocked with
 * aws-sdk-client-mock: what the handler runs in Lambda, minus the network. The mocked change queue
 * hands each message straight to the record writer (src/writer/apply.ts with its real Route 53
 * adapters, unpaced), so a test sees the record written when the request has been answered.
 */
import { Readable } from "node:stream";
import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
} from "@aws-sdk/client-route-53";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { sdkStreamMixin } from "@smithy/util-stream";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { type App, createApp } from "../../src/app.js";
import { createAwsBackends } from "../../src/aws.js";
import type { LogEntry } from "../../src/core/log.js";
import type { Backends } from "../../src/core/ports.js";
import { applyBatch } from "../../src/writer/apply.js";
import { createWriterTargets } from "../../src/writer/handler.js";
import { Route53StandIn } from "./fakes/route53.js";

export const ZONE_ID = "Z0123456789ABC";
export const BUCKET = "ddns-config-test";
export const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/ddns-changes";

/** A GetObject answer as the SDK gives it: the body a stream the adapter reads once, and its ETag. */
export function getObjectOutput(text: string, etag = '"etag-1"') {
  return { Body: sdkStreamMixin(Readable.from([Buffer.from(text)])), ETag: etag };
}

export function mockConfig(s3: AwsClientStub<S3Client>, document: unknown, etag?: string): void {
  s3.on(GetObjectCommand).callsFake(() => getObjectOutput(JSON.stringify(document), etag));
}

/**
 * Route 53 answers ListResourceRecordSets from the Route 53 fake (fakes/route53.ts) holding `records`
 * in `zoneId`, paged and ordered as the fake pages them. Returns the fake, to change records later.
 */
export function mockRecords(
  route53: AwsClientStub<Route53Client>,
  records: readonly ResourceRecordSet[],
  zoneId = ZONE_ID,
): Route53StandIn {
  const zone = new Route53StandIn();
  for (const record of records) {
    const values = (record.ResourceRecords ?? []).map((resource) => resource.Value ?? "");
    if (!record.Name || !record.Type || values.length === 0 || record.AliasTarget || record.SetIdentifier)
      throw new Error(`the Route 53 fake holds simple records, not ${JSON.stringify(record)}`);
    zone.setRecord(zoneId, record.Name, record.Type, values, record.TTL);
  }
  route53
    .on(ListResourceRecordSetsCommand)
    .callsFake((input) => zone.send(new ListResourceRecordSetsCommand(input)));
  return zone;
}

/** The start of every mocked test: `config` in S3, an empty zone, and changes that Route 53 accepts. */
export function resetMockedAws(
  s3: AwsClientStub<S3Client>,
  route53: AwsClientStub<Route53Client>,
  config: unknown,
): void {
  s3.reset();
  route53.reset();
  mockConfig(s3, config);
  mockRecords(route53, []);
  route53
    .on(ChangeResourceRecordSetsCommand)
    .resolves({ ChangeInfo: { Id: "/change/C1", Status: "PENDING", SubmittedAt: new Date() } });
}

export interface TestApp {
  readonly app: App;
  readonly logs: LogEntry[];
  /** The record writer's log lines, apart from the requests'. */
  readonly writerLogs: LogEntry[];
  /** The bodies of the messages the app queued, parsed. */
  readonly queued: unknown[];
  readonly backends: Backends;
  /** Moves the app's clock; starts at 2026-11-27T14:00:00Z. */
  advance(seconds: number): void;
  nowSeconds(): number;
}

export function testApp(
  options: {
    configCacheSeconds?: number;
    recordCacheSeconds?: number;
    eventBus?: string;
    reservedNames?: readonly string[];
    edgeSecret?: string;
    /** The change queue refuses every message with this error (what SQS throws). */
    queueFault?: () => Error;
  } = {},
): TestApp {
  let now = Date.parse("2026-11-27T14:00:00Z");
  const clock = () => now;
  const logs: LogEntry[] = [];
  const log = (entry: LogEntry) => logs.push(entry);
  const writerLogs: LogEntry[] = [];
  const queued: unknown[] = [];
  const writer = {
    ...createWriterTargets(
      { eventBus: options.eventBus, changesPerSecond: 10, eventPublishTimeoutMs: 500 },
      (entry) => writerLogs.push(entry),
    ),
    pacer: { take: async () => {} },
  };
  let sequence = 0;
  const deliver = async (bodies: string[]) => {
    if (options.queueFault) throw options.queueFault();
    const messages = bodies.map((body) => ({ id: `message-${++sequence}`, body }));
    queued.push(...bodies.map((body) => JSON.parse(body)));
    const failed = await applyBatch(writer, messages);
    return messages.map((message) => ({ id: message.id, failed: failed.includes(message.id) }));
  };
  const sqs = mockClient(SQSClient);
  sqs.on(SendMessageCommand).callsFake(async (input) => {
    const [sent] = await deliver([input.MessageBody]);
    return { MessageId: sent?.id };
  });
  sqs.on(SendMessageBatchCommand).callsFake(async (input) => {
    const sent = await deliver(
      (input.Entries ?? []).map((entry: { MessageBody: string }) => entry.MessageBody),
    );
    return {
      Successful: (input.Entries ?? []).map((entry: { Id: string }, index: number) => ({
        Id: entry.Id,
        MessageId: sent[index]?.id,
      })),
      Failed: [],
    };
  });
  const backends = createAwsBackends(
    {
      configBucket: BUCKET,
      configKey: "config.json",
      configCacheSeconds: options.configCacheSeconds ?? 60,
      recordCacheSeconds: options.recordCacheSeconds ?? 60,
      nameServers: [],
      reservedNames: options.reservedNames,
      changeQueueUrl: QUEUE_URL,
    },
    log,
    clock,
  );
  return {
    app: createApp({ backends: async () => backends, log, now: clock, edgeSecret: options.edgeSecret }),
    logs,
    writerLogs,
    queued,
    backends,
    advance: (seconds) => {
      now += seconds * 1000;
    },
    nowSeconds: () => Math.floor(now / 1000),
  };
}

/** A record set as Route 53 lists it. */
export function aRecord(name: string, value: string, type: "A" | "AAAA" = "A", ttl = 60): ResourceRecordSet {
  return { Name: name, Type: type, TTL: ttl, ResourceRecords: [{ Value: value }] };
}
