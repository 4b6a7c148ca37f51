/**
 * `bench/queue-storm`: the change queue design (docs/architecture.md, "Write path") under Lambda's
 * model, in virtual time: renumbering storms of 10,000 and 100,000 routers, and a steady day of a
 * 100,000-host fleet, for the queue's and the writer's requests and cost.
 *
 * What runs is the project's own code: the request path (createApp, S3ConfigStore, Route53Records
 * with its DNS reader, SqsChangeQueue, DynamoDbChangeShares) in Lambda environments of one request each
 * (test/support/fakes/lambda-pool.ts: reserved concurrency 100, a cold start per new environment, the rest
 * throttled, which API Gateway answers 500); and the record writer (writer/apply.ts with
 * Route53RecordWriter, S3AppliedMarks and intervalPacer) invoked by a model of the event source
 * mapping (test/support/fakes/event-source-mapping.ts) with Terraform's defaults (terraform/variables.tf:
 * batch 1,000, window 2 s, maximum concurrency 2, 2 calls/s per writer, timeout 60 s, visibility
 * 360 s, 5 receives before the dead-letter queue). Stand-ins replace the SDK clients: an SQS standard
 * queue without order and with duplicate deliveries (test/support/fakes/sqs-stand-in.ts), Route 53 with its
 * token buckets (10/s, burst 50) and element limits, its name servers (5–60 s behind), and the
 * share table and the state bucket (applied/).
 *
 * Storm: every router renumbers at a random moment within 60 s and reports at once; 5 % renumber
 * again 5–30 s later (what makes order matter); a router told 429/503 comes back after Retry-After, a
 * 500 after 5 s; all keep their 5-minute polls. "Reversed" counts writes that put a host's record
 * back to an address older than one already written for it; "lost" hosts whose record does not hold
 * their last address at the end.
 *
 *   npx tsx bench/queue-storm.ts [--storm-hosts 10000,100000] [--steady-hosts 100000] [--json]
 * --json prints the figures as one JSON line (bench/storm.ts reads it).
 */
import { parseArgs } from "node:util";
import { Route53TxtRecords } from "../src/dns/route53-txt.js";
import { Route53RecordWriter } from "../src/dns/route53-writer.js";
import type { HttpResult } from "../src/protocols/http.js";
import { DynamoDbChangeShares } from "../src/queue/dynamodb-shares.js";
import { SqsChangeQueue } from "../src/queue/sqs-change-queue.js";
import { applyBatch, type WriterTargets } from "../src/writer/apply.js";
import { intervalPacer } from "../src/writer/pacer.js";
import { S3AppliedMarks } from "../src/writer/s3-marks.js";
import { httpEvent } from "../test/support/events.js";
import { VirtualClock } from "../test/support/fakes/clock.js";
import {
  createConfigStore,
  createContainer,
  discardingLogger,
  environmentConfigCache,
} from "../test/support/fakes/container.js";
import { DnsStandIn } from "../test/support/fakes/dns.js";
import { EventSourceMapping } from "../test/support/fakes/event-source-mapping.js";
import {
  FLEET_ZONE_ID,
  fleetAddress,
  fleetConfig,
  fleetHost,
  setQuery,
} from "../test/support/fakes/fleet.js";
import { COLD_START_MS, LambdaPool } from "../test/support/fakes/lambda-pool.js";
import { ROUTE53_QUOTAS_PER_ACTION, Route53StandIn } from "../test/support/fakes/route53.js";
import { S3StandIn } from "../test/support/fakes/s3.js";
import { ShareTableStandIn } from "../test/support/fakes/share-table.js";
import { SqsStandIn } from "../test/support/fakes/sqs-stand-in.js";
import { StateBucketStandIn } from "../test/support/fakes/state-bucket.js";
import { printTable } from "./lib/stats.js";

/** terraform/variables.tf defaults; `--writer-concurrency` and `--writer-changes-per-second` try others. */
export const DEPLOYMENT = {
  reservedConcurrency: 100,
  batchSize: 1000,
  windowSeconds: 2,
  maximumConcurrency: 2,
  writerChangesPerSecond: 2,
  writerTimeoutMs: 60_000,
  visibilityTimeoutMs: 6 * 60_000,
  maxReceiveCount: 5,
  writerMemoryMb: 256,
};

