/**
 * ACME DNS-01 for the names this service manages (docs/architecture.md "HTTP API": the
 * acme-dns and lego httpreq routes):
 * who may write which TXT record, what a valid challenge value is, and how a value is added or
 * removed so that the record keeps the last two (a certificate for `name` and `*.name` is one order
 * with two challenges on the same TXT name). Shared by both wire formats and the record writer (the
 * request function queues an edit; the writer applies it with compare-and-set); no AWS here.
 */
import { createHash } from "node:crypto";
import { UnavailableError } from "./errors.js";
import { displayHostname } from "./hostname.js";
import { bigIntToIpv6, type IpAddress, ipv6ToBigInt, parseIp } from "./ip.js";
import type { TxtRecords } from "./ports.js";
import { hexDigestsEqual } from "./tokens.js";

/** The label under which names outside the deployment's zones get their TXT records (acme-dns's model). */
export const ACME_LABEL = "_acme-dns";
export const CHALLENGE_LABEL = "_acme-challenge";
/** Short, so a value replaced during a retried validation is not held by caches. */
export const ACME_TXT_TTL_SECONDS = 10;
/** An account's TXT record keeps this many values: one order for `name` and `*.name`. */
export const KEPT_VALUES = 2;

/** A CIDR an account accepts requests from. */
export interface AddressRange {
  readonly text: string;
  readonly family: "A" | "AAAA";
  readonly network: bigint;
  readonly prefixLength: number;
}

/** An ACME account as the service sees it once the config has been validated. */
export interface AcmeAccount {
  /** acme-dns `X-Api-User` and httpreq's Basic-auth user: a UUID, lower case. */
  readonly username: string;
  /** SHA-256 (hex) of the 40-character password; the password itself is never stored. */
  readonly passwordSha256: string;
  /** The name certificates are for (canonical): a host, a name in a zone, or a name outside. */
  readonly name: string;
  /** acme-dns's `subdomain`: what clients send in the update body. */
  readonly subdomain: string;
  /** The TXT record written (canonical): `_acme-challenge.<name>` or `<subdomain>._acme-dns.<zone>`. */
  readonly txtName: string;
  readonly zoneId: string;
  /** Empty: from anywhere. */
  readonly allowFrom: readonly AddressRange[];
}

