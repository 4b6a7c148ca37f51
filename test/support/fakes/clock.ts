/**
 * Time for the benchmarks. The scale simulation runs in virtual time: every timer is an entry in a
 * queue, and `run` jumps from one to the next, letting all promise work settle in between, so a
 * simulated hour takes seconds and the result does not depend on how busy the machine is.
 */

export interface Clock {
  now(): number;
  sleep(milliseconds: number): Promise<void>;
}

export const wallClock: Clock = {
  now: () => Date.now(),
  sleep: (milliseconds) =>
    milliseconds <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, milliseconds)),
};

interface Timer {
  readonly at: number;
  readonly order: number;
  readonly fire: () => void;
}

/** Lets every pending promise callback run: setImmediate fires only after the microtask queue is empty. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export class VirtualClock implements Clock {
  #now: number;
  #order = 0;
  readonly #heap: Timer[] = [];

  constructor(start = Date.UTC(2025, 0, 1)) {
    this.#now = start;
  }

  /** Whole milliseconds, as Date.now() gives them (the change queue's messages require a whole requestedAt). */
  now(): number {
    return Math.floor(this.#now);
  }

  sleep(milliseconds: number): Promise<void> {
    return new Promise((resolve) => this.at(this.#now + Math.max(0, milliseconds), resolve));
  }

  /** Runs `fire` when virtual time reaches `at`. */
  at(at: number, fire: () => void): void {
    this.#push({ at: Math.max(at, this.#now), order: this.#order++, fire });
  }

  /** Moves time on in 10 ms steps until every promise of `work` has settled; their outcomes, in order. */
  async runUntilSettled<T>(work: readonly Promise<T>[]): Promise<PromiseSettledResult<T>[]> {
    let done = false;
    const outcomes = Promise.allSettled(work).finally(() => {
      done = true;
    });
    while (!done) await this.run(this.#now + 10);
    return outcomes;
  }

  /** Advances through every timer due up to `until`, then stops there. */
  async run(until: number): Promise<void> {
    await settle();
    for (;;) {
      const next = this.#heap[0];
      if (!next || next.at > until) break;
      this.#pop();
      this.#now = next.at;
      next.fire();
      await settle();
    }
    this.#now = Math.max(this.#now, until);
  }

  #before(a: Timer, b: Timer): boolean {
    return a.at < b.at || (a.at === b.at && a.order < b.order);
  }

  #push(timer: Timer): void {
    const heap = this.#heap;
    heap.push(timer);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.#before(heap[index] as Timer, heap[parent] as Timer)) break;
      [heap[index], heap[parent]] = [heap[parent] as Timer, heap[index] as Timer];
      index = parent;
    }
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop() as Timer;
    if (heap.length === 0) return;
    heap[0] = last;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && this.#before(heap[left] as Timer, heap[smallest] as Timer)) smallest = left;
      if (right < heap.length && this.#before(heap[right] as Timer, heap[smallest] as Timer))
        smallest = right;
      if (smallest === index) return;
      [heap[index], heap[smallest]] = [heap[smallest] as Timer, heap[index] as Timer];
      index = smallest;
    }
  }
}
