/**
 * The two request tokens a host's shared secret can produce (docs/architecture.md "Tokens"), and the
 * constant-time comparisons that check them. Nothing here logs or returns a secret.
 */
import { createHash, createHmac, hash, timingSafeEqual } from "node:crypto";

/** Replay-proof tokens are accepted this far either side of the server's clock. */
export const TIMESTAMP_WINDOW_SECONDS = 300;

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

export function isSha256Hex(value: string): boolean {
  return SHA256_HEX.test(value);
}

/** SHA-256 in hex. crypto.hash (Node 20.12 on) skips the Hash object: about half of what hashing costs a warm check. */
const sha256Hex = (text: string): string => hash("sha256", text, "hex");

/** The seed's token: sha256_hex(ip + hostname + shared_secret), hostname exactly as sent. */
export function seedToken(ip: string, hostname: string, secret: string): string {
  return sha256Hex(ip + hostname + secret);
}

/**
 * The replay-proof token: HMAC-SHA256 over fields with separators, so no two inputs share a message.
 * A LAN prefix, when sent, is covered too: `|lan=<prefix as sent>` is appended. A timestamp is digits
 * only, so a message with the suffix never equals one without it, and requests without a prefix sign
 * exactly what they always did.
 */
export function timestampedToken(
  ip: string,
  hostname: string,
  timestamp: string,
  secret: string,
  lanPrefix?: string,
): string {
  const lan = lanPrefix === undefined ? "" : `|lan=${lanPrefix}`;
  return createHmac("sha256", secret)
    .update(`ddns-v2|${ip}|${hostname}|${timestamp}${lan}`, "utf8")
    .digest("hex");
}

/** Compares two hex digests in constant time; `presented` may be in either case. */
export function hexDigestsEqual(presented: string, expected: string): boolean {
  if (!isSha256Hex(presented) || !isSha256Hex(expected)) return false;
  return timingSafeEqual(Buffer.from(presented, "hex"), Buffer.from(expected, "hex"));
}

/**
 * Compares a presented password with the stored secret in constant time. Both are hashed first
 * so that neither the comparison nor its length check depends on where they differ.
 */
export function secretsEqual(presented: string, secret: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
  return timingSafeEqual(digest(presented), digest(secret));
}

export type TimestampCheck = { ok: true } | { ok: false; problem: "malformed" | "expired" | "future" };

/** Is `raw` a Unix time in seconds within the window around `nowSeconds`? */
export function checkTimestamp(raw: string, nowSeconds: number): TimestampCheck {
  if (!/^[0-9]{1,12}$/.test(raw)) return { ok: false, problem: "malformed" };
  const skew = Number(raw) - nowSeconds;
  if (skew < -TIMESTAMP_WINDOW_SECONDS) return { ok: false, problem: "expired" };
  if (skew > TIMESTAMP_WINDOW_SECONDS) return { ok: false, problem: "future" };
  return { ok: true };
}
