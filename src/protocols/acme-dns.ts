/**
 * The acme-dns API (joohoi/acme-dns), which lego, Traefik, acme.sh `dns_acmedns`, certbot hooks,
 * Caddy `caddy-dns/acmedns` and cert-manager's `acmeDNS` solver speak, at `/acme-dns`:
 *
 *   POST /acme-dns/update    X-Api-User: <uuid>, X-Api-Key: <40 chars>, {"subdomain": "…", "txt": "…"}
 *                            200 {"txt":"…"} · 401 {"error":"forbidden"} · 400 {"error":"bad_txt"} /
 *                            {"error":"bad_subdomain"} / {"error":"malformed_json_payload"}
 *   POST /acme-dns/register  403: accounts come from `ddns acme add`, not from the internet
 *   GET  /acme-dns/health    200
 *
 * As acme-dns does: body keys match in any letter case (Go's JSON decoding; older lego sends
 * `SubDomain` / `Txt`), credentials and the source address are checked before the body, and a
 * subdomain that is well-formed but not the account's is `forbidden`. acme.sh only checks that the
 * body contains the quoted value, so the answer is that one line.
 */
import { isChallengeValue, isValidSubdomain } from "../core/acme.js";
import { acmeFailure, acmeError as error, findAccount, writeChallenge } from "./acme-challenge.js";
import { type HttpResult, headerOf, jsonObjectBody, jsonResponse, type RequestContext } from "./http.js";

export const REGISTRATION_DISABLED =
  "registration is disabled: the operator creates accounts with `ddns acme add NAME`";

/** A JSON object's field by name in any letter case, as Go's encoding/json matches struct fields. */
function fieldOf(body: Record<string, unknown>, name: string): unknown {
  if (name in body) return body[name];
  const key = Object.keys(body).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : body[key];
}

export async function handleAcmeDnsUpdate(context: RequestContext): Promise<HttpResult> {
  try {
    const found = await findAccount(
      context,
      headerOf(context.event, "x-api-user") ?? "",
      headerOf(context.event, "x-api-key") ?? "",
    );
    if (!found.ok) return error(context, 401, "forbidden");
    const body = jsonObjectBody(context.event);
    if (!body) return error(context, 400, "malformed_json_payload");
    const subdomain = fieldOf(body, "subdomain");
    const txt = fieldOf(body, "txt");
    if (typeof subdomain !== "string" || !isValidSubdomain(subdomain)) {
      return error(context, 400, "bad_subdomain");
    }
    if (subdomain !== found.account.subdomain) {
      context.log.reason = "subdomain of another account";
      return error(context, 401, "forbidden");
    }
    if (typeof txt !== "string" || !isChallengeValue(txt)) return error(context, 400, "bad_txt");
    await writeChallenge(context, found, "present", txt);
    return jsonResponse(200, { txt });
  } catch (thrown) {
    return acmeFailure(context, thrown);
  }
}

export function handleAcmeDnsRegister(context: RequestContext): HttpResult {
  return error(context, 403, REGISTRATION_DISABLED);
}
