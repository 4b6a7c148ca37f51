/**
 * A fleet of hosts for the benchmarks: the config document the function reads from S3, and the
 * requests a router would send (payload 2.0 events for in-process runs, query strings for HTTP).
 */
import { createHash } from "node:crypto";
import type { HostEntry } from "../../../src/config/schema.js";
import { seedToken } from "../../../src/core/tokens.js";

export const FLEET_ZONE = "dyn.example.com.";
export const FLEET_ZONE_ID = "ZBENCH0000001";

export interface FleetHost {
  /** As the router sends it (no trailing dot). */
  readonly hostname: string;
  readonly secret: string;
}

/** Deterministic, so every run of a benchmark sees the same fleet. */
export function fleetHost(index: number): FleetHost {
  const secret = createHash("sha256").update(`bench-secret-${index}`).digest("base64url");
  return { hostname: `host${index}.${FLEET_ZONE.slice(0, -1)}`, secret };
}

/** A distinct IPv4 address per index (10.0.0.0/8 holds 16 million). */
export function fleetAddress(index: number): string {
  return `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
}

export function fleetConfig(count: number, zoneId = FLEET_ZONE_ID, ttl = 60): Record<string, HostEntry> {
  const document: Record<string, HostEntry> = {};
  for (let index = 0; index < count; index++) {
    const host = fleetHost(index);
    document[`${host.hostname}.`] = {
      aws_region: "us-east-1",
      route_53_zone_id: zoneId,
      route_53_record_ttl: ttl,
      route_53_record_type: "A",
      shared_secret: host.secret,
    };
  }
  return document;
}

/** The seed protocol's query string for `mode=set` from `sourceIp`. */
export function setQuery(host: FleetHost, sourceIp: string): string {
  const hash = seedToken(sourceIp, host.hostname, host.secret);
  return `mode=set&hostname=${encodeURIComponent(host.hostname)}&hash=${hash}`;
}
