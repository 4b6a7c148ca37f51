/**
 * The update decision: the records an update wants (the host's own, the wildcard `*.<host>` that
 * follows it, and the AAAA of its LAN devices under the router's prefix), which of them differ from
 * what Route 53 holds, and one UPSERT batch per zone for those. Nothing is written when every record
 * already matches, and the reads come from the DNS adapter's record cache, so a no-change check costs
 * no Route 53 call however many names follow the host.
 * Each record written is announced afterwards as one change event, with the values it replaced.
 *
 * Ownership (DESIGN.md "Ownership"): a host writes only its own name, its wildcard and LAN devices
 * below its name (the config parser refuses any other device). A device name that is itself a
 * configured host is never written: its shard may not be the router's (src/config/shards.ts), so the
 * decision asks the config for those names, and reports each such device instead of writing it.
 */
import { ForbiddenError } from "./errors.js";
import { wildcardName } from "./hostname.js";
import type { HostConfig } from "./hosts.js";
import type { IpAddress } from "./ip.js";
import { type LanPrefix, lanAddress, prefixOfAddress } from "./lan-prefix.js";
import type {
  ChangeEvents,
  ConfigSource,
  DnsRecords,
  RecordChange,
  RecordChangeEvent,
  RecordSource,
} from "./ports.js";

/** Where the decision writes and announces; the protocols pass their Backends. */
export interface UpdateTargets {
  /** Asked whether a LAN device's name is another configured host (which the device then does not write). */
  readonly config: Pick<ConfigSource, "hosts">;
  readonly dns: DnsRecords;
  /** Absent: no change events (DDNS_EVENT_BUS unset). */
  readonly events?: ChangeEvents;
}

/** Who asked, for the change events. */
export interface UpdateOrigin {
  readonly protocol: string;
  readonly sourceIp: string;
  /** Hears which path answered each read (cache, DNS or the API), for the request's log line. */
  readonly answeredBy?: (source: RecordSource) => void;
  /** Hears each name the config gives a host but that the host may not write (a config problem). */
  readonly refusedName?: (problem: string) => void;
}

export interface HostUpdate {
  readonly host: HostConfig;
  /** The host's own addresses, at most one per family. */
  readonly addresses: readonly IpAddress[];
  /** The router's LAN prefix; the host's LAN devices follow it. */
  readonly lanPrefix?: LanPrefix | undefined;
}

/** A record the decision wrote, with the values it replaced (empty when it is new). */
export interface RecordUpdate extends RecordChange {
  readonly previous: readonly string[];
}

export type UpdateResult =
  | { readonly outcome: "unchanged" }
  | { readonly outcome: "updated"; readonly changeId: string; readonly changes: readonly RecordUpdate[] }
  | { readonly outcome: "failed"; readonly error: unknown };

export function assertRecordTypeAllowed(host: HostConfig, ip: IpAddress): void {
  if (!host.recordTypes.includes(ip.recordType)) {
    const family = ip.recordType === "A" ? "IPv4" : "IPv6";
    throw new ForbiddenError(
      `The host ${host.fqdn} does not allow ${ip.recordType} records; it cannot be set to the ${family} address ${ip.text}.`,
    );
  }
}

/**
 * The LAN prefix that applies to `host`: the one the client sent, else (for hosts that opt in) the
 * prefix of the caller's own IPv6 address. A host without LAN devices refuses a sent prefix, so a
 * client that believes otherwise hears about it instead of being ignored.
 */
export function lanPrefixFor(
  host: HostConfig,
  sent: LanPrefix | undefined,
  source: IpAddress,
): LanPrefix | undefined {
  if (sent && !host.lan) {
    throw new ForbiddenError(
      `The host ${host.fqdn} has no ipv6_lan_hosts, so it does not take a LAN prefix (ip6lanprefix=); nothing was changed.`,
    );
  }
  if (sent || !host.lan?.prefixFromSource) return sent;
  return prefixOfAddress(source, host.lan.prefixLength);
}

/** A record is right when it holds exactly the wanted value and nothing else. */
export function recordMatches(currentValues: readonly string[], value: string): boolean {
  return currentValues.length === 1 && currentValues[0] === value;
}

/**
 * Every record an update wants, the host's own first. A plain loop: this runs on every check, and
 * most hosts have no wildcard and no LAN devices, so it should cost no more than their own records.
 */
export function wantedRecords(update: HostUpdate): RecordChange[] {
  const { host } = update;
  const records: RecordChange[] = [];
  for (const ip of update.addresses) {
    records.push({ name: host.fqdn, type: ip.recordType, ttl: host.ttl, value: ip.text });
    if (host.wildcard) {
      records.push({ name: wildcardName(host.fqdn), type: ip.recordType, ttl: host.ttl, value: ip.text });
    }
  }
  const lan = host.lan;
  if (update.lanPrefix && lan) {
    for (const device of lan.devices) {
      const ip = lanAddress(update.lanPrefix, device.interfaceId, lan.prefixLength);
      records.push({ name: device.fqdn, type: "AAAA", ttl: host.ttl, value: ip.text });
    }
  }
  return records;
}

