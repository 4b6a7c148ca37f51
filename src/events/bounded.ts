/**
 * The promise every change event keeps: it never fails or slows the update it reports, since the event
 * is a notice for the operator and the router's answer must not depend on it.
 * The records are already written when events are published, so a slow, failing or missing bus
 * costs the request at most `timeoutMs` and one warning line in the log, never an error.
 * Loading the publisher (the EventBridge client is a chunk of its own) counts inside that bound.
 */
import { errorSummary, type Logger } from "../core/log.js";
import type { ChallengeEvent, ChangeEvents, RecordChangeEvent } from "../core/ports.js";

/** Sends the events; may reject or hang — the bound below copes with both. */
export type Publish = (events: readonly RecordChangeEvent[], abortSignal?: AbortSignal) => Promise<void>;
/** Sends ACME TXT edits (`ACME challenge set`), with the same bound. */
export type PublishChallenges = (
  events: readonly ChallengeEvent[],
  abortSignal?: AbortSignal,
) => Promise<void>;

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

/** `load` runs on the first change only: a writer batch that changes nothing never pays for the client. */
export function boundedChangeEvents(
  load: () => Promise<Publish | { records: Publish; challenges: PublishChallenges }>,
  options: BoundedOptions,
): ChangeEvents {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
  let publisher: Promise<{ records: Publish; challenges?: PublishChallenges }> | undefined;
  const loaded = () => {
    publisher ??= load()
      .then((loaded) => (typeof loaded === "function" ? { records: loaded } : loaded))
      .catch((error) => {
        publisher = undefined; // the next change tries again
        throw error;
      });
    return publisher;
  };
  const bounded = async (names: string[], send: (signal: AbortSignal) => Promise<void>): Promise<void> => {
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new TimeoutError(`No answer within ${timeoutMs} ms.`));
      }, timeoutMs);
    });
    try {
      await Promise.race([send(abort.signal), timedOut]);
    } catch (error) {
      options.log({
        level: "warn",
        msg: "change events not published",
        bus: options.busName,
        records: names,
        error: errorSummary(error),
      });
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    async publish(events) {
      if (events.length === 0) return;
      await bounded(
        events.map((event) => `${event.hostname} ${event.type}`),
        async (signal) => (await loaded()).records(events, signal),
      );
    },
    async publishChallenges(events) {
      if (events.length === 0) return;
      await bounded(
        events.map((event) => `${event.txtName} TXT`),
        async (signal) => {
          const { challenges } = await loaded();
          if (!challenges) throw new Error("This publisher sends no ACME challenge events.");
          await challenges(events, signal);
        },
      );
    },
  };
}
