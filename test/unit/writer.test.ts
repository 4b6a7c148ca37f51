/**
 * The record writer's batch (src/writer/apply.ts) against in-memory Route 53, marks and events:
 * duplicates, an older change after a newer one, batches over Route 53's limits, throttling, ACME edits.
 */
import { describe, expect, it } from "vitest";
import { encodeChange, type QueuedChange } from "../../src/core/changes.js";
import { DnsUpdateError, ThrottledError } from "../../src/core/errors.js";
import {
  type AppliedMark,
  type AppliedMarks,
  type ChallengeEvent,
  markKey,
  type RecordChange,
  type RecordChangeEvent,
  type TxtRecordState,
} from "../../src/core/ports.js";
import { applyBatch, type WriterMessage, type WriterTargets } from "../../src/writer/apply.js";
import { intervalPacer } from "../../src/writer/pacer.js";

const ZONE = "Z1";
const T0 = Date.parse("2026-12-06T12:00:00Z");

function records(
  id: string,
  requestedAt: number,
  host: string,
  value: string,
  followers: string[] = [],
): WriterMessage {
  const change: QueuedChange = {
    kind: "records",
    zoneId: ZONE,
    requestedAt,
    protocol: "dyndns2",
    sourceIp: value,
    host,
    records: [host, ...followers].map((name) => ({
      name,
      type: "A",
      ttl: 60,
      value,
      previous: ["192.0.2.1"],
    })),
  };
  return { id, body: encodeChange(change) };
}

function challenge(
  id: string,
  requestedAt: number,
  action: "present" | "cleanup",
  value: string,
): WriterMessage {
  return {
    id,
    body: encodeChange({
      kind: "acme",
      zoneId: ZONE,
      requestedAt,
      protocol: "acme-dns",
      sourceIp: "198.51.100.7",
      name: "www.dyn.example.com.",
      txtName: "_acme-challenge.www.dyn.example.com.",
      action,
      value,
    }),
  };
}

function world(
  options: {
    fail?: (changes: readonly RecordChange[]) => Error | undefined;
    /** Marks another writer kept between this one's read and its keep (a newer request for that record). */
    raced?: Map<string, AppliedMark>;
  } = {},
) {
  const zone = new Map<string, string>();
  const calls: RecordChange[][] = [];
  const marks = new Map<string, AppliedMark>();
  const events: RecordChangeEvent[] = [];
  const challenges: ChallengeEvent[] = [];
  let txt: TxtRecordState = { values: [], ttl: 0 };
  let clock = T0;
  const sleeps: number[] = [];
  const markStore: AppliedMarks = {
    read: async (zoneId, wanted) => {
      const found = new Map<string, AppliedMark>();
      for (const record of wanted) {
        const mark = marks.get(`${zoneId}|${markKey(record)}`);
        if (mark) found.set(markKey(record), mark);
      }
      return found;
    },
    keep: async (zoneId, kept) => {
      const contested = [];
      for (const { requestedAt, value, ...record } of kept) {
        const raced = options.raced?.get(markKey(record));
        if (raced) {
          marks.set(`${zoneId}|${markKey(record)}`, raced);
          contested.push({ ...record, ...raced });
          continue;
        }
        const known = marks.get(`${zoneId}|${markKey(record)}`);
        if (!known || known.requestedAt <= requestedAt)
          marks.set(`${zoneId}|${markKey(record)}`, { requestedAt, value });
      }
      return contested;
    },
  };
  const targets: WriterTargets = {
    records: {
      upsert: async (_zoneId, changes) => {
        calls.push([...changes]);
        const failure = options.fail?.(changes);
        if (failure) throw failure;
        for (const change of changes) zone.set(change.name, change.value);
        return `/change/C${calls.length}`;
      },
    },
    txt: {
      read: async () => txt,
      replace: async (_zoneId, _name, expected, values, ttl) => {
        if (expected !== txt) return false;
        txt = { values, ttl };
        return true;
      },
    },
    marks: markStore,
    events: {
      publish: async (published) => void events.push(...published),
      publishChallenges: async (published) => void challenges.push(...published),
    },
    pacer: intervalPacer(
      4,
      () => clock,
      async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
    ),
    log: () => {},
  };
  return { targets, zone, calls, events, challenges, marks, sleeps, txt: () => txt };
}

