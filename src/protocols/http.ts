/**
 * What every protocol shares: the HTTP API payload 2.0 event, responses, the caller's address, HTTP
 * Basic auth, and the per-request context (backends loaded on first use, the clock, the request's log fields).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { BasicCredentials } from "../core/auth.js";
import { BadRequestError } from "../core/errors.js";
import { type IpAddress, parseIp } from "../core/ip.js";
import { formatLanPrefix, type LanPrefix, parseLanPrefix } from "../core/lan-prefix.js";
import type { Backends, RecordSource } from "../core/ports.js";
import type { RecordUpdate } from "../core/update.js";

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number };

/** Fields of the request's one log line that the protocol fills in. Never secrets or tokens. */
export interface RequestLogFields {
  /** The hosts the request checked in for: only those whose credentials it carried (dyndns2: comma-separated). */
  hostname?: string;
  /** Names the request asked for but whose credentials it did not carry (`nohost`, `notfqdn`): never credited as check-ins. */
  refusedHostname?: string;
  recordType?: string;
  decision?: string;
  reason?: string;
  changeId?: string;
  /** Which path answered the record reads: "cache", "dns" or "api" (several joined by commas). */
  recordSource?: string;
  /** The LAN prefix the request sent (canonical), when it sent one. */
  lanPrefix?: string;
  error?: unknown;
  results?: string[];
  /** The records written, with the values they replaced: `ddns host status` reads them back. */
  changes?: RecordUpdate[];
  /** Names the config gives a host that it may not write (docs/architecture.md "Ownership"), each with why. */
  configProblem?: string;
}

/** Collects the paths that answered this request's record reads into its log line. */
export function recordSourceNoter(log: RequestLogFields): (source: RecordSource) => void {
  return (source) => {
    const seen = log.recordSource?.split(",") ?? [];
    if (!seen.includes(source)) log.recordSource = [...seen, source].join(",");
  };
}

/** What the update decision says about the request's hosts, for the operator: the names it refused to write. */
export function updateNoters(log: RequestLogFields) {
  return {
    answeredBy: recordSourceNoter(log),
    refusedName: (problem: string) => {
      log.configProblem = log.configProblem ? `${log.configProblem}; ${problem}` : problem;
    },
  };
}

export interface RequestContext {
  readonly event: HttpEvent;
  /** The method the router matched on; protocols read it here, not from a possibly partial event. */
  readonly method: string;
  /** Loads the AWS adapters on first use, so routes that need none never load the SDK. */
  readonly backends: () => Promise<Backends>;
  readonly nowSeconds: () => number;
  /** The clock in epoch milliseconds: queued changes carry it, and the newest request wins. */
  readonly now: () => number;
  /** The route's protocol (terraform/emf-metrics.json), for the change events. */
  readonly protocol: string;
  readonly log: RequestLogFields;
}

/** Request bodies larger than this are refused before they are parsed. */
export const MAX_BODY_BYTES = 4096;

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResult {
  return {
    statusCode,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
    body: JSON.stringify(body),
  };
}

export function textResponse(
  statusCode: number,
  text: string,
  headers: Record<string, string> = {},
): HttpResult {
  return {
    statusCode,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...headers },
    body: text,
  };
}

/** The caller's address: API Gateway's view of the TCP peer, never a header the caller could forge. */
export function callerAddress(event: HttpEvent): IpAddress {
  const ip = parseIp(event.requestContext?.http?.sourceIp ?? "");
  if (!ip) throw new BadRequestError("Your IP address could not be determined.");
  return ip;
}

/** Query parameters from the raw query string, so repeated names are seen rather than merged. */
export function queryOf(event: HttpEvent): URLSearchParams {
  return new URLSearchParams(event.rawQueryString ?? "");
}

/** A parameter given at most once; a repeated one is refused, since which copy counts would be a guess. */
export function singleParam(params: URLSearchParams, name: string): string | undefined {
  const values = params.getAll(name);
  if (values.length > 1) throw new BadRequestError(`Pass the ${name}= argument only once.`);
  return values[0];
}

/** A LAN prefix as the client sent it (the replay-proof token covers these exact bytes) and as parsed. */
export interface SentLanPrefix {
  readonly asSent: string;
  readonly prefix: LanPrefix;
}

/**
 * `ip6lanprefix=`, shared by dyndns2 and the seed's `set`. An empty value counts as absent: a
 * FRITZ!Box without IPv6 fills its `<ip6lanprefix>` placeholder with nothing.
 */
export function readLanPrefix(raw: string | undefined, log: RequestLogFields): SentLanPrefix | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const parsed = parseLanPrefix(raw);
  if (!parsed.ok) throw new BadRequestError(`The ip6lanprefix= argument ${parsed.problem}.`);
  log.lanPrefix = formatLanPrefix(parsed.value);
  return { asSent: raw, prefix: parsed.value };
}

export function bodyText(event: HttpEvent): string {
  const raw = event.body ?? "";
  const bytes = event.isBase64Encoded ? Buffer.from(raw, "base64") : Buffer.from(raw, "utf8");
  if (bytes.length > MAX_BODY_BYTES) {
    throw new BadRequestError(`The request body is larger than ${MAX_BODY_BYTES} bytes.`);
  }
  return bytes.toString("utf8");
}

/**
 * The body as a JSON object, or undefined when it is not one (not JSON, an array, a string…): each
 * protocol answers that in its own words. A body over MAX_BODY_BYTES throws BadRequestError unparsed.
 */
export function jsonObjectBody(event: HttpEvent): Record<string, unknown> | undefined {
  const text = bodyText(event);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : undefined;
}

export function headerOf(event: HttpEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** The challenge a 401 carries where Basic credentials are accepted (dyndns2, httpreq, GET /status). */
export const BASIC_CHALLENGE = 'Basic realm="route53-ddns", charset="UTF-8"';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * `Authorization: Basic base64(user:password)`, decoded as UTF-8 and split at the first ':' so that
 * passwords may contain ':'. Undefined when the header is missing or not well-formed Basic auth.
 */
export function parseBasicAuth(header: string | undefined): BasicCredentials | undefined {
  const match = /^\s*basic\s+(\S+)\s*$/i.exec(header ?? "");
  const encoded = match?.[1];
  if (!encoded || encoded.length % 4 === 1 || !BASE64.test(encoded)) return undefined;
  let decoded: string;
  try {
    decoded = strictUtf8.decode(Buffer.from(encoded, "base64"));
  } catch {
    return undefined; // not UTF-8: a guess at the charset could match the wrong password
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
