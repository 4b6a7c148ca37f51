/**
 * Renumbering storms (issue #13, part 3): changes that arrive together go to Route 53 as one batch
 * per zone, within Route 53's batch limits; a record named twice is merged (the later caller wins);
 * a batch is all or nothing, and its callers hear ThrottledError when it could not be made; the
 * window widens with throttling and narrows again.
 */
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../bench/lib/clock.js";
import { DnsUpdateError, ThrottledError } from "../../src/core/errors.js";
import type { RecordChange } from "../../src/core/ports.js";
import { ChangeBatcher, MAX_WINDOW_MS, type SentBatch } from "../../src/dns/change-batcher.js";

const ZONE = "ZSTORM";

const change = (name: string, value: string): RecordChange => ({ name, type: "A", ttl: 60, value });

/** A batcher over a fake Route 53 that records each batch and answers as the test says. */
function batcher(
  answer: (changes: readonly RecordChange[]) => SentBatch | Error = () => ({ changeId: "C", retried: false }),
) {
  const clock = new VirtualClock();
  const sent: (readonly RecordChange[])[] = [];
  const subject = new ChangeBatcher({
    send: async (_zone, changes) => {
      sent.push(changes);
      await clock.sleep(150);
      const outcome = answer(changes);
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
    sleep: (milliseconds) => clock.sleep(milliseconds),
    now: () => clock.now(),
  });
  /** Runs the virtual clock until every caller has its answer. */
  const settle = <T>(work: Promise<T>[]) => clock.runUntilSettled(work);
  return { subject, sent, settle, clock };
}

describe("coalescing changes into batches", () => {
  it("sends changes that arrive together as one batch", async () => {
    // prepare
    const { subject, sent, settle } = batcher();

    // act
    const outcomes = await settle(
      Array.from({ length: 300 }, (_, index) =>
        subject.submit(ZONE, [change(`h${index}.example.com.`, "192.0.2.1")]),
      ),
    );

    // assess
    expect(outcomes.every((outcome) => outcome.status === "fulfilled")).toBe(true);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toHaveLength(300);
  });

  it("keeps each batch within 1,000 elements (an UPSERT counts twice)", async () => {
    // prepare
    const { subject, sent, settle } = batcher();

    // act
    await settle(
      Array.from({ length: 1200 }, (_, index) =>
        subject.submit(ZONE, [change(`h${index}.example.com.`, "192.0.2.1")]),
      ),
    );

    // assess
    expect(sent.map((batch) => batch.length)).toEqual([500, 500, 200]);
  });

  it("keeps each batch within 32,000 value characters", async () => {
    // prepare: long IPv6 values (39 characters)
    const { subject, sent, settle } = batcher();
    const value = "2001:db8:1111:2222:3333:4444:5555:6666";

    // act
    await settle(
      Array.from({ length: 500 }, (_, index) =>
        subject.submit(ZONE, [{ ...change(`h${index}.example.com.`, value), type: "AAAA" }]),
      ),
    );

    // assess
    expect(sent.every((batch) => batch.length * 2 * value.length <= 32_000)).toBe(true);
    expect(sent.flat()).toHaveLength(500);
  });

  it("merges a record named by two callers: one element, the later caller's value", async () => {
    // prepare
    const { subject, sent, settle } = batcher();

    // act
    const outcomes = await settle([
      subject.submit(ZONE, [
        change("home.example.com.", "192.0.2.1"),
        change("*.home.example.com.", "192.0.2.1"),
      ]),
      subject.submit(ZONE, [change("home.example.com.", "192.0.2.2")]),
    ]);

    // assess
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "fulfilled"]);
    expect(sent).toEqual([
      [change("home.example.com.", "192.0.2.2"), change("*.home.example.com.", "192.0.2.1")],
    ]);
  });

  it("never splits one caller's changes across batches", async () => {
    // prepare: 499 single changes, then a caller with three records (would straddle the limit)
    const { subject, sent, settle } = batcher();
    const singles = Array.from({ length: 499 }, (_, index) =>
      subject.submit(ZONE, [change(`h${index}.example.com.`, "192.0.2.1")]),
    );
    const host = ["a", "b", "c"].map((label) => change(`${label}.home.example.com.`, "192.0.2.9"));

    // act
    await settle([...singles, subject.submit(ZONE, host)]);

    // assess
    expect(sent.map((batch) => batch.length)).toEqual([499, 3]);
  });
});

