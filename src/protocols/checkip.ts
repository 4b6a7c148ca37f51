/**
 * `GET /checkip`: the caller's address as plain text, for firmware "check IP" settings
 * (ddclient `usev4=webv4`, inadyn `checkip-server`), and `GET /health`, which touches no backend.
 */
import { callerAddress, type HttpResult, jsonResponse, type RequestContext, textResponse } from "./http.js";

export function handleCheckIp(context: RequestContext): HttpResult {
  const ip = callerAddress(context.event);
  context.log.decision = "checkip";
  return textResponse(200, `${ip.text}\n`);
}

export function handleHealth(context: RequestContext): HttpResult {
  context.log.decision = "health";
  return jsonResponse(200, { status: "ok" });
}
