/**
 * Renumbering storms: when thousands of hosts change address at once, ChangeResourceRecordSets
 * (about 10 requests/s per account) is the limit, but one batch may carry up to 1,000 record
 * elements. So the changes that arrive in one container within a short window go to Route 53 as one
 * batch per zone, one batch per zone at a time.
 *
 * The window follows the throttling this container sees: it starts at nothing (a lone change goes
 * out at once, joined only by changes from the same instant), doubles whenever Route 53 throttled a
 * batch (even one the SDK's retries got through), shrinks again with every clean one, and halves
 * every HALF_LIFE_MS by itself, so a quiet container is back to sending at once.
 *
 * Each batch first takes a slot of the deployment's ChangeBudget (shared by every container, so the
 * account never sees more calls per second than the budget allows); changes keep gathering while
 * the batcher waits for one, so a busy second makes the next batch bigger, not the calls more.
 *
 * Promises: a caller's changes travel together in one batch (atomic: all or none); when two callers
 * change the same record, the one that came later wins, as if they had been sent in turn; a batch
 * that Route 53 throttled (after the SDK's retries) goes again with the next one while its callers
 * have time; a caller whose change could not be made within MAX_QUEUE_MS gets ThrottledError (429
 * with Retry-After), never silence.
 */
import { DnsUpdateError, ThrottledError } from "../core/errors.js";
import type { RecordChange } from "../core/ports.js";
import { type ChangeBudget, realSleep, UNLIMITED_BUDGET } from "./change-budget.js";

/** Route 53's limits per ChangeResourceRecordSets: ResourceRecord elements and value characters, UPSERTs counting twice. */
export const BATCH_LIMITS = { elements: 1000, characters: 32_000, upsertWeight: 2 } as const;
/** The window never grows past this: callers wait in it, inside the request budget. */
export const MAX_WINDOW_MS = 4000;
const FIRST_STEP_MS = 250;
const SHRINK_FACTOR = 0.85;
const HALF_LIFE_MS = 30_000;
/**
 * A caller whose change has not gone through after this long, or after this many throttled batches,
 * is told to come back instead: well inside the function's 10 s timeout.
 */
const MAX_QUEUE_MS = 4000;
const MAX_THROTTLED_BATCHES = 3;

export interface SentBatch {
  readonly changeId: string;
  /** The SDK had to retry the call: Route 53 throttled it, the batch only got through late. */
  readonly retried: boolean;
}

export interface ChangeBatcherOptions {
  /** Sends one batch to Route 53; throws the errors the protocols know (ThrottledError, …). */
  readonly send: (zoneId: string, changes: readonly RecordChange[]) => Promise<SentBatch>;
  /** Slots for ChangeResourceRecordSets shared with the other containers (default: none). */
  readonly budget?: ChangeBudget;
  readonly sleep?: (milliseconds: number) => Promise<void>;
  readonly now?: () => number;
}

interface Caller {
  readonly changes: readonly RecordChange[];
  readonly queuedAt: number;
  throttled: number;
  readonly resolve: (changeId: string) => void;
  readonly reject: (error: unknown) => void;
}

interface ZoneQueue {
  readonly waiting: Caller[];
  draining: boolean;
}

export class ChangeBatcher {
  readonly #send: ChangeBatcherOptions["send"];
  readonly #budget: ChangeBudget;
  readonly #sleep: (milliseconds: number) => Promise<void>;
  readonly #now: () => number;
  readonly #zones = new Map<string, ZoneQueue>();
  #window = { ms: 0, at: 0 };

  constructor(options: ChangeBatcherOptions) {
    this.#send = options.send;
    this.#budget = options.budget ?? UNLIMITED_BUDGET;
    this.#sleep = options.sleep ?? realSleep;
    this.#now = options.now ?? Date.now;
  }

  /** How long changes currently gather before a batch goes out. */
  get windowMs(): number {
    const ms = this.#window.ms * 0.5 ** ((this.#now() - this.#window.at) / HALF_LIFE_MS);
    return ms < 10 ? 0 : ms;
  }

