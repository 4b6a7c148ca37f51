/**
 * Events on EventBridge (DESIGN.md "Events"): `source` `route53-ddns`, the detail-type and detail
 * of each entry (`DNS record changed` per changed record, `Host went quiet`). This module only sends
 * and reports failure; events/bounded.ts keeps a failing or slow bus away from the update.
 */
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { EventEntry, Publish } from "./bounded.js";

export const EVENT_SOURCE = "route53-ddns";
/** PutEvents takes at most 10 entries per call. */
const ENTRIES_PER_CALL = 10;

export class EventsRefusedError extends Error {
  override name = "EventsRefusedError";
}

/** Sends every event to `busName`; rejects when a call fails or EventBridge refuses an entry. */
export function eventBridgePublisher(client: EventBridgeClient, busName: string): Publish {
  return async (events: readonly EventEntry[], abortSignal?: AbortSignal) => {
    const calls: Promise<number>[] = [];
    for (let start = 0; start < events.length; start += ENTRIES_PER_CALL) {
      const entries = events.slice(start, start + ENTRIES_PER_CALL).map((event) => ({
        EventBusName: busName,
        Source: EVENT_SOURCE,
        DetailType: event.detailType,
        Detail: JSON.stringify(event.detail),
      }));
      calls.push(
        client
          .send(new PutEventsCommand({ Entries: entries }), { abortSignal })
          .then((output) => output.FailedEntryCount ?? 0),
      );
    }
    const refused = (await Promise.all(calls)).reduce((sum, count) => sum + count, 0);
    if (refused > 0)
      throw new EventsRefusedError(`EventBridge refused ${refused} of ${events.length} events.`);
  };
}

/** The function's publisher: one attempt, since a retry would outlast the bound anyway. */
export function createEventBridgePublisher(busName: string, timeoutMs: number): Publish {
  const client = new EventBridgeClient({
    maxAttempts: 1,
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs, throwOnRequestTimeout: true },
  });
  return eventBridgePublisher(client, busName);
}
