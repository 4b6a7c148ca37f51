/**
 * The S3 side of AppliedMarks: one small object per record, `applied/<zone>/<name>/<type>`, holding the
 * newest request's time and value the writer applied. The writer reads the marks of a batch's records
 * before writing (bounded parallel GETs) and writes them after Route 53 took the change; so a change
 * SQS delivers again after a newer one was written is dropped (writer/apply.ts).
 *
 * Two writer environments may hold changes for one record at the same moment (a standard queue has
 * no order): the one whose Route 53 call lands last wins until the router's next check, which sees
 * its own address missing at the name servers and queues it again with a newer time. Marks outlive
 * the dead-letter queue's retention (Terraform expires `applied/` after 30 days), so a replayed old
 * message is still recognised as old.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { httpStatusOf } from "../core/errors.js";
import type { RecordType } from "../core/ip.js";
import type { AppliedMark, AppliedMarks } from "../core/ports.js";

export const MARK_PREFIX = "applied/";

export class S3AppliedMarks implements AppliedMarks {
  readonly #s3: S3Client;
  readonly #bucket: string;

  constructor(s3: S3Client, bucket: string) {
    this.#s3 = s3;
    this.#bucket = bucket;
  }

  #key(zoneId: string, name: string, type: RecordType): string {
    return `${MARK_PREFIX}${zoneId}/${name}/${type}`;
  }

  async get(zoneId: string, name: string, type: RecordType): Promise<AppliedMark | undefined> {
    try {
      const object = await this.#s3.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: this.#key(zoneId, name, type) }),
      );
      const mark = JSON.parse((await object.Body?.transformToString()) ?? "") as Partial<AppliedMark>;
      if (typeof mark.requestedAt !== "number" || typeof mark.value !== "string") return undefined;
      return { requestedAt: mark.requestedAt, value: mark.value };
    } catch (error) {
      if (httpStatusOf(error) === 404 || (error as { name?: string }).name === "NoSuchKey") return undefined;
      throw error;
    }
  }

  async put(zoneId: string, name: string, type: RecordType, mark: AppliedMark): Promise<void> {
    await this.#s3.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: this.#key(zoneId, name, type),
        Body: JSON.stringify(mark),
        ContentType: "application/json",
      }),
    );
  }
}