/**
 * Virtual latencies, roughly what a function in us-east-1 sees (bench/scale.ts's, plus SQS, and a
 * conditional UpdateItem in DynamoDB's documented single-digit milliseconds).
 */
const LATENCY_MS = { list: 100, change: 150, s3: 30, dns: 5, sqs: 15, dynamodb: 8 };
const propagationMs = () => 5_000 + Math.random() * 55_000;
const POLL_SECONDS = 300;
const POLL_JITTER = 0.1;
const STORM_SECONDS = 60;
const SECOND_RENUMBER_SHARE = 0.05;
const RETRY_WITHOUT_HEADER_S = 5;
const RETRIED_STATUSES = new Set([429, 500, 502, 503, 504]);
/** SQS's at-least-once delivery: the share of receives that deliver a message a second time (assumed). */
const DUPLICATE_RATE = 0.01;

const pollInterval = () => POLL_SECONDS * 1000 * (1 + POLL_JITTER * (2 * Math.random() - 1));

let addressSequence = 0;
function newAddress(): string {
  addressSequence++;
  return `100.${64 + ((addressSequence >> 16) & 63)}.${(addressSequence >> 8) & 255}.${addressSequence & 255}`;
}

/** A deployment in virtual time: request function, queue, mapping, writer, and the stand-ins. */
function deployment(hostCount: number, onWrite: (name: string, value: string) => void) {
  const clock = new VirtualClock();
  const route53 = new Route53StandIn({
    clock,
    quotas: ROUTE53_QUOTAS_PER_ACTION,
    latencyMs: LATENCY_MS,
    maxAttempts: 3,
    propagationMs,
    onWrite: (_zone, name, _type, value) => onWrite(name, value),
  });
  const dns = new DnsStandIn(route53, clock, LATENCY_MS.dns);
  const configBucket = new S3StandIn(clock, LATENCY_MS.s3);
  configBucket.put(JSON.stringify(fleetConfig(hostCount)));
  const stateBucket = new StateBucketStandIn(clock, LATENCY_MS.s3);
  const shareTable = new ShareTableStandIn(clock, LATENCY_MS.dynamodb);
  const queue = new SqsStandIn({
    clock,
    latencyMs: LATENCY_MS.sqs,
    visibilityTimeoutMs: DEPLOYMENT.visibilityTimeoutMs,
    maxReceiveCount: DEPLOYMENT.maxReceiveCount,
    duplicateRate: DUPLICATE_RATE,
  });
  const options = { s3: configBucket, route53, clock, recordCacheSeconds: 60, configCacheSeconds: 60 };
  // One parsed config for every environment (100 copies of a 100,000-host config would not fit
  // here), loaded once (the simulated document never changes); each environment revalidates it on
  // its own clock.
  const config = createConfigStore({ ...options, configCacheSeconds: 365 * 86_400 });
  const now = () => clock.now();
  const pool = new LambdaPool({
    clock,
    concurrency: DEPLOYMENT.reservedConcurrency,
    startEnvironment: () =>
      createContainer({
        ...options,
        config: environmentConfigCache(config, {
          clock,
          cacheSeconds: options.configCacheSeconds,
          revalidateMs: LATENCY_MS.s3,
        }),
        dns,
        queue: new SqsChangeQueue(queue.client, "https://sqs.us-east-1.amazonaws.com/0/ddns-changes"),
        shares: new DynamoDbChangeShares(shareTable.client, {
          table: "ddns-shares",
          log: discardingLogger,
          now,
        }),
      }),
  });
  const mapping = new EventSourceMapping({
    clock,
    queue,
    batchSize: DEPLOYMENT.batchSize,
    windowSeconds: DEPLOYMENT.windowSeconds,
    maximumConcurrency: DEPLOYMENT.maximumConcurrency,
    coldStartMs: COLD_START_MS,
    timeoutMs: DEPLOYMENT.writerTimeoutMs,
    // A writer environment as writer/handler.ts builds it, over the stand-ins (the SDK's 5 attempts).
    startEnvironment: () => {
      const writerRoute53 = route53.clientWithAttempts(5);
      const targets: WriterTargets = {
        records: new Route53RecordWriter(writerRoute53),
        txt: new Route53TxtRecords(writerRoute53),
        marks: new S3AppliedMarks(stateBucket.client, "ddns-state", { now }),
        pacer: intervalPacer(DEPLOYMENT.writerChangesPerSecond, now, (ms) => clock.sleep(ms)),
        log: process.env.BENCH_WRITER_LOG
          ? (entry) => console.error(JSON.stringify(entry))
          : discardingLogger,
      };
      return (messages) => applyBatch(targets, messages);
    },
  });
  const hosts = Array.from({ length: hostCount }, (_, index) => fleetHost(index));
  const addresses = hosts.map((_, index) => fleetAddress(index));
  for (let index = 0; index < hostCount; index++) {
    route53.setRecord(FLEET_ZONE_ID, `${hosts[index]?.hostname}.`, "A", addresses[index] as string);
  }
  const send = (index: number): Promise<HttpResult> => {
    const address = addresses[index] as string;
    return pool.invoke(
      httpEvent({ sourceIp: address, query: setQuery(hosts[index] as (typeof hosts)[number], address) }),
    );
  };
  return { clock, route53, queue, stateBucket, shareTable, pool, mapping, hosts, addresses, send };
}

