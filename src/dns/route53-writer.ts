/**
 * The record writer's Route 53 adapter for address records: one ChangeResourceRecordSets of UPSERTs
 * per call. Only the writer's role may make this call (docs/architecture.md
 * "Write path"); the request function's adapter (dns/route53.ts) only reads.
 */
import { ChangeResourceRecordSetsCommand, type Route53Client } from "@aws-sdk/client-route-53";
import type { RecordChange, RecordWriter } from "../core/ports.js";
import { translateRoute53Error } from "./route53.js";

const CHANGE_COMMENT = "route53-ddns";

export class Route53RecordWriter implements RecordWriter {
  readonly #route53: Route53Client;

  constructor(route53: Route53Client) {
    this.#route53 = route53;
  }

  async upsert(zoneId: string, changes: readonly RecordChange[]): Promise<string> {
    try {
      const response = await this.#route53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: {
            Comment: CHANGE_COMMENT,
            Changes: changes.map((change) => ({
              Action: "UPSERT",
              ResourceRecordSet: {
                Name: change.name,
                Type: change.type,
                TTL: change.ttl,
                ResourceRecords: [{ Value: change.value }],
              },
            })),
          },
        }),
      );
      return response.ChangeInfo?.Id ?? "";
    } catch (error) {
      throw translateRoute53Error(error);
    }
  }
}
