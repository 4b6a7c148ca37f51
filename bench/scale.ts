/**
 * `bench/scale`: how many hosts one AWS account serves before Route 53 throttles it.
 *
 * Runs the real request path (createApp + S3ConfigStore + Route53Records) in N warm containers
 * against a Route 53 stand-in that enforces the account's token buckets, in virtual time. H hosts
 * poll every 5 minutes (±10 % jitter), each poll landing on a random container; 1 % of hosts change
 * address per day; 1 % of records per hour are edited behind the service's back, which is what
 * makes a cached "unchanged" answer wrong until the cache bound expires ("worst staleness").
 *
 * Warm: containers come up 15 s apart (as Lambda scales out) and figures count only after a
 * 5-minute warm-up. Cold: all N containers start at the same instant (a deploy under full load).
 *
 *   npx tsx bench/scale.ts [--hosts 1000,10000,100000] [--containers 4] [--minutes 20]
 */
import { parseArgs } from "node:util";
import { httpEvent } from "../test/support/events.js";
import { VirtualClock } from "./lib/clock.js";
import { createContainer } from "./lib/container.js";
import { FLEET_ZONE_ID, fleetAddress, fleetConfig, fleetHost, setQuery } from "./lib/fleet.js";
import { ROUTE53_QUOTAS, Route53StandIn, S3StandIn } from "./lib/stand-ins.js";
import { printTable } from "./lib/stats.js";

const POLL_SECONDS = 300;
const POLL_JITTER = 0.1;
const ADDRESS_CHANGES_PER_DAY = 0.01;
const EXTERNAL_EDITS_PER_HOUR = 0.01;
/** Virtual latencies, roughly what a function in us-east-1 sees. */
const LATENCY_MS = { list: 100, change: 150, s3: 30 };
const WARMUP_MINUTES = 5;
const SCALE_OUT_SECONDS = 15;
/** Requests still in flight at the end get this long to finish (throttled retries back off). */
const DRAIN_MS = 120_000;

interface Strategy {
  readonly name: string;
  readonly recordCacheSeconds: number;
  readonly configCacheSeconds: number;
  /** The hosts' record TTL, which also bounds the record cache. */
  readonly recordTtl: number;
}

const THIS_DESIGN: Strategy = {
  name: "this design",
  recordCacheSeconds: 60,
  configCacheSeconds: 60,
  recordTtl: 60,
};
const UPSTREAM: Strategy = { name: "upstream", recordCacheSeconds: 0, configCacheSeconds: 0, recordTtl: 60 };
/** What 100,000 hosts need: records with a 5-minute TTL, and DDNS_RECORD_CACHE_SECONDS=300 to match. */
const LONGER_BOUND: Strategy = {
  name: "this design, TTL and record cache 300 s",
  recordCacheSeconds: 300,
  configCacheSeconds: 60,
  recordTtl: 300,
};

interface Scenario {
  readonly hostCount: number;
  readonly containerCount: number;
  readonly minutes: number;
  readonly strategy: Strategy;
  /** Warm: staggered start and a warm-up that is not counted. Cold: everything at once, all counted. */
  readonly warm: boolean;
}

interface Counters {
  listCalls: number;
  changeCalls: number;
  throttled: number;
  s3Calls: number;
}

async function simulate(scenario: Scenario) {
  const { hostCount, containerCount, minutes, strategy, warm } = scenario;
  const clock = new VirtualClock();
  const start = clock.now();
  const measureFrom = start + (warm ? WARMUP_MINUTES * 60_000 : 0);
  const end = measureFrom + minutes * 60_000;
  const route53 = new Route53StandIn({
    clock,
    quotas: ROUTE53_QUOTAS,
    latencyMs: LATENCY_MS,
    maxAttempts: 3,
  });
  const s3 = new S3StandIn(clock, LATENCY_MS.s3);
  s3.put(JSON.stringify(fleetConfig(hostCount, FLEET_ZONE_ID, strategy.recordTtl)));
  const containers = Array.from({ length: containerCount }, () =>
    createContainer({ s3, route53, clock, ...strategy }),
  );
  const containersUpAt = (at: number) =>
    warm
      ? Math.min(containerCount, 1 + Math.floor((at - start) / (SCALE_OUT_SECONDS * 1000)))
      : containerCount;

  // Steady state: every host's record already holds its address.
  const addresses = Array.from({ length: hostCount }, (_, index) => fleetAddress(index));
  const fqdns = addresses.map((_, index) => `${fleetHost(index).hostname}.`);
  for (let index = 0; index < hostCount; index++) {
    route53.setRecord(
      FLEET_ZONE_ID,
      fqdns[index] as string,
      "A",
      addresses[index] as string,
      strategy.recordTtl,
    );
  }
  const editedAt = new Float64Array(hostCount);
  const statuses = new Map<number, number>();
  const stale = { answers: 0, worstMs: 0 };
  let addressChanges = 0;
  let nextAddress = 0;
  const counters = (): Counters => ({
    listCalls: route53.calls.ListResourceRecordSets,
    changeCalls: route53.calls.ChangeResourceRecordSets,
    throttled: route53.throttled,
    s3Calls: s3.calls,
  });
  let baseline = counters();
  clock.at(measureFrom, () => {
    baseline = counters();
  });

  const poll = (index: number) => {
    const now = clock.now();
    const counted = now >= measureFrom;
    if (Math.random() < ADDRESS_CHANGES_PER_DAY * (POLL_SECONDS / 86_400)) {
      addresses[index] =
        `100.${64 + ((nextAddress >> 16) & 63)}.${(nextAddress >> 8) & 255}.${nextAddress & 255}`;
      nextAddress++;
      if (counted) addressChanges++;
    }
    const address = addresses[index] as string;
    const container = containers[Math.floor(Math.random() * containersUpAt(now))];
    void container?.(
      httpEvent({ sourceIp: address, query: setQuery(fleetHost(index), address) }),
      "sim",
    ).then((result) => {
      if (!counted) return;
      statuses.set(result.statusCode, (statuses.get(result.statusCode) ?? 0) + 1);
      const inRoute53 = route53.value(FLEET_ZONE_ID, fqdns[index] as string, "A");
      if (result.statusCode === 200 && inRoute53 !== address) {
        stale.answers++;
        stale.worstMs = Math.max(stale.worstMs, clock.now() - (editedAt[index] as number));
      }
    });
    const interval = POLL_SECONDS * 1000 * (1 + POLL_JITTER * (2 * Math.random() - 1));
    if (now + interval < end) clock.at(now + interval, () => poll(index));
  };
  for (let index = 0; index < hostCount; index++) {
    const firstPoll = start + Math.random() * POLL_SECONDS * 1000;
    if (firstPoll < end) clock.at(firstPoll, () => poll(index));
  }
  const edits = Math.round(hostCount * EXTERNAL_EDITS_PER_HOUR * ((end - start) / 3_600_000));
  for (let edit = 0; edit < edits; edit++) {
    clock.at(start + Math.random() * (end - start), () => {
      const index = Math.floor(Math.random() * hostCount);
      route53.setRecord(FLEET_ZONE_ID, fqdns[index] as string, "A", "192.0.2.1", strategy.recordTtl);
      editedAt[index] = clock.now();
    });
  }
  await clock.run(end + DRAIN_MS);
  const final = counters();
  return {
    statuses,
    stale,
    addressChanges,
    listCalls: final.listCalls - baseline.listCalls,
    changeCalls: final.changeCalls - baseline.changeCalls,
    throttled: final.throttled - baseline.throttled,
    s3Calls: final.s3Calls - baseline.s3Calls,
  };
}

