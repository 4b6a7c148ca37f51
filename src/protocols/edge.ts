/**
 * The optional edge (terraform/modules/edge-rate-limit: CloudFront with a per-address WAF limit) in
 * front of the HTTP API. Behind it API Gateway sees the edge's address, not the router's, so the
 * caller's address must come from the `CloudFront-Viewer-Address` header CloudFront adds — and a
 * header is trusted only on requests that prove they came through the edge: they carry the secret
 * that CloudFront adds as an origin header (`DDNS_EDGE_SECRET`). Anything else is refused, so a
 * router configured with the API's own URL learns to use the edge's instead.
 */
import { ForbiddenError } from "../core/errors.js";
import { parseIp } from "../core/ip.js";
import { secretsEqual } from "../core/tokens.js";
import { type HttpEvent, headerOf } from "./http.js";

export const EDGE_SECRET_HEADER = "x-ddns-edge-secret";
const VIEWER_ADDRESS_HEADER = "cloudfront-viewer-address";

export const EDGE_ONLY_MESSAGE = "Use the API's edge (CloudFront) URL: direct requests are refused.";

/**
 * The event as if API Gateway had seen the viewer: `requestContext.http.sourceIp` is the address
 * CloudFront reports, and the secret header is gone. Throws ForbiddenError for a request that did
 * not come through the edge.
 */
export function viaEdge(event: HttpEvent, edgeSecret: string): HttpEvent {
  const presented = headerOf(event, EDGE_SECRET_HEADER);
  if (presented === undefined || !secretsEqual(presented, edgeSecret))
    throw new ForbiddenError(EDGE_ONLY_MESSAGE);
  const headers = Object.fromEntries(
    Object.entries(event.headers ?? {}).filter(([name]) => name.toLowerCase() !== EDGE_SECRET_HEADER),
  );
  const viewer = viewerAddress(headerOf(event, VIEWER_ADDRESS_HEADER));
  const http = event.requestContext?.http;
  // An unknown viewer address leaves sourceIp empty: the protocols then answer 400.
  return {
    ...event,
    headers,
    requestContext: { ...event.requestContext, http: { ...http, sourceIp: viewer ?? "" } },
  };
}

/** `CloudFront-Viewer-Address` is `IP:PORT`; IPv6 addresses are not bracketed (`2001:db8::1:443`). */
function viewerAddress(header: string | undefined): string | undefined {
  const separator = header?.lastIndexOf(":") ?? -1;
  if (header === undefined || separator < 0) return undefined;
  return parseIp(header.slice(0, separator))?.text;
}
