/** New shared secrets, and a rough strength estimate for the ones already in a config file. */
import { randomBytes } from "node:crypto";

export const SECRET_BYTES = 32;
export const MIN_SECRET_BITS = 128;

/** 256 random bits, base64url: safe in URLs, Basic auth, shell quotes and router web forms. */
export function generateSecret(): string {
  return randomBytes(SECRET_BYTES).toString("base64url");
}

const CHARACTER_CLASSES: readonly { pattern: RegExp; size: number }[] = [
  { pattern: /[a-z]/, size: 26 },
  { pattern: /[A-Z]/, size: 26 },
  { pattern: /[0-9]/, size: 10 },
  // base64url's two symbols apart from the rest of ASCII punctuation, so its secrets count as 6 bits a character.
  { pattern: /[-_]/, size: 2 },
  { pattern: /[^-_a-zA-Z0-9]/, size: 30 },
];

/**
 * Bits of entropy the secret could have at most: its length times log2 of the alphabet its
 * characters come from. A hex string counts as 16 symbols, not 36. An upper bound — a long
 * pass phrase of words scores high — but enough to catch short and hand-made secrets.
 */
export function estimateSecretBits(secret: string): number {
  const looksHex = /^[0-9a-f]+$/i.test(secret) && /[a-f]/i.test(secret);
  const alphabet = looksHex
    ? 16
    : CHARACTER_CLASSES.filter((set) => set.pattern.test(secret)).reduce((sum, set) => sum + set.size, 0);
  return Math.floor([...secret].length * Math.log2(Math.max(alphabet, 2)));
}
