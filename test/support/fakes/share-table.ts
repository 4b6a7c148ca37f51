// The fair-share table in memory: the fake the unit tests and the queue simulations (bench/queue-storm.ts)
// hand the real DynamoDB adapter (src/queue/dynamodb-shares.ts).
import { type DynamoDBClient, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { awsError } from "./aws-error.js";
import { ServiceStandIn } from "./service-stand-in.js";

/** The one update the adapter sends; anything else is a change the stand-in must learn first. */
const UPDATE = "ADD changes :one SET expires = :expires";
const CONDITION = "attribute_not_exists(changes) OR changes < :limit";

/**
 * A table of counters answering UpdateItem as DynamoDB does for that update: the condition is
 * evaluated against the item as it is, atomically with the update, and a refusal is a 400
 * ConditionalCheckFailedException. `items` holds each key's count and expiry; `calls` counts requests.
 */
export class ShareTableStandIn extends ServiceStandIn<DynamoDBClient> {
  readonly calls = { update: 0, refused: 0 };
  readonly items = new Map<string, { changes: number; expires: number }>();

  protected answer(command: unknown): unknown {
    if (!(command instanceof UpdateItemCommand))
      throw new Error("the share table stand-in answers UpdateItem");
    const { Key, UpdateExpression, ConditionExpression, ExpressionAttributeValues: values } = command.input;
    if (UpdateExpression !== UPDATE || ConditionExpression !== CONDITION) {
      throw new Error(`the share table stand-in knows only "${UPDATE}" if "${CONDITION}"`);
    }
    this.calls.update++;
    const key = Key?.id?.S ?? "";
    const item = this.items.get(key);
    if (item !== undefined && !(item.changes < Number(values?.[":limit"]?.N))) {
      this.calls.refused++;
      throw awsError("ConditionalCheckFailedException", 400, "The conditional request failed");
    }
    this.items.set(key, {
      changes: (item?.changes ?? 0) + Number(values?.[":one"]?.N),
      expires: Number(values?.[":expires"]?.N),
    });
    return {};
  }
}
