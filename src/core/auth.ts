/**
 * Checks a request's token against a host's secret. Every failure the caller sees reads the same
 * ("Validation hashes do not match."), whether the host is unknown or the hash is wrong, so the
 * API cannot be used to list hosts; the AuthError's `reason` tells the log which it was.
 */
import { AuthError } from "./errors.js";
import type { HostConfig } from "./hosts.js";
import {
  checkTimestamp,
  hexDigestsEqual,
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
}

/** Refuses stale and future timestamps before any host is looked up, so the answer reveals nothing about hosts. */
export function checkClaimTimestamp(claim: TokenClaim, nowSeconds: number): void {
  if (claim.timestamp === undefined) return;
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
      : timestampedToken(claim.ip, claim.hostnameAsSent, claim.timestamp, secret);
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
