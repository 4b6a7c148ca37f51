/**
 * One ChangeResourceRecordSets budget for every container of a deployment. Route 53 allows about
 * 10 requests/s per account and action (with a burst of 50); containers pacing themselves apart from
 * each other can still add up to more, so each call first leases a slot: an empty S3 object
 * `slots/<unix second>/<k>` (k < perSecond), created with `If-None-Match: *`. S3 lets exactly one
 * writer create a key, so at most perSecond calls start in any second, whichever containers make them.
 *
 * A slot counts only for the second it names: a lease that comes back after that second has passed
 * is dropped and another taken, so a slow PUT cannot push a call into the next, already full, second.
 * When S3 cannot be asked (an error, a timeout), the call goes anyway: the budget is a courtesy
 * towards the account's quota, and Route 53's own throttling is still answered with 429.
 */
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { httpStatusOf } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import { MAX_CHANGES_PER_SECOND } from "../settings.js";

export interface ChangeBudget {
  /**
   * Resolves true when the caller may start one ChangeResourceRecordSets now, false when no slot
   * came free before `deadline` (epoch milliseconds).
   */
  take(deadline: number): Promise<boolean>;
}

/** No shared budget: every call may go (tests, and deployments that turn the budget off). */
export const UNLIMITED_BUDGET: ChangeBudget = { take: async () => true };

export const SLOT_PREFIX = "slots/";
/** Slots tried in one second before waiting for the next: each try is a PUT, refused ones included. */
const TRIES_PER_SECOND = 3;
/** A lease that takes longer than this is given up (and the call made without it). */
const LEASE_TIMEOUT_MS = 500;
/**
 * Containers that lost a second come back early in the next one, the sooner the closer their
 * callers are to being turned away (first come, first served), and not all in the same millisecond.
 */
const NEXT_SECOND_SPREAD_MS = 100;
const URGENCY_HORIZON_MS = 4000;
const WARN_EVERY_MS = 60_000;

export interface S3ChangeBudgetOptions {
  readonly bucket: string;
  /** Calls per second for the whole deployment (1…MAX_CHANGES_PER_SECOND). */
  readonly perSecond: number;
  readonly log: Logger;
  readonly now?: () => number;
  readonly sleep?: (milliseconds: number) => Promise<void>;
  readonly random?: () => number;
  /** How long one PUT may take before the call goes without a slot (default LEASE_TIMEOUT_MS). */
  readonly leaseTimeoutMs?: number;
}

type Lease = "leased" | "taken" | "unavailable";

/** Waits on the real clock; the budget and the change batcher take a virtual one in simulations. */
export const realSleep = (milliseconds: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, milliseconds)));

export class S3ChangeBudget implements ChangeBudget {
  readonly #s3: S3Client;
  readonly #bucket: string;
  readonly #perSecond: number;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #sleep: (milliseconds: number) => Promise<void>;
  readonly #random: () => number;
  readonly #leaseTimeoutMs: number;
  /** The slots of the current second this container already found taken: not asked for twice. */
  #taken = { second: -1, slots: new Set<number>() };
  #warnedAt = Number.NEGATIVE_INFINITY;

  constructor(s3: S3Client, options: S3ChangeBudgetOptions) {
    if (
      !Number.isInteger(options.perSecond) ||
      options.perSecond < 1 ||
      options.perSecond > MAX_CHANGES_PER_SECOND
    ) {
      throw new RangeError(`perSecond must be a whole number from 1 to ${MAX_CHANGES_PER_SECOND}.`);
    }
    this.#s3 = s3;
    this.#bucket = options.bucket;
    this.#perSecond = options.perSecond;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? realSleep;
    this.#random = options.random ?? Math.random;
    this.#leaseTimeoutMs = options.leaseTimeoutMs ?? LEASE_TIMEOUT_MS;
  }

  async take(deadline: number): Promise<boolean> {
    for (;;) {
      const second = Math.floor(this.#now() / 1000);
      const outcome = await this.#takeIn(second);
      if (outcome !== "full") return true;
      const start = (second + 1) * 1000;
      const urgency = Math.min(1, Math.max(0, (deadline - start) / URGENCY_HORIZON_MS));
      const nextSecond = start + NEXT_SECOND_SPREAD_MS * (0.9 * urgency + 0.1 * this.#random());
      if (nextSecond >= deadline) return false;
      await this.#sleep(nextSecond - this.#now());
    }
  }

  /** "granted" when a slot of `second` was leased (or S3 could not be asked); "full" otherwise. */
  async #takeIn(second: number): Promise<"granted" | "full"> {
    if (this.#taken.second !== second) this.#taken = { second, slots: new Set() };
    const taken = this.#taken.slots;
    const first = Math.floor(this.#random() * this.#perSecond);
    let tries = 0;
    for (let offset = 0; offset < this.#perSecond && tries < TRIES_PER_SECOND; offset++) {
      const slot = (first + offset) % this.#perSecond;
      if (taken.has(slot)) continue;
      tries++;
      const lease = await this.#lease(second, slot);
      if (lease === "unavailable") return "granted";
      if (lease === "taken") taken.add(slot);
      // A slot names its second: one leased too late would add a call to the next second's.
      if (Math.floor(this.#now() / 1000) !== second) return "full";
      if (lease === "leased") return "granted";
    }
    return "full";
  }

  async #lease(second: number, slot: number): Promise<Lease> {
    try {
      await this.#s3.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: `${SLOT_PREFIX}${second}/${slot}`,
          Body: "",
          IfNoneMatch: "*",
        }),
        { abortSignal: AbortSignal.timeout(this.#leaseTimeoutMs) },
      );
      return "leased";
    } catch (error) {
      // 412: another container created the key first. 409: it is being created right now.
      const status = httpStatusOf(error);
      if (status === 412 || status === 409) return "taken";
      this.#warn(error);
      return "unavailable";
    }
  }

  #warn(error: unknown): void {
    const now = this.#now();
    if (now - this.#warnedAt < WARN_EVERY_MS) return;
    this.#warnedAt = now;
    this.#log({
      level: "warn",
      msg: "The change budget could not be asked; Route 53 changes go without it.",
      budgetBucket: this.#bucket,
      error: (error as { name?: string })?.name ?? String(error),
    });
  }
}
