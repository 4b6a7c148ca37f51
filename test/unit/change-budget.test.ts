/**
 * The deployment's shared ChangeResourceRecordSets budget (issue #13, storms): containers lease
 * `slots/<second>/<k>` in S3 with `If-None-Match: *`, so however many containers ask, at most
 * perSecond calls start in a second; a lease that returns after its second is not used; no slot
 * before the deadline is a refusal; S3 out of reach lets the call go. Also: the batcher asks the
 * budget before every batch, and gathers changes while it waits.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../bench/lib/clock.js";
import { ThrottledError } from "../../src/core/errors.js";
import type { LogEntry } from "../../src/core/log.js";
import type { RecordChange } from "../../src/core/ports.js";
import { ChangeBatcher } from "../../src/dns/change-batcher.js";
import { type ChangeBudget, S3ChangeBudget } from "../../src/dns/change-budget.js";
import { readSettings } from "../../src/settings.js";

/** S3's conditional create, in memory: the first PUT of a key wins, later ones get 412. */
function slotBucket(clock: VirtualClock, latencyMs: (attempt: number) => number = () => 20) {
  const keys = new Set<string>();
  let puts = 0;
  let failWith: Error | undefined;
  const client = {
    send: async (command: { input: { Key: string; IfNoneMatch?: string } }) => {
      const attempt = ++puts;
      await clock.sleep(latencyMs(attempt));
      if (failWith) throw failWith;
      expect(command.input.IfNoneMatch).toBe("*");
      if (keys.has(command.input.Key)) {
        throw Object.assign(new Error("At least one of the pre-conditions you specified did not hold"), {
          name: "PreconditionFailed",
          $metadata: { httpStatusCode: 412 },
        });
      }
      keys.add(command.input.Key);
      return {};
    },
  } as unknown as S3Client;
  return {
    client,
    keys,
    puts: () => puts,
    fail: (error: Error) => {
      failWith = error;
    },
  };
}

function budget(clock: VirtualClock, s3: S3Client, perSecond = 3, log: (entry: LogEntry) => void = () => {}) {
  return new S3ChangeBudget(s3, {
    bucket: "ddns-change-budget",
    perSecond,
    log,
    now: () => clock.now(),
    sleep: (milliseconds) => clock.sleep(milliseconds),
  });
}

