/**
 * What the two ACME wire formats (acme-dns, lego httpreq) share: finding the caller's account from
 * its credentials and source address, and writing or removing a challenge value with the log fields
 * filled in. Each format turns the outcome into its own answer.
 */
import { type AcmeAccount, checkAccount, cleanupChallenge, presentChallenge } from "../core/acme.js";
import { UnavailableError } from "../core/errors.js";
import type { TxtRecords } from "../core/ports.js";
import { describeFailure, retryAfterHeader } from "./failures.js";
import { callerAddress, type HttpResult, jsonResponse, type RequestContext } from "./http.js";

export type AccountLookup =
  | { readonly ok: true; readonly account: AcmeAccount; readonly txt: TxtRecords }
  | { readonly ok: false };

/** The account these credentials open from the caller's address, or `{ ok: false }` (the log says why). */
export async function findAccount(
  context: RequestContext,
  username: string,
  password: string,
): Promise<AccountLookup> {
  const source = callerAddress(context.event);
  const backends = await context.backends();
  if (!backends.txt) throw new UnavailableError("ACME challenge records are not served here.", 60);
  const check = checkAccount(await backends.config.acmeAccounts(), username, password, source);
  context.log.recordType = "TXT";
  if (!check.ok) {
    context.log.decision = "badauth";
    context.log.reason = check.reason;
    return { ok: false };
  }
  context.log.hostname = check.account.name;
  return { ok: true, account: check.account, txt: backends.txt };
}

export async function writeChallenge(
  context: RequestContext,
  found: { account: AcmeAccount; txt: TxtRecords },
  action: "present" | "cleanup",
  value: string,
): Promise<void> {
  const write = action === "present" ? presentChallenge : cleanupChallenge;
  await write(found.txt, found.account, value);
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
  const failure = describeFailure(thrown);
  context.log.error = thrown;
  context.log.decision = failure.decision;
  const code = FAILURE_CODES[failure.status] ?? "internal_error";
  return jsonResponse(failure.status, { error: code }, retryAfterHeader(failure));
}
