/**
 * Events on EventBridge (docs/architecture.md "Events"): `source` `route53-ddns`; one `DNS record changed`
 * entry per changed record with the change as `detail`, one `ACME challenge set` per TXT edit, and the
 * quiet-host check's `Host went quiet` (src/jobs). This module only sends and reports failure;
 * events/bounded.ts keeps a failing or slow bus away from the update.
 */
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { RecordChangeEvent } from "../core/ports.js";
import type { Publish, PublishChallenges } from "./bounded.js";

export const EVENT_SOURCE = "route53-ddns";
export const EVENT_DETAIL_TYPE = "DNS record changed";
export const CHALLENGE_DETAIL_TYPE = "ACME challenge set";
/** PutEvents takes at most 10 entries per call. */
const ENTRIES_PER_CALL = 10;

export class EventsRefusedError extends Error {
  override name = "EventsRefusedError";
}

/** Sends every event to `busName`; rejects when a call fails or EventBridge refuses an entry. */
export function eventBridgePublisher(client: EventBridgeClient, busName: string): Publish {
  return (events: readonly RecordChangeEvent[], abortSignal?: AbortSignal) =>
    putEvents(client, busName, EVENT_DETAIL_TYPE, events, abortSignal);
}

/** Puts one event per detail, all of `detailType` (the quiet-host check sends its own). */
export async function putEvents(
  client: EventBridgeClient,
  busName: string,
  detailType: string,
  details: readonly unknown[],
  abortSignal?: AbortSignal,
): Promise<void> {
  const calls: Promise<number>[] = [];
  for (let start = 0; start < details.length; start += ENTRIES_PER_CALL) {
    const entries = details.slice(start, start + ENTRIES_PER_CALL).map((detail) => ({
      EventBusName: busName,
      Source: EVENT_SOURCE,
      DetailType: detailType,
      Detail: JSON.stringify(detail),
    }));
    calls.push(
      client
        .send(new PutEventsCommand({ Entries: entries }), { abortSignal })
        .then((output) => output.FailedEntryCount ?? 0),
    );
  }
  const refused = (await Promise.all(calls)).reduce((sum, count) => sum + count, 0);
  if (refused > 0)
    throw new EventsRefusedError(`EventBridge refused ${refused} of ${details.length} events.`);
}

/** The record writer's publishers: one attempt, since a retry would outlast the bound anyway. */
export function createEventBridgePublisher(
  busName: string,
  timeoutMs: number,
): { records: Publish; challenges: PublishChallenges } {
  const client = new EventBridgeClient({
    maxAttempts: 1,
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs, throwOnRequestTimeout: true },
  });
  return {
    records: eventBridgePublisher(client, busName),
    challenges: (events, abortSignal) =>
      putEvents(client, busName, CHALLENGE_DETAIL_TYPE, events, abortSignal),
  };
}
