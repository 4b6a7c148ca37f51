/**
 * IP addresses as Route 53 record values. Every address is reduced to one canonical
 * text form (dotted quad; RFC 5952 for IPv6) so that "has it changed?" is a string compare.
 * IPv4-mapped IPv6 (::ffff:1.2.3.4) is the IPv4 address it carries.
 */

export type RecordType = "A" | "AAAA";
export const RECORD_TYPES: readonly RecordType[] = ["A", "AAAA"];

export interface IpAddress {
  /** Canonical text form. */
  readonly text: string;
  readonly recordType: RecordType;
}

const IPV4_OCTET = /^(?:0|[1-9][0-9]{0,2})$/;
/** Four IPV4_OCTETs of at most 255: the dotted quads parseIpv4Octets accepts, already canonical. */
const CANONICAL_IPV4 =
  /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseIpv4Octets(raw: string): number[] | undefined {
  const parts = raw.split(".");
  if (parts.length !== 4) return undefined;
  const octets: number[] = [];
  for (const part of parts) {
    // Leading zeros are refused: some resolvers read them as octal.
    if (!IPV4_OCTET.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    octets.push(value);
  }
  return octets;
}

/** Eight 16-bit groups, or undefined when `raw` is not an IPv6 address. Zone ids (%eth0) are refused. */
function parseIpv6Groups(raw: string): number[] | undefined {
  if (raw.length > 45 || raw.includes("%")) return undefined;
  const halves = raw.split("::");
  if (halves.length > 2) return undefined;
  const parseSide = (side: string): number[] | undefined => {
    if (side === "") return [];
    const groups: number[] = [];
    const pieces = side.split(":");
    for (const [index, piece] of pieces.entries()) {
      if (index === pieces.length - 1 && piece.includes(".")) {
        const octets = parseIpv4Octets(piece);
        if (!octets) return undefined;
        groups.push(((octets[0] ?? 0) << 8) | (octets[1] ?? 0), ((octets[2] ?? 0) << 8) | (octets[3] ?? 0));
      } else if (HEX_GROUP.test(piece)) {
        groups.push(Number.parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return groups;
  };
  const head = parseSide(halves[0] ?? "");
  const tail = halves.length === 2 ? parseSide(halves[1] ?? "") : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

/** RFC 5952: lower case, no leading zeros, the first longest run (2+) of zero groups as "::". */
function formatIpv6(groups: number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; ) {
    if (groups[start] !== 0) {
      start++;
      continue;
    }
    let end = start;
    while (end < 8 && groups[end] === 0) end++;
    if (end - start > bestLength) {
      bestStart = start;
      bestLength = end - start;
    }
    start = end;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

/** An IPv6 address as one 128-bit number, or undefined when `raw` is not IPv6 text (IPv4 is not). */
export function ipv6ToBigInt(raw: string): bigint | undefined {
  const groups = parseIpv6Groups(raw);
  return groups?.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

/** The canonical (RFC 5952) text of a 128-bit number. */
export function bigIntToIpv6(value: bigint): string {
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  return formatIpv6(groups);
}

export function parseIp(raw: string): IpAddress | undefined {
  // Every check parses its caller's address: a dotted quad is its own canonical text.
  if (CANONICAL_IPV4.test(raw)) return { text: raw, recordType: "A" };
  const groups = parseIpv6Groups(raw);
  if (!groups) return undefined;
  const isV4Mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  if (isV4Mapped) {
    const [high = 0, low = 0] = groups.slice(6);
    return { text: [high >> 8, high & 0xff, low >> 8, low & 0xff].join("."), recordType: "A" };
  }
  return { text: formatIpv6(groups), recordType: "AAAA" };
}

/** The canonical form of a record value read from DNS; values that are not addresses stay as they are. */
export function canonicalRecordValue(value: string): string {
  return parseIp(value)?.text ?? value;
}

/** IPv4 ranges no one on the internet can reach: the address a router behind another NAT sees on its WAN. */
const UNREACHABLE_IPV4: ReadonlyArray<{ base: number; bits: number; scope: UnreachableScope }> = [
  { base: ipv4Number(100, 64), bits: 10, scope: "carrier-grade NAT (100.64.0.0/10)" },
  { base: ipv4Number(10, 0), bits: 8, scope: "private (10.0.0.0/8)" },
  { base: ipv4Number(172, 16), bits: 12, scope: "private (172.16.0.0/12)" },
  { base: ipv4Number(192, 168), bits: 16, scope: "private (192.168.0.0/16)" },
];

export type UnreachableScope =
  | "carrier-grade NAT (100.64.0.0/10)"
  | "private (10.0.0.0/8)"
  | "private (172.16.0.0/12)"
  | "private (192.168.0.0/16)";

function ipv4Number(first: number, second: number): number {
  return ((first << 24) | (second << 16)) >>> 0;
}

/** The range an IPv4 address is in when the internet cannot reach it (CGNAT or RFC 1918); else undefined. */
export function unreachableScope(ip: IpAddress): UnreachableScope | undefined {
  if (ip.recordType !== "A") return undefined;
  const value = ip.text.split(".").reduce((sum, octet) => sum * 256 + Number(octet), 0);
  return UNREACHABLE_IPV4.find(({ base, bits }) => value >>> (32 - bits) === base >>> (32 - bits))?.scope;
}