describe("a batch that cannot be made", () => {
  it("sends a throttled batch again while its callers have time", async () => {
    // prepare: Route 53 throttles the first batch only
    let throttle = true;
    const { subject, sent, settle } = batcher(() => {
      if (!throttle) return { changeId: "C2", retried: false };
      throttle = false;
      return new ThrottledError("Route 53 is throttling requests.", 2);
    });

    // act
    const outcomes = await settle([
      subject.submit(ZONE, [change("a.example.com.", "192.0.2.1")]),
      subject.submit(ZONE, [change("b.example.com.", "192.0.2.2")]),
    ]);

    // assess
    expect(outcomes).toEqual([
      { status: "fulfilled", value: "C2" },
      { status: "fulfilled", value: "C2" },
    ]);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual(sent[0]);
  });

  it("fails every caller with ThrottledError and a Retry-After after three throttled batches, writing nothing", async () => {
    // prepare
    const { subject, sent, settle } = batcher(
      () => new ThrottledError("Route 53 is throttling requests.", 2),
    );

    // act
    const outcomes = await settle([
      subject.submit(ZONE, [change("a.example.com.", "192.0.2.1")]),
      subject.submit(ZONE, [change("b.example.com.", "192.0.2.2")]),
    ]);

    // assess: the same whole batch each time, never a part of it
    expect(sent).toHaveLength(3);
    for (const batch of sent) expect(batch).toEqual(sent[0]);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe("rejected");
      const reason = (outcome as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(ThrottledError);
      expect(reason.retryAfterSeconds).toBeGreaterThanOrEqual(2);
    }
  });

  it("sends each caller alone when Route 53 refuses the batch, so one bad change spoils only its own", async () => {
    // prepare: Route 53 refuses any batch holding the bad record
    const { subject, sent, settle } = batcher((changes) =>
      changes.some((item) => item.name === "bad.example.com.")
        ? new DnsUpdateError("Route 53 refused the request (InvalidChangeBatch).")
        : { changeId: "C", retried: false },
    );

    // act
    const outcomes = await settle([
      subject.submit(ZONE, [change("a.example.com.", "192.0.2.1")]),
      subject.submit(ZONE, [change("bad.example.com.", "192.0.2.2")]),
      subject.submit(ZONE, [change("c.example.com.", "192.0.2.3")]),
    ]);

    // assess
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(sent.map((batch) => batch.length)).toEqual([3, 1, 1, 1]);
  });
});

describe("the window follows the throttling the container sees", () => {
  it("widens when the SDK had to retry, up to its cap, and narrows on clean batches and with time", async () => {
    // prepare
    let retried = true;
    const { subject, settle, clock } = batcher(() => ({ changeId: "C", retried }));
    const widths: number[] = [];

    // act
    for (let round = 0; round < 8; round++) {
      await settle([subject.submit(ZONE, [change("a.example.com.", "192.0.2.1")])]);
      widths.push(subject.windowMs);
    }
    retried = false;
    for (let round = 0; round < 60; round++)
      await settle([subject.submit(ZONE, [change("a.example.com.", "192.0.2.1")])]);

    // assess
    expect(widths[0]).toBe(250);
    for (let round = 1; round < 4; round++)
      expect(widths[round]).toBeGreaterThan(1.8 * (widths[round - 1] ?? 0));
    for (const width of widths.slice(4)) expect(width).toBeGreaterThan(0.85 * MAX_WINDOW_MS);
    expect(Math.max(...widths)).toBeLessThanOrEqual(MAX_WINDOW_MS);
    expect(subject.windowMs).toBe(0);
    // after one more throttle, a quiet minute halves it twice
    retried = true;
    await settle([subject.submit(ZONE, [change("a.example.com.", "192.0.2.1")])]);
    const widened = subject.windowMs;
    await clock.run(clock.now() + 60_000);
    expect(subject.windowMs).toBeCloseTo(widened / 4, 0);
  });

  it("gathers the changes that arrive during the window into one batch", async () => {
    // prepare: a throttled batch has widened the window
    let throttle = true;
    const { subject, sent, settle, clock } = batcher(() =>
      throttle
        ? new ThrottledError("Route 53 is throttling requests.", 2)
        : { changeId: "C", retried: false },
    );
    await settle([subject.submit(ZONE, [change("first.example.com.", "192.0.2.1")])]);
    throttle = false;
    sent.length = 0;

    // act: ten changes 20 ms apart, inside the 250 ms window
    const work = Array.from(
      { length: 10 },
      (_, index) =>
        new Promise<string>((resolve, reject) =>
          clock.at(clock.now() + index * 20, () =>
            subject.submit(ZONE, [change(`h${index}.example.com.`, "192.0.2.1")]).then(resolve, reject),
          ),
        ),
    );
    await settle(work);

    // assess
    expect(sent.map((batch) => batch.length)).toEqual([10]);
  });
});