export interface AcmeAccountDirectory {
  /** The account with this user name (any letter case), if any. */
  find(username: string): AcmeAccount | undefined;
  readonly size: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** acme-dns's own subdomain rule: one DNS label. */
const SUBDOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** A DNS-01 value: base64url of a SHA-256 digest, 43 characters without padding (RFC 8555 §8.4). */
const CHALLENGE_VALUE = /^[A-Za-z0-9_-]{43}$/;
export const PASSWORD_LENGTH = 40;

export function isUuid(value: string): boolean {
  return UUID.test(value.toLowerCase());
}

export function isValidSubdomain(value: string): boolean {
  return SUBDOMAIN.test(value);
}

export function isChallengeValue(value: string): boolean {
  return CHALLENGE_VALUE.test(value);
}

export function passwordSha256(password: string): string {
  return createHash("sha256").update(password, "utf8").digest("hex");
}

/** A stand-in compared against when the user is unknown, so every failure costs the same. */
const DECOY_SHA256 = passwordSha256("decoy password that no account has, 40 ch");

export type AccountCheck =
  | { readonly ok: true; readonly account: AcmeAccount }
  | { readonly ok: false; readonly reason: "unknown user" | "bad password" | "source not allowed" };

/**
 * May this caller use the account? One SHA-256 of the password: passwords are 40 random characters
 * (240 bits), so a slow hash would add cost without adding safety. Compared in constant time.
 */
export function checkAccount(
  accounts: AcmeAccountDirectory,
  username: string,
  password: string,
  source: IpAddress,
): AccountCheck {
  const account = accounts.find(username);
  const matches = hexDigestsEqual(passwordSha256(password), account?.passwordSha256 ?? DECOY_SHA256);
  if (!account) return { ok: false, reason: "unknown user" };
  if (!matches) return { ok: false, reason: "bad password" };
  if (!isAllowedSource(account, source)) return { ok: false, reason: "source not allowed" };
  return { ok: true, account };
}

export function parseAddressRange(raw: string): AddressRange | undefined {
  const [address = "", length, ...rest] = raw.split("/");
  const ip = parseIp(address);
  if (!ip || rest.length > 0 || address.includes("::ffff:")) return undefined;
  const bits = ip.recordType === "A" ? 32 : 128;
  const prefixLength = length === undefined ? bits : Number(length);
  if (!/^\d{1,3}$/.test(length ?? String(bits)) || prefixLength > bits) return undefined;
  const value = addressValue(ip);
  const hostBits = BigInt(bits - prefixLength);
  const network = (value >> hostBits) << hostBits;
  const networkText = ip.recordType === "A" ? ipv4Text(network) : bigIntToIpv6(network);
  return { text: `${networkText}/${prefixLength}`, family: ip.recordType, network, prefixLength };
}

function addressValue(ip: IpAddress): bigint {
  if (ip.recordType === "AAAA") return ipv6ToBigInt(ip.text) ?? 0n;
  return ip.text.split(".").reduce((value, octet) => (value << 8n) | BigInt(octet), 0n);
}

function ipv4Text(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join(".");
}

export function rangeContains(range: AddressRange, ip: IpAddress): boolean {
  if (range.family !== ip.recordType) return false;
  const hostBits = BigInt((range.family === "A" ? 32 : 128) - range.prefixLength);
  return addressValue(ip) >> hostBits === range.network >> hostBits;
}

function isAllowedSource(account: AcmeAccount, source: IpAddress): boolean {
  return account.allowFrom.length === 0 || account.allowFrom.some((range) => rangeContains(range, source));
}

/** The TXT name for a certificate name inside a zone this service manages. */
export function challengeName(name: string): string {
  return `${CHALLENGE_LABEL}.${name}`;
}

/** The TXT name for an outside name's account: its own label under the ACME label of the zone. */
export function delegatedChallengeName(subdomain: string, zone: string): string {
  return `${subdomain}.${ACME_LABEL}.${zone}`;
}

/** What a certificate name's owner points `_acme-challenge.<name>` at, when the name is outside. */
export function cnameInstruction(account: AcmeAccount): string | undefined {
  if (account.txtName === challengeName(account.name)) return undefined;
  return `${displayHostname(challengeName(account.name))}. CNAME ${account.txtName}`;
}

/** The record after adding `value` as the newest: the oldest beyond KEPT_VALUES goes; unchanged when there. */
export function withPresented(current: readonly string[], value: string): readonly string[] {
  return current.includes(value) ? current : [...current, value].slice(-KEPT_VALUES);
}

/** The record after removing `value`; none left means the record goes. */
export function withCleanedUp(current: readonly string[], value: string): readonly string[] {
  return current.filter((kept) => kept !== value);
}

export interface ChallengeEdit {
  readonly action: "present" | "cleanup";
  readonly value: string;
}

/** Read-modify-write attempts before giving up on a record other writers keep changing. */
const WRITE_ATTEMPTS = 4;

/**
 * The record writer's side: applies `edits` in order to the TXT record in one compare-and-set
 * (read, edit, replace exactly what was read), reading again when another writer got there first.
 * Resolves to the values written and whether anything changed.
 */
export async function applyChallengeEdits(
  txt: TxtRecords,
  zoneId: string,
  txtName: string,
  edits: readonly ChallengeEdit[],
): Promise<{ readonly values: readonly string[]; readonly changed: boolean }> {
  for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
    const current = await txt.read(zoneId, txtName);
    const wanted = edits.reduce(
      (values, edit) =>
        edit.action === "present" ? withPresented(values, edit.value) : withCleanedUp(values, edit.value),
      current.values,
    );
    const unchanged =
      wanted.length === current.values.length && wanted.every((v, i) => v === current.values[i]);
    if (unchanged) return { values: wanted, changed: false };
    if (await txt.replace(zoneId, txtName, current, wanted, ACME_TXT_TTL_SECONDS)) {
      return { values: wanted, changed: true };
    }
  }
  // Other writers changed the record between every read and write: busy, try again shortly.
  throw new UnavailableError(`The TXT record ${txtName} kept changing while it was written.`, 1);
}
