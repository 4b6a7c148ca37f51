/**
 * The promise every change event keeps (issue #14): it never fails or slows the update it reports.
 * The records are already written when events are published, so a slow, failing or missing bus
 * costs the request at most `timeoutMs` and one warning line in the log, never an error.
 * Loading the publisher (the EventBridge client is a chunk of its own) counts inside that bound.
 */
import { errorSummary, type Logger } from "../core/log.js";
import type { ChangeEvents, RecordChangeEvent } from "../core/ports.js";

export const CHANGE_DETAIL_TYPE = "DNS record changed";
export const QUIET_DETAIL_TYPE = "Host went quiet";

/** One event for the bus: its detail-type, its detail, and a few words naming it in a warning. */
export interface EventEntry {
  readonly detailType: string;
  readonly detail: unknown;
  readonly label: string;
}

/** Sends the entries; may reject or hang — the bound below copes with both. */
export type Publish = (entries: readonly EventEntry[], abortSignal?: AbortSignal) => Promise<void>;

/** Publishes within the bound and never rejects. */
export type BoundedPublish = (entries: readonly EventEntry[]) => Promise<void>;

export const DEFAULT_PUBLISH_TIMEOUT_MS = 500;

export interface BoundedOptions {
  /** Named in the warning, so the operator knows which bus failed. */
  readonly busName: string;
  readonly log: Logger;
  readonly timeoutMs?: number;
}

export class TimeoutError extends Error {
  override name = "TimeoutError";
}

/** `load` runs on the first event only: most requests change nothing and never pay for the client. */
export function boundedPublish(load: () => Promise<Publish>, options: BoundedOptions): BoundedPublish {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
  let publisher: Promise<Publish> | undefined;
  const publishOnce = async (entries: readonly EventEntry[], signal: AbortSignal) => {
    publisher ??= load().catch((error) => {
      publisher = undefined; // the next change tries again
      throw error;
    });
    return (await publisher)(entries, signal);
  };

  return async (entries) => {
    if (entries.length === 0) return;
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new TimeoutError(`No answer within ${timeoutMs} ms.`));
      }, timeoutMs);
    });
    try {
      await Promise.race([publishOnce(entries, abort.signal), timedOut]);
    } catch (error) {
      options.log({
        level: "warn",
        msg: "change events not published",
        bus: options.busName,
        records: entries.map((entry) => entry.label),
        error: errorSummary(error),
      });
    } finally {
      clearTimeout(timer);
    }
  };
}

/** The update decision's port on a bounded publisher: one `DNS record changed` event per record. */
export function changeEventsOn(publish: BoundedPublish): ChangeEvents {
  return {
    publish: (events: readonly RecordChangeEvent[]) =>
      publish(
        events.map((event) => ({
          detailType: CHANGE_DETAIL_TYPE,
          detail: event,
          label: `${event.hostname} ${event.type}`,
        })),
      ),
  };
}
