/**
 * The record writer's pace: at most `perSecond` Route 53 change calls a second from this writer
 * environment (calls start at least 1/perSecond s apart; no burst), so the deployment stays under
 * Route 53's rate per account (about 10/s) with room for other tools: maximum concurrency × perSecond
 * is the deployment's rate (DDNS_WRITER_CHANGES_PER_SECOND, default 4 × 2 environments = 8/s).
 */
export interface Pacer {
  /** Resolves when the next call may start. */
  take(): Promise<void>;
}

export const realSleep = (milliseconds: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, milliseconds)));

export function intervalPacer(
  perSecond: number,
  now: () => number = Date.now,
  sleep: (milliseconds: number) => Promise<void> = realSleep,
): Pacer {
  if (!(perSecond > 0)) throw new RangeError("perSecond must be above 0.");
  const interval = 1000 / perSecond;
  let nextAt = Number.NEGATIVE_INFINITY;
  return {
    async take() {
      const at = Math.max(now(), nextAt);
      nextAt = at + interval;
      const wait = at - now();
      if (wait > 0) await sleep(wait);
    },
  };
}
