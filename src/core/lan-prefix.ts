/**
 * IPv6 LAN prefixes and interface identifiers (docs/architecture.md "Config":
 * `ipv6_lan_hosts`). A device behind
 * the router keeps its interface identifier while the ISP moves the prefix, so its address is the
 * prefix's first `length` bits followed by the identifier's remaining bits. Only global unicast
 * prefixes (2000::/3) of 48–64 bits are accepted: a prefix is the client's claim, and anything else
 * (link-local, ULA, IPv4-mapped, a whole /32) is either a mistake or an attempt to point names elsewhere.
 */
import { bigIntToIpv6, type IpAddress, ipv6ToBigInt } from "./ip.js";

export const MIN_LAN_PREFIX_LENGTH = 48;
export const MAX_LAN_PREFIX_LENGTH = 64;
export const DEFAULT_LAN_PREFIX_LENGTH = 64;

export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: string };

export interface LanPrefix {
  /** The prefix's 128 bits; bits past `length` are cleared when a length was given. */
  readonly bits: bigint;
  /** The length as sent; undefined when the client sent the address part only. */
  readonly length: number | undefined;
}

const ALL_BITS = (1n << 128n) - 1n;
const LENGTH = /^[0-9]{1,3}$/;
const MAC = /^[0-9a-f]{2}([:-]?)[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$/i;

/** The bits a prefix of `length` keeps. */
function prefixMask(length: number): bigint {
  return ALL_BITS ^ ((1n << BigInt(128 - length)) - 1n);
}

export function isLanPrefixLength(length: unknown): length is number {
  return (
    typeof length === "number" &&
    Number.isInteger(length) &&
    length >= MIN_LAN_PREFIX_LENGTH &&
    length <= MAX_LAN_PREFIX_LENGTH
  );
}

/** 2000::/3 holds every global unicast address; IPv4-mapped, ULA, link-local and multicast lie outside. */
function isGlobalUnicast(bits: bigint): boolean {
  return bits >> 125n === 1n;
}

/** `2001:db8:1200:ab00::/56`, or the address part alone; refused with a sentence saying why. */
export function parseLanPrefix(raw: string): Parsed<LanPrefix> {
  const [address = "", lengthText, ...rest] = raw.trim().split("/");
  if (rest.length > 0) return { ok: false, problem: "has more than one '/'" };
  let length: number | undefined;
  if (lengthText !== undefined) {
    length = LENGTH.test(lengthText) ? Number(lengthText) : Number.NaN;
    if (!isLanPrefixLength(length)) {
      return {
        ok: false,
        problem: `must have a length from /${MIN_LAN_PREFIX_LENGTH} to /${MAX_LAN_PREFIX_LENGTH}`,
      };
    }
  }
  const bits = ipv6ToBigInt(address);
  if (bits === undefined) return { ok: false, problem: "is not an IPv6 prefix" };
  if (bits >> 32n === 0xffffn) return { ok: false, problem: "is an IPv4-mapped address, not an IPv6 prefix" };
  if (!isGlobalUnicast(bits))
    return { ok: false, problem: "is not a global unicast prefix (it must lie in 2000::/3)" };
  return { ok: true, value: { bits: length === undefined ? bits : bits & prefixMask(length), length } };
}

/** The canonical text of a prefix, e.g. `2001:db8:1200:ab00::/56` (the length is left off when none was sent). */
export function formatLanPrefix(prefix: LanPrefix): string {
  const address = bigIntToIpv6(prefix.bits);
  return prefix.length === undefined ? address : `${address}/${prefix.length}`;
}

/** The LAN prefix an IPv6 address lies in, for hosts that take it from the caller's own address. */
export function prefixOfAddress(ip: IpAddress, length: number): LanPrefix | undefined {
  const bits = ip.recordType === "AAAA" ? ipv6ToBigInt(ip.text) : undefined;
  if (bits === undefined || !isGlobalUnicast(bits)) return undefined;
  return { bits: bits & prefixMask(length), length };
}

/** Modified EUI-64 (RFC 4291 appendix A): ff:fe in the middle, the universal/local bit flipped. */
export function interfaceIdFromMac(mac: string): bigint | undefined {
  if (!MAC.test(mac)) return undefined;
  const octets = (mac.match(/[0-9a-f]{2}/gi) ?? []).map((octet) => Number.parseInt(octet, 16));
  const eui64 = [...octets.slice(0, 3), 0xff, 0xfe, ...octets.slice(3)];
  eui64[0] = (eui64[0] ?? 0) ^ 0x02;
  return eui64.reduce((value, octet) => (value << 8n) | BigInt(octet), 0n);
}

/**
 * An interface identifier written as an IPv6 suffix (`::211:32ff:fe12:3456`) or a MAC address
 * (`00:11:32:12:34:56`, EUI-64). It must fit in the `128 - length` bits the prefix leaves free,
 * and may not be all zeros (that address is the subnet's router anycast address).
 */
export function parseInterfaceId(raw: string, length: number): Parsed<bigint> {
  const value = interfaceIdFromMac(raw) ?? ipv6ToBigInt(raw);
  if (value === undefined) {
    return { ok: false, problem: "must be an IPv6 suffix such as ::211:32ff:fe12:3456 or a MAC address" };
  }
  if (value === 0n) return { ok: false, problem: "may not be all zeros" };
  if ((value & prefixMask(length)) !== 0n) {
    return {
      ok: false,
      problem: `does not fit in the ${128 - length} bits a /${length} prefix leaves (it sets bits of the prefix)`,
    };
  }
  return { ok: true, value };
}

/** The suffix form config files and the CLI show: `::211:32ff:fe12:3456`. */
export function formatInterfaceId(interfaceId: bigint): string {
  return bigIntToIpv6(interfaceId);
}

/** The device's address: the prefix's first `length` bits, then the identifier. */
export function lanAddress(prefix: LanPrefix, interfaceId: bigint, length: number): IpAddress {
  return { text: bigIntToIpv6((prefix.bits & prefixMask(length)) | interfaceId), recordType: "AAAA" };
}
