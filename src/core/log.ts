/**
 * One JSON object per line on stdout. Written past `console` so that Lambda's JSON log format keeps
 * the fields at the top level, where CloudWatch metric filters such as { $.decision = "badauth" } find them.
 * Callers never pass secrets, tokens or raw events.
 */

/** A line's fields. `time` is the logger's own, first on every line. */
export type LogEntry = Record<string, unknown> & { readonly time?: never };
export type Logger = (entry: LogEntry) => void;

export const jsonLineLogger: Logger = (entry) => {
  process.stdout.write(`${jsonLine(entry)}\n`);
};

/**
 * The line for one entry, `time` first. Plain JSON.stringify: under Lambda one environment serves
 * one request at a time, so the line's cost (a few microseconds) is not what a request waits for.
 */
export function jsonLine(entry: LogEntry): string {
  return JSON.stringify({ time: new Date().toISOString(), ...entry });
}

/** The error's name and message: AWS messages name buckets, keys and zones, never secrets. */
export function errorSummary(error: unknown): { name: string; message: string } | undefined {
  if (error === undefined) return undefined;
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: "Error", message: String(error) };
}
