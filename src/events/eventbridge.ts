/**
 * Change events on EventBridge (DESIGN.md "Events"): one entry per changed record, `source`
 * `route53-ddns`, `detail-type` `DNS record changed`, the record change as `detail`. This module only
 * sends and reports failure; events/bounded.ts keeps a failing or slow bus away from the update.
 */
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { RecordChangeEvent } from "../core/ports.js";
import type { Publish } from "./bounded.js";

export const EVENT_SOURCE = "route53-ddns";
export const EVENT_DETAIL_TYPE = "DNS record changed";
/** PutEvents takes at most 10 entries per call. */
const ENTRIES_PER_CALL = 10;

export class EventsRefusedError extends Error {
  override name = "EventsRefusedError";
}

/** Sends every event to `busName`; rejects when a call fails or EventBridge refuses an entry. */
export function eventBridgePublisher(client: EventBridgeClient, busName: string): Publish {
  return async (events: readonly RecordChangeEvent[], abortSignal?: AbortSignal) => {
    const calls: Promise<number>[] = [];
    for (let start = 0; start < events.length; start += ENTRIES_PER_CALL) {
      const entries = events.slice(start, start + ENTRIES_PER_CALL).map((event) => ({
        EventBusName: busName,
        Source: EVENT_SOURCE,
        DetailType: EVENT_DETAIL_TYPE,
        Detail: JSON.stringify(event),
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
