/**
 * The config file in S3 as the CLI edits it: read with its ETag, written back only if nobody
 * changed it since (S3 conditional writes), and its earlier versions (the bucket is versioned).
 *
 * Writes send no encryption headers, so S3 applies the bucket's default encryption (SSE-S3 or the
 * deployment's KMS key): a write can never downgrade it.
 */
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { ConfigFileError, parseConfigDocument, parseConfigJson } from "../config/schema.js";
import { httpStatusOf } from "../core/errors.js";
import { ConcurrentEditError, InvalidConfigError } from "./errors.js";

export type ConfigDocument = Record<string, unknown>;

export interface ConfigSnapshot {
  readonly document: ConfigDocument;
  /** Undefined when the file does not exist yet. */
  readonly etag: string | undefined;
}

export interface ConfigVersion {
  readonly versionId: string;
  readonly lastModified: string | undefined;
  readonly size: number | undefined;
  readonly isLatest: boolean;
  readonly deleted: boolean;
}

export class ConfigObject {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    readonly key: string,
  ) {}

  get location(): string {
    return `s3://${this.bucket}/${this.key}`;
  }

  /** The current file; an empty config when there is none yet. */
  async read(): Promise<ConfigSnapshot> {
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
    return { document: this.#parse(text, "current file"), etag };
  }

  /** The current file's ETag without reading it; undefined when there is none. */
  async currentEtag(): Promise<string | undefined> {
    try {
      return (await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key }))).ETag;
    } catch (error) {
      if ((error as Error).name === "NotFound") return undefined;
      throw error;
    }
  }

  async readVersion(versionId: string): Promise<ConfigDocument> {
    const response = await this.s3.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: this.key, VersionId: versionId }),
    );
    return this.#parse((await response.Body?.transformToString("utf-8")) ?? "", `version ${versionId}`);
  }

  /** Writes `document` if the file is still what `basis` read; returns the new version id. */
  async write(document: ConfigDocument, basis: ConfigSnapshot): Promise<string | undefined> {
    try {
      const response = await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key,
          Body: `${JSON.stringify(document, null, 2)}\n`,
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

  /** The file as JSON, refused as the function would refuse it (not JSON, not an object of hosts). */
  #parse(text: string, what: string): ConfigDocument {
    try {
      const document = parseConfigJson(text);
      parseConfigDocument(document);
      return document as ConfigDocument;
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
