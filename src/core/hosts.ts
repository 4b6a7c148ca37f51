/** A host as the service sees it once the config file has been validated. */
import type { RecordType } from "./ip.js";

export interface HostConfig {
  /** Canonical name: lower case with the trailing dot. */
  readonly fqdn: string;
  readonly zoneId: string;
  readonly ttl: number;
  /** Record types this host may set; a caller of another address family gets 403. */
  readonly recordTypes: readonly RecordType[];
  readonly secret: string;
  readonly allowDyndns2: boolean;
  readonly requireTimestamp: boolean;
  /** dyndns2 only: may `myip` name an address other than the caller's own? */
  readonly allowClientIp: boolean;
  /** dyndns2 Basic-auth user name; defaults to the host name. Compared case-insensitively. */
  readonly username: string;
  /** `*.<fqdn>` gets the same A/AAAA as the host. */
  readonly wildcard: boolean;
  /** The devices behind the router whose AAAA follow its LAN prefix; undefined when it has none. */
  readonly lan?: LanSettings | undefined;
  /** Minutes without a check-in after which `ddns host status` calls the host quiet; undefined: never. */
  readonly expectCheckInMinutes?: number | undefined;
}

export interface LanSettings {
  readonly devices: readonly LanDevice[];
  /** How many leading bits of the prefix the identifiers complete (48–64). */
  readonly prefixLength: number;
  /** Without an explicit prefix, an IPv6 caller's own address gives it (a client running on a LAN device). */
  readonly prefixFromSource: boolean;
}

export interface LanDevice {
  /** Canonical name, in the router's zone. */
  readonly fqdn: string;
  readonly interfaceId: bigint;
}

/** The validated hosts, looked up by any spelling of their name. */
export interface HostDirectory {
  find(hostname: string): HostConfig | undefined;
  readonly size: number;
}
