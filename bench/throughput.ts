/**
 * Warm throughput and memory of one container on the no-change path: the real request path with a
 * 10,000-host config and this design's DNS path (a stand-in for the zone's name servers), every
 * check answered from the config and record caches once each host has been read once. One JavaScript thread
 * (one core), requests one after another. Run with --expose-gc so the memory figures are after a GC.
 *
 *   node --expose-gc --import tsx bench/throughput.ts [--hosts 10000] [--rounds 5] [--per-round 20000] [--design this|today]
 * `--design today` reads records through zone listings instead (the zone-listing design that came before
 * the DNS path), for comparison.
 */
import { parseArgs } from "node:util";
import { httpEvent } from "../test/support/events.js";
import { wallClock } from "../test/support/fakes/clock.js";
import { createContainer } from "../test/support/fakes/container.js";
import { DnsStandIn } from "../test/support/fakes/dns.js";
import {
  FLEET_ZONE_ID,
  fleetAddress,
  fleetConfig,
  fleetHost,
  setQuery,
} from "../test/support/fakes/fleet.js";
import { Route53StandIn } from "../test/support/fakes/route53.js";
import { S3StandIn } from "../test/support/fakes/s3.js";
import { median, printTable, verdict } from "./lib/stats.js";

/** No regression from the 50,000–59,000 measured before the DNS path. */
const TARGET_PER_SECOND = 50_000;
const TARGET_RSS_MB = 100; // MiB

function memoryMb(): { rss: number; heap: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  return { rss: usage.rss / 2 ** 20, heap: usage.heapUsed / 2 ** 20 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      hosts: { type: "string", default: "10000" },
      rounds: { type: "string", default: "5" },
      "per-round": { type: "string", default: "20000" },
      design: { type: "string", default: "this" },
    },
  });
  const hostCount = Number(values.hosts);
  const rounds = Number(values.rounds);
  const perRound = Number(values["per-round"]);
  if (!(globalThis as { gc?: unknown }).gc) console.log("(run with --expose-gc for memory after GC)");

  const before = memoryMb();
  const s3 = new S3StandIn();
  const route53 = new Route53StandIn();
  const config = JSON.stringify(fleetConfig(hostCount));
  s3.put(config);
  const events = Array.from({ length: hostCount }, (_, index) => {
    const address = fleetAddress(index);
    route53.setRecord(FLEET_ZONE_ID, `${fleetHost(index).hostname}.`, "A", address);
    return httpEvent({ sourceIp: address, query: setQuery(fleetHost(index), address) });
  });
  const app = createContainer({
    s3,
    route53,
    dns: values.design === "today" ? undefined : new DnsStandIn(route53),
    clock: wallClock,
    recordCacheSeconds: 60,
    configCacheSeconds: 60,
  });

  // Warm the container: the config is fetched and parsed, every host's record read once over DNS.
  for (const event of events) await app(event);
  const warm = memoryMb();
  const callsBefore = { s3: s3.calls, route53: route53.totalCalls };

  const rates: number[] = [];
  const memory: { requests: number; rss: number; heap: number }[] = [];
  let sent = 0;
  let unexpected = 0;
  for (let round = 0; round < rounds; round++) {
    const startedAt = performance.now();
    for (let request = 0; request < perRound; request++) {
      // Lambda hands the function its request id; passing one keeps randomUUID out of the figure.
      const result = await app(events[sent++ % events.length] as (typeof events)[number], "bench");
      if (result.statusCode !== 200) unexpected++;
    }
    rates.push(perRound / ((performance.now() - startedAt) / 1000));
    memory.push({ requests: sent, ...memoryMb() });
  }

  console.log(
    `throughput (${values.design === "today" ? "today's design: zone listings" : "this design: DNS path"}): ${hostCount.toLocaleString("en-US")}-host config (${(config.length / 2 ** 20).toFixed(1)} MiB JSON), ` +
      `set requests whose address is unchanged, one after another on one thread`,
  );
  printTable(
    ["round", "requests/s"],
    rates.map((rate, index) => [String(index + 1), Math.round(rate).toLocaleString("en-US")]),
  );
  const medianRate = median(rates);
  console.log(
    `median: ${Math.round(medianRate).toLocaleString("en-US")} requests/s; non-200 answers: ${unexpected}`,
  );
  console.log(
    `AWS calls during the ${sent.toLocaleString("en-US")} measured requests: S3 ${s3.calls - callsBefore.s3}, ` +
      `Route 53 ${route53.totalCalls - callsBefore.route53}`,
  );
  console.log();
  console.log("memory after GC (MiB):");
  printTable(
    ["after", "RSS", "heap used"],
    [
      ["start", before.rss.toFixed(1), before.heap.toFixed(1)],
      ["config + records loaded", warm.rss.toFixed(1), warm.heap.toFixed(1)],
      ...memory.map((sample) => [
        `${sample.requests.toLocaleString("en-US")} requests`,
        sample.rss.toFixed(1),
        sample.heap.toFixed(1),
      ]),
    ],
  );
  const last = memory.at(-1);
  const growth = last ? last.heap - (memory[0]?.heap ?? last.heap) : 0;
  console.log(
    verdict(`≥ ${TARGET_PER_SECOND.toLocaleString("en-US")} requests/s`, medianRate >= TARGET_PER_SECOND),
  );
  // Lambda's "128 MB" is 128 MiB, so the target is read in the same unit.
  console.log(
    verdict(
      `RSS < ${TARGET_RSS_MB} MiB after ${sent.toLocaleString("en-US")} requests: ${last?.rss.toFixed(1)} MiB; heap change after the first round ${growth.toFixed(1)} MiB`,
      (last?.rss ?? Number.POSITIVE_INFINITY) < TARGET_RSS_MB,
    ),
  );
}

await main();