  /** Resolves to the id of the change that carried these changes. */
  submit(zoneId: string, changes: readonly RecordChange[]): Promise<string> {
    let zone = this.#zones.get(zoneId);
    if (!zone) {
      zone = { waiting: [], draining: false };
      this.#zones.set(zoneId, zone);
    }
    const queue = zone;
    return new Promise<string>((resolve, reject) => {
      queue.waiting.push({ changes, queuedAt: this.#now(), throttled: 0, resolve, reject });
      if (!queue.draining) void this.#drain(zoneId, queue);
    });
  }

  async #drain(zoneId: string, zone: ZoneQueue): Promise<void> {
    zone.draining = true;
    try {
      while (zone.waiting.length > 0) {
        await this.#sleep(this.windowMs);
        const oldest = zone.waiting[0] as Caller;
        if (!(await this.#budget.take(oldest.queuedAt + MAX_QUEUE_MS))) {
          this.#turnAwayOverdue(zone.waiting);
          continue;
        }
        const batch = this.#takeBatch(zone.waiting);
        if (batch.length > 0) await this.#sendBatch(zoneId, batch);
      }
    } finally {
      zone.draining = false;
      if (zone.waiting.length === 0) this.#zones.delete(zoneId);
    }
  }

  /**
   * No slot of the budget before the oldest caller's time runs out: it is told to come back, and so
   * is everyone else whose time runs out before the next second (the earliest a slot can come).
   */
  #turnAwayOverdue(waiting: Caller[]): void {
    const nextChance = this.#now() + 1000;
    const comeBack = this.#comeBackLater(new ThrottledError("Route 53 changes are backed up.", 2));
    const overdue = waiting.filter(
      (caller, index) => index === 0 || caller.queuedAt + MAX_QUEUE_MS <= nextChance,
    );
    for (const caller of overdue) {
      waiting.splice(waiting.indexOf(caller), 1);
      caller.reject(comeBack);
    }
  }

  /** The callers, in arrival order, whose merged changes fit one batch; callers queued too long are turned away. */
  #takeBatch(waiting: Caller[]): Caller[] {
    const batch: Caller[] = [];
    const merged = new Map<string, RecordChange>();
    while (waiting.length > 0) {
      const caller = waiting[0] as Caller;
      if (this.#now() - caller.queuedAt > MAX_QUEUE_MS) {
        waiting.shift();
        caller.reject(this.#comeBackLater(new ThrottledError("Route 53 changes are backed up.", 2)));
        continue;
      }
      const candidate = new Map(merged);
      for (const change of caller.changes) candidate.set(recordKey(change), change);
      // A caller alone always goes (Route 53 then judges its size); others join only while it fits.
      if (batch.length > 0 && !fitsOneBatch(candidate.values())) break;
      waiting.shift();
      batch.push(caller);
      for (const [key, change] of candidate) merged.set(key, change);
    }
    return batch;
  }

  async #sendBatch(zoneId: string, batch: readonly Caller[]): Promise<void> {
    try {
      const sent = await this.#send(zoneId, mergeChanges(batch));
      this.#adapt(sent.retried);
      for (const caller of batch) caller.resolve(sent.changeId);
    } catch (error) {
      if (error instanceof ThrottledError) {
        this.#adapt(true);
        // Nothing was written (a batch is atomic). Callers with time left wait for the next batch
        // in this container; the others are told to come back.
        const waitedTooLong = (caller: Caller) =>
          ++caller.throttled >= MAX_THROTTLED_BATCHES ||
          this.#now() - caller.queuedAt + this.windowMs > MAX_QUEUE_MS;
        const comeBack = this.#comeBackLater(error);
        const again: Caller[] = [];
        for (const caller of batch) {
          if (waitedTooLong(caller)) caller.reject(comeBack);
          else again.push(caller);
        }
        this.#zones.get(zoneId)?.waiting.unshift(...again);
      } else if (error instanceof DnsUpdateError && batch.length > 1) {
        // One caller's change may have spoilt the batch: each caller alone, in arrival order.
        for (const caller of batch) await this.#sendBatch(zoneId, [caller]);
      } else {
        for (const caller of batch) caller.reject(error);
      }
    }
  }

  /** Throttling widens the window (fast); a batch that went through at once narrows it (slowly). */
  #adapt(throttled: boolean): void {
    const ms = throttled
      ? Math.min(MAX_WINDOW_MS, Math.max(FIRST_STEP_MS, this.windowMs * 2))
      : this.windowMs * SHRINK_FACTOR;
    this.#window = { ms, at: this.#now() };
  }

  /** Retry-After spread over a few seconds beyond the window, so turned-away clients do not return together. */
  #comeBackLater(error: ThrottledError): ThrottledError {
    const seconds = Math.max(
      error.retryAfterSeconds,
      Math.ceil((2 * this.windowMs + Math.random() * 3000) / 1000),
    );
    return new ThrottledError(error.message, seconds, { cause: error });
  }
}

function recordKey(change: RecordChange): string {
  return `${change.name}|${change.type}`;
}

/** One change per record, the latest caller's: Route 53 refuses a batch that names a record twice. */
export function mergeChanges(
  callers: readonly { readonly changes: readonly RecordChange[] }[],
): RecordChange[] {
  const merged = new Map<string, RecordChange>();
  for (const caller of callers) for (const change of caller.changes) merged.set(recordKey(change), change);
  return [...merged.values()];
}

function fitsOneBatch(changes: Iterable<RecordChange>): boolean {
  let elements = 0;
  let characters = 0;
  for (const change of changes) {
    elements += BATCH_LIMITS.upsertWeight;
    characters += BATCH_LIMITS.upsertWeight * change.value.length;
  }
  return elements <= BATCH_LIMITS.elements && characters <= BATCH_LIMITS.characters;
}
