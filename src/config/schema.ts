/**
 * The config file (docs/architecture.md "Config"): the seed's format unchanged, plus optional extension
 * keys. Shared by the function and the operator CLI, so both accept and refuse exactly the same files.
 *
 * A file that is not a JSON object is refused whole. A bad host entry is reported (naming the host
 * and the field) and left out; the other hosts keep working.
 */

import { type ParseError, parse as scanJson } from "jsonc-parser";
import {
  canonicalHostname,
  displayHostname,
  isBelow,
  parseHostname,
  wildcardName,
} from "../core/hostname.js";
import type { HostConfig, HostDirectory, LanDevice, LanSettings } from "../core/hosts.js";
import { RECORD_TYPES, type RecordType } from "../core/ip.js";
import {
  DEFAULT_LAN_PREFIX_LENGTH,
  isLanPrefixLength,
  MAX_LAN_PREFIX_LENGTH,
  MIN_LAN_PREFIX_LENGTH,
  parseInterfaceId,
} from "../core/lan-prefix.js";
import { ACME_ACCOUNTS_SECTION, type AcmeAccountTable, parseAcmeAccounts } from "./acme-accounts.js";

export interface ConfigProblem {
  /** The host key as written in the file. */
  readonly host: string;
  /** The field at fault, or undefined when the problem is the key itself. */
  readonly field?: string;
  readonly message: string;
  /** "error" leaves the host out; "warning" keeps it. */
  readonly severity: "error" | "warning";
}

/** The whole file is unusable: not JSON, or not an object of hosts. */
export class ConfigFileError extends Error {
  override name = "ConfigFileError";
}

/**
 * Every field a host entry may have, as the file spells it, and its kind: the one list that the
 * unknown-field warning, the plain type checks (`boolean`, `text`) and HostEntry come from. Fields of
 * the other kinds have a parser of their own in parseHostEntry.
 */
export const HOST_FIELDS = {
  aws_region: "region",
  route_53_zone_id: "zoneId",
  route_53_record_ttl: "seconds",
  route_53_record_type: "recordType",
  shared_secret: "secret",
  record_types: "recordTypes",
  allow_dyndns2: "boolean",
  require_timestamp: "boolean",
  allow_client_ip: "boolean",
  username: "text",
  comment: "text",
  wildcard: "boolean",
  /** LAN device name → interface identifier (IPv6 suffix or MAC address). */
  ipv6_lan_hosts: "lanHosts",
  ipv6_lan_prefix_length: "prefixLength",
  ipv6_lan_prefix_from_source: "boolean",
  /** Minutes after its last check-in at which a host counts as quiet (a "Host went quiet" event). */
  expect_check_in_minutes: "minutes",
} as const;

/** What each kind of field holds in the file. */
interface FieldValue {
  region: string;
  zoneId: string;
  seconds: number;
  recordType: RecordType;
  secret: string;
  recordTypes: RecordType[];
  boolean: boolean;
  text: string;
  lanHosts: Record<string, string>;
  prefixLength: number;
  minutes: number;
}

type HostField = keyof typeof HOST_FIELDS;
const isHostField = (field: string): field is HostField => Object.hasOwn(HOST_FIELDS, field);

/** A host entry as the file spells it (built by the CLI and the fleet generators). */
export type HostEntry = { [F in HostField]?: FieldValue[(typeof HOST_FIELDS)[F]] } & {
  route_53_zone_id: string;
  shared_secret: string;
};

/** One router's LAN devices; with its own records, every change still fits one Route 53 batch of 1,000. */
export const MAX_LAN_DEVICES = 32;

export const DEFAULT_TTL_SECONDS = 60;
/** `ddns host status` calls a host quiet after this long without a check-in. */
export const MIN_EXPECT_CHECK_IN_MINUTES = 5;
export const MAX_EXPECT_CHECK_IN_MINUTES = 1440;
/** Route 53's own limits for a record's TTL. */
const MAX_TTL_SECONDS = 2_147_483_647;
const ZONE_ID = /^[A-Z0-9]{1,32}$/;