describe("record writer", () => {
  it("writes the newest value again when another writer kept a mark for the record meanwhile", async () => {
    // prepare: another writer's newer request for home was written while this batch was in flight
    const raced = new Map([["home.dyn.example.com.|A", { requestedAt: T0 + 5, value: "203.0.113.9" }]]);
    const w = world({ raced });
    // act
    const failed = await applyBatch(w.targets, [
      records("m1", T0 + 1, "home.dyn.example.com.", "203.0.113.1"),
    ]);
    // assess: its own call, then the newest value once more, after both writers' calls
    expect(failed).toEqual([]);
    expect(w.calls.map((call) => call.map((c) => `${c.name} ${c.value} ${c.ttl}`))).toEqual([
      ["home.dyn.example.com. 203.0.113.1 60"],
      ["home.dyn.example.com. 203.0.113.9 60"],
    ]);
    expect(w.zone.get("home.dyn.example.com.")).toBe("203.0.113.9");
  });

  it("writes nothing again when no other writer touched the batch's records", async () => {
    // prepare
    const w = world();
    // act
    await applyBatch(w.targets, [records("m1", T0 + 1, "home.dyn.example.com.", "203.0.113.1")]);
    // assess
    expect(w.calls).toHaveLength(1);
  });

  it("merges duplicates per name: the newest request wins, in one call", async () => {
    // prepare
    const w = world();
    const batch = [
      records("m1", T0 + 2, "home.dyn.example.com.", "203.0.113.2", ["*.home.dyn.example.com."]),
      records("m2", T0 + 1, "home.dyn.example.com.", "203.0.113.1"),
      records("m3", T0 + 2, "home.dyn.example.com.", "203.0.113.2"),
    ];
    // act
    const failed = await applyBatch(w.targets, batch);
    // assess
    expect(failed).toEqual([]);
    expect(w.calls).toHaveLength(1);
    expect(w.calls[0]?.map((c) => `${c.name} ${c.value}`).sort()).toEqual([
      "*.home.dyn.example.com. 203.0.113.2",
      "home.dyn.example.com. 203.0.113.2",
    ]);
    expect(w.events.map((e) => e.hostname).sort()).toEqual([
      "*.home.dyn.example.com.",
      "home.dyn.example.com.",
    ]);
    expect(w.events[0]?.changeId).toBe("/change/C1");
  });

  it("drops an older change delivered after a newer one was written", async () => {
    // prepare
    const w = world();
    await applyBatch(w.targets, [records("new", T0 + 5000, "home.dyn.example.com.", "203.0.113.9")]);
    // act: SQS delivers the older request again
    const failed = await applyBatch(w.targets, [records("old", T0, "home.dyn.example.com.", "203.0.113.1")]);
    // assess
    expect(failed).toEqual([]);
    expect(w.zone.get("home.dyn.example.com.")).toBe("203.0.113.9");
    expect(w.calls).toHaveLength(1);
  });

  it("skips a redelivered request it already wrote", async () => {
    // prepare
    const w = world();
    await applyBatch(w.targets, [records("a", T0, "home.dyn.example.com.", "203.0.113.9")]);
    // act: SQS delivers the same message again
    await applyBatch(w.targets, [records("a", T0, "home.dyn.example.com.", "203.0.113.9")]);
    // assess
    expect(w.calls).toHaveLength(1);
  });

  it("writes a newer request for the value it wrote before: the record was changed behind its back", async () => {
    // prepare: written, then edited by someone else
    const w = world();
    await applyBatch(w.targets, [records("a", T0, "home.dyn.example.com.", "203.0.113.9")]);
    w.zone.set("home.dyn.example.com.", "192.0.2.99");
    // act: the router's next check saw 192.0.2.99 at the name servers and asked again
    const failed = await applyBatch(w.targets, [
      records("b", T0 + 60_000, "home.dyn.example.com.", "203.0.113.9"),
    ]);
    // assess
    expect(failed).toEqual([]);
    expect(w.calls).toHaveLength(2);
    expect(w.zone.get("home.dyn.example.com.")).toBe("203.0.113.9");
  });

  it("splits a batch over 1,000 elements into calls within the limit, a host's records together", async () => {
    // prepare: 700 hosts with one follower each = 1,400 UPSERTs = 2,800 elements
    const w = world();
    const batch = Array.from({ length: 700 }, (_, i) =>
      records(`m${i}`, T0, `h${i}.dyn.example.com.`, `203.0.113.${i % 250}`, [`*.h${i}.dyn.example.com.`]),
    );
    // act
    const failed = await applyBatch(w.targets, batch);
    // assess
    expect(failed).toEqual([]);
    expect(w.calls.map((call) => call.length)).toEqual([500, 500, 400]);
    for (const call of w.calls) {
      const names = new Set(call.map((c) => c.name.replace(/^\*\./, "")));
      expect(call.length).toBe(names.size * 2);
    }
    expect(w.zone.size).toBe(1400);
  });

  it("paces its calls and reports only the throttled call's messages for redelivery", async () => {
    // prepare: Route 53 throttles the second call
    let call = 0;
    const w = world({
      fail: () => (++call === 2 ? new ThrottledError("Route 53 is throttling requests.", 2) : undefined),
    });
    const batch = Array.from({ length: 1200 }, (_, i) =>
      records(`m${i}`, T0, `h${i}.dyn.example.com.`, "203.0.113.5"),
    );
    // act
    const failed = await applyBatch(w.targets, batch);
    // assess: three calls of up to 500, a quarter second apart; the second call's 500 messages come again
    expect(w.calls.map((c) => c.length)).toEqual([500, 500, 200]);
    expect(w.sleeps).toEqual([250, 250]);
    expect(failed).toHaveLength(500);
    expect(failed[0]).toBe("m500");
    expect(w.zone.size).toBe(700);
  });

  it("retries each message alone when Route 53 refuses a call, and fails only the bad one", async () => {
    // prepare
    const w = world({
      fail: (changes) =>
        changes.some((c) => c.value === "bad")
          ? new DnsUpdateError("Route 53 refused the request.")
          : undefined,
    });
    // act
    const failed = await applyBatch(w.targets, [
      records("good", T0, "a.dyn.example.com.", "203.0.113.1"),
      records("bad", T0, "b.dyn.example.com.", "bad"),
      { id: "junk", body: "{not json" },
    ]);
    // assess
    expect(failed.sort()).toEqual(["bad", "junk"]);
    expect(w.zone.get("a.dyn.example.com.")).toBe("203.0.113.1");
  });

  it("applies ACME edits in request order, keeping the last two values, and announces them", async () => {
    // prepare
    const w = world();
    const [a, b, c] = ["A", "B", "C"].map((letter) => letter.repeat(43));
    // act
    const failed = await applyBatch(w.targets, [
      challenge("c3", T0 + 3, "present", c as string),
      challenge("c1", T0 + 1, "present", a as string),
      challenge("c2", T0 + 2, "present", b as string),
    ]);
    // assess
    expect(failed).toEqual([]);
    expect(w.txt().values).toEqual([b, c]);
    expect(w.challenges.map((e) => e.action)).toEqual(["present", "present", "present"]);
    expect(w.challenges[0]?.current).toEqual([b, c]);
  });
});
