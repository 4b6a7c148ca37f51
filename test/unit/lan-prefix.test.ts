/**
 * LAN prefix arithmetic (core/lan-prefix.ts): examples from real routers, then properties over every
 * prefix length 48–64 (fast-check prints the seed and the shrunk counter-example on failure).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bigIntToIpv6, ipv6ToBigInt, parseIp } from "../../src/core/ip.js";
import {
  formatInterfaceId,
  formatLanPrefix,
  interfaceIdFromMac,
  lanAddress,
  parseInterfaceId,
  parseLanPrefix,
  prefixOfAddress,
} from "../../src/core/lan-prefix.js";

const lengths = fc.integer({ min: 48, max: 64 });
const bits128 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
/** Any address in 2000::/3. */
const globalBits = fc.bigInt({ min: 0n, max: (1n << 125n) - 1n }).map((low) => (1n << 125n) | low);

function prefix(raw: string) {
  const parsed = parseLanPrefix(raw);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.value;
}

function interfaceId(raw: string, length = 64): bigint {
  const parsed = parseInterfaceId(raw, length);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.value;
}

describe("LAN prefixes", () => {
  it.each([
    ["2001:db8:1200:ab00::/56", "2001:db8:1200:ab00::/56"],
    ["2001:DB8:1200:AB00::/64", "2001:db8:1200:ab00::/64"],
    ["2001:db8:1200:ab00::", "2001:db8:1200:ab00::"],
    // An interface address with its length (what `ip -6 addr` shows): the host bits are dropped.
    ["2001:db8:1200:ab00:211:32ff:fe12:3456/64", "2001:db8:1200:ab00::/64"],
    ["2a02:8070:a1c0:5f00::/48", "2a02:8070:a1c0::/48"],
  ])("reads %s as %s", (raw, canonical) => {
    expect(formatLanPrefix(prefix(raw))).toBe(canonical);
  });

  it.each([
    ["fe80::/64", "is not a global unicast prefix (it must lie in 2000::/3)"],
    ["fd00:1234:5678::/48", "is not a global unicast prefix (it must lie in 2000::/3)"],
    ["ff02::1/64", "is not a global unicast prefix (it must lie in 2000::/3)"],
    ["::1", "is not a global unicast prefix (it must lie in 2000::/3)"],
    ["::ffff:192.0.2.1", "is an IPv4-mapped address, not an IPv6 prefix"],
    ["::ffff:c000:201/64", "is an IPv4-mapped address, not an IPv6 prefix"],
    ["2001:db8::/32", "must have a length from /48 to /64"],
    ["2001:db8::/65", "must have a length from /48 to /64"],
    ["2001:db8::/", "must have a length from /48 to /64"],
    ["2001:db8::/56/56", "has more than one '/'"],
    ["192.0.2.0/24", "must have a length from /48 to /64"],
    ["192.0.2.1", "is not an IPv6 prefix"],
    ["not-a-prefix", "is not an IPv6 prefix"],
  ])("refuses %s: it %s", (raw, problem) => {
    expect(parseLanPrefix(raw)).toEqual({ ok: false, problem });
  });

  it("refuses every prefix outside 2000::/3, whatever its length", () => {
    fc.assert(
      fc.property(bits128, lengths, (bits, length) => {
        fc.pre(bits >> 125n !== 1n);
        expect(parseLanPrefix(`${bigIntToIpv6(bits)}/${length}`).ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it("takes the caller's prefix only from a global IPv6 address", () => {
    const source = parseIp("2001:db8:1200:ab00:1c2d:3e4f:5a6b:7c8d");
    expect(source && formatLanPrefix(prefixOfAddress(source, 56) ?? prefix("::"))).toBe(
      "2001:db8:1200:ab00::/56",
    );
    expect(prefixOfAddress({ text: "203.0.113.10", recordType: "A" }, 64)).toBeUndefined();
    expect(prefixOfAddress({ text: "fd00::1", recordType: "AAAA" }, 64)).toBeUndefined();
  });
});

describe("interface identifiers", () => {
  it("derives the modified EUI-64 from a MAC address", () => {
    expect(formatInterfaceId(interfaceIdFromMac("00:11:32:12:34:56") ?? 0n)).toBe("::211:32ff:fe12:3456");
    expect(formatInterfaceId(interfaceIdFromMac("02-11-32-AB-CD-EF") ?? 0n)).toBe("::11:32ff:feab:cdef");
    expect(formatInterfaceId(interfaceIdFromMac("001132123456") ?? 0n)).toBe("::211:32ff:fe12:3456");
    expect(interfaceIdFromMac("00:11:32:12:34")).toBeUndefined();
    expect(interfaceIdFromMac("00:11-32:12:34:56")).toBeUndefined();
  });

  it("reads a suffix or a MAC address", () => {
    expect(interfaceId("::211:32ff:fe12:3456")).toBe(0x021132fffe123456n);
    expect(interfaceId("00:11:32:12:34:56")).toBe(0x021132fffe123456n);
    expect(interfaceId("::1:0:0:0:5", 48)).toBe((1n << 64n) | 5n);
  });

  it.each([
    ["::", 64, "may not be all zeros"],
    ["::1:0:0:0:5", 64, "does not fit in the 64 bits a /64 prefix leaves (it sets bits of the prefix)"],
    ["2001:db8::5", 56, "does not fit in the 72 bits a /56 prefix leaves (it sets bits of the prefix)"],
    ["nas", 64, "must be an IPv6 suffix such as ::211:32ff:fe12:3456 or a MAC address"],
  ])("refuses %s for a /%i: it %s", (raw, length, problem) => {
    expect(parseInterfaceId(raw, length)).toEqual({ ok: false, problem });
  });

  it("accepts an identifier exactly when it fits the suffix the length leaves", () => {
    fc.assert(
      fc.property(bits128, lengths, (bits, length) => {
        fc.pre(bits !== 0n);
        const fits = bits < 1n << BigInt(128 - length);
        expect(parseInterfaceId(bigIntToIpv6(bits), length).ok).toBe(fits);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("device addresses", () => {
  it("completes the router's prefix with the identifier", () => {
    const nas = interfaceId("::211:32ff:fe12:3456");
    expect(lanAddress(prefix("2001:db8:1200:ab00::/64"), nas, 64).text).toBe(
      "2001:db8:1200:ab00:211:32ff:fe12:3456",
    );
    // A /56 delegation and a /64 configured: the identifiers live in the first /64 of it.
    expect(lanAddress(prefix("2001:db8:1200:ab00::/56"), nas, 64).text).toBe(
      "2001:db8:1200:ab00:211:32ff:fe12:3456",
    );
    // Identifiers that carry their own subnet id complete a shorter prefix.
    const camera = interfaceId("::12:0:0:0:7", 56);
    expect(lanAddress(prefix("2001:db8:1200:ab00::/64"), camera, 56).text).toBe("2001:db8:1200:ab12::7");
  });

  it("for any length 48–64: the prefix's bits, then the identifier's, and a global address", () => {
    fc.assert(
      fc.property(globalBits, bits128, lengths, (prefixBits, idBits, length) => {
        // prepare
        const suffixBits = BigInt(128 - length);
        const id = idBits & ((1n << suffixBits) - 1n);
        fc.pre(id !== 0n);
        const sent = prefix(`${bigIntToIpv6(prefixBits)}/${length}`);
        // act
        const address = lanAddress(sent, id, length);
        // assess
        const value = ipv6ToBigInt(address.text) ?? -1n;
        expect(address.recordType).toBe("AAAA");
        expect(value >> suffixBits).toBe(prefixBits >> suffixBits);
        expect(value & ((1n << suffixBits) - 1n)).toBe(id);
        expect(parseLanPrefix(address.text).ok).toBe(true);
        expect(parseIp(address.text)?.text).toBe(address.text);
      }),
      { numRuns: 2000 },
    );
  });

  it("a new prefix moves the address and keeps the identifier", () => {
    fc.assert(
      fc.property(globalBits, globalBits, lengths, (first, second, length) => {
        const id = interfaceId("00:11:32:12:34:56", length);
        const mask = (1n << 64n) - 1n;
        const before = ipv6ToBigInt(lanAddress({ bits: first, length }, id, length).text) ?? 0n;
        const after = ipv6ToBigInt(lanAddress({ bits: second, length }, id, length).text) ?? 0n;
        expect(before & mask).toBe(after & mask);
        expect(before === after).toBe(first >> BigInt(128 - length) === second >> BigInt(128 - length));
      }),
      { numRuns: 500 },
    );
  });
});
