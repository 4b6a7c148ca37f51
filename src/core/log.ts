/**
 * One JSON object per line on stdout. Written past `console` so that Lambda's JSON log format keeps
 * the fields at the top level, where CloudWatch metric filters such as { $.decision = "badauth" } find them.
 * Callers never pass secrets, tokens or raw events.
 */

/** A line's fields. `time` is the logger's own, first on every line. */
export type LogEntry = Record<string, unknown> & { readonly time?: never };
export type Logger = (entry: LogEntry) => void;

/**
 * A field value that writes its own JSON text: the EMF directive is the same on every request line
 * but for its timestamp, so it keeps that text ready instead of being serialized again each time.
 * The text must be what JSON.stringify writes for the value.
 */
export abstract class PreparedJson {
  abstract toJsonText(): string;
}

export const jsonLineLogger: Logger = (entry) => {
  process.stdout.write(`${jsonLine(entry)}\n`);
};

/**
 * The text JSON.stringify({ time, ...entry }) writes, built field by field so that the entry is not
 * copied and PreparedJson values are spliced in: the request line is written on every request.
 */
export function jsonLine(entry: LogEntry): string {
  const keys = Object.keys(entry);
  // An object lists integer keys ("0", "42") first, so the spread put them before `time`.
  let index = 0;
  let integerFields = "";
  for (; index < keys.length && isArrayIndex(keys[index] as string); index++) {
    integerFields += field(entry, keys[index] as string);
  }
  let line = `{${integerFields === "" ? "" : `${integerFields.slice(1)},`}"time":"${isoTime()}"`;
  for (; index < keys.length; index++) line += field(entry, keys[index] as string);
  return `${line}}`;
}

/** `,"name":value`, or nothing for a value without JSON (undefined, functions), as JSON.stringify leaves it out. */
function field(entry: LogEntry, key: string): string {
  const json = jsonValue(entry[key]);
  return json === undefined ? "" : `${fieldPrefix(key)}${json}`;
}

const ARRAY_INDEX = /^(?:0|[1-9][0-9]{0,9})$/;

/** A key JavaScript orders as an integer: a canonical whole number below 2^32 - 1. */
function isArrayIndex(key: string): boolean {
  return ARRAY_INDEX.test(key) && Number(key) < 2 ** 32 - 1;
}

/**
 * Text JSON.stringify writes unchanged between quotes: from the space on, without the quote, the
 * backslash and surrogates (a lone one is escaped).
 */
const PLAIN_TEXT = /^[\x20\x21\x23-\x5b\x5d-\ud7ff\ue000-\uffff]*$/;

/** JSON.stringify(value), without its call for the short strings and numbers that make up most of a line. */
function jsonValue(value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
      return PLAIN_TEXT.test(value) ? `"${value}"` : JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    default:
      return value instanceof PreparedJson ? value.toJsonText() : JSON.stringify(value);
  }
}

/** `,"name":` per field name. Names come from code, so the map stays small; the bound is a safeguard. */
const fieldPrefixes = new Map<string, string>();

function fieldPrefix(key: string): string {
  let prefix = fieldPrefixes.get(key);
  if (prefix === undefined) {
    prefix = `,${JSON.stringify(key)}:`;
    if (fieldPrefixes.size < 256) fieldPrefixes.set(key, prefix);
  }
  return prefix;
}

let isoTimeMs = Number.NaN;
let isoTimeText = "";

/** Now in ISO 8601, formatted once per millisecond: a warm container writes many lines in one. */
function isoTime(): string {
  const ms = Date.now();
  if (ms !== isoTimeMs) {
    isoTimeMs = ms;
    isoTimeText = new Date(ms).toISOString();
  }
  return isoTimeText;
}

/** The error's name and message: AWS messages name buckets, keys and zones, never secrets. */
export function errorSummary(error: unknown): { name: string; message: string } | undefined {
  if (error === undefined) return undefined;
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: "Error", message: String(error) };
}
