/**
 * The config in S3 as the function reads it, in either layout (src/config/shards.ts): the seed's
 * single config.json, or a manifest at the same key whose hosts live in shard objects. For a sharded
 * config a request loads only the shards its host names live in, so a cold start does not grow with
 * the fleet. The entry object and every shard are cached on their own (S3ObjectCache): revalidated by
 * ETag, a stale copy of the same object for at most `maxStaleSeconds` while S3 fails, else fail closed
 * (503) — for the hosts of that shard only. A shard key the manifest newly names that cannot be read
 * fails closed for its hosts (the old shard may hold a rotated secret) and makes the manifest re-read. The function never writes the config.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { AcmeAccountDirectory } from "../core/acme.js";
import { canonicalHostname } from "../core/hostname.js";
import type { HostConfig, HostDirectory } from "../core/hosts.js";
import type { Logger } from "../core/log.js";
import type { ConfigSource } from "../core/ports.js";
import { CONFIG_RETRY_AFTER_SECONDS, S3ObjectCache, type S3ObjectCacheOptions } from "./s3-object-cache.js";
import {
  type ConfigProblem,
  describeProblem,
  type ParsedConfig,
  parseConfigDocument,
  parseConfigJson,
} from "./schema.js";
import {
  isManifestDocument,
  manifestSections,
  readManifest,
  type ShardManifest,
  shardOf,
  shardsOf,
} from "./shards.js";

export interface S3ConfigStoreOptions {
  readonly bucket: string;
  readonly key: string;
  readonly cacheSeconds: number;
  /** How long a copy may keep serving while S3 fails (default 15 minutes: docs/architecture.md "Config"). */
  readonly maxStaleSeconds?: number;
  /** After a failed fetch, requests use the stale copy (or fail closed) without asking S3 again for this long. */
  readonly failureBackoffSeconds?: number;
  readonly now?: () => number;
  readonly log?: Logger;
}

/** What the object at DDNS_CONFIG_KEY turned out to be. */
type Entry =
  | { readonly layout: "single"; readonly config: ParsedConfig }
  | { readonly layout: "sharded"; readonly manifest: ShardManifest; readonly sections: ParsedConfig };

export class S3ConfigStore implements ConfigSource {
  readonly #s3: S3Client;
  readonly #cacheOptions: Omit<S3ObjectCacheOptions<unknown>, "parse" | "cacheSeconds">;
  readonly #entry: S3ObjectCache<Entry>;
  readonly #entryKey: string;
  readonly #log: Logger | undefined;
  /** One cache per shard index; a shard's key changes when its hosts do. */
  readonly #shards = new Map<number, S3ObjectCache<HostDirectory>>();

  constructor(s3: S3Client, options: S3ConfigStoreOptions) {
    this.#s3 = s3;
    this.#entryKey = options.key;
    this.#log = options.log;
    this.#cacheOptions = {
      bucket: options.bucket,
      maxStaleSeconds: options.maxStaleSeconds ?? 15 * 60,
      failureBackoffSeconds: options.failureBackoffSeconds ?? CONFIG_RETRY_AFTER_SECONDS,
      now: options.now ?? Date.now,
      log: options.log,
    };
    this.#entry = new S3ObjectCache(s3, {
      ...this.#cacheOptions,
      cacheSeconds: options.cacheSeconds,
      parse: (text) => this.#parseEntry(text),
    });
  }

  async hosts(names?: readonly string[]): Promise<HostDirectory> {
    const entry = await this.#entry.get(this.#entryKey);
    if (entry.layout === "single") return entry.config.hosts;

    const { manifest } = entry;
    const wanted =
      names === undefined
        ? manifest.shards.map((_key, index) => index)
        : shardsOf(names, manifest.shards.length);
    const tables = new Map<number, HostDirectory>();
    await Promise.all(
      wanted.map(async (index) => {
        tables.set(index, await this.#shard(index, manifest.shards[index] as string));
      }),
    );
    return new ShardedDirectory(manifest, tables);
  }

  /** The accounts section: in config.json itself, or in the manifest of a sharded config. */
  async acmeAccounts(): Promise<AcmeAccountDirectory> {
    const entry = await this.#entry.get(this.#entryKey);
    return entry.layout === "single" ? entry.config.accounts : entry.sections.accounts;
  }

  async #shard(index: number, key: string): Promise<HostDirectory> {
    let cache = this.#shards.get(index);
    if (!cache) {
      cache = new S3ObjectCache(this.#s3, {
        ...this.#cacheOptions,
        // Content-addressed: a shard never changes under its key, so it is never revalidated.
        cacheSeconds: Number.POSITIVE_INFINITY,
        describe: { shard: index },
        parse: (text, shardKey) => this.#parseShard(text, shardKey, index),
      });
      this.#shards.set(index, cache);
    }
    try {
      return await cache.get(key);
    } catch (error) {
      // A shard the manifest names cannot be read (gone: the manifest changed and its old shards were
      // pruned; or refused): its hosts fail closed, never answered from an older shard. Ask S3 for the
      // manifest on the next request instead of waiting out the cache period.
      this.#entry.expire();
      throw error;
    }
  }

  #parseEntry(text: string): Entry {
    const document = parseConfigJson(text);
    if (!isManifestDocument(document)) {
      const config = parseConfigDocument(document);
      this.#report(config.problems, {});
      return { layout: "single", config };
    }
    const manifest = readManifest(document);
    const sections = parseConfigDocument(manifestSections(document));
    this.#report(sections.problems, { generation: manifest.generation });
    this.#log?.({
      level: "info",
      msg: "sharded config",
      generation: manifest.generation,
      shards: manifest.shards.length,
      hostCount: manifest.hostCount,
    });
    return { layout: "sharded", manifest, sections };
  }

  #parseShard(text: string, key: string, index: number): HostDirectory {
    const parsed = parseConfigDocument(parseConfigJson(text));
    this.#report(parsed.problems, { shard: index, key });
    return parsed.hosts;
  }

  #report(problems: readonly ConfigProblem[], where: Record<string, unknown>): void {
    for (const problem of problems) {
      this.#log?.({
        level: problem.severity === "error" ? "error" : "warn",
        msg: "config problem",
        ...where,
        problem: describeProblem(problem),
      });
    }
  }
}

/** The hosts of the shards a request loaded: a name in another shard is not found. */
class ShardedDirectory implements HostDirectory {
  readonly #manifest: ShardManifest;
  readonly #tables: ReadonlyMap<number, HostDirectory>;

  constructor(manifest: ShardManifest, tables: ReadonlyMap<number, HostDirectory>) {
    this.#manifest = manifest;
    this.#tables = tables;
  }

  find(hostname: string): HostConfig | undefined {
    const fqdn = canonicalHostname(hostname);
    if (fqdn === undefined) return undefined;
    return this.#tables.get(shardOf(fqdn, this.#manifest.shards.length))?.find(fqdn);
  }

  /** The fleet's size as the manifest states it. */
  get size(): number {
    return this.#manifest.hostCount;
  }
}