/** A hosted zone id as the config stores it: Route 53's APIs also spell it `/hostedzone/Z…`. */
export function bareZoneId(id: string): string {
  return id.replace(/^\/hostedzone\//, "");
}
const AWS_REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

export class HostTable implements HostDirectory {
  readonly #hosts: ReadonlyMap<string, HostConfig>;

  constructor(hosts: Iterable<HostConfig>) {
    this.#hosts = new Map([...hosts].map((host) => [host.fqdn, host]));
  }

  find(hostname: string): HostConfig | undefined {
    // The protocols look hosts up by canonical name, which is the key itself: no second parse.
    const host = this.#hosts.get(hostname);
    if (host !== undefined) return host;
    const fqdn = canonicalHostname(hostname);
    return fqdn === undefined ? undefined : this.#hosts.get(fqdn);
  }

  get size(): number {
    return this.#hosts.size;
  }

  [Symbol.iterator](): IterableIterator<HostConfig> {
    return this.#hosts.values();
  }
}

export interface ParsedConfig {
  readonly hosts: HostTable;
  readonly accounts: AcmeAccountTable;
  readonly problems: readonly ConfigProblem[];
}

export function parseConfigText(text: string): ParsedConfig {
  return parseConfigDocument(parseConfigJson(text));
}

/**
 * The file's JSON, or a ConfigFileError saying where it stops being JSON. Only the line and column:
 * the parser's own message quotes the text around the fault, which may be inside a `shared_secret`.
 */
export function parseConfigJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigFileError(`The config file is not valid JSON: ${describeJsonFault(text)}.`);
  }
}

