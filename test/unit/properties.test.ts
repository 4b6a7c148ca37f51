/**
 * Property tests (fast-check prints the seed and the shrunk counter-example on failure; rerun
 * with `{ seed, path }` to reproduce). Over 10,000 generated cases in total.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { ConfigFileError, parseConfigDocument } from "../../src/config/schema.js";
import { verifyClaim } from "../../src/core/auth.js";
import { parseHostname } from "../../src/core/hostname.js";
import { parseIp } from "../../src/core/ip.js";
import type { ChangeQueue, DnsRecords } from "../../src/core/ports.js";
import { seedToken, timestampedToken } from "../../src/core/tokens.js";
import { hostConfig } from "../support/builders.js";
import { hostsOnlySource } from "../support/config-source.js";
import { httpEvent } from "../support/events.js";

const SECRET = "property-test-secret";
const HOST = "home.dyn.example.com";
const hosts = parseConfigDocument({
  [`${HOST}.`]: { route_53_zone_id: "Z1", shared_secret: SECRET, record_types: ["A", "AAAA"] },
}).hosts;

/** An app over in-memory backends that records every change it queues. */
function recordingApp() {
  const writes: unknown[] = [];
  const dns: DnsRecords = { currentValues: async () => [], expect: () => {} };
  const queue: ChangeQueue = {
    send: async (changes) => {
      writes.push(changes);
      return changes.map(() => "message-1");
    },
  };
  const app = createApp({
    backends: async () => ({ config: hostsOnlySource(hosts), dns, queue }),
    log: () => {},
  });
  return { app, writes };
}

const ipv4 = fc.ipV4();
const ipv6 = fc.ipV6();
const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);

