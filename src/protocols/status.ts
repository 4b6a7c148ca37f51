/**
 * `GET /status?hostname=H`: a host's own health, for dashboards and monitors (Homepage, Uptime Kuma,
 * Healthchecks-style checks). It asks the zone's authoritative name servers what they answer for the
 * host and the names that follow it (`*.<host>`, its LAN devices) and says whether the host's records
 * hold the caller's address. Read-only and cheap: DNS queries only, never a Route 53 API call.
 *
 * Authenticated by the host's own credentials, as an update would be: HTTP Basic as dyndns2 takes them, or
 * the replay-proof token (`ts=` and `hash=`, docs/architecture.md "Tokens"); the seed token is not
 * accepted, since it never expires. An unknown host, a wrong secret, a host without dyndns2 and missing
 * credentials all get the same 401, so the route tells nobody which names exist.
 *
 * Status codes carry the verdict, so a monitor needs no parsing: 200 the records hold the caller's
 * address, 409 they do not, 401 credentials, 400 a malformed request, 503 the name servers did not
 * answer (with Retry-After). `?format=text` answers one line: `ok`, or `mismatch <what differs>`.
 */
import { checkPassword, verifyClaim } from "../core/auth.js";
import { AuthError, BadRequestError, UnavailableError } from "../core/errors.js";
import { displayHostname, parseHostname, wildcardName } from "../core/hostname.js";
import type { HostConfig } from "../core/hosts.js";
import type { IpAddress, RecordType } from "../core/ip.js";
import type { AuthoritativeDns } from "../core/ports.js";
import { recordMatches } from "../core/update.js";
import { recordFailure, retryAfterHeader } from "./failures.js";
import {
  BASIC_CHALLENGE,
  callerAddress,
  type HttpResult,
  headerOf,
  jsonResponse,
  parseBasicAuth,
  queryOf,
  type RequestContext,
  singleParam,
  textResponse,
} from "./http.js";

/** Seconds a monitor should wait after the name servers failed to answer. */
const RETRY_AFTER_SECONDS = 30;

/** One record as the name servers answer it, and what it is to the host. */
interface AnsweredName {
  readonly name: string;
  readonly type: RecordType;
  /** `host`: the host's own name; `wildcard`: `*.<host>`; `lan`: a LAN device that follows its prefix. */
  readonly role: "host" | "wildcard" | "lan";
  readonly values: readonly string[];
  readonly ttl: number;
  /** Whether it holds the caller's address; null where the caller's address says nothing (LAN devices, the other family). */
  readonly matches: boolean | null;
}

type Format = "json" | "text";

export async function handleStatus(context: RequestContext): Promise<HttpResult> {
  let format: Format = "json";
  try {
    const params = queryOf(context.event);
    format = readFormat(singleParam(params, "format"));
    const caller = callerAddress(context.event);
    const hostnameAsSent = singleParam(params, "hostname") ?? "";
    const parsed = parseHostname(hostnameAsSent);
    if (!parsed.ok) throw new BadRequestError(`The hostname= argument ${parsed.problem}.`);
    context.log.hostname = parsed.fqdn;
    context.log.recordType = caller.recordType;

    const backends = await context.backends();
    const host = (await backends.config.hosts([parsed.fqdn])).find(parsed.fqdn);
    authenticate(context, host, hostnameAsSent, caller, params);
    if (!backends.nameServers) {
      throw new UnavailableError("No name servers are configured for reads.", RETRY_AFTER_SECONDS);
    }
    const records = await answeredNames(backends.nameServers, host, caller);
    return answerStatus(context, format, host, caller, records);
  } catch (error) {
    return answerFailure(context, format, error);
  }
}

function readFormat(raw: string | undefined): Format {
  if (raw === undefined || raw === "json") return "json";
  if (raw === "text") return "text";
  throw new BadRequestError("The format= argument must be json or text.");
}

