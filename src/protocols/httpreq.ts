/**
 * lego's `httpreq` DNS provider (`--dns httpreq`, HTTPREQ_ENDPOINT=<api>/httpreq): HTTP Basic auth
 * with an ACME account's user name and password, and
 *
 *   POST /httpreq/present  {"fqdn": "_acme-challenge.<name>.", "value": "<43 chars>"}
 *   POST /httpreq/cleanup  the same; removes that value
 *
 * or, with HTTPREQ_MODE=RAW, {"domain": "<name>", "token": "…", "keyAuth": "…"} from which the value
 * is derived as the ACME server does (base64url SHA-256 of keyAuth). lego counts any 2xx as done.
 * `fqdn` may be the account's own `_acme-challenge.<name>.` or, when lego followed the CNAME of an
 * outside name, the record the CNAME points at. Errors read like acme-dns's: `{"error":"…"}`.
 */
import { createHash } from "node:crypto";
import { type AcmeAccount, challengeName, isChallengeValue } from "../core/acme.js";
import { canonicalHostname } from "../core/hostname.js";
import { acmeError, acmeFailure, findAccount, writeChallenge } from "./acme-challenge.js";
import {
  BASIC_CHALLENGE,
  type HttpResult,
  headerOf,
  jsonObjectBody,
  jsonResponse,
  parseBasicAuth,
  type RequestContext,
} from "./http.js";

interface ChallengeRequest {
  readonly fqdn: string;
  readonly value: string;
}

function readChallenge(body: Record<string, unknown> | undefined): ChallengeRequest | "malformed" {
  if (!body) return "malformed";
  const { fqdn, value, domain, keyAuth } = body;
  if (typeof fqdn === "string" && typeof value === "string") return { fqdn, value };
  if (typeof domain === "string" && typeof keyAuth === "string") {
    const digest = createHash("sha256").update(keyAuth, "utf8").digest("base64url");
    return { fqdn: challengeName(canonicalHostname(domain.replace(/^\*\./, "")) ?? domain), value: digest };
  }
  return "malformed";
}

function isAccountRecord(account: AcmeAccount, fqdn: string): boolean {
  const lower = fqdn.toLowerCase();
  const canonical = lower.endsWith(".") ? lower : `${lower}.`;
  return canonical === account.txtName || canonical === challengeName(account.name);
}

function handle(action: "present" | "cleanup") {
  return async (context: RequestContext): Promise<HttpResult> => {
    try {
      const credentials = parseBasicAuth(headerOf(context.event, "authorization"));
      const found = credentials && (await findAccount(context, credentials.username, credentials.password));
      if (!found?.ok) {
        return acmeError(context, 401, "forbidden", { "www-authenticate": BASIC_CHALLENGE });
      }
      const request = readChallenge(jsonObjectBody(context.event));
      if (request === "malformed") return acmeError(context, 400, "malformed_json_payload");
      if (!isAccountRecord(found.account, request.fqdn)) {
        context.log.reason = "fqdn of another account";
        return acmeError(context, 403, "bad_fqdn");
      }
      if (!isChallengeValue(request.value)) return acmeError(context, 400, "bad_txt");
      await writeChallenge(context, found, action, request.value);
      return jsonResponse(200, { fqdn: found.account.txtName, value: request.value });
    } catch (thrown) {
      return acmeFailure(context, thrown);
    }
  };
}

export const handleHttpreqPresent = handle("present");
export const handleHttpreqCleanup = handle("cleanup");
