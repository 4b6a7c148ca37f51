// The zone's name servers in memory, serving what the Route 53 fake (route53.ts) holds after its
// propagation lag: the DNS path's fake in the unit tests and the benchmarks.
import type { RecordType } from "../../../src/core/ip.js";
import type { AnsweredRecord, AuthoritativeDns } from "../../../src/core/ports.js";
import { type Clock, wallClock } from "./clock.js";
import type { Route53StandIn } from "./route53.js";

/**
 * The zone's authoritative name servers as the DNS path sees them: what Route 53 holds, after its
 * propagation lag, with no quota. `failing` makes every query fail (the API fallback).
 */
export class DnsStandIn implements AuthoritativeDns {
  queries = 0;
  failing = false;

  constructor(
    private readonly route53: Route53StandIn,
    private readonly clock: Clock = wallClock,
    private readonly latencyMs = 0,
  ) {}

  async query(zoneId: string, name: string, type: RecordType): Promise<AnsweredRecord> {
    this.queries++;
    await this.clock.sleep(this.latencyMs);
    if (this.failing) throw Object.assign(new Error("queryA ETIMEOUT"), { code: "ETIMEOUT" });
    const served = this.route53.served(zoneId, name, type);
    return { values: served?.values ?? [], ttlSeconds: served?.ttl ?? 60 };
  }
}