describe("the shared change budget", () => {
  it("lets at most perSecond calls start in any second, across every container", async () => {
    // prepare: 8 containers on one bucket, each asked for 10 slots at once
    const clock = new VirtualClock();
    const bucket = slotBucket(clock);
    const containers = Array.from({ length: 8 }, () => budget(clock, bucket.client, 3));
    const grantedAt: number[] = [];
    const deadline = clock.now() + 60_000;

    // act
    const outcomes = await clock.runUntilSettled(
      containers.flatMap((container) =>
        Array.from({ length: 10 }, () =>
          container.take(deadline).then((granted) => {
            if (granted) grantedAt.push(clock.now());
            return granted;
          }),
        ),
      ),
    );

    // assess: every caller got a slot in the end, never more than 3 in one second
    expect(outcomes.every((outcome) => outcome.status === "fulfilled" && outcome.value)).toBe(true);
    const perSecond = new Map<number, number>();
    for (const at of grantedAt)
      perSecond.set(Math.floor(at / 1000), (perSecond.get(Math.floor(at / 1000)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBe(3);
    expect(grantedAt).toHaveLength(80);
    expect(bucket.keys.size).toBe(80);
    for (const key of bucket.keys) expect(key).toMatch(/^slots\/\d+\/[0-2]$/);
  });

  it("drops a lease that comes back after its second and takes one in the second it is used", async () => {
    // prepare: the first PUT takes 1.5 s, so its slot's second is over when S3 answers
    const clock = new VirtualClock(Date.UTC(2025, 0, 1) + 400);
    const bucket = slotBucket(clock, (attempt) => (attempt === 1 ? 1500 : 20));
    const subject = budget(clock, bucket.client, 3);

    // act
    const [outcome] = await clock.runUntilSettled([
      subject.take(clock.now() + 10_000).then((granted) => ({ granted, at: clock.now() })),
    ]);

    // assess: granted, by a slot named for the second the call starts in
    expect(outcome).toMatchObject({ status: "fulfilled", value: { granted: true } });
    const at = (outcome as PromiseFulfilledResult<{ at: number }>).value.at;
    const second = Math.floor(at / 1000);
    expect([...bucket.keys].some((key) => key.startsWith(`slots/${second}/`))).toBe(true);
    expect(bucket.keys.size).toBe(2);
  });

  it("refuses when no slot comes free before the deadline, after at most 3 PUTs a second", async () => {
    // prepare: another container holds every slot of this second and the next
    const clock = new VirtualClock();
    const bucket = slotBucket(clock);
    const second = Math.floor(clock.now() / 1000);
    for (let slot = 0; slot < 5; slot++) {
      bucket.keys.add(`slots/${second}/${slot}`);
      bucket.keys.add(`slots/${second + 1}/${slot}`);
    }
    const subject = budget(clock, bucket.client, 5);

    // act
    const [outcome] = await clock.runUntilSettled([subject.take(clock.now() + 1500)]);

    // assess: it tried this second and the next (the deadline is within it), 3 slots in each
    expect(outcome).toEqual({ status: "fulfilled", value: false });
    expect(bucket.puts()).toBe(6);
  });

  it("lets the call go when S3 cannot be asked, and says so once, naming no key", async () => {
    // prepare
    const clock = new VirtualClock();
    const bucket = slotBucket(clock);
    bucket.fail(Object.assign(new Error("socket hang up"), { name: "TimeoutError" }));
    const logged: LogEntry[] = [];
    const subject = budget(clock, bucket.client, 3, (entry) => logged.push(entry));

    // act
    const outcomes = await clock.runUntilSettled([
      subject.take(clock.now() + 4000),
      subject.take(clock.now() + 4000),
    ]);

    // assess
    expect(outcomes).toEqual([
      { status: "fulfilled", value: true },
      { status: "fulfilled", value: true },
    ]);
    expect(logged).toEqual([
      expect.objectContaining({ level: "warn", budgetBucket: "ddns-change-budget", error: "TimeoutError" }),
    ]);
  });

  it("is read from DDNS_CHANGE_BUDGET_BUCKET and DDNS_CHANGE_BUDGET_PER_SECOND (1–10, default 8)", () => {
    const env = { DDNS_CONFIG_BUCKET: "config" };
    expect(readSettings(env).changeBudget).toBeUndefined();
    expect(readSettings({ ...env, DDNS_CHANGE_BUDGET_BUCKET: "slots" }).changeBudget).toEqual({
      bucket: "slots",
      perSecond: 8,
    });
    expect(
      readSettings({ ...env, DDNS_CHANGE_BUDGET_BUCKET: "slots", DDNS_CHANGE_BUDGET_PER_SECOND: "10" })
        .changeBudget,
    ).toEqual({ bucket: "slots", perSecond: 10 });
    for (const wrong of ["0", "11", "2.5", "eight"]) {
      expect(() =>
        readSettings({ ...env, DDNS_CHANGE_BUDGET_BUCKET: "slots", DDNS_CHANGE_BUDGET_PER_SECOND: wrong }),
      ).toThrow(/DDNS_CHANGE_BUDGET_PER_SECOND must be a whole number from 1 to 10/);
    }
  });
});

describe("the change batcher under a budget", () => {
  const change = (name: string): RecordChange => ({ name, type: "A", ttl: 60, value: "192.0.2.7" });

  /** A budget that grants one slot every `everyMs`, in order, and counts its grants. */
  function pacedBudget(clock: VirtualClock, everyMs: number) {
    let nextFree = clock.now();
    const grants: number[] = [];
    const paced: ChangeBudget = {
      take: async (deadline) => {
        const at = Math.max(nextFree, clock.now());
        if (at >= deadline) return false;
        nextFree = at + everyMs;
        await clock.sleep(at - clock.now());
        grants.push(clock.now());
        return true;
      },
    };
    return { paced, grants };
  }

  it("sends no batch without a slot, and gathers the changes that arrive while it waits", async () => {
    // prepare: one slot every 2 s; 30 callers over 3 s
    const clock = new VirtualClock();
    const { paced, grants } = pacedBudget(clock, 2000);
    const sent: { at: number; size: number }[] = [];
    const subject = new ChangeBatcher({
      send: async (_zone, changes) => {
        sent.push({ at: clock.now(), size: changes.length });
        await clock.sleep(150);
        return { changeId: "C", retried: false };
      },
      budget: paced,
      sleep: (milliseconds) => clock.sleep(milliseconds),
      now: () => clock.now(),
    });
    const work: Promise<string>[] = [];
    for (let index = 0; index < 30; index++) {
      clock.at(clock.now() + index * 100, () =>
        work.push(subject.submit("Z", [change(`h${index}.example.com.`)])),
      );
    }
    await clock.run(clock.now() + 3000);

    // act
    const outcomes = await clock.runUntilSettled(work);

    // assess: one batch per slot, every change in one of them
    expect(outcomes.every((outcome) => outcome.status === "fulfilled")).toBe(true);
    expect(sent.map(({ at }) => at)).toEqual(grants);
    expect(sent.length).toBeLessThanOrEqual(3);
    expect(sent.reduce((total, { size }) => total + size, 0)).toBe(30);
  });

  it("tells callers with no slot before their time runs out to come back (429), sending nothing", async () => {
    // prepare: a budget with nothing left
    const clock = new VirtualClock();
    const sent: unknown[] = [];
    const subject = new ChangeBatcher({
      send: async (_zone, changes) => {
        sent.push(changes);
        return { changeId: "C", retried: false };
      },
      budget: { take: async () => false },
      sleep: (milliseconds) => clock.sleep(milliseconds),
      now: () => clock.now(),
    });

    // act
    const outcomes = await clock.runUntilSettled([
      subject.submit("Z", [change("a.example.com.")]),
      subject.submit("Z", [change("b.example.com.")]),
    ]);

    // assess
    expect(sent).toHaveLength(0);
    for (const outcome of outcomes) {
      const reason = (outcome as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(ThrottledError);
      expect(reason.retryAfterSeconds).toBeGreaterThanOrEqual(2);
    }
  });
});
