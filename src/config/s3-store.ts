/**
 * The config file in S3, parsed once and kept in the container. After `cacheSeconds` it is
 * revalidated with a conditional GET (If-None-Match: the ETag), so an unchanged file costs a 304.
 * When S3 fails, a copy validated at most `maxStaleSeconds` ago keeps serving; with none, the
 * store fails closed with UnavailableError (503). The function never writes the file.
 */
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { AcmeAccountDirectory } from "../core/acme.js";
import { httpStatusOf, UnavailableError } from "../core/errors.js";
import type { HostDirectory } from "../core/hosts.js";
import { errorSummary, type Logger } from "../core/log.js";
import type { ConfigSource } from "../core/ports.js";
import { type ConfigProblem, describeProblem, parseConfigText } from "./schema.js";

export interface S3ConfigStoreOptions {
  readonly bucket: string;
  readonly key: string;
  readonly cacheSeconds: number;
  /** How long a copy may keep serving while S3 fails (DESIGN.md: 15 minutes). */
  readonly maxStaleSeconds?: number;
  /** After a failed fetch, requests use the stale copy (or fail closed) without asking S3 again for this long. */
  readonly failureBackoffSeconds?: number;
  readonly now?: () => number;
  readonly log?: Logger;
}

interface CachedConfig {
  readonly hosts: HostDirectory;
  readonly accounts: AcmeAccountDirectory;
  readonly etag: string | undefined;
  /** When S3 last confirmed this copy (a 200 or a 304). */
  readonly confirmedAt: number;
}

const RETRY_AFTER_SECONDS = 5;

export class S3ConfigStore implements ConfigSource {
  readonly #s3: S3Client;
  readonly #options: Required<Omit<S3ConfigStoreOptions, "log">> & Pick<S3ConfigStoreOptions, "log">;
  #cached: CachedConfig | undefined;
  #lastFailureAt = Number.NEGATIVE_INFINITY;
  #refreshing: Promise<CachedConfig> | undefined;

  constructor(s3: S3Client, options: S3ConfigStoreOptions) {
    this.#s3 = s3;
    this.#options = {
      maxStaleSeconds: 15 * 60,
      failureBackoffSeconds: RETRY_AFTER_SECONDS,
      now: Date.now,
      ...options,
    };
  }

  async hosts(): Promise<HostDirectory> {
    return (await this.#current()).hosts;
  }

  async acmeAccounts(): Promise<AcmeAccountDirectory> {
    return (await this.#current()).accounts;
  }

  async #current(): Promise<CachedConfig> {
    const now = this.#options.now();
    const cached = this.#cached;
    if (cached && now - cached.confirmedAt < this.#options.cacheSeconds * 1000) return cached;
    // Right after a failure, answer from the stale copy (or fail closed) without asking S3 again:
    // an outage should not cost every request a timeout, nor S3 a request per check.
    if (now - this.#lastFailureAt < this.#options.failureBackoffSeconds * 1000) {
      return this.#staleOrFail(now, undefined);
    }
    // One request to S3 however many callers arrive while it is under way.
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #refresh(): Promise<CachedConfig> {
    const { bucket, key, now } = this.#options;
    const previous = this.#cached;
    try {
      const response = await this.#s3.send(
        new GetObjectCommand({ Bucket: bucket, Key: key, IfNoneMatch: previous?.etag }),
      );
      const text = (await response.Body?.transformToString("utf-8")) ?? "";
      const parsed = parseConfigText(text);
      this.#report(parsed.problems);
      this.#cached = {
        hosts: parsed.hosts,
        accounts: parsed.accounts,
        etag: response.ETag,
        confirmedAt: now(),
      };
      return this.#cached;
    } catch (error) {
      if (previous && httpStatusOf(error) === 304) {
        this.#cached = { ...previous, confirmedAt: now() };
        return this.#cached;
      }
      this.#lastFailureAt = now();
      return this.#staleOrFail(now(), error);
    }
  }

  #staleOrFail(now: number, error: unknown): CachedConfig {
    const cached = this.#cached;
    const ageSeconds = cached ? Math.round((now - cached.confirmedAt) / 1000) : undefined;
    if (cached && ageSeconds !== undefined && ageSeconds <= this.#options.maxStaleSeconds) {
      if (error !== undefined) {
        this.#options.log?.({
          level: "warn",
          msg: "config fetch failed; using cached copy",
          ageSeconds,
          error: errorSummary(error),
        });
      }
      return cached;
    }
    this.#options.log?.({
      level: "error",
      msg: "config unavailable",
      ageSeconds,
      error: errorSummary(error),
    });
    throw new UnavailableError("The configuration is unavailable.", RETRY_AFTER_SECONDS, { cause: error });
  }

  #report(problems: readonly ConfigProblem[]): void {
    for (const problem of problems) {
      this.#options.log?.({
        level: problem.severity === "error" ? "error" : "warn",
        msg: "config problem",
        problem: describeProblem(problem),
      });
    }
  }
}