/**
 * `records` without the LAN devices whose name is a configured host: that name is the other host's
 * own. Only an update that writes devices asks the config, so a plain check costs nothing more.
 */
async function withoutOtherHosts(
  config: UpdateTargets["config"],
  update: HostUpdate,
  records: RecordChange[],
  origin: UpdateOrigin,
): Promise<RecordChange[]> {
  const devices = update.lanPrefix ? (update.host.lan?.devices ?? []) : [];
  if (devices.length === 0) return records;
  const names = devices.map((device) => device.fqdn);
  const hosts = await config.hosts(names);
  const taken = new Set(names.filter((name) => hosts.find(name) !== undefined));
  if (taken.size === 0) return records;
  for (const name of taken) {
    origin.refusedName?.(
      `${update.host.fqdn}: ipv6_lan_hosts: ${name} is another configured host; the router does not write it.`,
    );
  }
  return records.filter((record) => !taken.has(record.name));
}

async function differingRecords(
  dns: DnsRecords,
  zoneId: string,
  records: readonly RecordChange[],
  answeredBy: UpdateOrigin["answeredBy"],
): Promise<RecordUpdate[]> {
  const current = await Promise.all(
    records.map((record) => dns.currentValues(zoneId, record.name, record.type, answeredBy)),
  );
  const differing: RecordUpdate[] = [];
  records.forEach((record, index) => {
    const previous = current[index] ?? [];
    if (!recordMatches(previous, record.value)) differing.push({ ...record, previous });
  });
  return differing;
}

/** One zone's change batch, and which update owns which of its changes. */
interface ZoneBatch {
  readonly owners: Map<number, RecordUpdate[]>;
  readonly changes: RecordUpdate[];
}

/**
 * Applies every update; results come back in the same order, one per update. Everything that
 * differs in one zone goes into one change batch, so a router and the names that follow it move
 * together or not at all. A failure reading or writing one zone fails only the updates of that zone.
 */
export async function applyUpdates(
  targets: UpdateTargets,
  updates: readonly HostUpdate[],
  origin: UpdateOrigin,
): Promise<UpdateResult[]> {
  const { dns } = targets;
  const results: UpdateResult[] = new Array(updates.length);
  const batches = new Map<string, ZoneBatch>();

  await Promise.all(
    updates.map(async (update, index) => {
      const { zoneId } = update.host;
      let differing: RecordUpdate[];
      try {
        const wanted = await withoutOtherHosts(targets.config, update, wantedRecords(update), origin);
        differing = await differingRecords(dns, zoneId, wanted, origin.answeredBy);
      } catch (error) {
        results[index] = { outcome: "failed", error };
        return;
      }
      if (differing.length === 0) {
        results[index] = { outcome: "unchanged" };
        return;
      }
      const batch: ZoneBatch = batches.get(zoneId) ?? { owners: new Map(), changes: [] };
      // Route 53 refuses a batch that names one record twice (a client may repeat a host name):
      // the first update to want a record owns its change.
      const owned = differing.filter(
        (change) => !batch.changes.some((known) => known.name === change.name && known.type === change.type),
      );
      batch.changes.push(...owned);
      batch.owners.set(index, owned);
      batches.set(zoneId, batch);
    }),
  );
  // The usual check: every record already matches, nothing to write or announce.
  if (batches.size === 0) return results;

  const events: RecordChangeEvent[] = [];
  await Promise.all(
    [...batches].map(async ([zoneId, { owners, changes }]) => {
      let changeId: string;
      try {
        changeId = await dns.upsert(
          zoneId,
          changes.map(({ name, type, ttl, value }) => ({ name, type, ttl, value })),
        );
      } catch (error) {
        for (const index of owners.keys()) results[index] = { outcome: "failed", error };
        return;
      }
      for (const [index, owned] of owners) results[index] = { outcome: "updated", changeId, changes: owned };
      events.push(...changes.map((change) => changeEvent(change, origin, changeId)));
    }),
  );
  // After every write: the bound of publish() is all an update can wait for its events.
  if (targets.events && events.length > 0) await targets.events.publish(events);
  return results;
}

function changeEvent(change: RecordUpdate, origin: UpdateOrigin, changeId: string): RecordChangeEvent {
  return {
    hostname: change.name,
    type: change.type,
    previous: change.previous,
    current: [change.value],
    protocol: origin.protocol,
    sourceIp: origin.sourceIp,
    changeId,
  };
}