/** ChangeResourceRecordSets calls in each second since `start`. */
function perSecond(times: readonly number[], start: number): number[] {
  const seconds: number[] = [];
  for (const at of times) {
    const second = Math.floor((at - start) / 1000);
    if (second >= 0) seconds[second] = (seconds[second] ?? 0) + 1;
  }
  return Array.from(seconds, (calls) => calls ?? 0);
}

export interface StormFigures {
  readonly hosts: number;
  /** The request function's, as simulated (DEPLOYMENT.reservedConcurrency). */
  readonly reservedConcurrency: number;
  readonly reports: number;
  /** From the last router's report of its newest address to every record holding it in Route 53. */
  readonly allRightAfterLastReportS: number;
  readonly allRightAfterStartS: number;
  readonly throttledInvocations: number;
  readonly environments: number;
  readonly answered429: number;
  readonly answered5xx: number;
  readonly answers: number;
  readonly peakChangeCallsPerSecond: number;
  readonly changeCalls: number;
  readonly throttledChangeCalls: number;
  readonly largestCallElements: number;
  /** Records not holding their host's last address at the end, after every router's next poll. */
  readonly lost: number;
  /** The same once the queue had drained (before those polls). */
  readonly wrongWhenSettled: number;
  readonly reversed: number;
  readonly messages: number;
  readonly duplicateDeliveries: number;
  readonly deadLetters: number;
  readonly writerInvocations: number;
  readonly writerLargestBatch: number;
  readonly writerTimedOut: number;
  readonly sqsRequests: number;
  readonly stateBucket: { get: number; put: number };
  /** Fair-share UpdateItems, and how many of them the condition refused. */
  readonly shareTable: { update: number; refused: number };
  readonly simulatedS: number;
}

