/**
 * The `acme_accounts` section of the config (docs/architecture.md "Config": ACME
 * accounts are an extension):
 * accounts for the acme-dns and lego httpreq routes, keyed by user name (a UUID). Its key is not a
 * host name, so the seed's format is untouched and a sharded config keeps the section in its manifest.
 *
 *     "acme_accounts": {
 *       "<uuid>": {
 *         "name": "nas.example.org.", "subdomain": "<label>",
 *         "txt_name": "<label>._acme-dns.dyn.example.com.", "route_53_zone_id": "Z…",
 *         "password_sha256": "<64 hex>", "allow_from": ["198.51.100.0/24"], "comment": "…"
 *       }
 *     }
 *
 * Like hosts, a bad account is reported (naming it and the field) and left out; the others work.
 * A name has at most one account (the first listed): accounts for one name would share its TXT record.
 */
import {
  ACME_LABEL,
  type AcmeAccount,
  type AcmeAccountDirectory,
  challengeName,
  isUuid,
  isValidSubdomain,
  parseAddressRange,
} from "../core/acme.js";
import { displayHostname, parseHostname } from "../core/hostname.js";
import { isSha256Hex } from "../core/tokens.js";
import type { ConfigProblem } from "./schema.js";

export const ACME_ACCOUNTS_SECTION = "acme_accounts";

/** The fields an account may have, as the file spells them. */
const KNOWN_FIELDS = new Set([
  "name",
  "subdomain",
  "txt_name",
  "route_53_zone_id",
  "password_sha256",
  "allow_from",
  "comment",
]);
const ZONE_ID = /^[A-Z0-9]{1,32}$/;
/** A TXT owner name: DNS labels, underscores allowed (they are not host names). */
const TXT_NAME = /^(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+$/;

export class AcmeAccountTable implements AcmeAccountDirectory {
  readonly #accounts: ReadonlyMap<string, AcmeAccount>;

  constructor(accounts: Iterable<AcmeAccount>) {
    this.#accounts = new Map([...accounts].map((account) => [account.username, account]));
  }

  find(username: string): AcmeAccount | undefined {
    return this.#accounts.get(username.toLowerCase());
  }

  get size(): number {
    return this.#accounts.size;
  }

  [Symbol.iterator](): IterableIterator<AcmeAccount> {
    return this.#accounts.values();
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Lower case with the trailing dot. */
function canonicalTxtName(raw: string): string {
  const lower = raw.toLowerCase();
  return lower.endsWith(".") ? lower : `${lower}.`;
}

export function parseAcmeAccounts(section: unknown, problems: ConfigProblem[]): AcmeAccountTable {
  if (section === undefined) return new AcmeAccountTable([]);
  if (!isPlainObject(section)) {
    problems.push({
      host: ACME_ACCOUNTS_SECTION,
      message: "Must be a JSON object of accounts keyed by user name.",
      severity: "error",
    });
    return new AcmeAccountTable([]);
  }
  const accounts: AcmeAccount[] = [];
  const bySubdomain = new Map<string, string>();
  const byName = new Map<string, string>();
  for (const [username, entry] of Object.entries(section)) {
    const account = parseAccount(username, entry, problems);
    if (!account) continue;
    const other = bySubdomain.get(account.subdomain);
    if (other !== undefined) {
      problems.push({
        host: `${ACME_ACCOUNTS_SECTION}.${username}`,
        field: "subdomain",
        message: `Is also the subdomain of account ${other}; this account is ignored.`,
        severity: "error",
      });
      continue;
    }
    // One account per name: accounts for one name share its TXT record, and each could evict or
    // delete the other's challenge values. The first keeps working; a later one is reported.
    const sameName = byName.get(account.name);
    if (sameName !== undefined) {
      problems.push({
        host: `${ACME_ACCOUNTS_SECTION}.${username}`,
        field: "name",
        message: `${displayHostname(account.name)} already has the account ${sameName}; one name has one account, so this one is ignored.`,
        severity: "error",
      });
      continue;
    }
    bySubdomain.set(account.subdomain, username);
    byName.set(account.name, username);
    accounts.push(account);
  }
  return new AcmeAccountTable(accounts);
}

function parseAccount(username: string, entry: unknown, problems: ConfigProblem[]): AcmeAccount | undefined {
  const where = `${ACME_ACCOUNTS_SECTION}.${username}`;
  const fail = (field: string | undefined, message: string) =>
    problems.push({ host: where, ...(field ? { field } : {}), message, severity: "error" });
  if (!isUuid(username) || username !== username.toLowerCase()) {
    fail(undefined, "The user name must be a UUID in lower case.");
    return undefined;
  }
  if (!isPlainObject(entry)) {
    fail(undefined, "The account must be a JSON object.");
    return undefined;
  }
  const errorsBefore = problems.length;
  for (const field of Object.keys(entry)) {
    if (!KNOWN_FIELDS.has(field)) {
      problems.push({ host: where, field, message: "Unknown field; it is ignored.", severity: "warning" });
    }
  }
  const { name, subdomain, txt_name: txtName, route_53_zone_id: zoneId } = entry;
  const { password_sha256: hash, allow_from: allowFrom, comment } = entry;

  const parsedName = typeof name === "string" ? parseHostname(name) : undefined;
  if (!parsedName?.ok) fail("name", "Required: the fully qualified name certificates are for.");
  if (typeof subdomain !== "string" || !isValidSubdomain(subdomain)) {
    fail("subdomain", "Required: one DNS label of lower-case letters, digits and inner hyphens.");
  }
  if (typeof zoneId !== "string" || !ZONE_ID.test(zoneId)) {
    fail("route_53_zone_id", "Required: the hosted zone id (such as Z0123456789ABC) the TXT record is in.");
  }
  if (typeof hash !== "string" || !isSha256Hex(hash)) {
    fail("password_sha256", "Required: the SHA-256 of the password, 64 hex digits.");
  }
  const txt = typeof txtName === "string" ? canonicalTxtName(txtName) : undefined;
  const fqdn = parsedName?.ok ? parsedName.fqdn : undefined;
  const ownLabel = typeof subdomain === "string" ? `${subdomain}.${ACME_LABEL}.` : undefined;
  if (!txt || !TXT_NAME.test(txt)) {
    fail("txt_name", "Required: the TXT record's name.");
  } else if (fqdn && txt !== challengeName(fqdn) && !(ownLabel && txt.startsWith(ownLabel))) {
    fail("txt_name", `Must be ${challengeName(fqdn)} or <subdomain>.${ACME_LABEL}.<zone>.`);
  }
  const ranges = Array.isArray(allowFrom)
    ? allowFrom.map((raw) => (typeof raw === "string" ? parseAddressRange(raw) : undefined))
    : [];
  if (allowFrom !== undefined && (!Array.isArray(allowFrom) || ranges.some((range) => !range))) {
    fail(
      "allow_from",
      "Must be a list of addresses or CIDR ranges such as 198.51.100.0/24 or 2001:db8::/56.",
    );
  }
  if (comment !== undefined && typeof comment !== "string") fail("comment", "Must be a string.");

  if (problems.length > errorsBefore && problems.slice(errorsBefore).some((p) => p.severity === "error")) {
    return undefined;
  }
  return {
    username,
    passwordSha256: (hash as string).toLowerCase(),
    name: fqdn as string,
    subdomain: subdomain as string,
    txtName: txt as string,
    zoneId: zoneId as string,
    allowFrom: ranges.flatMap((range) => range ?? []),
  };
}
