/**
 * The update decision: which of the wanted addresses differ from what Route 53 holds, and one
 * UPSERT batch per zone for those. Nothing is written when every record already matches.
 */
import { ForbiddenError } from "./errors.js";
import type { HostConfig } from "./hosts.js";
import type { IpAddress } from "./ip.js";
import type { DnsRecords, RecordChange, RecordSource } from "./ports.js";

export interface WantedAddress {
  readonly host: HostConfig;
  readonly ip: IpAddress;
}

export type UpdateResult =
  | { readonly outcome: "unchanged" }
  | { readonly outcome: "updated"; readonly changeId: string }
  | { readonly outcome: "failed"; readonly error: unknown };

export function assertRecordTypeAllowed(host: HostConfig, ip: IpAddress): void {
  if (!host.recordTypes.includes(ip.recordType)) {
    const family = ip.recordType === "A" ? "IPv4" : "IPv6";
    throw new ForbiddenError(
      `The host ${host.fqdn} does not allow ${ip.recordType} records; it cannot be set to the ${family} address ${ip.text}.`,
    );
  }
}

/** A record is right when it holds exactly the wanted address and nothing else. */
export function recordMatches(currentValues: readonly string[], ip: IpAddress): boolean {
  return currentValues.length === 1 && currentValues[0] === ip.text;
}

/**
 * Applies every wanted address; results come back in the same order. A failure reading or writing
 * one zone fails only the hosts of that zone. `answeredBy` hears which path answered each read.
 */
export async function applyAddresses(
  dns: DnsRecords,
  wanted: readonly WantedAddress[],
  answeredBy?: (source: RecordSource) => void,
): Promise<UpdateResult[]> {
  const results: UpdateResult[] = new Array(wanted.length);
  const changesByZone = new Map<string, { indexes: number[]; changes: RecordChange[] }>();

  await Promise.all(
    wanted.map(async ({ host, ip }, index) => {
      try {
        const current = await dns.currentValues(host.zoneId, host.fqdn, ip.recordType, answeredBy);
        if (recordMatches(current, ip)) {
          results[index] = { outcome: "unchanged" };
          return;
        }
      } catch (error) {
        results[index] = { outcome: "failed", error };
        return;
      }
      const zone = changesByZone.get(host.zoneId) ?? { indexes: [], changes: [] };
      zone.indexes.push(index);
      // Route 53 refuses a batch that names one record twice (a client may repeat a host name).
      const duplicate = zone.changes.some(
        (change) => change.name === host.fqdn && change.type === ip.recordType,
      );
      if (!duplicate)
        zone.changes.push({ name: host.fqdn, type: ip.recordType, ttl: host.ttl, value: ip.text });
      changesByZone.set(host.zoneId, zone);
    }),
  );

  await Promise.all(
    [...changesByZone].map(async ([zoneId, { indexes, changes }]) => {
      let result: UpdateResult;
      try {
        result = { outcome: "updated", changeId: await dns.upsert(zoneId, changes) };
      } catch (error) {
        result = { outcome: "failed", error };
      }
      for (const index of indexes) results[index] = result;
    }),
  );
  return results;
}
