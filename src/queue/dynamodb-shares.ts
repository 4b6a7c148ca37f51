/**
 * The DynamoDB side of ChangeShares, counted across every execution environment (Lambda runs one
 * request per environment, so a count kept in memory would count one request). Each identity and
 * window is one item, `{ id: <sha256(identity)>#<window start>, changes, expires }`, and a change
 * takes its place with one conditional UpdateItem:
 *   ADD changes :one SET expires = :expires, if the item is new or `changes < limit`.
 * DynamoDB applies a conditional update atomically, so at most `limit` changes get in per window
 * however many environments ask at once. Refused (ConditionalCheckFailedException), the caller hears
 * how long its window has left. Identities are hashed: no host name or account in a key.
 *
 * Why DynamoDB and not S3 objects: a storm is paced by the request function's time per change, since
 * reserved concurrency caps the environments working at once. A conditional UpdateItem answers in
 * single-digit milliseconds where an S3 PUT takes tens: with one S3 object per change a
 * 100,000-router storm needed about 150 environments, with this 100 carry it with room to spare
 * (docs/performance.md "Renumbering storms"). It is also one call for the k-th change, not k.
 * The role may call UpdateItem on this table alone, on these three attributes alone, and read
 * nothing back (terraform/modules/function). DynamoDB's TTL deletes items after `expires`.
 *
 * When DynamoDB cannot be asked (an error, a timeout) the change goes in: the share is a courtesy to
 * the other callers, and the writer still paces Route 53.
 */
import { createHash } from "node:crypto";
import { DynamoDBClient, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { errorSummary, type Logger } from "../core/log.js";
import type { ChangeShares } from "../core/ports.js";
import { type Share, shareWindow } from "../core/shares.js";

const UPDATE_TIMEOUT_MS = 1000;
/** How long an item outlives its window: TTL deletion runs within days, never before `expires`. */
const KEEP_AFTER_WINDOW_SECONDS = 3600;

/** The adapter over its own client, as the request function makes it (src/aws.ts). */
export function createDynamoDbShares(options: {
  table: string;
  log: Logger;
  now: () => number;
}): ChangeShares {
  // Bounded again by take()'s own 1 s: on a timeout it lets the change in.
  const dynamodb = new DynamoDBClient({
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 1000, throwOnRequestTimeout: true },
  });
  return new DynamoDbChangeShares(dynamodb, options);
}

export class DynamoDbChangeShares implements ChangeShares {
  readonly #dynamodb: DynamoDBClient;
  readonly #table: string;
  readonly #log: Logger;
  readonly #now: () => number;

  constructor(dynamodb: DynamoDBClient, options: { table: string; log: Logger; now?: () => number }) {
    this.#dynamodb = dynamodb;
    this.#table = options.table;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
  }

  async take(identity: string, share: Share): Promise<number> {
    const window = shareWindow(share, this.#now());
    const id = createHash("sha256").update(identity).digest("hex").slice(0, 32);
    try {
      await this.#dynamodb.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: { id: { S: `${id}#${window.start}` } },
          UpdateExpression: "ADD changes :one SET expires = :expires",
          ConditionExpression: "attribute_not_exists(changes) OR changes < :limit",
          ExpressionAttributeValues: {
            ":one": { N: "1" },
            ":limit": { N: String(share.limit) },
            ":expires": { N: String(window.start + share.windowSeconds + KEEP_AFTER_WINDOW_SECONDS) },
          },
          ReturnValues: "NONE",
        }),
        { abortSignal: AbortSignal.timeout(UPDATE_TIMEOUT_MS) },
      );
      return 0;
    } catch (error) {
      if ((error as { name?: string }).name === "ConditionalCheckFailedException") return window.secondsLeft;
      this.#log({
        level: "warn",
        msg: "The fair-share count could not be asked; the change goes in.",
        error: errorSummary(error),
      });
      return 0;
    }
  }
}
