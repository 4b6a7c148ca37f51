/**
 * The config in S3 as the CLI edits it, in either layout (src/config/shards.ts): read with its ETag,
 * written back only if nobody changed it since (S3 conditional writes), and its earlier versions
 * (the bucket is versioned). A sharded config is read only in the shards a command needs; a write
 * puts the changed shards first (new, content-addressed keys) and the manifest last with If-Match,
 * so the function sees the whole edit or none of it, and two editors never both win.
 *
 * Writes send no encryption headers, so S3 applies the bucket's default encryption (SSE-S3 or the
 * deployment's KMS key): a write can never downgrade it.
 */
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { ConfigFileError, parseConfigDocument, parseConfigJson } from "../config/schema.js";
import {
  AUTO_SHARD_BYTES,
  configText,
  defaultShardCount,
  isManifestDocument,
  manifestDocument,
  manifestSections,
  readManifest,
  type ShardManifest,
  type ShardObject,
  shardObjects,
  shardPrefix,
  shardsOf,
} from "../config/shards.js";
import { httpStatusOf } from "../core/errors.js";
import { canonicalHostname } from "../core/hostname.js";
import { ConcurrentEditError, InvalidConfigError } from "./errors.js";

export type ConfigDocument = Record<string, unknown>;

/** What a snapshot of a sharded config holds besides its document. */
export interface ShardedBasis {
  readonly manifest: ShardManifest;
  /** The shards whose hosts are in the snapshot's document; the others are left as they are. */
  readonly loaded: ReadonlySet<number>;
  /** How many host entries the loaded shards held. */
  readonly loadedEntries: number;
}

export interface ConfigSnapshot {
  /** The config as config.json would hold it: its sections, and the hosts of the loaded shards. */
  readonly document: ConfigDocument;
  /** Undefined when the config does not exist yet. */
  readonly etag: string | undefined;
  /** Set when the object at the key is a manifest. */
  readonly sharded?: ShardedBasis | undefined;
}

export type Layout = { readonly kind: "single" } | { readonly kind: "sharded"; readonly shards: number };

export interface WriteResult {
  readonly versionId: string | undefined;
  readonly layout: Layout;
  /** Shard objects written (0 for a single file). */
  readonly shardsWritten: number;
}

export interface ConfigVersion {
  readonly versionId: string;
  readonly lastModified: string | undefined;
  readonly size: number | undefined;
  readonly isLatest: boolean;
  readonly deleted: boolean;
}

/** Parallel S3 requests while reading or writing shards. */
const CONCURRENCY = 16;
/** Shards no manifest of the last two generations names are deleted once this old (see #prune). */
const PRUNE_AFTER_MS = 60 * 60 * 1000;

