/**
 * Fair shares at the change queue's door: no single host or ACME account may queue more than a small
 * share of the deployment's changes, so one credential cannot crowd out everyone else (one caller
 * flooding the queue would delay every other router's change behind its own). Over its share a caller
 * hears 429 with Retry-After (the end of its window); nobody else notices, because each identity
 * counts only against itself: there is no shared pool to exhaust.
 *
 * The shares, against a record writer that makes about 8 ChangeResourceRecordSets a second of up to
 * 500 names each (DDNS_WRITER_CHANGES_PER_SECOND):
 * - a host: HOST_SHARE, 12 changes an hour. A router renumbers a few times a day and a LAN prefix
 *   changes with it; a host that changes every five minutes all hour is broken or abusive.
 * - an ACME account: ACME_SHARE, 8 TXT edits in 5 minutes. An order for `name` and `*.name` needs two
 *   presents and two cleanups; a retried validation needs the same again.
 * Only changes count: a check whose records are already right costs nothing.
 */

export interface Share {
  /** Changes allowed per window. */
  readonly limit: number;
  readonly windowSeconds: number;
}

export const HOST_SHARE: Share = { limit: 12, windowSeconds: 3600 };
export const ACME_SHARE: Share = { limit: 8, windowSeconds: 300 };

/** The window a moment falls in: its start (Unix seconds) and the seconds left in it. */
export function shareWindow(share: Share, nowMs: number): { start: number; secondsLeft: number } {
  const now = Math.floor(nowMs / 1000);
  const start = now - (now % share.windowSeconds);
  return { start, secondsLeft: Math.max(1, start + share.windowSeconds - now) };
}

export function hostIdentity(fqdn: string): string {
  return `host:${fqdn}`;
}

export function acmeIdentity(username: string): string {
  return `acme:${username.toLowerCase()}`;
}