export async function simulateStorm(hostCount: number, capMinutes = 20): Promise<StormFigures> {
  // Each host's addresses in order; a write of an older one after a newer is a reversal.
  const sequenceOf = new Map<string, { index: number; order: number }>();
  const newestWritten = new Int32Array(hostCount);
  let reversed = 0;
  let allRightAt = Number.NaN;
  const pendingRight = new Set<number>();
  const finalAddress: string[] = new Array(hostCount);
  const sim = deployment(hostCount, (_name, value) => {
    const known = sequenceOf.get(value);
    if (!known) return;
    if (known.order < (newestWritten[known.index] as number)) reversed++;
    newestWritten[known.index] = Math.max(newestWritten[known.index] as number, known.order);
  });
  const { clock, route53 } = sim;
  const start = clock.now() + 60_000; // after a quiet minute
  const end = start + capMinutes * 60_000;
  let lastReportAt = start;
  const statuses = new Map<number, number>();
  const retryDue = new Uint8Array(hostCount);
  let reports = 0;

  const check = (index: number) => {
    void sim.send(index).then((result) => {
      const now = clock.now();
      if (now >= start) statuses.set(result.statusCode, (statuses.get(result.statusCode) ?? 0) + 1);
      if (RETRIED_STATUSES.has(result.statusCode) && !retryDue[index]) {
        retryDue[index] = 1;
        const retryAfter = Number(result.headers?.["retry-after"] ?? RETRY_WITHOUT_HEADER_S);
        clock.at(now + retryAfter * 1000, () => {
          retryDue[index] = 0;
          check(index);
        });
      }
    });
  };
  const poll = (index: number) => {
    if (!retryDue[index]) check(index);
    const next = clock.now() + pollInterval();
    if (next < end) clock.at(next, () => poll(index));
  };
  const renumber = (index: number, at: number, address: string) => {
    clock.at(at, () => {
      sim.addresses[index] = address;
      lastReportAt = Math.max(lastReportAt, clock.now());
      reports++;
      check(index);
    });
  };
  for (let index = 0; index < hostCount; index++) {
    sequenceOf.set(sim.addresses[index] as string, { index, order: 0 });
    clock.at(clock.now() + Math.random() * POLL_SECONDS * 1000, () => poll(index));
    const first = start + Math.random() * STORM_SECONDS * 1000;
    const firstAddress = newAddress();
    sequenceOf.set(firstAddress, { index, order: 1 });
    renumber(index, first, firstAddress);
    finalAddress[index] = firstAddress;
    if (Math.random() < SECOND_RENUMBER_SHARE) {
      const secondAddress = newAddress();
      sequenceOf.set(secondAddress, { index, order: 2 });
      renumber(index, first + 5_000 + Math.random() * 25_000, secondAddress);
      finalAddress[index] = secondAddress;
    }
    pendingRight.add(index);
  }
  const name = (index: number) => `${sim.hosts[index]?.hostname}.`;
  const countWrong = () => {
    let wrong = 0;
    for (let index = 0; index < hostCount; index++) {
      if (route53.value(FLEET_ZONE_ID, name(index), "A") !== finalAddress[index]) wrong++;
    }
    return wrong;
  };
  // Every second: which records hold their host's last address now (one pass over those not yet right,
  // and a check that none went wrong again afterwards).
  const watch = () => {
    for (const index of pendingRight) {
      if (route53.value(FLEET_ZONE_ID, name(index), "A") === finalAddress[index]) pendingRight.delete(index);
    }
    if (pendingRight.size === 0 && Number.isNaN(allRightAt)) allRightAt = clock.now();
    if (clock.now() < end && Number.isNaN(allRightAt)) clock.at(clock.now() + 1000, watch);
  };
  clock.at(start + 1000, watch);
  const attemptedBefore = route53.changesAttemptedAt.length;
  const throttledBefore = route53.throttled;
  // Throttles count from the storm's start, as the answers do: in the quiet minute's first 0.3 s the
  // fleet's first polls meet a function with no environment yet (a cold deployment, not the storm).
  let throttledInvocationsBefore = 0;
  clock.at(start, () => {
    throttledInvocationsBefore = sim.pool.throttled;
  });
  const callsBefore = { ...sim.stateBucket.calls };
  const sharesBefore = { ...sim.shareTable.calls };
  const sqsBefore = sim.queue.billedRequests;
  const mappingBefore = { ...sim.mapping.stats };
  // Stop once every record is right and the queue is empty (or at the cap), then let the last answers land.
  for (;;) {
    await clock.run(clock.now() + 10_000);
    const settled = !Number.isNaN(allRightAt) && sim.queue.depth === 0 && clock.now() > lastReportAt + 60_000;
    if (settled || clock.now() >= end) break;
  }
  const settledAt = clock.now();
  const wrongWhenSettled = countWrong();
  // Then every router's next 5-minute poll, which queues again what a race between writers undid.
  await clock.run(settledAt + POLL_SECONDS * 1000 * (1 + POLL_JITTER) + 60_000);
  sim.mapping.stop();
  const simulatedS = (clock.now() - start) / 1000;
  const calls = perSecond(route53.changesAttemptedAt.slice(attemptedBefore), start);
  const lost = countWrong();
  const fiveHundreds = [...statuses].filter(([code]) => code >= 500).reduce((total, [, n]) => total + n, 0);
  return {
    hosts: hostCount,
    reservedConcurrency: DEPLOYMENT.reservedConcurrency,
    reports,
    allRightAfterLastReportS: (allRightAt - lastReportAt) / 1000,
    allRightAfterStartS: (allRightAt - start) / 1000,
    throttledInvocations: sim.pool.throttled - throttledInvocationsBefore,
    environments: sim.pool.environments,
    answered429: statuses.get(429) ?? 0,
    answered5xx: fiveHundreds,
    answers: [...statuses.values()].reduce((a, b) => a + b, 0),
    peakChangeCallsPerSecond: Math.max(0, ...calls),
    changeCalls: calls.reduce((a, b) => a + b, 0),
    throttledChangeCalls: route53.throttled - throttledBefore,
    largestCallElements: route53.largestCall.elements,
    lost,
    wrongWhenSettled,
    reversed,
    messages: sim.queue.sent,
    duplicateDeliveries: sim.queue.duplicates,
    deadLetters: sim.queue.deadLetters.length,
    writerInvocations: sim.mapping.stats.invocations - mappingBefore.invocations,
    writerLargestBatch: sim.mapping.stats.largestBatch,
    writerTimedOut: sim.mapping.stats.timedOut,
    sqsRequests: sim.queue.billedRequests - sqsBefore,
    shareTable: {
      update: sim.shareTable.calls.update - sharesBefore.update,
      refused: sim.shareTable.calls.refused - sharesBefore.refused,
    },
    stateBucket: {
      get: sim.stateBucket.calls.get - callsBefore.get,
      put: sim.stateBucket.calls.put - callsBefore.put,
    },
    simulatedS,
  };
}

