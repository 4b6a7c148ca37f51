/**
 * One place that decides what a failure means for the caller: the HTTP status, the log's decision,
 * whether its message may be shown, and when to retry. Protocols turn this into their wire form.
 */
import {
  AuthError,
  BadRequestError,
  DnsUpdateError,
  ForbiddenError,
  ThrottledError,
  UnavailableError,
} from "../core/errors.js";
import type { RequestLogFields } from "./http.js";

export interface Failure {
  readonly status: number;
  readonly decision:
    | "badrequest"
    | "badauth"
    | "forbidden"
    | "throttled"
    | "unavailable"
    | "dnserr"
    | "error";
  /** What the caller is told: the error's own words for 4xx, a generic sentence for 5xx. */
  readonly message: string;
  readonly retryAfterSeconds?: number;
  /** For the log only. */
  readonly reason?: string;
}

export function describeFailure(error: unknown): Failure {
  if (error instanceof BadRequestError)
    return { status: 400, decision: "badrequest", message: error.message };
  if (error instanceof AuthError) {
    return { status: 401, decision: "badauth", message: error.message, reason: error.reason };
  }
  if (error instanceof ForbiddenError) return { status: 403, decision: "forbidden", message: error.message };
  if (error instanceof ThrottledError) {
    return {
      status: 429,
      decision: "throttled",
      message: "Too many requests right now; try again later.",
      retryAfterSeconds: error.retryAfterSeconds,
    };
  }
  if (error instanceof UnavailableError) {
    return {
      status: 503,
      decision: "unavailable",
      message: "The service is temporarily unavailable; try again later.",
      retryAfterSeconds: error.retryAfterSeconds,
    };
  }
  if (error instanceof DnsUpdateError)
    return { status: 502, decision: "dnserr", message: "The DNS update failed." };
  return { status: 500, decision: "error", message: "Internal error." };
}

/**
 * describeFailure, with the outcome written into the request's log line: the decision, the failure's
 * reason (else what the protocol noted before it failed), and the error itself for 5xx only. A
 * refusal (4xx) carries no error, so its line is not logged at level `error` (app.ts).
 */
export function recordFailure(log: RequestLogFields, error: unknown): Failure {
  const failure = describeFailure(error);
  log.decision = failure.decision;
  log.reason = failure.reason ?? log.reason;
  log.error = failure.status >= 500 ? error : undefined;
  return failure;
}

export function retryAfterHeader(failure: Failure): Record<string, string> {
  return failure.retryAfterSeconds === undefined ? {} : { "retry-after": String(failure.retryAfterSeconds) };
}
