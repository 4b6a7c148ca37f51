/**
 * dyndns2 (`GET /nic/update?hostname=a,b&myip=IP`, HTTP Basic auth) for router firmware, ddclient and
 * inadyn. The answer is text, one line per host name in request order: `good <ip>`, `nochg <ip>`,
 * `nohost`, `notfqdn`, `abuse` or `dnserr`; or one line for the whole request: `badauth`, `numhost`,
 * `911`. A dual-stack update answers `good <ipv4>,<ipv6>` (the form ddclient sends in `myip=`).
 *
 * HTTP status: 200 whenever the request was understood, whatever its lines say: ddclient reads no
 * body from other statuses, and inadyn needs 200 before it looks for `good`/`nochg` in the body.
 * `badauth` is a 401 with a Basic challenge (some clients send credentials only after one);
 * `911` carries the failure's own 5xx/429 status and Retry-After, so clients back off; a malformed
 * myip=, for which dyndns2 has no code, is a 400 with a sentence saying what is wrong.
 *
 * Unknown host, dyndns2 not allowed, wrong user name and wrong password all read the same: `badauth`
 * when no host of the request accepts the credentials, else `nohost` on that host's line.
 */
import { type BasicCredentials, checkPassword } from "../core/auth.js";
import { AuthError, BadRequestError, ForbiddenError, ThrottledError } from "../core/errors.js";
import { canonicalHostname, parseHostname } from "../core/hostname.js";
import type { HostConfig, HostDirectory } from "../core/hosts.js";
import { type IpAddress, unreachableScope } from "../core/ip.js";
import type { LanPrefix } from "../core/lan-prefix.js";
import { applyUpdates, lanPrefixFor, type UpdateResult, type UpdateTargets } from "../core/update.js";
import { MAX_HOSTNAMES, readDyndns2Query } from "./dyndns2-request.js";
import { recordFailure, retryAfterHeader } from "./failures.js";
import {
  BASIC_CHALLENGE,
  callerAddress,
  type HttpResult,
  headerOf,
  parseBasicAuth,
  queryOf,
  type RequestContext,
  readLanPrefix,
  singleParam,
  textResponse,
  updateNoters,
} from "./http.js";

type RefusalCode = "notfqdn" | "nohost" | "abuse";

/** What one host name of the request comes to before any DNS work. */
type HostVerdict =
  | {
      readonly kind: "refused";
      readonly code: RefusalCode;
      readonly reason: string;
      /** The host's line when the code alone would leave its owner guessing: the code, a space, why. */
      readonly line?: string;
    }
  | { readonly kind: "accepted"; readonly host: HostConfig; readonly lanPrefix: LanPrefix | undefined };

/** What the request asks for, the same for every host name in it. */
interface UpdateRequest {
  readonly addresses: readonly IpAddress[];
  readonly source: IpAddress;
  readonly lanPrefix: LanPrefix | undefined;
}

function answer(
  context: RequestContext,
  lines: readonly string[],
  statusCode = 200,
  headers: Record<string, string> = {},
): HttpResult {
  context.log.results = [...lines];
  return textResponse(statusCode, `${lines.join("\n")}\n`, headers);
}

export async function handleDyndns2(context: RequestContext): Promise<HttpResult> {
  try {
    const header = headerOf(context.event, "authorization");
    const credentials = parseBasicAuth(header);
    if (!credentials) {
      throw new AuthError("badauth", header === undefined ? "no credentials" : "malformed credentials");
    }
    const params = queryOf(context.event);
    const query = readDyndns2Query(params);
    const sentPrefix = readLanPrefix(singleParam(params, "ip6lanprefix"), context.log);
    if (query.hostnames.length === 0) {
      context.log.decision = "notfqdn";
      return answer(context, ["notfqdn"]);
    }
    if (query.hostnames.length > MAX_HOSTNAMES) {
      context.log.decision = "numhost";
      return answer(context, ["numhost"]);
    }
    const source = callerAddress(context.event);
    const addresses = query.addresses.length > 0 ? query.addresses : [source];
    context.log.recordType = addresses.map((ip) => ip.recordType).join(",");

    const backends = await context.backends();
    const hosts = await backends.config.hosts(query.hostnames);
    const request: UpdateRequest = { addresses, source, lanPrefix: sentPrefix?.prefix };
    const verdicts = query.hostnames.map((name) => judgeHost(hosts, name, credentials, request));
    logHosts(context, query.hostnames, verdicts);
    const anyNameValid = verdicts.some(
      (verdict) => verdict.kind === "accepted" || verdict.code !== "notfqdn",
    );
    const anyAuthenticated = verdicts.some(isAuthenticated);
    if (anyNameValid && !anyAuthenticated) throw new AuthError("badauth", context.log.reason ?? "");

    return answer(context, await updateAccepted(context, backends, verdicts, addresses, source));
  } catch (error) {
    return answerFailure(context, error);
  }
}