describe("parsers never throw", () => {
  it("parseHostname on any string", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (raw) => {
        const parsed = parseHostname(raw);
        if (parsed.ok) expect(parsed.fqdn).toMatch(/^[a-z0-9.-]+\.$/);
      }),
      { numRuns: 2000 },
    );
  });

  it("parseIp on any string, and its canonical form is a fixed point", () => {
    fc.assert(
      fc.property(fc.oneof(ipv4, ipv6, fc.string({ maxLength: 60 })), (raw) => {
        const ip = parseIp(raw);
        if (ip) expect(parseIp(ip.text)).toEqual(ip);
      }),
      { numRuns: 2000 },
    );
  });

  it("parseIp reads a dotted quad octet by octet: four decimal 0-255 without leading zeros, nothing else", () => {
    const octet = fc.oneof(
      fc.nat({ max: 300 }).map(String),
      fc.constantFrom("00", "01", "010", "0x1", "", "1e2", " 1", "+1", "\u0663", "255 "),
    );
    const dotted = fc.oneof(
      fc.array(octet, { minLength: 3, maxLength: 5 }).map((parts) => parts.join(".")),
      fc.ipV4Extended(),
    );
    fc.assert(
      fc.property(dotted, (raw) => {
        const parts = raw.split(".");
        const valid =
          parts.length === 4 &&
          parts.every((part) => /^(?:0|[1-9][0-9]{0,2})$/.test(part) && Number(part) <= 255);
        expect(parseIp(raw)).toEqual(valid ? { text: raw, recordType: "A" } : undefined);
      }),
      { numRuns: 2000 },
    );
  });

  it("parseConfigDocument on any JSON value: problems, or a ConfigFileError, never a crash", () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.dictionary(fc.domain(), fc.jsonValue())), (document) => {
        try {
          parseConfigDocument(document);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigFileError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe("parseHostname", () => {
  /** The definition: at most 253 characters, two or more labels, each 1–63 letters, digits or inner hyphens. */
  function byLabels(raw: string): string | undefined {
    const name = (raw.endsWith(".") ? raw.slice(0, -1) : raw).toLowerCase();
    const labels = name.split(".");
    const valid = (label: string) => label.length <= 63 && /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(label);
    if (raw === "" || raw.length - (raw.endsWith(".") ? 1 : 0) > 253) return undefined;
    return labels.length >= 2 && labels.every(valid) ? `${name}.` : undefined;
  }
  // Near-valid names: hyphens and dots at the edges, upper case, a Kelvin sign (lower case "k"), long labels.
  const label = fc
    .array(fc.constantFrom("a", "Z", "0", "-", "_", "\u212a", "b".repeat(30)), { maxLength: 5 })
    .map((parts) => parts.join(""));
  const name = fc.oneof(
    fc.domain(),
    fc
      .tuple(fc.array(label, { maxLength: 12 }), fc.boolean())
      .map(([labels, dot]) => labels.join(".") + (dot ? "." : "")),
    fc.string({ unit: fc.constantFrom("a", "-", "."), maxLength: 260 }),
  );

  it("accepts exactly the names whose every label is valid, in canonical form", () => {
    fc.assert(
      fc.property(name, (raw) => {
        const parsed = parseHostname(raw);
        expect(parsed.ok ? parsed.fqdn : undefined).toBe(byLabels(raw));
      }),
      { numRuns: 3000 },
    );
  });
});

describe("tokens", () => {
  const host = hostConfig({ fqdn: `${HOST}.`, zoneId: "Z1", secret: SECRET });

  it("only the exact seed or replay-proof token passes", () => {
    fc.assert(
      fc.property(
        ipv4,
        fc.string({ minLength: 1 }),
        fc.integer({ min: 0, max: 63 }),
        fc.boolean(),
        (ip, secret, position, timestamped) => {
          const subject = { ...host, secret };
          const ts = timestamped ? "1700000000" : undefined;
          const token = ts ? timestampedToken(ip, HOST, ts, secret) : seedToken(ip, HOST, secret);
          const claim = { ip, hostnameAsSent: HOST, timestamp: ts };
          expect(() => verifyClaim(subject, { ...claim, hash: token }, 1_700_000_000)).not.toThrow();
          const flipped = (Number.parseInt(token[position] ?? "0", 16) ^ 1).toString(16);
          const altered = token.slice(0, position) + flipped + token.slice(position + 1);
          expect(() => verifyClaim(subject, { ...claim, hash: altered }, 1_700_000_000)).toThrow();
          expect(() =>
            verifyClaim(subject, { ...claim, ip: `${ip}0`, hash: token }, 1_700_000_000),
          ).toThrow();
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("the request path refuses bad input with a 4xx and never writes", () => {
  it("for arbitrary query strings and headers on every route", async () => {
    const { app, writes } = recordingApp();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("/", "/checkip", "/health", "/nic/update", "/x"),
        fc.oneof(fc.string({ maxLength: 200 }), fc.webQueryParameters()),
        fc.dictionary(fc.stringMatching(/^[a-z-]{1,20}$/), fc.string({ maxLength: 100 })),
        fc.oneof(ipv4, ipv6, fc.string({ maxLength: 40 })),
        async (path, query, headers, sourceIp) => {
          const result = await app(httpEvent({ path, query, headers, sourceIp }));
          expect(result.statusCode).toBeLessThan(500);
        },
      ),
      { numRuns: 1500 },
    );
    expect(writes).toEqual([]);
  });

  it("for arbitrary and oversized POST bodies", async () => {
    const { app, writes } = recordingApp();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 300 }), fc.json(), fc.string({ minLength: 4097, maxLength: 6000 })),
        fc.boolean(),
        async (body, base64) => {
          const encoded = base64 ? Buffer.from(body).toString("base64") : body;
          const result = await app(httpEvent({ method: "POST", body: encoded, isBase64Encoded: base64 }));
          expect(result.statusCode).toBeLessThan(500);
          if (Buffer.byteLength(body) > 4096) expect(result.statusCode).toBe(400);
        },
      ),
      { numRuns: 1000 },
    );
    expect(writes).toEqual([]);
  });

  it("for malformed host names and tokens with otherwise valid requests", async () => {
    const { app, writes } = recordingApp();
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 80 }),
        fc.oneof(hex64, fc.string({ maxLength: 80 })),
        async (hostname, hash) => {
          fc.pre(hash !== seedToken("203.0.113.10", hostname, SECRET));
          const result = await app(httpEvent({ query: { mode: "set", hostname, hash } }));
          expect([400, 401]).toContain(result.statusCode);
        },
      ),
      { numRuns: 1000 },
    );
    expect(writes).toEqual([]);
  });

  it("for tokens made for a forged forwarding header", async () => {
    const { app, writes } = recordingApp();
    await fc.assert(
      fc.asyncProperty(
        ipv4,
        ipv4,
        fc.constantFrom("x-forwarded-for", "forwarded", "x-real-ip", "true-client-ip", "cf-connecting-ip"),
        async (source, forged, header) => {
          fc.pre(source !== forged);
          const headers = { [header]: header === "forwarded" ? `for=${forged}` : forged };
          const hash = seedToken(forged, HOST, SECRET);
          const result = await app(
            httpEvent({ query: { mode: "set", hostname: HOST, hash }, headers, sourceIp: source }),
          );
          expect(result.statusCode).toBe(401);
        },
      ),
      { numRuns: 1000 },
    );
    expect(writes).toEqual([]);
  });
});
