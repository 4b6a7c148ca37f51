/**
 * The no-change path in one warm container and the record writer's merging, counted through
 * stand-in S3 and Route 53 clients (test/support/fakes) under the real adapters: how many AWS
 * calls checks and changes cost.
 */

import { describe, expect, it } from "vitest";
import { encodeChange } from "../../src/core/changes.js";
import type { ChangeQueue } from "../../src/core/ports.js";
import { Route53TxtRecords } from "../../src/dns/route53-txt.js";
import { Route53RecordWriter } from "../../src/dns/route53-writer.js";
import { applyBatch, type WriterMessage } from "../../src/writer/apply.js";
import { httpEvent } from "../support/events.js";
import { type Clock, VirtualClock, wallClock } from "../support/fakes/clock.js";
import { createContainer } from "../support/fakes/container.js";
import { FLEET_ZONE_ID, fleetAddress, fleetConfig, fleetHost, setQuery } from "../support/fakes/fleet.js";
import { Route53StandIn } from "../support/fakes/route53.js";
import { S3StandIn } from "../support/fakes/s3.js";

function fleet(hostCount: number, clock: Clock, latencyMs = 0, queue?: ChangeQueue) {
  const s3 = new S3StandIn(clock, latencyMs);
  const route53 = new Route53StandIn({ clock, latencyMs: { list: latencyMs, change: latencyMs } });
  s3.put(JSON.stringify(fleetConfig(hostCount)));
  for (let index = 0; index < hostCount; index++) {
    route53.setRecord(FLEET_ZONE_ID, `${fleetHost(index).hostname}.`, "A", fleetAddress(index));
  }
  const app = createContainer({
    s3,
    route53,
    clock,
    recordCacheSeconds: 60,
    configCacheSeconds: 60,
    ...(queue ? { queue } : {}),
  });
  const set = (index: number, address = fleetAddress(index)) =>
    app(httpEvent({ sourceIp: address, query: setQuery(fleetHost(index), address) }));
  return { s3, route53, set };
}

describe("the no-change path in a warm container", () => {
  it("costs no S3 or Route 53 call while the caches are fresh", async () => {
    // prepare
    const { s3, route53, set } = fleet(1000, wallClock);
    await set(0);
    const before = { s3: s3.calls, route53: route53.totalCalls };

    // act
    const statuses = new Set<number>();
    for (let index = 0; index < 1000; index++) statuses.add((await set(index)).statusCode);

    // assess
    expect([...statuses]).toEqual([200]);
    expect(s3.calls - before.s3).toBe(0);
    expect(route53.totalCalls - before.route53).toBe(0);
  });

  it("costs at most 0.05 Route 53 calls per check, amortised over 30 minutes of 5-minute polls", async () => {
    // prepare: 1,000 hosts polling every 5 minutes, spread evenly, on a virtual clock
    const clock = new VirtualClock();
    const { s3, route53, set } = fleet(1000, clock);
    const statuses = new Map<number, number>();
    const pollMs = 300_000;
    for (let round = 0; round < 6; round++) {
      for (let index = 0; index < 1000; index++) {
        clock.at(clock.now() + round * pollMs + (index * pollMs) / 1000, () => {
          void set(index).then((result) =>
            statuses.set(result.statusCode, (statuses.get(result.statusCode) ?? 0) + 1),
          );
        });
      }
    }

    // act
    await clock.run(clock.now() + 6 * pollMs);

    // assess
    expect(statuses).toEqual(new Map([[200, 6000]]));
    expect(route53.totalCalls / 6000).toBeLessThanOrEqual(0.05);
    expect(s3.calls / 6000).toBeLessThanOrEqual(0.01); // one revalidation a minute, not one a check
  });
});

describe("merging in the record writer", () => {
  it("50 parallel identical set requests queue 50 messages, and one writer batch makes one ChangeResourceRecordSets", async () => {
    // prepare: a cold container whose queue keeps the messages; the host moved to a new address
    const queued: WriterMessage[] = [];
    const queue: ChangeQueue = {
      send: async (changes) =>
        changes.map((change) => {
          queued.push({ id: `m${queued.length}`, body: encodeChange(change) });
          return `m${queued.length - 1}`;
        }),
    };
    const { s3, route53, set } = fleet(10, wallClock, 5, queue);
    const newAddress = "203.0.113.7";

    // act
    const results = await Promise.all(Array.from({ length: 50 }, () => set(3, newAddress)));
    const failed = await applyBatch(
      {
        records: new Route53RecordWriter(route53.client),
        txt: new Route53TxtRecords(route53.client),
        pacer: { take: async () => {} },
        log: () => {},
      },
      queued,
    );

    // assess
    expect(results.map((result) => result.statusCode)).toEqual(new Array(50).fill(201));
    expect(queued).toHaveLength(50);
    expect(failed).toEqual([]);
    expect(route53.calls.ChangeResourceRecordSets).toBe(1);
    expect(route53.calls.ListResourceRecordSets).toBe(1);
    expect(s3.calls).toBe(1);
    expect(route53.value(FLEET_ZONE_ID, `${fleetHost(3).hostname}.`, "A")).toBe(newAddress);
  });
});
