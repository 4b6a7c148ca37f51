/** HTTP API payload 2.0 events as API Gateway sends them, for tests that call the handler directly. */
import type { HttpEvent } from "../../src/protocols/http.js";

export interface EventOptions {
  readonly method?: string;
  readonly path?: string;
  /** Either a raw query string or name/value pairs (repeated names allowed). */
  readonly query?: string | ReadonlyArray<readonly [string, string]> | Record<string, string>;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  readonly headers?: Record<string, string>;
  readonly sourceIp?: string;
}

export function httpEvent(options: EventOptions = {}): HttpEvent {
  const method = options.method ?? "GET";
  const path = options.path ?? "/";
  const rawQueryString =
    typeof options.query === "string"
      ? options.query
      : new URLSearchParams((options.query ?? {}) as Record<string, string>).toString();
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString,
    headers: options.headers ?? {},
    body: options.body,
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: {
      accountId: "123456789012",
      apiId: "api",
      domainName: "api.example.com",
      domainPrefix: "api",
      http: {
        method,
        path,
        protocol: "HTTP/1.1",
        sourceIp: options.sourceIp ?? "203.0.113.10",
        userAgent: "test",
      },
      requestId: "request-1",
      routeKey: "$default",
      stage: "$default",
      time: "27/Nov/2026:14:00:00 +0000",
      timeEpoch: 0,
    },
  } as HttpEvent;
}

/** The JSON body of a seed response. */
export function seedBody(result: { body?: string | undefined }): {
  return_status: string;
  return_message: string;
} {
  return JSON.parse(result.body ?? "{}");
}
