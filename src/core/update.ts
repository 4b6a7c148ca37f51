/**
 * The update decision: the records an update wants (the host's own, the wildcard `*.<host>` that
 * follows it, and the AAAA of its LAN devices under the router's prefix), which of them differ from
 * what the zone's name servers show, and one change-queue message per host for those (the record writer
 * writes them and announces each as a change event, with the values it replaced). Nothing is queued
 * when every record already matches, and the reads come from the DNS adapter's record cache and the
 * name servers, so a no-change check costs no Route 53 call however many names follow the host.
 *
 * Ownership (docs/architecture.md "Ownership"): a host writes only its own name, its wildcard and LAN
 * devices below its name (the config parser refuses any other device). A device name that is itself a
 * configured host is never written: its shard may not be the router's (src/config/shards.ts), so the
 * decision asks the config for those names, and reports each such device instead of queueing it.
 */
import type { QueuedChange } from "./changes.js";
import { ForbiddenError, ThrottledError } from "./errors.js";
import { wildcardName } from "./hostname.js";
import type { HostConfig } from "./hosts.js";
import type { IpAddress } from "./ip.js";
import { type LanPrefix, lanAddress, prefixOfAddress } from "./lan-prefix.js";
import type {
  ChangeQueue,
  ChangeShares,
  ConfigSource,
  DnsRecords,
  RecordChange,
  RecordSource,
} from "./ports.js";
import { HOST_SHARE, hostIdentity } from "./shares.js";

/** Where the decision reads and queues; the protocols pass their Backends. */
export interface UpdateTargets {
  /** Asked whether a LAN device's name is another configured host (which the device then does not write). */
  readonly config: Pick<ConfigSource, "hosts">;
  readonly dns: DnsRecords;
  readonly queue: ChangeQueue;
  /** Absent: no fair shares (tests, and a deployment without DDNS_SHARE_TABLE). */
  readonly shares?: ChangeShares | undefined;
}

/** Who asked, for the change events. */
export interface UpdateOrigin {
  readonly protocol: string;
  readonly sourceIp: string;
  /** The request's time (epoch ms): the writer lets the newest request for a name win. */
  readonly requestedAt: number;
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
  /** Queued for the record writer; `changeId` is the queue's message id. */
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

/**
 * Applies every update; results come back in the same order, one per update. What differs goes to the
 * change queue, one message per host (its records and the names that follow it, so they move together
 * in the writer's batch), after the host's fair share allows it. A failure reading one host's records,
 * or a host over its share, fails only that host; a queue that takes nothing fails every queued one.
 */
export async function applyUpdates(
  targets: UpdateTargets,
  updates: readonly HostUpdate[],
  origin: UpdateOrigin,
): Promise<UpdateResult[]> {
  const { dns } = targets;
  const results: UpdateResult[] = new Array(updates.length);
  const wanted = await Promise.all(
    updates.map(async (update, index) => {
      try {
        const wanted = await withoutOtherHosts(targets.config, update, wantedRecords(update), origin);
        return await differingRecords(dns, update.host.zoneId, wanted, origin.answeredBy);
      } catch (error) {
        results[index] = { outcome: "failed", error };
        return [];
      }
    }),
  );

  // A client may repeat a host name: the first update to want a record owns its change, and a repeat
  // whose records are all owned by another answers with that one's outcome.
  const claimedBy = new Map<string, number>();
  const queued: { index: number; changes: RecordUpdate[] }[] = [];
  const repeats = new Map<number, number>();
  for (const [index, update] of updates.entries()) {
    if (results[index]) continue;
    const differing = wanted[index] ?? [];
    const owned = differing.filter((change) => {
      const key = `${update.host.zoneId}|${change.name}|${change.type}`;
      const owner = claimedBy.get(key);
      if (owner !== undefined) {
        repeats.set(index, owner);
        return false;
      }
      claimedBy.set(key, index);
      return true;
    });
    if (owned.length > 0) queued.push({ index, changes: owned });
    else if (differing.length === 0) results[index] = { outcome: "unchanged" };
  }
  // The usual check: every record already matches, nothing to queue.
  if (queued.length === 0) return finishRepeats(results, repeats);

  const admitted: typeof queued = [];
  await Promise.all(
    queued.map(async (entry) => {
      const host = updates[entry.index]?.host as HostConfig;
      const wait = targets.shares ? await targets.shares.take(hostIdentity(host.fqdn), HOST_SHARE) : 0;
      if (wait > 0) {
        results[entry.index] = { outcome: "failed", error: overShare(host.fqdn, wait) };
      } else {
        admitted.push(entry);
      }
    }),
  );
  if (admitted.length === 0) return finishRepeats(results, repeats);

  const messages: QueuedChange[] = admitted.map(({ index, changes }) => {
    const host = updates[index]?.host as HostConfig;
    return {
      kind: "records",
      zoneId: host.zoneId,
      requestedAt: origin.requestedAt,
      protocol: origin.protocol,
      sourceIp: origin.sourceIp,
      host: host.fqdn,
      records: changes.map(({ name, type, ttl, value, previous }) => ({ name, type, ttl, value, previous })),
    };
  });
  let ids: readonly string[];
  try {
    ids = await targets.queue.send(messages);
  } catch (error) {
    for (const { index } of admitted) results[index] = { outcome: "failed", error };
    return finishRepeats(results, repeats);
  }
  admitted.forEach(({ index, changes }, position) => {
    dns.expect(updates[index]?.host.zoneId as string, changes);
    results[index] = { outcome: "updated", changeId: ids[position] ?? "", changes };
  });
  return finishRepeats(results, repeats);
}

/** A repeated host answers as the update that owns its records did (its changes counted once). */
function finishRepeats(results: UpdateResult[], repeats: ReadonlyMap<number, number>): UpdateResult[] {
  for (const [index, owner] of repeats) {
    const ownerResult = results[owner] ?? { outcome: "unchanged" };
    results[index] ??= ownerResult.outcome === "updated" ? { ...ownerResult, changes: [] } : ownerResult;
  }
  return results;
}

/** 429 with Retry-After: the host has queued its share of changes for now. */
export function overShare(identity: string, retryAfterSeconds: number): ThrottledError {
  return new ThrottledError(
    `${identity} has made its share of changes for now; try again in ${retryAfterSeconds} s.`,
    retryAfterSeconds,
  );
}