export class ConfigObject {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    readonly key: string,
    private readonly options: { readonly pruneAfterMs?: number; readonly now?: () => number } = {},
  ) {}

  get location(): string {
    return `s3://${this.bucket}/${this.key}`;
  }

  /**
   * The current config; an empty one when there is none yet. With `names`, a sharded config is read
   * only in the shards those hosts live in (the document then holds only their hosts).
   */
  async read(names?: readonly string[]): Promise<ConfigSnapshot> {
    let text: string;
    let etag: string | undefined;
    try {
      const response = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key }));
      text = (await response.Body?.transformToString("utf-8")) ?? "";
      etag = response.ETag;
    } catch (error) {
      if ((error as Error).name === "NoSuchKey") return { document: {}, etag: undefined };
      throw error;
    }
    const document = this.#parse(text, "current file");
    if (!isManifestDocument(document)) return { document, etag };
    const manifest = this.#manifest(document, "current file");
    const wanted =
      names === undefined
        ? manifest.shards.map((_key, index) => index)
        : shardsOf(names, manifest.shards.length);
    const shards = await this.#readShards(manifest, wanted, false);
    return {
      document: { ...manifestSections(document), ...Object.assign({}, ...shards) },
      etag,
      sharded: {
        manifest,
        loaded: new Set(wanted),
        loadedEntries: shards.reduce((sum, shard) => sum + Object.keys(shard).length, 0),
      },
    };
  }

  /** The current ETag (and manifest, when it is a readable one) without judging the rest; for restore. */
  async current(): Promise<ConfigSnapshot> {
    let etag: string | undefined;
    try {
      etag = (await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key }))).ETag;
    } catch (error) {
      if ((error as Error).name === "NotFound") return { document: {}, etag: undefined };
      throw error;
    }
    try {
      const snapshot = await this.read([]);
      return snapshot.etag === etag ? snapshot : { document: {}, etag };
    } catch {
      return { document: {}, etag };
    }
  }

  /** A whole earlier version, with the shards its manifest named (from their own history if pruned since). */
  async readVersion(versionId: string): Promise<{ document: ConfigDocument; layout: Layout }> {
    const response = await this.s3.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: this.key, VersionId: versionId }),
    );
    const what = `version ${versionId}`;
    const document = this.#parse((await response.Body?.transformToString("utf-8")) ?? "", what);
    if (!isManifestDocument(document)) return { document, layout: { kind: "single" } };
    const manifest = this.#manifest(document, what);
    const shards = await this.#readShards(
      manifest,
      manifest.shards.map((_key, index) => index),
      true,
    );
    return {
      document: { ...manifestSections(document), ...Object.assign({}, ...shards) },
      layout: { kind: "sharded", shards: manifest.shards.length },
    };
  }

  /**
   * Writes `document` if the config is still what `basis` read. The layout stays the basis's unless
   * `layout` says otherwise; a single file that would grow past AUTO_SHARD_BYTES becomes sharded.
   * With `layout`, `document` is the whole config (every shard is written), whatever `basis` loaded.
   */
  async write(document: ConfigDocument, basis: ConfigSnapshot, layout?: Layout): Promise<WriteResult> {
    const singleText = configText(document);
    const target: Layout =
      layout ??
      (basis.sharded
        ? { kind: "sharded", shards: basis.sharded.manifest.shards.length }
        : singleText.length > AUTO_SHARD_BYTES
          ? { kind: "sharded", shards: defaultShardCount(hostKeys(document)) }
          : { kind: "single" });
    let shardsWritten = 0;
    let text = singleText;
    let shardKeys: readonly string[] = [];
    if (target.kind === "sharded") {
      const written = await this.#writeShards(document, basis, target.shards, layout !== undefined);
      shardsWritten = written.shardsWritten;
      shardKeys = written.manifest.shards;
      text = configText(manifestDocument(written.manifest, written.sections));
    }
    const versionId = await this.#putEntry(text, basis);
    await this.#prune(new Set([...shardKeys, ...(basis.sharded?.manifest.shards ?? [])]));
    return { versionId, layout: target, shardsWritten };
  }

  async #writeShards(document: ConfigDocument, basis: ConfigSnapshot, shardCount: number, whole: boolean) {
    const previous = basis.sharded;
    const { sections, shards } = shardObjects(document, this.key, shardCount);
    // A partial snapshot may only change the shards it read, in the layout it read them.
    const keepsUnread =
      !whole && previous !== undefined && previous.loaded.size < previous.manifest.shards.length;
    if (keepsUnread && previous.manifest.shards.length !== shardCount) {
      throw new Error("changing the shard count needs the whole config (read() without names)");
    }
    const keys: string[] = [];
    const puts: ShardObject[] = [];
    let hostCount = keepsUnread ? previous.manifest.hostCount - previous.loadedEntries : 0;
    shards.forEach((shard, index) => {
      if (keepsUnread && !previous.loaded.has(index)) {
        if (shard.entries > 0) throw new Error(`shard ${index} was not read but has hosts to write`);
        keys.push(previous.manifest.shards[index] as string);
        return;
      }
      hostCount += shard.entries;
      keys.push(shard.key);
      if (previous?.manifest.shards[index] !== shard.key) puts.push(shard);
    });
    await inBatches(puts, async ({ key, text }) => {
      try {
        await this.s3.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Body: text,
            ContentType: "application/json",
            IfNoneMatch: "*",
          }),
        );
      } catch (error) {
        // Named by its content: a shard already there holds exactly this text.
        if (httpStatusOf(error) !== 412) throw error;
      }
    });
    const manifest: ShardManifest = {
      version: 1,
      generation: (previous?.manifest.generation ?? 0) + 1,
      hostCount,
      shards: keys,
    };
    return { manifest, sections, shardsWritten: puts.length };
  }

  async #putEntry(text: string, basis: ConfigSnapshot): Promise<string | undefined> {
    try {
      const response = await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key,
          Body: text,
          ContentType: "application/json",
          // Creating the file must not replace one that appeared meanwhile either.
          ...(basis.etag === undefined ? { IfNoneMatch: "*" } : { IfMatch: basis.etag }),
        }),
      );
      return response.VersionId;
    } catch (error) {
      // 412: the ETag no longer matches; 409: another conditional write to the key is under way.
      const status = httpStatusOf(error);
      if (status === 412 || status === 409) throw new ConcurrentEditError(this.location, { cause: error });
      throw error;
    }
  }

  /**
   * Deletes shard objects that neither the new manifest nor the one before it names, once they are an
   * hour old: a function still holding the previous manifest finds its shards, and a shard another
   * editor has just written for a manifest not yet put is never taken from under it.
   */
  async #prune(keep: ReadonlySet<string>): Promise<void> {
    const cutoff = (this.options.now ?? Date.now)() - (this.options.pruneAfterMs ?? PRUNE_AFTER_MS);
    const stale: string[] = [];
    let page: ListObjectsV2CommandOutput | undefined;
    do {
      page = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: shardPrefix(this.key),
          ContinuationToken: page?.NextContinuationToken,
        }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key && !keep.has(object.Key) && (object.LastModified?.getTime() ?? 0) <= cutoff) {
          stale.push(object.Key);
        }
      }
    } while (page.IsTruncated);
    for (let start = 0; start < stale.length; start += 1000) {
      await this.s3.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: stale.slice(start, start + 1000).map((Key) => ({ Key })), Quiet: true },
        }),
      );
    }
  }

  /** Shards `indices` of `manifest`, parsed; from their history when `fromHistory` and they were pruned. */
  async #readShards(
    manifest: ShardManifest,
    indices: readonly number[],
    fromHistory: boolean,
  ): Promise<ConfigDocument[]> {
    return inBatches(indices, async (index) => {
      const key = manifest.shards[index] as string;
      const text = await this.#shardText(key, fromHistory);
      if (text === undefined) {
        throw new InvalidConfigError(
          `Shard ${index} of ${this.location} (${key}) is missing. 'ddns config history' and 'ddns config restore' bring back an earlier config.`,
        );
      }
      const shard = this.#parse(text, `shard ${index} (${key})`);
      if (isManifestDocument(shard)) throw new InvalidConfigError(`Shard ${index} (${key}) is a manifest.`);
      return shard;
    });
  }

  async #shardText(key: string, fromHistory: boolean): Promise<string | undefined> {
    try {
      const response = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return (await response.Body?.transformToString("utf-8")) ?? "";
    } catch (error) {
      if ((error as Error).name !== "NoSuchKey") throw error;
    }
    if (!fromHistory) return undefined;
    const versions = await this.s3.send(new ListObjectVersionsCommand({ Bucket: this.bucket, Prefix: key }));
    const kept = (versions.Versions ?? []).find((version) => version.Key === key);
    if (!kept?.VersionId) return undefined;
    const response = await this.s3.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: key, VersionId: kept.VersionId }),
    );
    return (await response.Body?.transformToString("utf-8")) ?? "";
  }

  /** Every version of the file, newest first, delete markers included. */
  async history(): Promise<ConfigVersion[]> {
    const versions: ConfigVersion[] = [];
    let page: ListObjectVersionsCommandOutput | undefined;
    do {
      page = await this.s3.send(
        new ListObjectVersionsCommand({
          Bucket: this.bucket,
          Prefix: this.key,
          KeyMarker: page?.NextKeyMarker,
          VersionIdMarker: page?.NextVersionIdMarker,
        }),
      );
      const entries = [
        ...(page.Versions ?? []).map((version) => ({ ...version, deleted: false })),
        ...(page.DeleteMarkers ?? []).map((marker) => ({ ...marker, Size: undefined, deleted: true })),
      ];
      for (const entry of entries) {
        if (entry.Key !== this.key) continue; // the prefix also matches longer keys
        versions.push({
          versionId: entry.VersionId ?? "null",
          lastModified: entry.LastModified?.toISOString(),
          size: entry.Size,
          isLatest: entry.IsLatest === true,
          deleted: entry.deleted,
        });
      }
    } while (page.IsTruncated);
    return versions.sort((a, b) => (b.lastModified ?? "").localeCompare(a.lastModified ?? ""));
  }

  /** The object as JSON, refused as the function would refuse it (not JSON, not an object of hosts). */
  #parse(text: string, what: string): ConfigDocument {
    return this.#refuseAs(what, () => {
      const document = parseConfigJson(text);
      parseConfigDocument(isManifestDocument(document) ? manifestSections(document) : document);
      return document as ConfigDocument;
    });
  }

  #manifest(document: ConfigDocument, what: string): ShardManifest {
    return this.#refuseAs(what, () => readManifest(document));
  }

  #refuseAs<T>(what: string, read: () => T): T {
    try {
      return read();
    } catch (error) {
      if (error instanceof ConfigFileError) {
        throw new InvalidConfigError(`The ${what} of ${this.location} is unusable: ${error.message}`, {
          cause: error,
        });
      }
      throw error;
    }
  }
}

/** How many keys of `document` are host names. */
function hostKeys(document: ConfigDocument): number {
  return Object.keys(document).filter((key) => canonicalHostname(key) !== undefined).length;
}

/** `work` over every item, CONCURRENCY at a time, results in order. */
async function inBatches<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  return results;
}
