/**
 * One S3 object as the function keeps it: fetched and parsed once, revalidated after `cacheSeconds`
 * with a conditional GET (If-None-Match: the ETag), so an unchanged object costs a 304. When S3 fails,
 * a copy of the SAME key confirmed at most `maxStaleSeconds` ago keeps serving; with none, it fails
 * closed with UnavailableError (503). A copy of another key is never served for a new one: a shard the
 * manifest replaced may hold a rotated secret or a removed host. The config store keeps one of these
 * for its entry object and one per shard.
 */
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { httpStatusOf, UnavailableError } from "../core/errors.js";
import { errorSummary, type Logger } from "../core/log.js";

export interface S3ObjectCacheOptions<T> {
  readonly bucket: string;
  /** Infinity for objects that never change under their key (content-addressed shards). */
  readonly cacheSeconds: number;
  /** How long a copy may serve while S3 fails (the config's: 15 minutes, docs/architecture.md "Config"). */
  readonly maxStaleSeconds: number;
  /** After a failed fetch, requests use the stale copy (or fail closed) without asking S3 again for this long. */
  readonly failureBackoffSeconds: number;
  readonly now: () => number;
  readonly log?: Logger | undefined;
  /** Turns the object's text into the cached value; throwing makes the fetch a failure. */
  readonly parse: (text: string, key: string) => T;
  /** Extra log fields naming the object (e.g. the shard). */
  readonly describe?: Record<string, unknown>;
}

interface Cached<T> {
  readonly key: string;
  readonly value: T;
  readonly etag: string | undefined;
  /** When S3 last confirmed this copy (a 200 or a 304), or its key was last confirmed as current. */
  readonly confirmedAt: number;
}

export const CONFIG_RETRY_AFTER_SECONDS = 5;

export class S3ObjectCache<T> {
  readonly #s3: S3Client;
  readonly #options: S3ObjectCacheOptions<T>;
  #cached: Cached<T> | undefined;
  #lastFailure: { readonly key: string; readonly at: number } | undefined;
  #refreshing: { readonly key: string; readonly value: Promise<T> } | undefined;
  /** Set by expire(): the next get() asks S3, though the copy stays as old (for the stale rule) as it is. */
  #expired = false;

  constructor(s3: S3Client, options: S3ObjectCacheOptions<T>) {
    this.#s3 = s3;
    this.#options = options;
  }

  /**
   * The value of the object at `key`. When `key` differs from the cached copy's (a shard replaced by
   * a new one), the new object is fetched; while that fails, this fails closed (the previous key's copy
   * is not this object).
   */
  async get(key: string): Promise<T> {
    const now = this.#options.now();
    const cached = this.#cached;
    if (
      cached?.key === key &&
      !this.#expired &&
      now - cached.confirmedAt < this.#options.cacheSeconds * 1000
    ) {
      if (this.#options.cacheSeconds === Number.POSITIVE_INFINITY) {
        // Never changes under its key: still current as long as the caller asks for this key.
        this.#cached = { ...cached, confirmedAt: now };
      }
      return cached.value;
    }
    // Right after a failure, answer from the stale copy (or fail closed) without asking S3 again:
    // an outage should not cost every request a timeout, nor S3 a request per check.
    const failure = this.#lastFailure;
    if (failure?.key === key && now - failure.at < this.#options.failureBackoffSeconds * 1000) {
      return this.#staleOrFail(key, now, undefined);
    }
    // One request to S3 however many callers arrive while it is under way.
    if (this.#refreshing?.key !== key) {
      const value = this.#refresh(key).finally(() => {
        if (this.#refreshing?.value === value) this.#refreshing = undefined;
      });
      this.#refreshing = { key, value };
    }
    return this.#refreshing.value;
  }

  /** Makes the next get() ask S3 (e.g. a shard the manifest names has gone: the manifest changed). */
  expire(): void {
    this.#expired = true;
  }

  async #refresh(key: string): Promise<T> {
    const { bucket, now, parse } = this.#options;
    const previous = this.#cached;
    const etag = previous?.key === key ? previous.etag : undefined;
    try {
      const response = await this.#s3.send(
        new GetObjectCommand({ Bucket: bucket, Key: key, IfNoneMatch: etag }),
      );
      const text = (await response.Body?.transformToString("utf-8")) ?? "";
      const value = parse(text, key);
      this.#cached = { key, value, etag: response.ETag, confirmedAt: now() };
      this.#lastFailure = undefined;
      this.#expired = false;
      return value;
    } catch (error) {
      if (previous && etag !== undefined && httpStatusOf(error) === 304) {
        this.#cached = { ...previous, confirmedAt: now() };
        this.#expired = false;
        return previous.value;
      }
      this.#lastFailure = { key, at: now() };
      return this.#staleOrFail(key, now(), error);
    }
  }

  #staleOrFail(key: string, now: number, error: unknown): T {
    // Only a copy of this very key: another key's value (an older shard) is not this object's.
    const cached = this.#cached?.key === key ? this.#cached : undefined;
    const ageSeconds = cached ? Math.round((now - cached.confirmedAt) / 1000) : undefined;
    if (cached && ageSeconds !== undefined && ageSeconds <= this.#options.maxStaleSeconds) {
      if (error !== undefined) {
        this.#options.log?.({
          level: "warn",
          msg: "config fetch failed; using cached copy",
          ...this.#options.describe,
          ageSeconds,
          error: errorSummary(error),
        });
      }
      return cached.value;
    }
    this.#options.log?.({
      level: "error",
      msg: "config unavailable",
      ...this.#options.describe,
      ageSeconds,
      error: errorSummary(error),
    });
    throw new UnavailableError("The configuration is unavailable.", CONFIG_RETRY_AFTER_SECONDS, {
      cause: error,
    });
  }
}
