/**
 * The no-change check through the zone's name servers (DNS has no API quota; Route 53's API allows an
 * account about 10 requests/s, shared by every host), in one container built
 * from the real request path and Route53Records over the fakes (test/support/fakes): which path answers,
 * how many Route 53 API calls that costs, the fallback when DNS fails, and Route 53's propagation
 * lag, during which this container's own writes win over what DNS still shows.
 */
import { describe, expect, it } from "vitest";
import type { LogEntry } from "../../src/core/log.js";
import { OWN_WRITE_WINS_MS } from "../../src/dns/route53.js";
import { httpEvent } from "../support/events.js";
import { VirtualClock } from "../support/fakes/clock.js";
import { createContainer } from "../support/fakes/container.js";
import { DnsStandIn } from "../support/fakes/dns.js";
import { FLEET_ZONE_ID, fleetAddress, fleetConfig, fleetHost, setQuery } from "../support/fakes/fleet.js";
import { Route53StandIn } from "../support/fakes/route53.js";
import { S3StandIn } from "../support/fakes/s3.js";

const HOSTS = 20;
/** Longer than the record cache bound (60 s), so a check after the bound meets the lag. */
const PROPAGATION_MS = 90_000;

function container(options: { propagationMs?: number } = {}) {
  const clock = new VirtualClock();
  const s3 = new S3StandIn(clock);
  const route53 = new Route53StandIn({ clock, propagationMs: () => options.propagationMs ?? 0 });
  const dns = new DnsStandIn(route53, clock);
  s3.put(JSON.stringify(fleetConfig(HOSTS)));
  for (let index = 0; index < HOSTS; index++) {
    route53.setRecord(FLEET_ZONE_ID, fqdn(index), "A", fleetAddress(index));
  }
  const logs: LogEntry[] = [];
  const app = createContainer({
    s3,
    route53,
    dns,
    clock,
    recordCacheSeconds: 60,
    configCacheSeconds: 60,
    log: (entry) => logs.push(entry),
  });
  /** One set request, run to its end on the virtual clock. */
  const set = async (index: number, address = fleetAddress(index)) => {
    const result = app(httpEvent({ sourceIp: address, query: setQuery(fleetHost(index), address) }));
    await clock.runUntilSettled([result]);
    return { status: (await result).statusCode, log: logs.at(-1) as LogEntry };
  };
  const wait = (milliseconds: number) => clock.run(clock.now() + milliseconds);
  return { route53, dns, set, wait };
}

const fqdn = (index: number) => `${fleetHost(index).hostname}.`;

describe("the no-change check asks DNS, not the Route 53 API", () => {
  it("answers every check of a cold container from DNS with zero Route 53 API calls", async () => {
    // prepare
    const { route53, dns, set } = container();

    // act
    const checks = [];
    for (let index = 0; index < HOSTS; index++) checks.push(await set(index));

    // assess
    expect(checks.map((check) => check.status)).toEqual(new Array(HOSTS).fill(200));
    expect(checks.map((check) => check.log.recordSource)).toEqual(new Array(HOSTS).fill("dns"));
    expect(route53.totalCalls).toBe(0);
    expect(dns.queries).toBe(HOSTS);
  });

  it("answers a repeated check from the cache until the record's TTL runs out", async () => {
    // prepare
    const { dns, set, wait } = container();
    await set(3);

    // act
    const again = await set(3);
    await wait(61_000);
    const later = await set(3);

    // assess
    expect(again.log.recordSource).toBe("cache");
    expect(later.log.recordSource).toBe("dns");
    expect(dns.queries).toBe(2);
  });

  it("falls back to the API path when DNS fails, and logs which path answered", async () => {
    // prepare
    const { route53, dns, set } = container();
    dns.failing = true;

    // act
    const check = await set(5);

    // assess
    expect(check.status).toBe(200);
    expect(check.log.recordSource).toBe("api");
    expect(route53.calls.ListResourceRecordSets).toBeGreaterThan(0);
  });

  it("writes a changed address once, and no second time while DNS still shows the old one", async () => {
    // prepare: Route 53's name servers take a minute and a half to show a change
    const { route53, dns, set, wait } = container({ propagationMs: PROPAGATION_MS });
    const moved = "203.0.113.50";

    // act
    const first = await set(7, moved);
    await wait(61_000); // the cached write has expired; DNS still lags
    const lagging = dns.query(FLEET_ZONE_ID, fqdn(7), "A");
    const second = await set(7, moved);

    // assess
    expect(first.status).toBe(201);
    expect((await lagging).values).toEqual([fleetAddress(7)]);
    expect(second).toMatchObject({ status: 200, log: { recordSource: "dns", decision: "unchanged" } });
    expect(route53.calls.ChangeResourceRecordSets).toBe(1);
    expect(route53.value(FLEET_ZONE_ID, fqdn(7), "A")).toBe(moved);
  });

  it("believes DNS when it shows a value this container did not replace (someone changed it since)", async () => {
    // prepare
    const { route53, set, wait } = container();
    const moved = "203.0.113.51";
    await set(8, moved);
    route53.setRecord(FLEET_ZONE_ID, fqdn(8), "A", "198.51.100.200"); // an operator's edit
    await wait(61_000);

    // act
    const check = await set(8, moved);

    // assess
    expect(check.status).toBe(201);
    expect(route53.value(FLEET_ZONE_ID, fqdn(8), "A")).toBe(moved);
  });

  it(`believes DNS again ${OWN_WRITE_WINS_MS / 1000} s after the write, whatever it shows`, async () => {
    // prepare: the write was reverted to the old value behind the service's back
    const { route53, set, wait } = container();
    const moved = "203.0.113.52";
    await set(9, moved);
    route53.setRecord(FLEET_ZONE_ID, fqdn(9), "A", fleetAddress(9));

    // act
    await wait(61_000);
    const during = await set(9, moved);
    await wait(OWN_WRITE_WINS_MS);
    const after = await set(9, moved);

    // assess
    expect(during.status).toBe(200);
    expect(after.status).toBe(201);
    expect(route53.value(FLEET_ZONE_ID, fqdn(9), "A")).toBe(moved);
  });
});
