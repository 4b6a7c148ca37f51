import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { HASH_MISMATCH_MESSAGE, verifyClaim } from "../../src/core/auth.js";
import { AuthError } from "../../src/core/errors.js";
import { isWithinZone, parseHostname } from "../../src/core/hostname.js";
import { canonicalRecordValue, parseIp } from "../../src/core/ip.js";
import {
  checkTimestamp,
  hexDigestsEqual,
  secretsEqual,
  seedToken,
  timestampedToken,
} from "../../src/core/tokens.js";
import { hostConfig } from "../support/builders.js";

describe("hostnames", () => {
  it.each([
    ["home.dyn.example.com", "home.dyn.example.com."],
    ["HOME.Dyn.Example.com.", "home.dyn.example.com."],
    ["a-1.b2.io", "a-1.b2.io."],
  ])("canonicalises %s", (raw, fqdn) => {
    expect(parseHostname(raw)).toEqual({ ok: true, fqdn });
  });

  it.each([
    ["", "is empty"],
    ["localhost", "is not a fully qualified domain name"],
    ["a..example.com", "has an empty label"],
    [`${"x".repeat(64)}.com`, "has a label longer than 63 characters"],
    [`${"abcdefghi.".repeat(26)}com`, "is longer than 253 characters"],
    ["under_score.example.com", "may only contain letters, digits and inner hyphens in each label"],
    ["-lead.example.com", "may only contain letters, digits and inner hyphens in each label"],
    ["*.example.com", "may only contain letters, digits and inner hyphens in each label"],
  ])("refuses %j: it %s", (raw, problem) => {
    expect(parseHostname(raw)).toEqual({ ok: false, problem });
  });

  it("knows which names are inside a zone", () => {
    expect(isWithinZone("a.dyn.example.com.", "dyn.example.com.")).toBe(true);
    expect(isWithinZone("dyn.example.com.", "dyn.example.com.")).toBe(true);
    expect(isWithinZone("xdyn.example.com.", "dyn.example.com.")).toBe(false);
  });
});

describe("IP addresses", () => {
  it.each([
    ["192.0.2.1", "192.0.2.1", "A"],
    ["::ffff:192.0.2.1", "192.0.2.1", "A"],
    ["::FFFF:c000:0201", "192.0.2.1", "A"],
    ["2001:DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1", "AAAA"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", "AAAA"],
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1", "AAAA"],
    ["::1", "::1", "AAAA"],
    ["::", "::", "AAAA"],
    ["fe80::1:2", "fe80::1:2", "AAAA"],
    ["64:ff9b::192.0.2.33", "64:ff9b::c000:221", "AAAA"],
  ])("reads %s as %s (%s)", (raw, text, recordType) => {
    expect(parseIp(raw)).toEqual({ text, recordType });
  });

  it.each([
    "",
    "1.2.3",
    "1.2.3.4.5",
    "256.1.1.1",
    "01.2.3.4",
    "1.2.3.-1",
    " 1.2.3.4",
    "1:2:3:4:5:6:7:8:9",
    "1::2::3",
    "fe80::1%eth0",
    "12345::",
    "::g",
    "example.com",
  ])("refuses %j", (raw) => {
    expect(parseIp(raw)).toBeUndefined();
  });

  it("canonicalises record values read from DNS and leaves other values alone", () => {
    expect(canonicalRecordValue("2001:0DB8::0001")).toBe("2001:db8::1");
    expect(canonicalRecordValue("not-an-ip")).toBe("not-an-ip");
  });
});

describe("tokens", () => {
  it("computes the seed token as sha256 over the bare concatenation, as the seed did", () => {
    const expected = createHash("sha256").update("1.2.3.4h.example.com.s3cret").digest("hex");
    expect(seedToken("1.2.3.4", "h.example.com.", "s3cret")).toBe(expected);
    // The seed's defect, kept for compatibility: without separators two claims can share a token.
    expect(seedToken("1.2.3.4", "h.example.com.", "s")).toBe(seedToken("1.2.3.", "4h.example.com.", "s"));
  });

  it("separates the fields of the replay-proof token", () => {
    expect(timestampedToken("1.2.3.4", "h.example.com", "100", "k")).not.toBe(
      timestampedToken("1.2.3.4", "h.example.co", "m100", "k"),
    );
  });

  it("compares hex digests case-insensitively and refuses anything but 64 hex digits", () => {
    const digest = seedToken("1.2.3.4", "h", "s");
    expect(hexDigestsEqual(digest.toUpperCase(), digest)).toBe(true);
    expect(hexDigestsEqual(digest.slice(1), digest)).toBe(false);
    expect(hexDigestsEqual(`${digest.slice(0, 63)}g`, digest)).toBe(false);
  });

  it("compares passwords of any length", () => {
    expect(secretsEqual("pässword:with@chars", "pässword:with@chars")).toBe(true);
    expect(secretsEqual("short", "a much longer secret")).toBe(false);
  });

  it("accepts timestamps within ±300 s only", () => {
    expect(checkTimestamp("1000", 1300)).toEqual({ ok: true });
    expect(checkTimestamp("1000", 1301)).toEqual({ ok: false, problem: "expired" });
    expect(checkTimestamp("1301", 1000)).toEqual({ ok: false, problem: "future" });
    expect(checkTimestamp("1e3", 1000)).toEqual({ ok: false, problem: "malformed" });
    expect(checkTimestamp("-5", 1000)).toEqual({ ok: false, problem: "malformed" });
  });
});

describe("verifyClaim", () => {
  const host = hostConfig({ fqdn: "h.example.com.", zoneId: "Z1", secret: "k" });

  it("explains its refusals only in the log", () => {
    const claim = { ip: "1.2.3.4", hostnameAsSent: "h.example.com", hash: "0".repeat(64) };
    const caught = (() => {
      try {
        verifyClaim(host, claim, 0);
      } catch (error) {
        return error as AuthError;
      }
    })();
    expect(caught).toBeInstanceOf(AuthError);
    expect(caught?.message).toBe(HASH_MISMATCH_MESSAGE);
    expect(caught?.reason).toBe("hash mismatch");
  });

  it("passes the exact seed token", () => {
    const hash = seedToken("1.2.3.4", "h.example.com", "k");
    expect(() =>
      verifyClaim(host, { ip: "1.2.3.4", hostnameAsSent: "h.example.com", hash }, 0),
    ).not.toThrow();
  });
});
