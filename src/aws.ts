/**
 * The AWS side of the function: SDK clients and the adapters built on them. The handler imports
 * this module on first need, so routes that touch no backend never load the SDK (cold start).
 * Clients are created once per container; timeouts keep a request well inside API Gateway's 30 s.
 */
import { Route53Client } from "@aws-sdk/client-route-53";
import { S3Client } from "@aws-sdk/client-s3";
import { withoutReservedNames } from "./config/reserved-names.js";
import { S3ConfigStore } from "./config/s3-store.js";
import type { Logger } from "./core/log.js";
import type { ChangeEvents } from "./core/ports.js";
import { type ChangeBudget, S3ChangeBudget, UNLIMITED_BUDGET } from "./dns/change-budget.js";
import { NodeDnsReader } from "./dns/name-servers.js";
import { Route53Records, zoneNameServers } from "./dns/route53.js";
import { Route53TxtRecords } from "./dns/route53-txt.js";
import { boundedChangeEvents, DEFAULT_PUBLISH_TIMEOUT_MS } from "./events/bounded.js";
import type { Backends } from "./protocols/http.js";
import type { Settings } from "./settings.js";

/** `now` is injectable so tests and simulations can move time; Lambda uses the real clock. */
export function createAwsBackends(settings: Settings, log: Logger, now: () => number = Date.now): Backends {
  const s3 = new S3Client({
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true },
  });
  // Route 53 is a global service signed in us-east-1. The SDK retries Throttling and
  // PriorRequestNotComplete with backoff before the adapter sees them.
  const route53 = new Route53Client({
    region: "us-east-1",
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 3000, throwOnRequestTimeout: true },
  });
  // One budget for the address batches and the ACME challenges: both are ChangeResourceRecordSets.
  const budget: ChangeBudget = settings.changeBudget
    ? new S3ChangeBudget(s3, { ...settings.changeBudget, log, now })
    : UNLIMITED_BUDGET;
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
      budget,
    }),
    txt: new Route53TxtRecords(route53, budget, now),
    nameServers,
    events:
      settings.eventBus === undefined
        ? undefined
        : eventBridgeChangeEvents(
            settings.eventBus,
            log,
            settings.eventPublishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS,
          ),
  };
}

function eventBridgeChangeEvents(busName: string, log: Logger, timeoutMs: number): ChangeEvents {
  return boundedChangeEvents(
    async () => (await import("./events/eventbridge.js")).createEventBridgePublisher(busName, timeoutMs),
    { busName, log, timeoutMs },
  );
}
