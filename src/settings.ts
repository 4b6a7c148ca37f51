/** The function's environment (docs/architecture.md "Build artefact"), read and checked in one place. */
import { parseReservedNames } from "./config/reserved-names.js";
import { UnavailableError } from "./core/errors.js";
import type { Logger } from "./core/log.js";
import { parseNameServerList } from "./dns/name-servers.js";
import { DEFAULT_METRICS_NAMESPACE, isValidNamespace } from "./metrics/emf.js";

export interface Settings {
  readonly configBucket: string;
  readonly configKey: string;
  readonly configCacheSeconds: number;
  /** Upper bound on how old a cached Route 53 answer may be; 0 reads Route 53 on every check. */
  readonly recordCacheSeconds: number;
  /**
   * The zone's authoritative name servers (`host[:port]`) the no-change check asks over DNS; empty
   * means: learn them from Route 53 (one GetHostedZone per zone per container).
   */
  readonly nameServers: readonly string[];
  /** Canonical names that may never be hosts (`DDNS_RESERVED_NAMES`: the zone apex, the API's domain). */
  readonly reservedNames?: readonly string[];
  /**
   * The change queue (DDNS_CHANGE_QUEUE_URL): every wanted change goes there. Unset: checks still
   * answer, and a change is refused with 503 (the scheduled jobs share this environment and queue nothing).
   */
  readonly changeQueueUrl?: string | undefined;
  /** EventBridge bus (DDNS_EVENT_BUS): the quiet-host check announces there; the writer reads it too. */
  readonly eventBus?: string | undefined;
  /** The DynamoDB table where fair shares are counted (DDNS_SHARE_TABLE); undefined: no shares. */
  readonly shareTable?: string | undefined;
}

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new UnavailableError(`${name} must be a whole number of seconds, not "${raw}".`, 60);
  }
  return value;
}

function nameServers(raw: string | undefined): string[] {
  try {
    return parseNameServerList(raw ?? "");
  } catch (error) {
    throw new UnavailableError(`DDNS_NAME_SERVERS: ${(error as Error).message}`, 60);
  }
}

export function readSettings(env: NodeJS.ProcessEnv): Settings {
  const configBucket = env.DDNS_CONFIG_BUCKET;
  if (!configBucket) throw new UnavailableError("DDNS_CONFIG_BUCKET is not set.", 60);
  return {
    configBucket,
    configKey: env.DDNS_CONFIG_KEY || "config.json",
    configCacheSeconds: seconds(env, "DDNS_CONFIG_CACHE_SECONDS", 60),
    recordCacheSeconds: seconds(env, "DDNS_RECORD_CACHE_SECONDS", 60),
    nameServers: nameServers(env.DDNS_NAME_SERVERS),
    reservedNames: parseReservedNames(env.DDNS_RESERVED_NAMES),
    changeQueueUrl: env.DDNS_CHANGE_QUEUE_URL || undefined,
    eventBus: env.DDNS_EVENT_BUS || undefined,
    shareTable: env.DDNS_SHARE_TABLE || undefined,
  };
}

/**
 * DDNS_METRICS_NAMESPACE, apart from readSettings: every route's log line carries metrics, even when
 * the rest of the environment is missing. A name CloudWatch would refuse falls back to the default
 * with a warning, since refusing it would cost the request log itself.
 */
export function readMetricsNamespace(env: NodeJS.ProcessEnv, log: Logger): string {
  const namespace = env.DDNS_METRICS_NAMESPACE;
  if (namespace === undefined || namespace === "") return DEFAULT_METRICS_NAMESPACE;
  if (isValidNamespace(namespace)) return namespace;
  log({
    level: "warn",
    msg: `DDNS_METRICS_NAMESPACE "${namespace}" is not a CloudWatch namespace (letters, digits and . - _ / # : space, at most 255, not AWS/); using ${DEFAULT_METRICS_NAMESPACE}.`,
  });
  return DEFAULT_METRICS_NAMESPACE;
}

/** The record writer's environment (src/writer/handler.ts). */
export interface WriterSettings {
  /** EventBridge bus for change events (DDNS_EVENT_BUS); undefined publishes none. */
  readonly eventBus?: string | undefined;
  /** What a write may wait for its events; not from the environment (tests on slow machines). */
  readonly eventPublishTimeoutMs?: number;
  /** Route 53 change calls a second from one writer environment (DDNS_WRITER_CHANGES_PER_SECOND). */
  readonly changesPerSecond: number;
  /** Where the newest applied request per record is kept (DDNS_WRITER_STATE_BUCKET). */
  readonly stateBucket?: string | undefined;
  /** Days an applied mark is kept (DDNS_WRITER_MARK_DAYS, the state bucket's expiry of `applied/`; 30 unset). */
  readonly markDays?: number | undefined;
}

/** Route 53's documented rate per account and action: one writer may not exceed it. */
export const MAX_CHANGES_PER_SECOND = 10;
/** Per writer environment; with the mapping's maximum concurrency of 2, 8/s leaves room for other tools. */
export const DEFAULT_WRITER_CHANGES_PER_SECOND = 4;

export function readWriterSettings(env: NodeJS.ProcessEnv): WriterSettings {
  const raw = env.DDNS_WRITER_CHANGES_PER_SECOND;
  const perSecond = raw === undefined || raw === "" ? DEFAULT_WRITER_CHANGES_PER_SECOND : Number(raw);
  if (!Number.isFinite(perSecond) || perSecond <= 0 || perSecond > MAX_CHANGES_PER_SECOND) {
    throw new UnavailableError(
      `DDNS_WRITER_CHANGES_PER_SECOND must be a number above 0 and at most ${MAX_CHANGES_PER_SECOND}, not "${raw}".`,
      60,
    );
  }
  const rawDays = env.DDNS_WRITER_MARK_DAYS;
  const markDays = rawDays === undefined || rawDays === "" ? undefined : Number(rawDays);
  if (markDays !== undefined && (!Number.isInteger(markDays) || markDays < 1)) {
    throw new UnavailableError(`DDNS_WRITER_MARK_DAYS must be a whole number of days, not "${rawDays}".`, 60);
  }
  return {
    eventBus: env.DDNS_EVENT_BUS || undefined,
    changesPerSecond: perSecond,
    stateBucket: env.DDNS_WRITER_STATE_BUCKET || undefined,
    markDays,
  };
}
