/**
 * What the core needs from the outside world. The S3 and Route 53 adapters implement these;
 * tests and benchmarks substitute their own.
 */
import type { HostDirectory } from "./hosts.js";
import type { RecordType } from "./ip.js";

export interface ConfigSource {
  /**
   * The current hosts; throws UnavailableError when there is no usable copy.
   * With `names`, the directory need only answer for those names (a sharded config loads just the
   * parts they live in); callers still look hosts up with `find()`. Without, it answers for every host.
   */
  hosts(names?: readonly string[]): Promise<HostDirectory>;
}

export interface RecordChange {
  readonly name: string;
  readonly type: RecordType;
  readonly ttl: number;
  readonly value: string;
}

export interface DnsRecords {
  /** The values of the simple record `name`/`type` (canonical), empty when there is none. */
  currentValues(zoneId: string, name: string, type: RecordType): Promise<readonly string[]>;
  /** UPSERTs every change in one batch; resolves to the change id. */
  upsert(zoneId: string, changes: readonly RecordChange[]): Promise<string>;
}