/**
 * us-east-1 list prices (December 2026 pages), without free tiers: SQS standard requests, Lambda
 * requests and arm64 duration, S3 Standard requests, DynamoDB on-demand writes (an UpdateItem of an
 * item under 1 KB is one write request unit), CloudWatch Logs ingestion.
 */
export const PRICES = {
  dynamodbWritePerMillion: 0.625,
  sqsPerMillion: 0.4,
  lambdaRequestsPerMillion: 0.2,
  lambdaArmGbSecond: 0.0000133334,
  s3PutPerThousand: 0.005,
  s3GetPerThousand: 0.0004,
  logsPerGb: 0.5,
} as const;
/** The writer's log per invocation: START/END/REPORT and its "records written" line. */
const WRITER_LOG_BYTES = 700;

export interface SteadyFigures {
  readonly hosts: number;
  readonly changesPerDay: number;
  readonly messagesPerDay: number;
  readonly writerInvocationsPerDay: number;
  readonly writerColdStartsPerDay: number;
  readonly writerGbSecondsPerDay: number;
  readonly sqsRequestsPerDay: number;
  readonly sqsRequestsByAction: Record<string, number>;
  readonly marksPerDay: { get: number; put: number };
  readonly changeCallsPerDay: number;
  readonly shareUpdatesPerDay: number;
  readonly monthly: {
    sqs: number;
    writerLambda: number;
    marks: number;
    shares: number;
    logs: number;
    total: number;
  };
}

/**
 * A day of a fleet of `hostCount` where 1 % change address: only the changing hosts are simulated,
 * from their change on (a report at their next poll, then polls every 5 minutes for an hour, which
 * is when the name servers' lag could make a check queue the change again). A check that finds its
 * records right queues nothing (core/update.ts returns before the queue), so the other 99 % cost
 * the queue and the writer nothing. The mapping's idle long polls run all day.
 */
