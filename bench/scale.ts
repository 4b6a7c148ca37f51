/**
 * `bench/scale`: how many hosts one AWS account serves, and whether a renumbering storm gets through,
 * with this design (the no-change check asks the zone's name servers over DNS, changes are coalesced
 * per zone) and the earlier zone-listing design (zone listings through the API, one change per caller),
 * side by side in one run.
 *
 * The real request path (createApp + S3ConfigStore + Route53Records) runs in N containers against a
 * Route 53 stand-in that enforces the account's token buckets (10/s refill, 50 burst per action and
 * account; ROUTE53_QUOTAS_PER_ACTION), a DNS stand-in for the zone's name servers (no quota, Route 53's propagation lag)
 * and an S3 stand-in, in virtual time. A container serves many requests at once (as the local API
 * does), except in the storm's "Lambda" design: one request per environment, up to the function's
 * reserved concurrency, the rest throttled by Lambda (test/support/fakes/lambda-pool.ts).
 *
 * Fleet: H hosts poll every 5 minutes (±10 %), each poll landing on a random container; every
 * container starts at the same instant (a deploy under full load) and figures count from the end of
 * the first minute. 1 % of hosts change address per day; 1 % of records per hour are edited behind the
 * service's back (what makes a cached "unchanged" wrong until the bound expires: "worst staleness").
 *
 * Storm: 10,000 hosts, every one changes address at a random moment within 60 s and its router
 * reports at once; a router told 429/503 comes back after Retry-After (a 500 without it, as API
 * Gateway answers a throttled invocation, after 5 s); all keep their 5-minute polls.
 *
 *   npx tsx bench/scale.ts [--hosts 100000] [--containers 4,16] [--minutes 4] [--today-up-to 200000]
 *                          [--storm-hosts 10000] [--storm-containers 16] [--storm-designs this,today,lambda]
 *                          [--lambda-concurrency 100]
 * Each row is also printed as soon as it is simulated (a large fleet takes minutes).
 */
import { parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { App } from "../src/app.js";
import type { HttpResult } from "../src/protocols/http.js";
import { httpEvent } from "../test/support/events.js";
import { VirtualClock } from "../test/support/fakes/clock.js";
import { createConfigStore, createContainer } from "../test/support/fakes/container.js";
import { DnsStandIn } from "../test/support/fakes/dns.js";
import {
  FLEET_ZONE_ID,
  fleetAddress,
  fleetConfig,
  fleetHost,
  setQuery,
} from "../test/support/fakes/fleet.js";
import { COLD_START_MS, LambdaPool } from "../test/support/fakes/lambda-pool.js";
import {
  ROUTE53_QUOTAS_PER_ACTION as ROUTE53_QUOTAS,
  Route53StandIn,
} from "../test/support/fakes/route53.js";
import { S3StandIn } from "../test/support/fakes/s3.js";
import { printTable } from "./lib/stats.js";

const POLL_SECONDS = 300;
const POLL_JITTER = 0.1;
const ADDRESS_CHANGES_PER_DAY = 0.01;
const EXTERNAL_EDITS_PER_HOUR = 0.01;
/** Virtual latencies, roughly what a function in us-east-1 sees. */
const LATENCY_MS = { list: 100, change: 150, s3: 30, dns: 5 };
/** Route 53 documents that changes reach its name servers within about 60 s. */
const propagationMs = () => 5_000 + Math.random() * 55_000;
const FIRST_MINUTE_MS = 60_000;
/** Requests still in flight at the end get this long to finish (throttled retries back off). */
const DRAIN_MS = 120_000;
const STORM_SECONDS = 60;
const STORM_GOAL_MS = 5 * 60_000;
/** Answers a router comes back after (Retry-After, else RETRY_WITHOUT_HEADER_S): throttled, failed, busy. */
const RETRIED_STATUSES = new Set([429, 500, 503]);
const RETRY_WITHOUT_HEADER_S = 5;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const heapMb = () => {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

interface Design {
  readonly name: string;
  /** The no-change check asks the zone's name servers (else: zone listings through the API). */
  readonly dns: boolean;
  /**
   * Lambda's reserved concurrency: environments serve one request each, started on demand up to this
   * many (the container count is then unused). Undefined: a fixed set of containers, each serving
   * many requests at once.
   */
  readonly lambdaConcurrency?: number;
  /** Simulated storm time after the renumbering starts: long enough to see the storm drain. */
  readonly stormMinutes: number;
}

const THIS_DESIGN: Design = {
  name: "this design",
  dns: true,
  stormMinutes: 10,
};
const TODAY: Design = { name: "today's", dns: false, stormMinutes: 10 };
/** This design as Lambda runs it: 8 changes a second for 10,000 hosts takes over 20 minutes. */
const lambda = (concurrency: number): Design => ({
  ...THIS_DESIGN,
  name: "Lambda",
  lambdaConcurrency: concurrency,
  stormMinutes: 40,
});

/**
 * A simulated account: stand-ins, N containers (or Lambda's environments) sharing one parsed config,
 * and each host's state.
 */
function account(hostCount: number, containerCount: number, design: Design) {
  const clock = new VirtualClock();
  const route53 = new Route53StandIn({
    clock,
    quotas: ROUTE53_QUOTAS,
    latencyMs: LATENCY_MS,
    maxAttempts: 3,
    propagationMs,
  });
  const dns = new DnsStandIn(route53, clock, LATENCY_MS.dns);
  const s3 = new S3StandIn(clock, LATENCY_MS.s3);
  s3.put(JSON.stringify(fleetConfig(hostCount)));
  const options = { s3, route53, clock, recordCacheSeconds: 60, configCacheSeconds: 60 };
  // One parsed copy for all containers: a 1,000,000-host config is ~1.6 GiB of heap per copy.
  let config = createConfigStore(options);
  const startContainer = () =>
    createContainer({
      ...options,
      config,
      dns: design.dns ? dns : undefined,
    });
  const lambdaPool =
    design.lambdaConcurrency === undefined
      ? undefined
      : new LambdaPool({ clock, concurrency: design.lambdaConcurrency, startEnvironment: startContainer });
  const containers: App[] = lambdaPool ? [] : Array.from({ length: containerCount }, startContainer);
  const hosts = Array.from({ length: hostCount }, (_, index) => fleetHost(index));
  const fqdns = hosts.map((host) => `${host.hostname}.`);
  const addresses = hosts.map((_, index) => fleetAddress(index));
  for (let index = 0; index < hostCount; index++) {
    route53.setRecord(FLEET_ZONE_ID, fqdns[index] as string, "A", addresses[index] as string);
  }
  const dropConfig = () => {
    config = createConfigStore(options);
  };
  const send = (index: number): Promise<HttpResult> => {
    const address = addresses[index] as string;
    const event = httpEvent({
      sourceIp: address,
      query: setQuery(hosts[index] as (typeof hosts)[number], address),
    });
    if (lambdaPool) return lambdaPool.invoke(event);
    const container = containers[Math.floor(Math.random() * containerCount)] as App;
    return container(event, "sim");
  };
  const inRoute53 = (index: number) => route53.value(FLEET_ZONE_ID, fqdns[index] as string, "A");
  return {
    clock,
    route53,
    dns,
    s3,
    hosts,
    fqdns,
    addresses,
    send,
    inRoute53,
    containers,
    lambdaPool,
    dropConfig,
  };
}

const pollInterval = () => POLL_SECONDS * 1000 * (1 + POLL_JITTER * (2 * Math.random() - 1));

let nextAddress = 0;
function newAddress(): string {
  nextAddress++;
  return `100.${64 + ((nextAddress >> 16) & 63)}.${(nextAddress >> 8) & 255}.${nextAddress & 255}`;
}

const sum = (statuses: Map<number, number>, ...codes: number[]) =>
  codes.reduce((total, code) => total + (statuses.get(code) ?? 0), 0);

async function simulateFleet(hostCount: number, containerCount: number, minutes: number, design: Design) {
  const sim = account(hostCount, containerCount, design);
  const { clock, route53, dns } = sim;
  const start = clock.now();
  const measureFrom = start + FIRST_MINUTE_MS;
  const end = measureFrom + minutes * 60_000;
  const first = new Map<number, number>();
  const measured = new Map<number, number>();
  const stale = { answers: 0, worstMs: 0 };
  const editedAt = new Float64Array(hostCount);
  let addressChanges = 0;
  const counters = () => ({
    route53: route53.totalCalls,
    list: route53.calls.ListResourceRecordSets,
    change: route53.calls.ChangeResourceRecordSets,
    throttled: route53.throttled,
    dns: dns.queries,
  });
  let baseline = counters();
  clock.at(measureFrom, () => {
    baseline = counters();
  });

  const poll = (index: number) => {
    const now = clock.now();
    const counted = now >= measureFrom;
    if (Math.random() < ADDRESS_CHANGES_PER_DAY * (POLL_SECONDS / 86_400)) {
      sim.addresses[index] = newAddress();
      if (counted) addressChanges++;
    }
    const address = sim.addresses[index];
    void sim.send(index).then((result) => {
      const statuses = counted ? measured : first;
      statuses.set(result.statusCode, (statuses.get(result.statusCode) ?? 0) + 1);
      if (counted && result.statusCode === 200 && sim.inRoute53(index) !== address) {
        stale.answers++;
        stale.worstMs = Math.max(stale.worstMs, clock.now() - (editedAt[index] as number));
      }
    });
    const next = now + pollInterval();
    if (next < end) clock.at(next, () => poll(index));
  };
  for (let index = 0; index < hostCount; index++) {
    clock.at(start + Math.random() * POLL_SECONDS * 1000, () => poll(index));
  }
  const edits = Math.round(hostCount * EXTERNAL_EDITS_PER_HOUR * ((end - start) / 3_600_000));
  for (let edit = 0; edit < edits; edit++) {
    clock.at(start + Math.random() * (end - start), () => {
      const index = Math.floor(Math.random() * hostCount);
      route53.setRecord(FLEET_ZONE_ID, sim.fqdns[index] as string, "A", "192.0.2.1");
      editedAt[index] = clock.now();
    });
  }
  await clock.run(end + DRAIN_MS);
  const final = counters();
  const checks = sum(measured, ...measured.keys());
  // Memory: the containers' own state (record caches, batchers…), then the parsed config they share.
  const withContainers = heapMb();
  sim.containers.length = 0;
  const withoutContainers = heapMb();
  sim.dropConfig();
  const withoutConfig = heapMb();
  return {
    checks,
    firstMinute: { checks: sum(first, ...first.keys()), throttled: sum(first, 429), failed: sum(first, 503) },
    throttledChecks: sum(measured, 429),
    unavailableChecks: sum(measured, 503),
    updates: sum(measured, 201),
    addressChanges,
    route53Calls: final.route53 - baseline.route53,
    listCalls: final.list - baseline.list,
    changeCalls: final.change - baseline.change,
    throttledCalls: final.throttled - baseline.throttled,
    dnsQueries: final.dns - baseline.dns,
    seconds: (end - measureFrom) / 1000,
    stale,
    noChangeChecks: sum(measured, 200),
    /** Heap per container after the run: its own state, and the parsed config each container holds. */
    heapMb: {
      ownState: (withContainers - withoutContainers) / containerCount,
      config: withoutContainers - withoutConfig,
    },
  };
}

async function simulateStorm(hostCount: number, containerCount: number, design: Design) {
  const sim = account(hostCount, containerCount, design);
  const { clock, route53 } = sim;
  const start = clock.now() + 5 * 60_000; // after five quiet minutes (warm containers)
  const end = start + design.stormMinutes * 60_000;
  const statuses = new Map<number, number>();
  const updatedAt = new Float64Array(hostCount).fill(Number.NaN);
  const stormAddress: string[] = new Array(hostCount);
  let acknowledgedButNotWritten = 0;

  // A router runs one loop: while a retry is due, its 5-minute poll is skipped and a second answer
  // to retry does not schedule another (only a new address is reported at once, whatever is pending).
  const retryDue = new Uint8Array(hostCount);
  const check = (index: number) => {
    const address = sim.addresses[index] as string;
    void sim.send(index).then((result) => {
      const now = clock.now();
      if (now >= start) statuses.set(result.statusCode, (statuses.get(result.statusCode) ?? 0) + 1);
      if ((result.statusCode === 200 || result.statusCode === 201) && sim.inRoute53(index) !== address) {
        acknowledgedButNotWritten++;
      }
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
  for (let index = 0; index < hostCount; index++) {
    clock.at(clock.now() + Math.random() * POLL_SECONDS * 1000, () => poll(index));
    const renumberedAt = start + Math.random() * STORM_SECONDS * 1000;
    clock.at(renumberedAt, () => {
      const address = newAddress();
      stormAddress[index] = address;
      sim.addresses[index] = address;
      check(index); // the router reports its new address at once
    });
  }
  // Watch Route 53 every second: when did each host's record first hold its new address?
  const watch = () => {
    for (let index = 0; index < hostCount; index++) {
      if (
        Number.isNaN(updatedAt[index]) &&
        stormAddress[index] &&
        sim.inRoute53(index) === stormAddress[index]
      ) {
        updatedAt[index] = clock.now();
      }
    }
    if (clock.now() < end) clock.at(clock.now() + 1000, watch);
  };
  clock.at(start, watch);
  const acceptedBefore = route53.changesAccepted.length;
  const attemptedBefore = route53.changesAttemptedAt.length;
  const throttledBefore = route53.throttled;
  const putsBefore = { ...sim.s3.puts };
  const throttledInvocationsBefore = sim.lambdaPool?.throttled ?? 0;
  await clock.run(end + DRAIN_MS);

  const stormCalls = perSecond(
    route53.changesAccepted.slice(acceptedBefore).map(({ at }) => at),
    start,
  );
  const stormAttempts = perSecond(route53.changesAttemptedAt.slice(attemptedBefore), start);
  const updated = [...updatedAt].filter((at) => !Number.isNaN(at));
  const lost = sim.addresses.filter((address, index) => sim.inRoute53(index) !== address).length;
  return {
    hostCount,
    updatedWithinGoal: updated.filter((at) => at - start <= STORM_GOAL_MS).length,
    allUpdatedAfterS: updated.length === hostCount ? (Math.max(...updated) - start) / 1000 : Number.NaN,
    peakChangesPerSecond: Math.max(0, ...stormCalls),
    peakAttemptsPerSecond: Math.max(0, ...stormAttempts),
    busiestTenSeconds: Math.max(
      0,
      ...stormCalls.map((_, second) => stormCalls.slice(second, second + 10).reduce((a, b) => a + b, 0) / 10),
    ),
    changeCalls: stormCalls.reduce((total, calls) => total + calls, 0),
    throttledCalls: route53.throttled - throttledBefore,
    answered429: sum(statuses, 429),
    answered503: sum(statuses, 503),
    lost,
    acknowledgedButNotWritten,
    slotPuts: sim.s3.puts.total - putsBefore.total,
    slotPutsRefused: sim.s3.puts.refused - putsBefore.refused,
    simulatedMinutes: design.stormMinutes,
    lambda: sim.lambdaPool && {
      environments: sim.lambdaPool.environments,
      throttledInvocations: sim.lambdaPool.throttled - throttledInvocationsBefore,
    },
  };
}

/** Calls in each second of the storm's first five minutes. */
function perSecond(times: readonly number[], start: number): number[] {
  const seconds = new Array<number>(STORM_GOAL_MS / 1000).fill(0);
  for (const at of times) {
    const second = Math.floor((at - start) / 1000);
    if (second >= 0 && second < seconds.length) seconds[second] = (seconds[second] ?? 0) + 1;
  }
  return seconds;
}

const thousands = (value: number) => Math.round(value).toLocaleString("en-US");
const percent = (part: number, whole: number) => `${((100 * part) / Math.max(1, whole)).toFixed(2)} %`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      hosts: { type: "string", default: "100000" },
      containers: { type: "string", default: "4,16" },
      minutes: { type: "string", default: "4" },
      /** Today's design is simulated only up to this many hosts and only at the first container count (it is slow to simulate and hopeless beyond). */
      "today-up-to": { type: "string", default: "200000" },
      "storm-hosts": { type: "string", default: "10000" },
      "storm-containers": { type: "string", default: "16" },
      "storm-designs": { type: "string", default: "this,today" },
      /** The storm's Lambda design: the function's reserved concurrency (Terraform's default). */
      "lambda-concurrency": { type: "string", default: "100" },
    },
  });
  const hostCounts = values.hosts.split(",").filter(Boolean).map(Number);
  const containerCounts = values.containers.split(",").map(Number);
  const minutes = Number(values.minutes);
  console.log(
    `scale: hosts poll every ${POLL_SECONDS} s ±${POLL_JITTER * 100} %; ${ADDRESS_CHANGES_PER_DAY * 100} % change ` +
      `address per day; ${EXTERNAL_EDITS_PER_HOUR * 100} % of records edited outside the service per hour. ` +
      `All containers start at once; figures from the end of the first minute, ${minutes} simulated minutes. ` +
      `Route 53: ${ROUTE53_QUOTAS.perSecond}/s refill and ${ROUTE53_QUOTAS.burst} burst per action and account ` +
      `(no budget of record changes: batches of up to 1,000 elements), List ${LATENCY_MS.list} ms, ` +
      `Change ${LATENCY_MS.change} ms, the SDK's 3 attempts; name servers ${LATENCY_MS.dns} ms, no quota, ` +
      `changes visible after 5–60 s.`,
  );

  const fleetRows: string[][] = [];
  const memoryRows: string[][] = [];
  for (const hostCount of hostCounts) {
    for (const containerCount of containerCounts) {
      const withToday = hostCount <= Number(values["today-up-to"]) && containerCount === containerCounts[0];
      const designs = withToday ? [THIS_DESIGN, TODAY] : [THIS_DESIGN];
      for (const design of designs) {
        const startedAt = performance.now();
        const result = await simulateFleet(hostCount, containerCount, minutes, design);
        fleetRows.push([
          thousands(hostCount),
          String(containerCount),
          design.name,
          `${thousands(result.firstMinute.checks)}: ${thousands(result.firstMinute.throttled)} / ${thousands(result.firstMinute.failed)}`,
          thousands(result.checks),
          `${thousands(result.throttledChecks)} (${percent(result.throttledChecks, result.checks)})`,
          thousands(result.unavailableChecks),
          (result.route53Calls / result.checks).toFixed(4),
          ((result.route53Calls - result.changeCalls) / Math.max(1, result.noChangeChecks)).toFixed(4),
          (result.route53Calls / result.seconds).toFixed(2),
          `${thousands(result.listCalls)} / ${thousands(result.changeCalls)}`,
          thousands(result.throttledCalls),
          (result.dnsQueries / result.checks).toFixed(3),
          `${result.addressChanges} / ${thousands(result.updates)}`,
          result.stale.answers === 0
            ? "0 s"
            : `${(result.stale.worstMs / 1000).toFixed(0)} s (${result.stale.answers})`,
        ]);
        if (design === THIS_DESIGN) {
          memoryRows.push([
            thousands(hostCount),
            String(containerCount),
            `${result.heapMb.config.toFixed(0)} MiB`,
            `${result.heapMb.ownState.toFixed(1)} MiB`,
            `${(result.heapMb.config + result.heapMb.ownState).toFixed(0)} MiB`,
          ]);
        }
        console.log(
          `  simulated ${thousands(hostCount)} hosts, ${containerCount} containers, ${design.name}: ` +
            `${((performance.now() - startedAt) / 1000).toFixed(0)} s\n  | ${fleetRows.at(-1)?.join(" | ")} |` +
            (design === THIS_DESIGN ? `\n  memory | ${memoryRows.at(-1)?.join(" | ")} |` : ""),
        );
      }
    }
  }

  const stormHosts = Number(values["storm-hosts"]);
  const stormContainers = Number(values["storm-containers"]);
  const stormRows: string[][] = [];
  const lambdaLines: string[] = [];
  if (stormHosts > 0) {
    const designsByName: Record<string, Design> = {
      this: THIS_DESIGN,
      today: TODAY,
      lambda: lambda(Number(values["lambda-concurrency"])),
    };
    const stormDesigns = values["storm-designs"].split(",").map((name) => {
      const design = designsByName[name];
      if (!design) throw new Error(`--storm-designs: "${name}" is none of ${Object.keys(designsByName)}`);
      return design;
    });
    for (const design of stormDesigns) {
      const startedAt = performance.now();
      const storm = await simulateStorm(stormHosts, stormContainers, design);
      stormRows.push([
        design.name,
        `${thousands(storm.updatedWithinGoal)} of ${thousands(storm.hostCount)}`,
        Number.isNaN(storm.allUpdatedAfterS) ? "not all" : `${storm.allUpdatedAfterS.toFixed(0)} s`,
        thousands(storm.changeCalls),
        `${storm.peakChangesPerSecond} / ${storm.peakAttemptsPerSecond}`,
        storm.busiestTenSeconds.toFixed(1),
        thousands(storm.throttledCalls),
        `${thousands(storm.answered429)} / ${thousands(storm.answered503)}`,
        String(storm.lost),
        String(storm.acknowledgedButNotWritten),
        "none",
      ]);
      const lambdaLine =
        storm.lambda &&
        `${design.name} (${design.lambdaConcurrency} reserved concurrency, one request per environment, ` +
          `${COLD_START_MS} ms cold start, ${storm.simulatedMinutes} simulated minutes): ` +
          `peak ${storm.lambda.environments} environments, ` +
          `${thousands(storm.lambda.throttledInvocations)} invocations throttled ` +
          `(API Gateway answers 500 without Retry-After; routers come back after ${RETRY_WITHOUT_HEADER_S} s)`;
      if (lambdaLine) lambdaLines.push(lambdaLine);
      console.log(
        `  simulated the storm, ${design.name}: ${((performance.now() - startedAt) / 1000).toFixed(0)} s\n  | ${stormRows.at(-1)?.join(" | ")} |` +
          (lambdaLine ? `\n  ${lambdaLine}` : ""),
      );
    }
  }

  console.log();
  printTable(
    [
      "hosts",
      "containers",
      "design",
      "1st minute: checks: 429 / 503",
      "checks after",
      "throttled checks (429)",
      "503",
      "Route 53 calls/check",
      "API reads per no-change check",
      "Route 53 calls/s",
      "List / Change calls",
      "throttled calls",
      "DNS queries/check",
      "address changes / 201s",
      "worst staleness (wrong 200s)",
    ],
    fleetRows,
  );
  console.log();
  console.log(
    "memory per container (this design; V8 heap after GC, measured by dropping them after the run):",
  );
  printTable(
    ["hosts", "containers", "parsed config (single config.json)", "record cache and batcher", "total heap"],
    memoryRows,
  );
  if (stormRows.length > 0) {
    console.log();
    console.log(
      `storm: ${thousands(stormHosts)} hosts change address within ${STORM_SECONDS} s, ${stormContainers} containers ` +
        "(Lambda: environments on demand, below the table), " +
        "routers report at once and come back after Retry-After; 5-minute polls go on",
    );
    printTable(
      [
        "design",
        "updated within 5 min",
        "all updated after",
        "Change calls (5 min)",
        "peak Change calls/s: accepted / attempted",
        "busiest 10 s (calls/s)",
        "throttled calls",
        "answered 429 / 503",
        "lost updates",
        "200/201 not in Route 53",
        "budget slot PUTs (412)",
      ],
      stormRows,
    );
    for (const line of lambdaLines) console.log(line);
  }
}

await main();
