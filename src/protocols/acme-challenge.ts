/**
 * What the two ACME wire formats (acme-dns, lego httpreq) share: finding the caller's account from
 * its credentials and source address, and writing or removing a challenge value with the log fields
 * filled in. Each format turns the outcome into its own answer.
 */
import { type AcmeAccount, checkAccount } from "../core/acme.js";
import type { Backends, ChangeQueue, ChangeShares } from "../core/ports.js";
import { ACME_SHARE, acmeIdentity } from "../core/shares.js";
import { overShare } from "../core/update.js";
import { recordFailure, retryAfterHeader } from "./failures.js";
import { callerAddress, type HttpResult, jsonResponse, type RequestContext } from "./http.js";

export type AccountLookup =
  | { readonly ok: true; readonly account: AcmeAccount; readonly backends: Backends }
  | { readonly ok: false };

/** The account these credentials open from the caller's address, or `{ ok: false }` (the log says why). */
export async function findAccount(
  context: RequestContext,
  username: string,
  password: string,
): Promise<AccountLookup> {
  const source = callerAddress(context.event);
  const backends = await context.backends();
  const check = checkAccount(await backends.config.acmeAccounts(), username, password, source);
  context.log.recordType = "TXT";
  if (!check.ok) {
    context.log.decision = "badauth";
    context.log.reason = check.reason;
    return { ok: false };
  }
  context.log.hostname = check.account.name;
  return { ok: true, account: check.account, backends };
}

/**
 * Queues the edit for the record writer, which applies it with compare-and-set and keeps the last two
 * values (core/acme.ts). No Route 53 read here: the writer reads the record once per batch. The
 * account's fair share comes first: over it, 429 with Retry-After.
 */
export async function writeChallenge(
  context: RequestContext,
  found: { account: AcmeAccount; backends: { queue: ChangeQueue; shares?: ChangeShares | undefined } },
  action: "present" | "cleanup",
  value: string,
): Promise<void> {
  const { account, backends } = found;
  const wait = backends.shares ? await backends.shares.take(acmeIdentity(account.username), ACME_SHARE) : 0;
  if (wait > 0) throw overShare(`The ACME account for ${account.name}`, wait);
  const [changeId] = await backends.queue.send([
    {
      kind: "acme",
      zoneId: account.zoneId,
      requestedAt: context.now(),
      protocol: context.protocol,
      sourceIp: callerAddress(context.event).text,
      name: account.name,
      txtName: account.txtName,
      action,
      value,
    },
  ]);
  context.log.changeId = changeId;
  context.log.decision = action === "present" ? "challenge-set" : "challenge-removed";
}

/** The metrics' decision for each refusal status (metrics/emf-metrics.json). */
const REFUSAL_DECISIONS: Record<number, string> = { 400: "badrequest", 401: "badauth", 403: "forbidden" };

/** Both formats answer errors as acme-dns does: `{"error":"<code>"}`; the log keeps the code as the reason. */
export function acmeError(
  context: RequestContext,
  status: number,
  code: string,
  headers: Record<string, string> = {},
): HttpResult {
  context.log.decision ??= REFUSAL_DECISIONS[status] ?? "error";
  context.log.reason ??= code;
  return jsonResponse(status, { error: code }, headers);
}

const FAILURE_CODES: Record<number, string> = {
  400: "bad_request",
  429: "throttled",
  502: "dns_error",
  503: "unavailable",
};

/** A thrown failure (backend trouble, an undeterminable source address) as an ACME error; 5xx say nothing more. */
export function acmeFailure(context: RequestContext, thrown: unknown): HttpResult {
  const failure = recordFailure(context.log, thrown);
  const code = FAILURE_CODES[failure.status] ?? "internal_error";
  return jsonResponse(failure.status, { error: code }, retryAfterHeader(failure));
}
