/**
 * A warm function container assembled in-process: the real request path (createApp) over the real
 * adapters (S3ConfigStore, Route53Records), with stand-in clients in place of the SDK's and, for
 * this design's DNS path, a stand-in for the zone's name servers. Its change queue hands each change
 * straight to the record writer over the same Route 53 stand-in (test/support/direct-queue.ts) unless
 * a simulation passes its own.
 */
import { type App, createApp } from "../../../src/app.js";
import { S3ConfigStore } from "../../../src/config/s3-store.js";
import { jsonLine, type Logger } from "../../../src/core/log.js";
import type { Backends, ChangeQueue, ChangeShares, ConfigSource } from "../../../src/core/ports.js";
import { Route53Records } from "../../../src/dns/route53.js";
import { Route53TxtRecords } from "../../../src/dns/route53-txt.js";
import { Route53RecordWriter } from "../../../src/dns/route53-writer.js";
import { directQueue } from "../direct-queue.js";
import type { Clock } from "./clock.js";
import type { DnsStandIn } from "./dns.js";
import type { Route53StandIn } from "./route53.js";
import type { S3StandIn } from "./s3.js";

export interface ContainerOptions {
  readonly s3: S3StandIn;
  readonly route53: Route53StandIn;
  readonly clock: Clock;
  /** 0 reads Route 53 on every check (the upstream strategy). */
  readonly recordCacheSeconds: number;
  /** 0 asks S3 on every request. */
  readonly configCacheSeconds: number;
  /** The zone's name servers; without them reads the cache cannot answer go to the API (today's design). */
  readonly dns?: DnsStandIn;
  /** Receives each request's log line (default: built, then dropped). */
  readonly log?: Logger;
  /** A config shared with other containers (one parsed copy for a simulation of a huge fleet). */
  readonly config?: ConfigSource;
  /** Where changes go; default: written at once by an in-process record writer. */
  readonly queue?: ChangeQueue;
  /** Fair shares at the queue's door (src/queue/dynamodb-shares.ts); default none. */
  readonly shares?: ChangeShares;
}

/** The function's config store over the S3 stand-in. */
export function createConfigStore(options: ContainerOptions): ConfigSource {
  return new S3ConfigStore(options.s3.client, {
    bucket: "ddns-bench",
    key: "config.json",
    cacheSeconds: options.configCacheSeconds,
    now: () => options.clock.now(),
    log: options.log ?? discardingLogger,
  });
}

/**
 * One simulated environment's view of a config shared between environments: the parsed document is
 * the shared source's (100 parsed copies of a 100,000-host config would not fit), but the
 * revalidation is the environment's own, as S3ConfigStore's is in Lambda: once its `cacheSeconds`
 * have passed, its next request pays one conditional GET (`revalidateMs`; the document is unchanged,
 * so S3 answers 304) while the other environments go on. A shared store would instead make every
 * environment wait for one refresh at the same moment, which no deployment does.
 */
export function environmentConfigCache(
  shared: ConfigSource,
  options: { clock: Clock; cacheSeconds: number; revalidateMs: number },
): ConfigSource {
  let validUntil = Number.NEGATIVE_INFINITY;
  let revalidating: Promise<void> | undefined;
  const fresh = async () => {
    if (options.clock.now() < validUntil) return;
    revalidating ??= options.clock.sleep(options.revalidateMs).then(() => {
      validUntil = options.clock.now() + options.cacheSeconds * 1000;
      revalidating = undefined;
    });
    await revalidating;
  };
  return {
    hosts: async (names) => {
      await fresh();
      return shared.hosts(names);
    },
    acmeAccounts: async () => {
      await fresh();
      return shared.acmeAccounts();
    },
  };
}

/**
 * Builds each request's log line as the function does, then drops it: the work is counted, the
 * terminal is not (in Lambda the line goes to a pipe the runtime drains). jsonLine's text is made of
 * pieces that the write joins before encoding; Buffer.byteLength joins them too, so that is counted.
 */
export const discardingLogger: Logger = (entry) => {
  Buffer.byteLength(jsonLine(entry));
};

export function createContainer(options: ContainerOptions): App {
  const now = () => options.clock.now();
  const log = options.log ?? discardingLogger;
  const backends: Backends = {
    config: options.config ?? createConfigStore(options),
    dns: new Route53Records(options.route53.client, {
      recordCacheSeconds: options.recordCacheSeconds,
      dns: options.dns,
      now,
    }),
    queue:
      options.queue ??
      directQueue({
        records: new Route53RecordWriter(options.route53.client),
        txt: new Route53TxtRecords(options.route53.client),
        log,
      }),
    shares: options.shares,
  };
  const loaded = Promise.resolve(backends);
  return createApp({ backends: () => loaded, log, now });
}
