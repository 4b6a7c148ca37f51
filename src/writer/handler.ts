/**
 * Lambda entry point of the record writer (`writer.handler`, docs/architecture.md "Write path"): an SQS
 * event from the change queue's event source mapping in, `{ batchItemFailures }` out
 * (ReportBatchItemFailures), so only the failed messages come again. Wiring only: the batch logic is
 * writer/apply.ts. The only part of the deployment with Route 53 write rights.
 *
 * Environment: DDNS_WRITER_CHANGES_PER_SECOND (change calls a second per writer environment, default
 * 4), DDNS_WRITER_STATE_BUCKET and DDNS_WRITER_MARK_DAYS (the applied marks, writer/s3-marks.ts),
 * DDNS_EVENT_BUS (change events).
 */
import { Route53Client } from "@aws-sdk/client-route-53";
import { S3Client } from "@aws-sdk/client-s3";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { jsonLineLogger, type Logger } from "../core/log.js";
import { Route53TxtRecords } from "../dns/route53-txt.js";
import { Route53RecordWriter } from "../dns/route53-writer.js";
import { boundedChangeEvents, DEFAULT_PUBLISH_TIMEOUT_MS } from "../events/bounded.js";
import { readWriterSettings, type WriterSettings } from "../settings.js";
import { applyBatch, type WriterTargets } from "./apply.js";
import { intervalPacer } from "./pacer.js";
import { S3AppliedMarks } from "./s3-marks.js";

/** `clientConfig` reaches an emulator without the environment (tests); Lambda passes none. */
export function createWriterTargets(
  settings: WriterSettings,
  log: Logger,
  clientConfig: { endpoint?: string; credentials?: { accessKeyId: string; secretAccessKey: string } } = {},
): WriterTargets {
  // The SDK retries Throttling and PriorRequestNotComplete with backoff before the writer sees them.
  const route53 = new Route53Client({
    ...clientConfig,
    region: "us-east-1",
    maxAttempts: 5,
    requestHandler: { connectionTimeout: 2000, requestTimeout: 10_000, throwOnRequestTimeout: true },
  });
  const s3 = new S3Client({
    ...clientConfig,
    ...(clientConfig.endpoint ? { forcePathStyle: true, region: "us-east-1" } : {}),
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 3000, throwOnRequestTimeout: true },
  });
  const timeoutMs = settings.eventPublishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
  const busName = settings.eventBus;
  return {
    records: new Route53RecordWriter(route53),
    txt: new Route53TxtRecords(route53),
    marks:
      settings.stateBucket === undefined
        ? undefined
        : new S3AppliedMarks(s3, settings.stateBucket, { retentionDays: settings.markDays }),
    events:
      busName === undefined
        ? undefined
        : boundedChangeEvents(
            async () =>
              (await import("../events/eventbridge.js")).createEventBridgePublisher(busName, timeoutMs),
            { busName, log, timeoutMs },
          ),
    pacer: intervalPacer(settings.changesPerSecond),
    log,
  };
}

let targets: WriterTargets | undefined;

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  targets ??= createWriterTargets(readWriterSettings(process.env), jsonLineLogger);
  const failed = await applyBatch(
    targets,
    (event.Records ?? []).map((record) => ({ id: record.messageId, body: record.body })),
  );
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
}