/** Where strict JSON parsing first fails, as "line L, column C" (1-based), never the text there. */
function describeJsonFault(text: string): string {
  const errors: ParseError[] = [];
  scanJson(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const offset = errors[0]?.offset ?? text.length;
  const before = text.slice(0, offset).split(/\r\n|\r|\n/);
  const column = (before.at(-1)?.length ?? 0) + 1;
  return `syntax error at line ${before.length}, column ${column}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function parseConfigDocument(document: unknown): ParsedConfig {
  if (!isPlainObject(document)) {
    throw new ConfigFileError("The config file must be a JSON object whose keys are host names.");
  }
  const problems: ConfigProblem[] = [];
  const hosts = new Map<string, HostConfig>();
  const duplicated = new Set<string>();

  for (const [key, entry] of Object.entries(document)) {
    if (key === ACME_ACCOUNTS_SECTION) continue;
    const host = parseHostEntry(key, entry, problems);
    if (!host) continue;
    if (hosts.has(host.fqdn) || duplicated.has(host.fqdn)) {
      // Two spellings of one name: neither can be trusted to be the one the operator meant.
      problems.push({
        host: key,
        message: `${host.fqdn} is listed more than once (names match case-insensitively, with or without the trailing dot); every entry for it is ignored.`,
        severity: "error",
      });
      hosts.delete(host.fqdn);
      duplicated.add(host.fqdn);
      continue;
    }
    hosts.set(host.fqdn, host);
  }
  leaveOutSharedNames(hosts, document, problems);
  const accounts = parseAcmeAccounts(document[ACME_ACCOUNTS_SECTION], problems);
  return { hosts: new HostTable(hosts.values()), accounts, problems };
}

/**
 * Every name a host writes (its own, its wildcard, its LAN devices') belongs to that host alone:
 * two routers writing one name would take turns overwriting it. Like a duplicated host, neither
 * claim can be trusted, so every host involved is left out and reported.
 */
function leaveOutSharedNames(
  hosts: Map<string, HostConfig>,
  document: Record<string, unknown>,
  problems: ConfigProblem[],
): void {
  const keyOf = new Map(Object.keys(document).map((key) => [canonicalHostname(key), key]));
  for (const problem of sharedNameProblems(hosts.values())) {
    const fqdn = problem.host;
    if (!hosts.delete(fqdn)) continue;
    problems.push({ ...problem, host: keyOf.get(fqdn) ?? fqdn });
  }
}

/**
 * One error per host that writes a name another host also writes (`host` is the canonical name).
 * Exported for checks over hosts parsed apart (a sharded config's shards).
 */
export function sharedNameProblems(hosts: Iterable<HostConfig>): ConfigProblem[] {
  const writers = new Map<string, Set<string>>();
  for (const host of hosts) {
    for (const name of namesWrittenBy(host)) {
      const set = writers.get(name) ?? new Set<string>();
      set.add(host.fqdn);
      writers.set(name, set);
    }
  }
  const problems: ConfigProblem[] = [];
  const reported = new Set<string>();
  for (const [name, owners] of writers) {
    if (owners.size < 2) continue;
    for (const fqdn of owners) {
      if (reported.has(fqdn)) continue;
      reported.add(fqdn);
      const others = [...owners].filter((other) => other !== fqdn).map(displayHostname);
      problems.push({
        host: fqdn,
        field: "ipv6_lan_hosts",
        message: `${displayHostname(name)} is also written by ${others.join(", ")}; a name belongs to one router only, so each of them is ignored.`,
        severity: "error",
      });
    }
  }
  return problems;
}

/** The names a host's updates write: its own, its wildcard's and its LAN devices'. */
export function namesWrittenBy(host: HostConfig): string[] {
  return [
    host.fqdn,
    ...(host.wildcard ? [wildcardName(host.fqdn)] : []),
    ...(host.lan?.devices.map((device) => device.fqdn) ?? []),
  ];
}

function parseHostEntry(key: string, entry: unknown, problems: ConfigProblem[]): HostConfig | undefined {
  const name = parseHostname(key);
  if (!name.ok) {
    problems.push({ host: key, message: `The host name ${name.problem}.`, severity: "error" });
    return undefined;
  }
  if (!isPlainObject(entry)) {
    problems.push({ host: key, message: "The host entry must be a JSON object.", severity: "error" });
    return undefined;
  }
  const errorsBefore = problems.length;
  const fail = (field: string, message: string) =>
    problems.push({ host: key, field, message, severity: "error" });

  for (const field of Object.keys(entry)) {
    if (!isHostField(field)) {
      problems.push({ host: key, field, message: "Unknown field; it is ignored.", severity: "warning" });
    }
  }

  const zoneId = entry.route_53_zone_id;
  const normalizedZoneId = typeof zoneId === "string" ? bareZoneId(zoneId) : undefined;
  if (normalizedZoneId === undefined) fail("route_53_zone_id", "Required: the Route 53 hosted zone id.");
  else if (!ZONE_ID.test(normalizedZoneId))
    fail("route_53_zone_id", "Must be a hosted zone id such as Z0123456789ABC.");

  const secret = entry.shared_secret;
  if (typeof secret !== "string" || secret.length === 0)
    fail("shared_secret", "Required: a non-empty string.");

  const ttl = entry.route_53_record_ttl ?? DEFAULT_TTL_SECONDS;
  if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < 0 || ttl > MAX_TTL_SECONDS) {
    fail("route_53_record_ttl", `Must be a whole number of seconds from 0 to ${MAX_TTL_SECONDS}.`);
  }

  if (
    entry.aws_region !== undefined &&
    (typeof entry.aws_region !== "string" || !AWS_REGION.test(entry.aws_region))
  ) {
    fail("aws_region", "Must be an AWS region name such as us-west-2.");
  }

  const recordTypes = parseRecordTypes(entry, fail);

  for (const [field, kind] of Object.entries(HOST_FIELDS)) {
    const value = entry[field];
    if (value === undefined) continue;
    if (kind === "boolean" && typeof value !== "boolean") fail(field, "Must be true or false.");
    if (kind === "text" && typeof value !== "string") fail(field, "Must be a string.");
  }

  if (typeof entry.username === "string" && (entry.username.length === 0 || entry.username.includes(":"))) {
    fail(
      "username",
      "Must be non-empty and may not contain ':' (HTTP Basic auth separates user and password with it).",
    );
  }

  const lan = parseLanSettings(name.fqdn, entry, fail);
  const expect = entry.expect_check_in_minutes;
  if (
    expect !== undefined &&
    (typeof expect !== "number" ||
      !Number.isInteger(expect) ||
      expect < MIN_EXPECT_CHECK_IN_MINUTES ||
      expect > MAX_EXPECT_CHECK_IN_MINUTES)
  ) {
    fail(
      "expect_check_in_minutes",
      `Must be a whole number of minutes from ${MIN_EXPECT_CHECK_IN_MINUTES} to ${MAX_EXPECT_CHECK_IN_MINUTES} (a day).`,
    );
  }

  if (problems.slice(errorsBefore).some((problem) => problem.severity === "error")) return undefined;
  return {
    fqdn: name.fqdn,
    zoneId: normalizedZoneId as string,
    ttl: ttl as number,
    recordTypes: recordTypes as RecordType[],
    secret: secret as string,
    allowDyndns2: entry.allow_dyndns2 === true,
    requireTimestamp: entry.require_timestamp === true,
    allowClientIp: entry.allow_client_ip === true,
    username: typeof entry.username === "string" ? entry.username : displayHostname(name.fqdn),
    wildcard: entry.wildcard === true,
    ...(lan ? { lan } : {}),
    ...(typeof expect === "number" ? { expectCheckInMinutes: expect } : {}),
  };
}

/**
 * `ipv6_lan_hosts` with `ipv6_lan_prefix_length` and `ipv6_lan_prefix_from_source`: undefined when
 * the host has no LAN devices (the other two keys then mean nothing, and say so).
 */
function parseLanSettings(
  routerFqdn: string,
  entry: Record<string, unknown>,
  fail: (field: string, message: string) => void,
): LanSettings | undefined {
  const length = entry.ipv6_lan_prefix_length ?? DEFAULT_LAN_PREFIX_LENGTH;
  const lengthOk = isLanPrefixLength(length);
  if (!lengthOk) {
    fail(
      "ipv6_lan_prefix_length",
      `Must be a whole number from ${MIN_LAN_PREFIX_LENGTH} to ${MAX_LAN_PREFIX_LENGTH}.`,
    );
  }
  const devicesField = entry.ipv6_lan_hosts;
  if (devicesField === undefined) {
    for (const field of ["ipv6_lan_prefix_length", "ipv6_lan_prefix_from_source"] as const) {
      if (entry[field] !== undefined) fail(field, "Only means something with ipv6_lan_hosts.");
    }
    return undefined;
  }
  if (!isPlainObject(devicesField) || Object.keys(devicesField).length === 0) {
    fail(
      "ipv6_lan_hosts",
      'Must be a non-empty object of names and interface identifiers, e.g. {"nas.dyn.example.com.": "::211:32ff:fe12:3456"}.',
    );
    return undefined;
  }
  const entries = Object.entries(devicesField);
  if (entries.length > MAX_LAN_DEVICES) {
    fail("ipv6_lan_hosts", `Lists ${entries.length} names; at most ${MAX_LAN_DEVICES} are allowed.`);
    return undefined;
  }
  const devices: LanDevice[] = [];
  for (const [key, raw] of entries) {
    const name = parseHostname(key);
    if (!name.ok) {
      fail("ipv6_lan_hosts", `The name ${key} ${name.problem}.`);
      continue;
    }
    if (name.fqdn === routerFqdn) {
      fail("ipv6_lan_hosts", `${key} is the router's own name; its AAAA is the router's address.`);
      continue;
    }
    if (!isBelow(name.fqdn, routerFqdn)) {
      // docs/architecture.md "Ownership": a router writes only at or below its own name, which is what lets
      // the function check it on every write without reading any other host's entry (src/config/shards.ts).
      fail(
        "ipv6_lan_hosts",
        `${key} is not below the router's own name: a LAN device is named <device>.${displayHostname(routerFqdn)}.`,
      );
      continue;
    }
    if (devices.some((device) => device.fqdn === name.fqdn)) {
      fail("ipv6_lan_hosts", `${key} is listed more than once.`);
      continue;
    }
    if (!lengthOk) continue;
    const interfaceId = typeof raw === "string" ? parseInterfaceId(raw, length) : undefined;
    if (!interfaceId?.ok) {
      const problem = interfaceId?.problem ?? "must be a string";
      fail("ipv6_lan_hosts", `The interface identifier of ${key} ${problem}.`);
      continue;
    }
    devices.push({ fqdn: name.fqdn, interfaceId: interfaceId.value });
  }
  if (!lengthOk) return undefined;
  return {
    devices,
    prefixLength: length,
    prefixFromSource: entry.ipv6_lan_prefix_from_source === true,
  };
}

