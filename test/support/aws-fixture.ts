/**
 * A config bucket, a hosted zone, a config file and the change queue in an emulator, created through
 * the real AWS APIs with the real SDK, plus the helpers tests use to look at the result. The record
 * writer polls the change queue in this process as the event source mapping would
 * (test/support/writer.ts), and `recordValues` reads once every queued change has been handled, so a
 * test that sets a record and reads it sees what the writer wrote.
 */
import { randomBytes } from "node:crypto";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type RRType,
} from "@aws-sdk/client-route-53";
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { bareZoneId } from "../../src/config/schema.js";
import { FUNCTION_ACCESS_KEY } from "./aws-recorder.js";
import type { RunningWriter } from "./writer.js";

export const TEST_CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" };
/** A function's own key: the recording proxy (aws-recorder.ts) keeps the calls signed with it. */
export const FUNCTION_CREDENTIALS = { accessKeyId: FUNCTION_ACCESS_KEY, secretAccessKey: "testing" };
export const TEST_REGION = "us-east-1";
const CHANGE_QUEUE = "ddns-test-changes";

/** The fixture's change queue, as moto names it (its account is always 123456789012). */
export function fixtureQueueUrl(endpointUrl: string): string {
  return `${endpointUrl}/123456789012/${CHANGE_QUEUE}`;
}

/** The state bucket (the writer's applied marks) createAwsFixture makes beside `bucket`. */
export function fixtureStateBucket(bucket: string): string {
  return `${bucket}-state`;
}

/** The fair-share table createAwsFixture makes beside `bucket` (as terraform/modules/share-table does). */
export function fixtureShareTable(bucket: string): string {
  return `${bucket}-shares`;
}

export interface AwsFixture {
  readonly s3: S3Client;
  readonly route53: Route53Client;
  readonly bucket: string;
  readonly zoneId: string;
  readonly zoneName: string;
  putConfig(document: unknown, key?: string): Promise<void>;
  putConfigText(text: string, key?: string): Promise<void>;
  deleteConfig(key?: string): Promise<void>;
  recordValues(name: string, type: RRType): Promise<{ values: string[]; ttl: number | undefined }>;
  /** UPSERTs one record set: any type, one value or several (TXT values quoted as Route 53 wants them). */
  setRecord(name: string, type: RRType, value: string | readonly string[], ttl?: number): Promise<void>;
  /** Resolves once the writer has handled every queued change (written, or left for redelivery). */
  drained(): Promise<void>;
}

/** SDK clients of the emulator at `endpointUrl`, with the test credentials (S3 path-style). */
export function clientsFor(endpointUrl: string) {
  const clientConfig = { endpoint: endpointUrl, region: TEST_REGION, credentials: TEST_CREDENTIALS };
  return {
    s3: new S3Client({ ...clientConfig, forcePathStyle: true }),
    route53: new Route53Client(clientConfig),
    dynamodb: new DynamoDBClient(clientConfig),
  };
}

/** Creates a bucket, a hosted zone and (unless told not to) the change queue with a writer in this process, then attaches to them. */
export async function createAwsFixture(
  endpointUrl: string,
  options: { zoneName?: string; bucket?: string; inProcessWriter?: boolean } = {},
): Promise<AwsFixture> {
  const { s3, route53 } = clientsFor(endpointUrl);
  const bucket = options.bucket ?? `ddns-config-${randomBytes(4).toString("hex")}`;
  const zoneName = options.zoneName ?? "dyn.example.com.";
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  // The deployment gives the writer a state bucket and the request function a share table
  // (deployment.ts maps them to these).
  await s3.send(new CreateBucketCommand({ Bucket: fixtureStateBucket(bucket) }));
  await createShareTable(endpointUrl, fixtureShareTable(bucket));
  const zone = await route53.send(
    new CreateHostedZoneCommand({ Name: zoneName, CallerReference: randomBytes(8).toString("hex") }),
  );
  const zoneId = bareZoneId(zone.HostedZone?.Id ?? "");
  // A stack that runs the built writer itself (dev-stack) asks for none here.
  if (options.inProcessWriter ?? true) await startFixtureWriter(endpointUrl, bucket);
  return attachAwsFixture(endpointUrl, { bucket, zoneId, zoneName });
}

/** A table keyed as terraform/modules/share-table keys it. */
export async function createShareTable(endpointUrl: string, name: string): Promise<void> {
  const { dynamodb } = clientsFor(endpointUrl);
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      }),
    );
  } finally {
    dynamodb.destroy();
  }
}

/** The writers createAwsFixture started, by emulator: drained() quotes what they logged when it fails. */
const fixtureWriters = new Map<string, RunningWriter>();

/** How long drained() waits for the writer before it fails the test. */
const DRAIN_TIMEOUT_MS = 20_000;

