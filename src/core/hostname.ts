/**
 * DNS host names as clients send them and as the config and Route 53 spell them.
 * Internally a name is lower case with the trailing dot (Route 53's own form), so
 * "Home.dyn.Example.com" and "home.dyn.example.com." are the same host.
 */

const MAX_NAME_LENGTH = 253;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Two or more LABELs joined by dots: the names the label-by-label checks below accept. */
const VALID_NAME = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Returns the canonical form (lower case, trailing dot), or a sentence saying what is wrong. */
export function parseHostname(raw: string): { ok: true; fqdn: string } | { ok: false; problem: string } {
  if (raw.length === 0) return { ok: false, problem: "is empty" };
  const withoutDot = raw.endsWith(".") ? raw.slice(0, -1) : raw;
  if (withoutDot.length > MAX_NAME_LENGTH) {
    return { ok: false, problem: `is longer than ${MAX_NAME_LENGTH} characters` };
  }
  const lower = withoutDot.toLowerCase();
  // Every check parses the name it was sent: one test for a valid name, the labels only to say what is wrong.
  if (VALID_NAME.test(lower)) return { ok: true, fqdn: `${lower}.` };
  const labels = lower.split(".");
  if (labels.length < 2) return { ok: false, problem: "is not a fully qualified domain name" };
  for (const label of labels) {
    if (label.length === 0) return { ok: false, problem: "has an empty label" };
    if (label.length > 63) return { ok: false, problem: "has a label longer than 63 characters" };
    if (!LABEL.test(label)) {
      return { ok: false, problem: "may only contain letters, digits and inner hyphens in each label" };
    }
  }
  return { ok: true, fqdn: `${labels.join(".")}.` };
}

/** The canonical form of a name known to be valid, or undefined. */
export function canonicalHostname(raw: string): string | undefined {
  const parsed = parseHostname(raw);
  return parsed.ok ? parsed.fqdn : undefined;
}

/** How people and dyndns2 user names spell a canonical name: without the trailing dot. */
export function displayHostname(fqdn: string): string {
  return fqdn.endsWith(".") ? fqdn.slice(0, -1) : fqdn;
}

/** True when `fqdn` is `zone` itself or a name below it (both canonical). */
export function isWithinZone(fqdn: string, zone: string): boolean {
  return fqdn === zone || fqdn.endsWith(`.${zone}`);
}

/** True when `fqdn` lies strictly below `ancestor` (both canonical): `nas.home.x.` below `home.x.`. */
export function isBelow(fqdn: string, ancestor: string): boolean {
  return fqdn.length > ancestor.length && fqdn.endsWith(`.${ancestor}`);
}

/** Every name `fqdn` (canonical) lies below, nearest first: `a.b.c.` → `b.c.`, `c.`. */
export function ancestorsOf(fqdn: string): string[] {
  const labels = fqdn.split(".").slice(0, -1);
  return labels.slice(1).map((_, index) => `${labels.slice(index + 1).join(".")}.`);
}

/** The wildcard name that follows a host (RFC 4592): `*.` and the host's canonical name. */
export function wildcardName(fqdn: string): string {
  return `*.${fqdn}`;
}