/**
 * `record_types` when present, else the seed's single `route_53_record_type`, else both families.
 * When both are present they must agree, so an operator is never surprised by which one won.
 */
function parseRecordTypes(
  entry: Record<string, unknown>,
  fail: (field: string, message: string) => void,
): RecordType[] | undefined {
  const isRecordType = (value: unknown): value is RecordType => RECORD_TYPES.includes(value as RecordType);
  const single = entry.route_53_record_type;
  if (single !== undefined && !isRecordType(single)) {
    fail("route_53_record_type", 'Must be "A" or "AAAA".');
    return undefined;
  }
  const list = entry.record_types;
  if (list === undefined) return single === undefined ? [...RECORD_TYPES] : [single];
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every(isRecordType) ||
    new Set(list).size !== list.length
  ) {
    fail(
      "record_types",
      'Must be a non-empty list of distinct record types: ["A"], ["AAAA"] or ["A", "AAAA"].',
    );
    return undefined;
  }
  if (single !== undefined && !list.includes(single)) {
    fail("route_53_record_type", `Is ${single}, which record_types does not include.`);
    return undefined;
  }
  return list;
}

/** One line per problem, for logs and the CLI: `host: field: message`. Never includes values. */
export function describeProblem(problem: ConfigProblem): string {
  return [problem.host, problem.field, problem.message].filter(Boolean).join(": ");
}
