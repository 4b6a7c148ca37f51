/**
 * The app wired to the real S3 and Route 53 adapters over SDK clients mocked with aws-sdk-client-mock:
 * what the handler runs in Lambda, minus the network.
 */
import { Readable } from "node:stream";
import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
} from "@aws-sdk/client-route-53";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { sdkStreamMixin } from "@smithy/util-stream";
import type { AwsClientStub } from "aws-sdk-client-mock";
import { type App, createApp } from "../../src/app.js";
import { createAwsBackends } from "../../src/aws.js";
import type { LogEntry } from "../../src/core/log.js";
import type { Backends } from "../../src/protocols/http.js";

export const ZONE_ID = "Z0123456789ABC";
export const BUCKET = "ddns-config-test";

export function getObjectOutput(text: string, etag = '"etag-1"') {
  return { Body: sdkStreamMixin(Readable.from([Buffer.from(text)])), ETag: etag };
}

export function mockConfig(s3: AwsClientStub<S3Client>, document: unknown, etag?: string): void {
  s3.on(GetObjectCommand).callsFake(() => getObjectOutput(JSON.stringify(document), etag));
}

/** Route 53 answers ListResourceRecordSets from this list, honouring StartRecordName/Type and MaxItems. */
export function mockRecords(route53: AwsClientStub<Route53Client>, records: ResourceRecordSet[]): void {
  route53.on(ListResourceRecordSetsCommand).callsFake((input) => {
    const start = records.findIndex(
      (record) =>
        input.StartRecordName === undefined ||
        (record.Name === input.StartRecordName &&
          (!input.StartRecordType || record.Type === input.StartRecordType)),
    );
    const from = start < 0 ? records.length : start;
    const max = input.MaxItems ?? 300;
    const page = records.slice(from, from + max);
    const next = records[from + max];
    return {
      ResourceRecordSets: page,
      IsTruncated: next !== undefined,
      NextRecordName: next?.Name,
      NextRecordType: next?.Type,
      MaxItems: max,
    };
  });
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
  } = {},
): TestApp {
  let now = Date.parse("2026-11-27T14:00:00Z");
  const clock = () => now;
  const logs: LogEntry[] = [];
  const log = (entry: LogEntry) => logs.push(entry);
  const backends = createAwsBackends(
    {
      configBucket: BUCKET,
      configKey: "config.json",
      configCacheSeconds: options.configCacheSeconds ?? 60,
      recordCacheSeconds: options.recordCacheSeconds ?? 60,
      nameServers: [],
      eventBus: options.eventBus,
      reservedNames: options.reservedNames,
    },
    log,
    clock,
  );
  return {
    app: createApp({ backends: async () => backends, log, now: clock, edgeSecret: options.edgeSecret }),
    logs,
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