/** Credentials first, so that policy answers (`abuse`) only ever reach the host's own owner. */
function judgeHost(
  hosts: HostDirectory,
  nameAsSent: string,
  credentials: BasicCredentials,
  request: UpdateRequest,
): HostVerdict {
  const name = parseHostname(nameAsSent);
  if (!name.ok) return { kind: "refused", code: "notfqdn", reason: `the name ${name.problem}` };
  const host = hosts.find(name.fqdn);
  const password = checkPassword(host, credentials);
  if (!host || !password.ok)
    return { kind: "refused", code: "nohost", reason: password.ok ? "" : password.reason };

  const foreign = request.addresses.find((ip) => ip.text !== request.source.text);
  const unreachable = foreign && unreachableScope(foreign);
  if (foreign && unreachable) {
    // Even with allow_client_ip: nobody on the internet could reach the name. The line still starts
    // with `abuse` (clients read the first word) and its words avoid `good` and `nochg` (inadyn looks for them).
    const why = `myip ${foreign.text} is a ${unreachable} address, which the internet cannot reach (is the router behind another NAT?); leave out myip (the API sees ${request.source.text}) or use the AAAA name`;
    return { kind: "refused", code: "abuse", reason: why, line: `abuse ${why}` };
  }
  if (foreign && !host.allowClientIp) {
    return {
      kind: "refused",
      code: "abuse",
      reason: `myip ${foreign.text} is not the caller's address and allow_client_ip is off`,
    };
  }
  const refusedType = request.addresses.find((ip) => !host.recordTypes.includes(ip.recordType));
  if (refusedType) {
    return { kind: "refused", code: "abuse", reason: `${refusedType.recordType} records are not allowed` };
  }
  try {
    return { kind: "accepted", host, lanPrefix: lanPrefixFor(host, request.lanPrefix, request.source) };
  } catch (error) {
    if (!(error instanceof ForbiddenError)) throw error;
    return {
      kind: "refused",
      code: "abuse",
      reason: "ip6lanprefix sent, but the host has no ipv6_lan_hosts",
    };
  }
}

/**
 * The request's log line names in `hostname` only the hosts whose credentials it carried (accepted, or
 * refused by policy: `abuse`); names it could not authenticate go to `refusedHostname`, so another
 * host's credentials can never make a line read as that host's check-in (src/insights/activity.ts).
 * `reason` says why each refused name was refused (never a secret).
 */
function logHosts(context: RequestContext, names: readonly string[], verdicts: readonly HostVerdict[]): void {
  const joined = (authenticated: boolean) =>
    names
      .filter((_, index) => isAuthenticated(verdicts[index] as HostVerdict) === authenticated)
      .map(canonicalHostname)
      .filter(Boolean)
      .join(",") || undefined;
  context.log.hostname = joined(true);
  context.log.refusedHostname = joined(false);
  const reasons = verdicts.flatMap((verdict, index) =>
    verdict.kind === "refused" ? [`#${index + 1} ${verdict.code}: ${verdict.reason}`] : [],
  );
  context.log.reason = reasons.join("; ") || undefined;
}

/** The request carried this host's own credentials. */
function isAuthenticated(verdict: HostVerdict): boolean {
  return verdict.kind === "accepted" || verdict.code === "abuse";
}

/** All accepted hosts go to applyUpdates together: one change-queue message per host. */
async function updateAccepted(
  context: RequestContext,
  targets: UpdateTargets,
  verdicts: readonly HostVerdict[],
  addresses: readonly IpAddress[],
  source: IpAddress,
): Promise<string[]> {
  const accepted = verdicts.flatMap((verdict) => (verdict.kind === "accepted" ? [verdict] : []));
  const results = await applyUpdates(
    targets,
    accepted.map(({ host, lanPrefix }) => ({ host, addresses, lanPrefix })),
    { protocol: "dyndns2", sourceIp: source.text, requestedAt: context.now(), ...updateNoters(context.log) },
  );
  // A host over its fair share: the client hears 429 with Retry-After (911), not a DNS error.
  const overShare = results.find(
    (result) => result.outcome === "failed" && result.error instanceof ThrottledError,
  );
  if (overShare?.outcome === "failed") throw overShare.error;
  const ipList = addresses.map((ip) => ip.text).join(",");
  let next = 0;
  const lines = verdicts.map((verdict) => {
    if (verdict.kind === "refused") return verdict.line ?? verdict.code;
    return hostLine(context, results[next++] as UpdateResult, ipList);
  });
  context.log.decision = overallDecision(lines);
  return lines;
}

function hostLine(context: RequestContext, result: UpdateResult, ipList: string): string {
  if (result.outcome === "failed") {
    context.log.error ??= result.error;
    return "dnserr";
  }
  if (result.outcome === "updated") {
    context.log.changeId ??= result.changeId;
    context.log.changes = [...(context.log.changes ?? []), ...result.changes];
    return `good ${ipList}`;
  }
  return `nochg ${ipList}`;
}

/** One word for the log: `updated` if anything changed, `unchanged` if nothing needed to, else the first refusal. */
function overallDecision(lines: readonly string[]): string {
  const codes = lines.map((line) => line.split(" ")[0] ?? "");
  if (codes.includes("good")) return "updated";
  return codes.find((code) => code !== "nochg") ?? "unchanged";
}

function answerFailure(context: RequestContext, error: unknown): HttpResult {
  const failure = recordFailure(context.log, error);
  if (error instanceof AuthError) {
    return answer(context, ["badauth"], 401, { "www-authenticate": BASIC_CHALLENGE });
  }
  if (error instanceof BadRequestError) return answer(context, [failure.message], 400);
  return answer(context, ["911"], failure.status, retryAfterHeader(failure));
}
