/**
 * The update decision: which of the wanted addresses differ from what Route 53 holds, and one
 * UPSERT batch per zone for those. Nothing is written when every record already matches.
 * Each record written is announced afterwards as one change event, with the values it replaced.
 */
import { ForbiddenError } from "./errors.js";
import type { HostConfig } from "./hosts.js";
import type { IpAddress } from "./ip.js";
import type { ChangeEvents, DnsRecords, RecordChange, RecordChangeEvent } from "./ports.js";

export interface WantedAddress {
  readonly host: HostConfig;
  readonly ip: IpAddress;
}

/** Where the decision writes and announces; the protocols pass their Backends. */
export interface UpdateTargets {
  readonly dns: DnsRecords;
  /** Absent: no change events (DDNS_EVENT_BUS unset). */
  readonly events?: ChangeEvents;
}

/** Who asked, for the change events. */
export interface UpdateOrigin {
  readonly protocol: string;
  readonly sourceIp: string;
}

/** A record to write and what Route 53 held before, which its change event reports. */
interface PendingChange {
  readonly change: RecordChange;
  readonly previous: readonly string[];
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
 * one zone fails only the hosts of that zone.
 */
export async function applyAddresses(
  targets: UpdateTargets,
  wanted: readonly WantedAddress[],
  origin: UpdateOrigin,
): Promise<UpdateResult[]> {
  const { dns } = targets;
  const results: UpdateResult[] = new Array(wanted.length);
  const changesByZone = new Map<string, { indexes: number[]; changes: PendingChange[] }>();

  await Promise.all(
    wanted.map(async ({ host, ip }, index) => {
      let current: readonly string[];
      try {
        current = await dns.currentValues(host.zoneId, host.fqdn, ip.recordType);
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
        ({ change }) => change.name === host.fqdn && change.type === ip.recordType,
      );
      if (!duplicate) {
        const change = { name: host.fqdn, type: ip.recordType, ttl: host.ttl, value: ip.text };
        zone.changes.push({ change, previous: current });
      }
      changesByZone.set(host.zoneId, zone);
    }),
  );

  const events: RecordChangeEvent[] = [];
  await Promise.all(
    [...changesByZone].map(async ([zoneId, { indexes, changes }]) => {
      let result: UpdateResult;
      try {
        const changeId = await dns.upsert(
          zoneId,
          changes.map(({ change }) => change),
        );
        result = { outcome: "updated", changeId };
        events.push(...changes.map((pending) => changeEvent(pending, origin, changeId)));
      } catch (error) {
        result = { outcome: "failed", error };
      }
      for (const index of indexes) results[index] = result;
    }),
  );
  // After every write: the bound of publish() is all an update can wait for its events.
  if (targets.events && events.length > 0) await targets.events.publish(events);
  return results;
}

function changeEvent(
  { change, previous }: PendingChange,
  origin: UpdateOrigin,
  changeId: string,
): RecordChangeEvent {
  return {
    hostname: change.name,
    type: change.type,
    previous,
    current: [change.value],
    protocol: origin.protocol,
    sourceIp: origin.sourceIp,
    changeId,
  };
}
