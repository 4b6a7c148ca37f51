/**
 * The Route 53 side of TxtRecords: ACME challenge values, each change in a batch of its own (never
 * with address records, so the IAM statement for TXT stays narrow). A change is a compare-and-set:
 * DELETE of exactly what was read plus CREATE of the new values, which Route 53 applies atomically
 * or refuses whole (InvalidChangeBatch) when another writer got there first; the caller reads again.
 * Only the record writer uses it (the request function queues ACME edits), reading each record once
 * per batch of edits; the writer's pacer spaces the changes.
 */
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  type Route53Client,
} from "@aws-sdk/client-route-53";
import type { TxtRecordState, TxtRecords } from "../core/ports.js";
import { translateRoute53Error } from "./route53.js";
import { quoteTxtValue, readTxtValue } from "./txt-values.js";

const CHANGE_COMMENT = "route53-ddns acme";

export class Route53TxtRecords implements TxtRecords {
  readonly #route53: Route53Client;

  constructor(route53: Route53Client) {
    this.#route53 = route53;
  }

  async read(zoneId: string, name: string): Promise<TxtRecordState> {
    try {
      const page = await this.#route53.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          StartRecordName: name,
          StartRecordType: "TXT",
          MaxItems: 1,
        }),
      );
      const set = page.ResourceRecordSets?.[0];
      if (!set || normalName(set.Name ?? "") !== normalName(name) || set.Type !== "TXT") {
        return { values: [], ttl: 0 };
      }
      return {
        values: (set.ResourceRecords ?? []).map((r) => readTxtValue(r.Value ?? "")),
        ttl: set.TTL ?? 0,
      };
    } catch (error) {
      throw translateRoute53Error(error);
    }
  }

  async replace(
    zoneId: string,
    name: string,
    expected: TxtRecordState,
    values: readonly string[],
    ttl: number,
  ): Promise<boolean> {
    const recordSet = (state: TxtRecordState) => ({
      Name: name,
      Type: "TXT" as const,
      TTL: state.ttl,
      ResourceRecords: state.values.map((value) => ({ Value: quoteTxtValue(value) })),
    });
    const changes: Change[] = [];
    if (expected.values.length > 0)
      changes.push({ Action: "DELETE", ResourceRecordSet: recordSet(expected) });
    if (values.length > 0) changes.push({ Action: "CREATE", ResourceRecordSet: recordSet({ values, ttl }) });
    try {
      await this.#route53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: { Comment: CHANGE_COMMENT, Changes: changes },
        }),
      );
      return true;
    } catch (error) {
      // What Route 53 says when the record is no longer what was read (deleted, changed, created).
      if ((error as { name?: string }).name === "InvalidChangeBatch") return false;
      throw translateRoute53Error(error);
    }
  }
}

function normalName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith(".") ? lower : `${lower}.`;
}
