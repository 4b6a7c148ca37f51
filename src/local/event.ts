/**
 * Turns a real HTTP request into the HTTP API payload 2.0 event API Gateway would send, and the
 * function's result back into an HTTP response, so the handler runs here exactly as in AWS.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { HttpEvent, HttpResult } from "../protocols/http.js";

/** API Gateway's own limit on a request payload. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
const TEXT_CONTENT = /^(text\/|application\/(json|x-www-form-urlencoded|xml))/i;

export class PayloadTooLargeError extends Error {
  override name = "PayloadTooLargeError";
}

/** A request API Gateway itself would refuse with 400 before any function ran (e.g. `GET /%`). */
export class MalformedRequestError extends Error {
  override name = "MalformedRequestError";
}

/** The decoded path of `requestContext.http.path`; a bad percent-encoding is the caller's fault. */
function decodePath(rawPath: string): string {
  try {
    return decodeURIComponent(rawPath);
  } catch {
    throw new MalformedRequestError("the path is not valid percent-encoding");
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_PAYLOAD_BYTES) throw new PayloadTooLargeError("payload too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** API Gateway reports an IPv4 peer as a plain dotted quad, never in its IPv4-mapped IPv6 form. */
export function sourceIpOf(request: IncomingMessage): string {
  const address = request.socket.remoteAddress ?? "";
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}

export async function toHttpApiEvent(request: IncomingMessage): Promise<HttpEvent> {
  const target = request.url ?? "/";
  const queryStart = target.indexOf("?");
  const rawPath = queryStart < 0 ? target : target.slice(0, queryStart);
  const rawQueryString = queryStart < 0 ? "" : target.slice(queryStart + 1);
  const path = decodePath(rawPath);

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headersDistinct)) {
    if (value) headers[name] = value.join(",");
  }
  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    queryStringParameters[name] =
      name in queryStringParameters ? `${queryStringParameters[name]},${value}` : value;
  }
  const body = await readBody(request);
  const isText = TEXT_CONTENT.test(headers["content-type"] ?? "text/plain");
  const now = new Date();
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath,
    rawQueryString,
    cookies: headers.cookie?.split(/;\s*/),
    headers,
    queryStringParameters: rawQueryString ? queryStringParameters : undefined,
    body: body.length === 0 ? undefined : body.toString(isText ? "utf8" : "base64"),
    isBase64Encoded: body.length > 0 && !isText,
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName: headers.host ?? "localhost",
      domainPrefix: (headers.host ?? "localhost").split(".")[0] ?? "localhost",
      http: {
        method: request.method ?? "GET",
        path,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: sourceIpOf(request),
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey: "$default",
      stage: "$default",
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
  } as HttpEvent;
}

export function writeHttpResult(response: ServerResponse, result: HttpResult): void {
  const body = result.body ?? "";
  const bytes = result.isBase64Encoded ? Buffer.from(body, "base64") : Buffer.from(body, "utf8");
  const headers: Record<string, string | string[]> = { "content-length": String(bytes.length) };
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) headers["set-cookie"] = result.cookies;
  response.writeHead(result.statusCode, headers);
  response.end(bytes);
}
