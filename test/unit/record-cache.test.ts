/** The staleness bound of the record cache (src/dns/record-cache.ts), on an injected clock. */
import { describe, expect, it } from "vitest";
import { RecordCache } from "../../src/dns/record-cache.js";

const ZONE = "ZCACHE000001";
const NAME = "home.dyn.example.com.";
const START = Date.UTC(2025, 0, 1);

function cacheAt(maxAgeSeconds: number) {
  const clock = { now: START };
  const cache = new RecordCache(maxAgeSeconds, () => clock.now);
  return { cache, advanceSeconds: (seconds: number) => (clock.now += seconds * 1000) };
}

const listed = (value: string, ttlSeconds = 60) => [
  { name: NAME, type: "A" as const, values: [value], ttlSeconds },
];

describe("RecordCache", () => {
  it("answers from a snapshot until the bound, and never after it", () => {
    // prepare
    const { cache, advanceSeconds } = cacheAt(60);
    cache.applySnapshot(ZONE, START, listed("198.51.100.1"));

    // act
    advanceSeconds(59.999);
    const justInside = cache.lookup(ZONE, NAME, "A");
    advanceSeconds(0.001);
    const atBound = cache.lookup(ZONE, NAME, "A");

    // assess
    expect(justInside).toEqual({ known: true, values: ["198.51.100.1"] });
    expect(atBound).toEqual({ known: false, zoneFresh: false });
  });

  it("a record whose TTL is shorter than the bound expires with its TTL", () => {
    // prepare
    const { cache, advanceSeconds } = cacheAt(60);
    cache.applySnapshot(ZONE, START, listed("198.51.100.1", 10));

    // act
    advanceSeconds(10);
    const answer = cache.lookup(ZONE, NAME, "A");

    // assess: the zone is still fresh, but this record must be read again
    expect(answer).toEqual({ known: false, zoneFresh: true });
  });

  it("a name missing from a fresh snapshot has no record", () => {
    // prepare
    const { cache } = cacheAt(60);
    cache.applySnapshot(ZONE, START, listed("198.51.100.1"));

    // act
    const answer = cache.lookup(ZONE, "other.dyn.example.com.", "A");

    // assess
    expect(answer).toEqual({ known: true, values: [] });
  });

  it("our own change made while a snapshot was listing is not overwritten by the older listing", () => {
    // prepare
    const { cache, advanceSeconds } = cacheAt(60);
    advanceSeconds(1);
    cache.remember(ZONE, NAME, "A", ["203.0.113.7"], 60);

    // act: a snapshot that started before the change completes after it
    cache.applySnapshot(ZONE, START, listed("198.51.100.1"));

    // assess
    expect(cache.lookup(ZONE, NAME, "A")).toEqual({ known: true, values: ["203.0.113.7"] });
  });

  it("a forgotten record is not answered from the cache as its old value", () => {
    // prepare
    const { cache } = cacheAt(60);
    cache.remember(ZONE, NAME, "A", ["198.51.100.1"], 60);

    // act
    cache.forget(ZONE, NAME, "A");

    // assess
    expect(cache.lookup(ZONE, NAME, "A")).toEqual({ known: false, zoneFresh: false });
  });

  it("sweeps out records older than the bound, so a large fleet's old reads do not pile up", () => {
    // prepare
    const { cache, advanceSeconds } = cacheAt(60);
    for (let index = 0; index < 1000; index++)
      cache.remember(ZONE, `h${index}.${NAME}`, "A", ["192.0.2.1"], 60);

    // act
    advanceSeconds(61);
    cache.remember(ZONE, NAME, "A", ["192.0.2.2"], 60);

    // assess
    expect(cache.lastKnown(ZONE, `h0.${NAME}`, "A")).toBeUndefined();
    expect(cache.lastKnown(ZONE, `h999.${NAME}`, "A")).toBeUndefined();
    expect(cache.lastKnown(ZONE, NAME, "A")).toEqual(["192.0.2.2"]);
  });
});
