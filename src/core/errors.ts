/**
 * The failures a request can end in. Protocols map them to their own wire form
 * (seed JSON status codes, dyndns2 return codes); only 4xx messages reach the caller.
 */

/** The request itself is malformed (400 / notfqdn). The message is shown to the caller. */
export class BadRequestError extends Error {
  override name = "BadRequestError";
}

/** Credentials or token do not match, or the host is unknown (401 / badauth). */
export class AuthError extends Error {
  override name = "AuthError";
  /** What the log records; the caller always sees `message`, which never says which check failed. */
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
  }
}

/** Authenticated, but this host may not do that (403), e.g. an AAAA update for an A-only host. */
export class ForbiddenError extends Error {
  override name = "ForbiddenError";
}

/** A backend said "slow down" even after retries (429 with Retry-After). */
export class ThrottledError extends Error {
  override name = "ThrottledError";
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A backend (config or DNS) could not be reached or has no usable answer (503 with Retry-After). */
export class UnavailableError extends Error {
  override name = "UnavailableError";
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Route 53 refused or failed the change (502). */
export class DnsUpdateError extends Error {
  override name = "DnsUpdateError";
}

/** The HTTP status an AWS SDK error carries (read structurally: the core imports no SDK); undefined when no answer came. */
export function httpStatusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}
