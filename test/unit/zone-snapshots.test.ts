/**
 * The local DNS server's snapshots of Route 53 (src/local/dns-zones.ts): a query is answered from
 * records read at most `maxAgeMs` before it, even when a slower refresh that began earlier is still
 * under way (that refresh may have read Route 53 before the change the query must see), and with one
 * refresh at a time however many queries arrive late.
 */
import { describe, expect, it } from "vitest";
import { type Zone, ZoneSnapshots } from "../../src/local/dns-zones.js";

/** A load that resolves only when told, with the "records" Route 53 held when it began. */
function controlledLoads(routes: { current: string }) {
  const pending: { resolve: () => void }[] = [];
  let loads = 0;
  const load = () => {
    loads++;
    const seen = routes.current;
    return new Promise<Zone[]>((resolve) => {
      pending.push({ resolve: () => resolve([{ name: seen } as unknown as Zone]) });
    });
  };
  return { load, pending, loads: () => loads };
}

const nameOf = (zones: Zone[]) => (zones[0] as unknown as { name: string }).name;

describe("zone snapshots", () => {
  it("a query after maxAgeMs does not join a refresh that began before it, and sees the change", async () => {
    // prepare
    let now = 1_000;
    const routeFiftyThree = { current: "before the change" };
    const loads = controlledLoads(routeFiftyThree);
    const snapshots = new ZoneSnapshots(
      loads.load,
      250,
      () => {},
      () => now,
    );
    // act: a first query starts a slow refresh; the record changes; later queries arrive
    const first = snapshots.current();
    routeFiftyThree.current = "after the change";
    now += 1_000;
    const late = [snapshots.current(), snapshots.current(), snapshots.current()];
    const loadsWhileFirstRuns = loads.loads();
    loads.pending[0]?.resolve();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    loads.pending[1]?.resolve();
    // assess: the late queries waited for one refresh of their own, begun after the first ended
    expect(nameOf(await first)).toBe("before the change");
    expect((await Promise.all(late)).map(nameOf)).toEqual(new Array(3).fill("after the change"));
    expect(loadsWhileFirstRuns).toBe(1);
    expect(loads.loads()).toBe(2);
    // the newer snapshot is the one kept
    expect(nameOf(await snapshots.current())).toBe("after the change");
  });

  it("queries within maxAgeMs of a refresh share it: one load", async () => {
    // prepare
    let now = 1_000;
    const loads = controlledLoads({ current: "records" });
    const snapshots = new ZoneSnapshots(
      loads.load,
      250,
      () => {},
      () => now,
    );
    // act
    const answers = [snapshots.current()];
    now += 100;
    answers.push(snapshots.current());
    for (const load of loads.pending) load.resolve();
    // assess
    expect((await Promise.all(answers)).map(nameOf)).toEqual(["records", "records"]);
    expect(loads.loads()).toBe(1);
  });
});
