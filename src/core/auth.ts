/**
 * Checks a request's token against a host's secret. Every failure the caller sees reads the same
 * ("Validation hashes do not match."), whether the host is unknown or the hash is wrong, so the
 * API cannot be used to list hosts; the AuthError's `reason` tells the log which it was.
 * dyndns2's Basic credentials are checked here too, under the same rule.
 */
import { AuthError, BadRequestError } from "./errors.js";
import type { HostConfig } from "./hosts.js";
import {
  checkTimestamp,
  hexDigestsEqual,
  secretsEqual,
  seedToken,
  TIMESTAMP_WINDOW_SECONDS,
  timestampedToken,
} from "./tokens.js";

export const HASH_MISMATCH_MESSAGE = "Validation hashes do not match.";

export interface TokenClaim {
  /** The caller's address in canonical form: the one the token must have been computed over. */
  readonly ip: string;
  /** The host name exactly as the client sent it (the token covers these bytes). */
  readonly hostnameAsSent: string;
  readonly hash: string;
  /** Unix seconds as sent, when the client used the replay-proof token. */
  readonly timestamp?: string | undefined;
  /** The LAN prefix exactly as sent (ip6lanprefix=), when there is one: the token must cover it. */
  readonly lanPrefix?: string | undefined;
}

export const LAN_PREFIX_NEEDS_HMAC_MESSAGE =
  "A LAN prefix (ip6lanprefix=) must be covered by the replay-proof token: send ts= with an HMAC hash.";

/** Refuses stale and future timestamps before any host is looked up, so the answer reveals nothing about hosts. */
export function checkClaimTimestamp(claim: TokenClaim, nowSeconds: number): void {
  if (claim.timestamp === undefined) {
    // The seed token is sha256(ip + hostname + secret): nothing else can be added to it unambiguously.
    if (claim.lanPrefix !== undefined) throw new BadRequestError(LAN_PREFIX_NEEDS_HMAC_MESSAGE);
    return;
  }
  const check = checkTimestamp(claim.timestamp, nowSeconds);
  if (check.ok) return;
  const messages = {
    malformed: "The ts= argument must be a Unix time in seconds.",
    expired: `The timestamp in ts= is more than ${TIMESTAMP_WINDOW_SECONDS} seconds old; check the client's clock.`,
    future: `The timestamp in ts= is more than ${TIMESTAMP_WINDOW_SECONDS} seconds in the future; check the client's clock.`,
  };
  throw new AuthError(messages[check.problem], `timestamp ${check.problem}`);
}

// Work done for an unknown host, so that its answer takes as long as a wrong hash's.
const DECOY_SECRET = "route53-ddns-decoy-secret";

export function verifyClaim(
  host: HostConfig | undefined,
  claim: TokenClaim,
  nowSeconds: number,
): asserts host is HostConfig {
  checkClaimTimestamp(claim, nowSeconds);
  const secret = host?.secret ?? DECOY_SECRET;
  const expected =
    claim.timestamp === undefined
      ? seedToken(claim.ip, claim.hostnameAsSent, secret)
      : timestampedToken(claim.ip, claim.hostnameAsSent, claim.timestamp, secret, claim.lanPrefix);
  const matches = hexDigestsEqual(claim.hash, expected);
  if (!host) throw new AuthError(HASH_MISMATCH_MESSAGE, "unknown host");
  if (!matches) throw new AuthError(HASH_MISMATCH_MESSAGE, "hash mismatch");
  if (claim.timestamp === undefined && host.requireTimestamp) {
    // The caller holds the secret (the seed token matched), so it may learn what to send instead.
    throw new AuthError(
      "This host requires the replay-proof token: send ts= with an HMAC hash.",
      "seed token refused",
    );
  }
}

/** HTTP Basic credentials as the dyndns2 client sent them (already decoded). */
export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

export type PasswordCheck =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** For the log only: the caller is told the same thing whichever check failed. */
      readonly reason: "unknown host" | "dyndns2 not allowed" | "username mismatch" | "password mismatch";
    };

/** User names compare case-insensitively, with or without a trailing dot (they default to the host name). */
function normalUsername(username: string): string {
  const lower = username.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

/**
 * dyndns2: may these credentials update `host`? The password is always compared (against a decoy
 * for an unknown host), so every failure costs the same work and looks the same from outside.
 */
export function checkPassword(host: HostConfig | undefined, credentials: BasicCredentials): PasswordCheck {
  const passwordMatches = secretsEqual(credentials.password, host?.secret ?? DECOY_SECRET);
  if (!host) return { ok: false, reason: "unknown host" };
  if (!host.allowDyndns2) return { ok: false, reason: "dyndns2 not allowed" };
  if (normalUsername(credentials.username) !== normalUsername(host.username)) {
    return { ok: false, reason: "username mismatch" };
  }
  return passwordMatches ? { ok: true } : { ok: false, reason: "password mismatch" };
}