/**
 * The change queue and the writer polling it, in this process: one per emulator, however many
 * fixtures a test makes on it. Two writers would race on one TXT record's compare-and-set, which
 * Route 53 refuses but moto does not check (it lets a CREATE over a record with other values pass),
 * so a value could be lost in the test that the deployment never loses.
 */
async function startFixtureWriter(endpointUrl: string, bucket: string): Promise<void> {
  if (fixtureWriters.has(endpointUrl)) return;
  const { createChangeQueues, startTestWriter } = await import("./writer.js");
  const { deployedEnvironment } = await import("./deployment.js");
  const sqs = new SQSClient({ endpoint: endpointUrl, region: TEST_REGION, credentials: TEST_CREDENTIALS });
  const { queueUrl } = await createChangeQueues(sqs, CHANGE_QUEUE);
  const writer = await startTestWriter({
    sqs,
    queueUrl,
    env: deployedEnvironment(endpointUrl, { bucket }, "writer"),
    clientConfig: { endpoint: endpointUrl, credentials: TEST_CREDENTIALS },
  });
  fixtureWriters.set(endpointUrl, writer);
}

/** The fixture writer's last warnings and errors, for a failure message (the writer logs no secrets). */
function writerTrouble(endpointUrl: string): string {
  const trouble = (fixtureWriters.get(endpointUrl)?.logs ?? []).filter((entry) => entry.level !== "info");
  if (trouble.length === 0) return "The writer logged no warning or error.";
  return `The writer's last warnings and errors:\n${trouble
    .slice(-5)
    .map((entry) => `  ${JSON.stringify(entry)}`)
    .join("\n")}`;
}

/** SQS's answer for a queue that is not there (a stack whose queue Terraform named otherwise). */
function isMissingQueue(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name ?? "";
  return name === "QueueDoesNotExist" || name === "AWS.SimpleQueueService.NonExistentQueue";
}

/** The helpers for a bucket and zone that already exist (created earlier, or by Terraform). */
export function attachAwsFixture(
  endpointUrl: string,
  where: { bucket: string; zoneId: string; zoneName: string },
): AwsFixture {
  const { s3, route53 } = clientsFor(endpointUrl);
  const { bucket, zoneId, zoneName } = where;
  const sqs = new SQSClient({ endpoint: endpointUrl, region: TEST_REGION, credentials: TEST_CREDENTIALS });
  /**
   * Waits until the fixture's change queue is empty, then fails if a change went to its dead-letter
   * queue: a test reading records must never see a state the writer has not finished with. An
   * emulator that does not answer is asked again, never taken for an empty queue.
   */
  const drained = async () => {
    const { queueDepth } = await import("./writer.js");
    const queueUrl = fixtureQueueUrl(endpointUrl);
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    for (;;) {
      let depth: number | undefined;
      try {
        depth = await queueDepth(sqs, queueUrl);
      } catch (error) {
        // A fixture attached to a stack without this queue has nothing to wait for.
        if (isMissingQueue(error)) return;
      }
      if (depth === 0) break;
      if (Date.now() > deadline) {
        throw new Error(
          `The change queue did not drain within ${DRAIN_TIMEOUT_MS / 1000} s. ${writerTrouble(endpointUrl)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const dead = await queueDepth(sqs, `${queueUrl}-dlq`).catch(() => 0);
    if (dead > 0) {
      throw new Error(
        `${dead} queued change(s) went to the dead-letter queue instead of Route 53. ${writerTrouble(endpointUrl)}`,
      );
    }
  };

  const putConfigText = async (text: string, key = "config.json") => {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: text,
        ContentType: "application/json",
        ServerSideEncryption: "AES256",
      }),
    );
  };

  return {
    s3,
    route53,
    bucket,
    zoneId,
    zoneName,
    putConfigText,
    putConfig: (document, key) => putConfigText(JSON.stringify(document, null, 2), key),
    deleteConfig: async (key = "config.json") => {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    drained,
    recordValues: async (name, type) => {
      await drained();
      const fqdn = name.endsWith(".") ? name : `${name}.`;
      const page = await route53.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          StartRecordName: fqdn,
          StartRecordType: type,
          MaxItems: 1,
        }),
      );
      const record = page.ResourceRecordSets?.[0];
      if (!record || record.Name?.toLowerCase() !== fqdn.toLowerCase() || record.Type !== type) {
        return { values: [], ttl: undefined };
      }
      return { values: (record.ResourceRecords ?? []).map((r) => r.Value ?? ""), ttl: record.TTL };
    },
    setRecord: async (name, type, value, ttl = 60) => {
      await route53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: {
            Changes: [
              {
                Action: "UPSERT",
                ResourceRecordSet: {
                  Name: name,
                  Type: type,
                  TTL: ttl,
                  ResourceRecords: [value].flat().map((one) => ({ Value: one })),
                },
              },
            ],
          },
        }),
      );
    },
  };
}
