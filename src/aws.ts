/**
 * The AWS side of the request function: SDK clients and the adapters built on them. The handler
 * imports this module on first need, so routes that touch no backend never load the SDK (cold start).
 * Clients are created once per container; timeouts keep a request well inside API Gateway's 30 s.
 * Route 53 is only read here: changes go to the change queue (docs/architecture.md "Write path").
 */
import { Route53Client } from "@aws-sdk/client-route-53";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { withoutReservedNames } from "./config/reserved-names.js";
import { S3ConfigStore } from "./config/s3-store.js";
import { UnavailableError } from "./core/errors.js";
import type { Logger } from "./core/log.js";
import type { Backends } from "./core/ports.js";
import { NodeDnsReader } from "./dns/name-servers.js";
import { Route53Records, zoneNameServers } from "./dns/route53.js";
import { createDynamoDbShares } from "./queue/dynamodb-shares.js";
import { SqsChangeQueue } from "./queue/sqs-change-queue.js";
import type { Settings } from "./settings.js";

/** `now` is injectable so tests and simulations can move time; Lambda uses the real clock. */
export function createAwsBackends(settings: Settings, log: Logger, now: () => number = Date.now): Backends {
  const s3 = new S3Client({
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true },
  });
  // Route 53 is a global service signed in us-east-1; only reads (no-change checks the name servers
  // could not answer, and GetHostedZone for their names).
  const route53 = new Route53Client({
    region: "us-east-1",
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 3000, throwOnRequestTimeout: true },
  });
  const sqs = new SQSClient({
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true },
  });
  // The no-change check asks the zone's name servers (Route 53's API only when they fail); /status asks only them.
  const nameServers = new NodeDnsReader({
    nameServers: async (zoneId) =>
      settings.nameServers.length > 0 ? settings.nameServers : zoneNameServers(route53, zoneId),
    now,
  });
  return {
    config: withoutReservedNames(
      new S3ConfigStore(s3, {
        bucket: settings.configBucket,
        key: settings.configKey,
        cacheSeconds: settings.configCacheSeconds,
        log,
        now,
      }),
      settings.reservedNames ?? [],
      log,
    ),
    dns: new Route53Records(route53, {
      recordCacheSeconds: settings.recordCacheSeconds,
      dns: nameServers,
      now,
    }),
    queue:
      settings.changeQueueUrl === undefined
        ? {
            send: async () => {
              throw new UnavailableError("DDNS_CHANGE_QUEUE_URL is not set: changes cannot be queued.", 60);
            },
          }
        : new SqsChangeQueue(sqs, settings.changeQueueUrl),
    nameServers,
    shares:
      settings.shareTable === undefined
        ? undefined
        : createDynamoDbShares({ table: settings.shareTable, log, now }),
  };
}
