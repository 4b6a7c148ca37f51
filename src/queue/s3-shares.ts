/**
 * The S3 side of ChangeShares, counted across every execution environment (Lambda runs one request
 * per environment, so a count kept in memory would count one request). Each change an identity
 * queues takes a slot: an empty object `shares/<sha256(identity)>/<window start>/<k>` (k < limit),
 * created with `If-None-Match: *`. S3 lets exactly one writer create a key, so at most `limit` changes
 * get in per window, however many environments ask at once. The k-th change of a window costs k PUTs;
 * only the identity over its share pays for the refused ones, and a check that changes nothing costs
 * none. Identities are hashed: no host name or account in a key.
 *
 * Why S3 and not a counter per window (GET, then PUT If-Match): one conditional PUT per slot needs no
 * read and no ListBucket right, and the role's statement can require `s3:if-none-match`, so the
 * internet-facing function can create slots but never overwrite anything. Terraform expires
 * `shares/` after a day.
 *
 * When S3 cannot be asked (an error, a timeout) the change goes in: the share is a courtesy to the
 * other callers, and the writer still paces Route 53.
 */
import { createHash } from "node:crypto";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { httpStatusOf } from "../core/errors.js";
import { errorSummary, type Logger } from "../core/log.js";
import type { ChangeShares } from "../core/ports.js";
import { type Share, shareWindow } from "../core/shares.js";

export const SHARE_PREFIX = "shares/";
const PUT_TIMEOUT_MS = 1000;

export class S3ChangeShares implements ChangeShares {
  readonly #s3: S3Client;
  readonly #bucket: string;
  readonly #log: Logger;
  readonly #now: () => number;

  constructor(s3: S3Client, options: { bucket: string; log: Logger; now?: () => number }) {
    this.#s3 = s3;
    this.#bucket = options.bucket;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
  }

  async take(identity: string, share: Share): Promise<number> {
    const window = shareWindow(share, this.#now());
    const id = createHash("sha256").update(identity).digest("hex").slice(0, 32);
    for (let slot = 0; slot < share.limit; slot++) {
      try {
        await this.#s3.send(
          new PutObjectCommand({
            Bucket: this.#bucket,
            Key: `${SHARE_PREFIX}${id}/${window.start}/${slot}`,
            // Zero bytes with a known length: an empty string made the SDK warn "Stream of unknown
            // length" on every change.
            Body: new Uint8Array(0),
            IfNoneMatch: "*",
          }),
          { abortSignal: AbortSignal.timeout(PUT_TIMEOUT_MS) },
        );
        return 0;
      } catch (error) {
        // 412: the slot is taken. 409: someone is creating it right now; either way, the next one.
        const status = httpStatusOf(error);
        if (status === 412 || status === 409) continue;
        this.#log({
          level: "warn",
          msg: "The fair-share count could not be asked; the change goes in.",
          error: errorSummary(error),
        });
        return 0;
      }
    }
    return window.secondsLeft;
  }
}