/** Basic credentials when the request carries any, else the replay-proof token; never the seed token. */
function authenticate(
  context: RequestContext,
  host: HostConfig | undefined,
  hostnameAsSent: string,
  caller: IpAddress,
  params: URLSearchParams,
): asserts host is HostConfig {
  const header = headerOf(context.event, "authorization");
  if (header !== undefined) {
    const credentials = parseBasicAuth(header);
    if (!credentials) throw new AuthError("badauth", "malformed credentials");
    const check = checkPassword(host, credentials);
    if (!check.ok) throw new AuthError("badauth", check.reason);
    return;
  }
  const hash = singleParam(params, "hash");
  const timestamp = singleParam(params, "ts");
  if (hash === undefined) throw new AuthError("badauth", "no credentials");
  if (timestamp === undefined) throw new AuthError("badauth", "seed token refused");
  try {
    verifyClaim(host, { ip: caller.text, hostnameAsSent, hash, timestamp }, context.nowSeconds());
  } catch (error) {
    // The token check words its failures for updates; here every one reads `badauth`.
    if (error instanceof AuthError) throw new AuthError("badauth", error.reason);
    throw error;
  }
}

/** Every name the host's updates write, asked of the name servers at once. */
async function answeredNames(
  nameServers: AuthoritativeDns,
  host: HostConfig,
  caller: IpAddress,
): Promise<AnsweredName[]> {
  const wanted: Array<Pick<AnsweredName, "name" | "type" | "role">> = [];
  for (const type of host.recordTypes) {
    wanted.push({ name: host.fqdn, type, role: "host" });
    if (host.wildcard) wanted.push({ name: wildcardName(host.fqdn), type, role: "wildcard" });
  }
  for (const device of host.lan?.devices ?? []) wanted.push({ name: device.fqdn, type: "AAAA", role: "lan" });
  try {
    return await Promise.all(
      wanted.map(async (record) => {
        const answer = await nameServers.query(host.zoneId, record.name, record.type);
        const comparable = record.role !== "lan" && record.type === caller.recordType;
        return {
          ...record,
          values: answer.values,
          ttl: answer.ttlSeconds,
          matches: comparable ? recordMatches(answer.values, caller.text) : null,
        };
      }),
    );
  } catch (error) {
    throw new UnavailableError("The zone's name servers did not answer.", RETRY_AFTER_SECONDS, {
      cause: error,
    });
  }
}

/** What differs, one phrase per record; a host that takes no record of the caller's family differs too. */
function mismatches(host: HostConfig, caller: IpAddress, records: readonly AnsweredName[]): string[] {
  if (!host.recordTypes.includes(caller.recordType)) {
    return [`${displayHostname(host.fqdn)} takes no ${caller.recordType} records (you are ${caller.text})`];
  }
  return records
    .filter((record) => record.matches === false)
    .map(
      (record) =>
        `${displayHostname(record.name)} ${record.type} ${record.values.join(",") || "none"} (you are ${caller.text})`,
    );
}

function answerStatus(
  context: RequestContext,
  format: Format,
  host: HostConfig,
  caller: IpAddress,
  records: readonly AnsweredName[],
): HttpResult {
  const differing = mismatches(host, caller, records);
  const ok = differing.length === 0;
  const statusCode = ok ? 200 : 409;
  context.log.decision = "status";
  context.log.results = [ok ? "ok" : "mismatch"];
  if (!ok) context.log.reason = differing.join("; ");
  if (format === "text") return textResponse(statusCode, ok ? "ok\n" : `mismatch ${differing.join("; ")}\n`);
  return jsonResponse(statusCode, {
    hostname: displayHostname(host.fqdn),
    status: ok ? "ok" : "mismatch",
    address: caller.text,
    ttl: host.ttl,
    records: records.map((record) => ({ ...record, name: displayHostname(record.name) })),
    mismatches: differing,
  });
}

function answerFailure(context: RequestContext, format: Format, error: unknown): HttpResult {
  const failure = recordFailure(context.log, error);
  const word = failure.decision;
  // Auth failures read `badauth` and nothing more: the route must not say why, or whether the name exists.
  const message = error instanceof AuthError ? "badauth" : failure.message;
  const headers = {
    ...retryAfterHeader(failure),
    ...(error instanceof AuthError ? { "www-authenticate": BASIC_CHALLENGE } : {}),
  };
  if (format === "text") {
    const line = word === "badauth" ? "badauth" : `${word} ${message}`;
    return textResponse(failure.status, `${line}\n`, headers);
  }
  return jsonResponse(failure.status, { status: word, message }, headers);
}