const thousands = (value: number) => value.toLocaleString("en-US");

function sum(statuses: Map<number, number>, ...codes: number[]): number {
  return codes.reduce((total, code) => total + (statuses.get(code) ?? 0), 0);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      hosts: { type: "string", default: "1000,10000,100000" },
      containers: { type: "string", default: "4" },
      minutes: { type: "string", default: "20" },
    },
  });
  const hostCounts = values.hosts.split(",").map(Number);
  const containerCount = Number(values.containers);
  const minutes = Number(values.minutes);
  console.log(
    `scale: ${containerCount} containers; hosts poll every ${POLL_SECONDS} s ±${POLL_JITTER * 100} %; ` +
      `${ADDRESS_CHANGES_PER_DAY * 100} % change address per day; ${EXTERNAL_EDITS_PER_HOUR * 100} % of records ` +
      `edited outside the service per hour; ${minutes} simulated minutes measured. Route 53: ` +
      `${ROUTE53_QUOTAS.perSecond}/s refill and ${ROUTE53_QUOTAS.burst} burst per action, change budget ` +
      `${ROUTE53_QUOTAS.changesPerSecond}/s (UPSERT ${ROUTE53_QUOTAS.upsertCost}); latency List ${LATENCY_MS.list} ms, ` +
      `Change ${LATENCY_MS.change} ms; the SDK's 3 attempts with backoff on Throttling.`,
  );
  const rows: string[][] = [];
  for (const hostCount of hostCounts) {
    const scenarios: Scenario[] = [
      { hostCount, containerCount, minutes, strategy: THIS_DESIGN, warm: true },
      { hostCount, containerCount, minutes, strategy: UPSTREAM, warm: true },
      { hostCount, containerCount, minutes: 1, strategy: THIS_DESIGN, warm: false },
    ];
    if (hostCount > 50_000)
      scenarios.push({ hostCount, containerCount, minutes, strategy: LONGER_BOUND, warm: true });
    for (const scenario of scenarios) {
      const startedAt = performance.now();
      const result = await simulate(scenario);
      const checks = sum(result.statuses, ...result.statuses.keys());
      const failed = sum(result.statuses, 429, 503);
      const unexpected = checks - failed - sum(result.statuses, 200, 201);
      const label = scenario.warm
        ? `${scenario.strategy.name}, warm`
        : `${scenario.strategy.name}, cold start (1st minute)`;
      rows.push([
        thousands(hostCount),
        label,
        thousands(checks),
        ((result.listCalls + result.changeCalls) / checks).toFixed(3),
        (result.s3Calls / checks).toFixed(3),
        `${thousands(result.listCalls)} / ${thousands(result.changeCalls)}`,
        thousands(result.throttled),
        `${thousands(failed)} (${((100 * failed) / checks).toFixed(1)} %)${unexpected ? `, ${unexpected} other` : ""}`,
        `${result.addressChanges} / ${thousands(sum(result.statuses, 201))}`,
        result.stale.answers === 0
          ? "0 s"
          : `${(result.stale.worstMs / 1000).toFixed(0)} s (${result.stale.answers})`,
      ]);
      console.log(
        `  simulated ${thousands(hostCount)} hosts, ${label}: ${((performance.now() - startedAt) / 1000).toFixed(1)} s`,
      );
    }
  }
  console.log();
  printTable(
    [
      "hosts",
      "strategy",
      "checks",
      "Route 53 calls/check",
      "S3 calls/check",
      "List / Change calls",
      "throttled calls",
      "checks failed (429/503)",
      "address changes / 201s",
      "worst staleness (wrong 200s)",
    ],
    rows,
  );
}

await main();