export async function simulateSteadyDay(hostCount: number, changeShare = 0.01): Promise<SteadyFigures> {
  const changing = Math.round(hostCount * changeShare);
  const sim = deployment(changing, () => {});
  const { clock } = sim;
  const start = clock.now();
  const day = 86_400_000;
  for (let index = 0; index < changing; index++) {
    const changeAt = start + Math.random() * day;
    const address = newAddress();
    clock.at(changeAt, () => {
      sim.addresses[index] = address;
    });
    let at = changeAt + Math.random() * POLL_SECONDS * 1000;
    const until = changeAt + 3_600_000;
    while (at < until) {
      clock.at(at, () => void sim.send(index));
      at += pollInterval();
    }
  }
  const acceptedBefore = sim.route53.changesAccepted.length;
  await clock.run(start + day);
  sim.mapping.stop();
  const stats = sim.mapping.stats;
  const gbSeconds = ((stats.billedMs / 1000) * DEPLOYMENT.writerMemoryMb) / 1024;
  const calls = sim.queue.calls;
  const month = 30;
  const sqs = ((sim.queue.billedRequests * month) / 1e6) * PRICES.sqsPerMillion;
  const writerLambda =
    ((stats.invocations * month) / 1e6) * PRICES.lambdaRequestsPerMillion +
    gbSeconds * month * PRICES.lambdaArmGbSecond;
  const marks =
    ((sim.stateBucket.calls.put * month) / 1000) * PRICES.s3PutPerThousand +
    ((sim.stateBucket.calls.get * month) / 1000) * PRICES.s3GetPerThousand;
  const shares = ((sim.shareTable.calls.update * month) / 1e6) * PRICES.dynamodbWritePerMillion;
  const logs = ((stats.invocations * WRITER_LOG_BYTES * month) / 2 ** 30) * PRICES.logsPerGb;
  return {
    hosts: hostCount,
    changesPerDay: changing,
    messagesPerDay: sim.queue.sent,
    writerInvocationsPerDay: stats.invocations,
    writerColdStartsPerDay: stats.coldStarts,
    writerGbSecondsPerDay: gbSeconds,
    sqsRequestsPerDay: sim.queue.billedRequests,
    sqsRequestsByAction: {
      SendMessage: calls.SendMessage,
      ReceiveMessage: calls.ReceiveMessage,
      "of them empty": calls.emptyReceives,
      DeleteMessageBatch: calls.DeleteMessageBatch,
    },
    marksPerDay: { get: sim.stateBucket.calls.get, put: sim.stateBucket.calls.put },
    changeCallsPerDay: sim.route53.changesAccepted.length - acceptedBefore,
    shareUpdatesPerDay: sim.shareTable.calls.update,
    monthly: { sqs, writerLambda, marks, shares, logs, total: sqs + writerLambda + marks + shares + logs },
  };
}

const thousands = (value: number) => Math.round(value).toLocaleString("en-US");

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      "storm-hosts": { type: "string", default: "10000,100000" },
      "steady-hosts": { type: "string", default: "100000" },
      json: { type: "boolean", default: false },
      "writer-concurrency": { type: "string", default: String(DEPLOYMENT.maximumConcurrency) },
      "writer-changes-per-second": { type: "string", default: String(DEPLOYMENT.writerChangesPerSecond) },
    },
  });
  DEPLOYMENT.maximumConcurrency = Number(values["writer-concurrency"]);
  DEPLOYMENT.writerChangesPerSecond = Number(values["writer-changes-per-second"]);
  const storms: StormFigures[] = [];
  for (const hosts of values["storm-hosts"].split(",").filter(Boolean).map(Number)) {
    const startedAt = performance.now();
    storms.push(await simulateStorm(hosts));
    if (!values.json) {
      console.log(
        `  simulated the storm of ${thousands(hosts)}: ${((performance.now() - startedAt) / 1000).toFixed(0)} s`,
      );
    }
  }
  const steadyHosts = Number(values["steady-hosts"]);
  const steady = steadyHosts > 0 ? await simulateSteadyDay(steadyHosts) : undefined;
  if (values.json) {
    console.log(JSON.stringify({ storms, steady }));
    return;
  }
  printTable(
    [
      "routers",
      "all right after last report",
      "throttled invocations",
      "429 / 5xx",
      "peak Change/s",
      "lost / reversed",
    ],
    storms.map((storm) => [
      thousands(storm.hosts),
      `${storm.allRightAfterLastReportS.toFixed(0)} s`,
      thousands(storm.throttledInvocations),
      `${thousands(storm.answered429)} / ${thousands(storm.answered5xx)}`,
      String(storm.peakChangeCallsPerSecond),
      `${storm.lost} / ${storm.reversed}`,
    ]),
  );
  if (steady) console.log(JSON.stringify(steady, null, 2));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
