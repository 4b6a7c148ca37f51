/**
 * The request path shared by the Lambda handler and everything that runs it elsewhere (the local
 * API, tests, benchmarks): route the event, run the protocol, write the request's one log line.
 */
import { randomUUID } from "node:crypto";
import { errorSummary, type Logger } from "./core/log.js";
import { DEFAULT_METRICS_NAMESPACE, emfFields, metricDirectives } from "./metrics/emf.js";
import { handleAcmeDnsRegister, handleAcmeDnsUpdate } from "./protocols/acme-dns.js";
import { handleCheckIp, handleHealth } from "./protocols/checkip.js";
import { handleDyndns2 } from "./protocols/dyndns2.js";
import { viaEdge } from "./protocols/edge.js";
import { describeFailure } from "./protocols/failures.js";
import {
  type Backends,
  type HttpEvent,
  type HttpResult,
  jsonResponse,
  type RequestContext,
  type RequestLogFields,
} from "./protocols/http.js";
import { handleHttpreqCleanup, handleHttpreqPresent } from "./protocols/httpreq.js";
import { handleSeed } from "./protocols/seed.js";

type RouteHandler = (context: RequestContext) => HttpResult | Promise<HttpResult>;

interface Route {
  /** The metrics' protocol dimension (terraform/emf-metrics.json). */
  readonly protocol: string;
  readonly methods: ReadonlyMap<string, RouteHandler>;
}

/**
 * Routes by method and path, so the function works behind explicit routes or `$default` alike.
 * Looked up in Maps, never as object properties: a method or path the caller sends (`constructor`,
 * `__proto__`, `valueOf`) must not reach the object prototype.
 */
const ROUTES = routeTable({
  "/": { protocol: "seed", methods: { GET: handleSeed, POST: handleSeed } },
  "/checkip": { protocol: "checkip", methods: { GET: handleCheckIp } },
  "/nic/update": { protocol: "dyndns2", methods: { GET: handleDyndns2 } },
  "/health": { protocol: "health", methods: { GET: handleHealth } },
  "/acme-dns/update": { protocol: "acme-dns", methods: { POST: handleAcmeDnsUpdate } },
  "/acme-dns/register": { protocol: "acme-dns", methods: { POST: handleAcmeDnsRegister } },
  "/acme-dns/health": { protocol: "health", methods: { GET: handleHealth } },
  "/httpreq/present": { protocol: "httpreq", methods: { POST: handleHttpreqPresent } },
  "/httpreq/cleanup": { protocol: "httpreq", methods: { POST: handleHttpreqCleanup } },
});

function routeTable(
  table: Record<string, { protocol: string; methods: Record<string, RouteHandler> }>,
): ReadonlyMap<string, Route> {
  // Object.entries lists own properties only.
  return new Map(
    Object.entries(table).map(([path, { protocol, methods }]) => [
      path,
      { protocol, methods: new Map(Object.entries(methods)) },
    ]),
  );
}

export interface AppOptions {
  readonly backends: () => Promise<Backends>;
  readonly log: Logger;
  readonly now?: () => number;
  /** Set when the API sits behind the edge (`DDNS_EDGE_SECRET`): see protocols/edge.ts. */
  readonly edgeSecret?: string;
  /** CloudWatch namespace of the metrics in the log line (DDNS_METRICS_NAMESPACE). */
  readonly metricsNamespace?: string;
}

export type App = (event: HttpEvent, requestId?: string) => Promise<HttpResult>;

export function createApp(options: AppOptions): App {
  const now = options.now ?? Date.now;
  const directives = metricDirectives(options.metricsNamespace ?? DEFAULT_METRICS_NAMESPACE);
  return async (event, requestId = randomUUID()) => {
    const startedAt = performance.now();
    const method = event.requestContext?.http?.method ?? "GET";
    const path = normalizePath(event.rawPath ?? "/");
    const log: RequestLogFields = {};
    let sourceIp = event.requestContext?.http?.sourceIp;

    let result: HttpResult;
    const methods = ROUTES.get(path)?.methods;
    // No HEAD-as-GET: a GET here may change DNS, and HEAD must never do that.
    const route = methods?.get(method);
    try {
      const request = options.edgeSecret === undefined ? event : viaEdge(event, options.edgeSecret);
      sourceIp = request.requestContext?.http?.sourceIp;
      const context: RequestContext = {
        event: request,
        method,
        backends: options.backends,
        nowSeconds: () => Math.floor(now() / 1000),
        now,
        protocol: ROUTES.get(path)?.protocol ?? "none",
        log,
      };
      if (route) result = await route(context);
      else if (methods) result = notAllowed(methods, log);
      else result = notFound(log);
    } catch (error) {
      // Protocols answer their own failures; this is the net for anything they did not expect.
      const failure = describeFailure(error);
      Object.assign(log, { decision: failure.decision, error: failure.status >= 500 ? error : undefined });
      result = jsonResponse(failure.status, { return_status: "fail", return_message: failure.message });
    }

    const metrics = {
      decision: log.decision ?? "error",
      protocol: ROUTES.get(path)?.protocol ?? "none",
      latencyMs: Math.round((performance.now() - startedAt) * 100) / 100,
    };
    options.log({
      // dyndns2 reports a failed host with 200 (`dnserr`), so the status alone does not tell.
      level: result.statusCode >= 500 || log.error !== undefined ? "error" : "info",
      msg: "request",
      requestId,
      method,
      route: route ? path : "unmatched",
      sourceIp,
      ...log,
      error: errorSummary(log.error),
      status: result.statusCode,
      ...emfFields(directives, metrics, now()),
    });
    return result;
  };
}

function normalizePath(rawPath: string): string {
  return rawPath.length > 1 && rawPath.endsWith("/") ? rawPath.slice(0, -1) : rawPath;
}

function notFound(log: RequestLogFields): HttpResult {
  log.decision = "notfound";
  return jsonResponse(404, { return_status: "fail", return_message: "Not found." });
}

function notAllowed(methods: ReadonlyMap<string, RouteHandler>, log: RequestLogFields): HttpResult {
  log.decision = "badrequest";
  const allowed = [...methods.keys()].join(", ");
  return jsonResponse(
    405,
    { return_status: "fail", return_message: `Method not allowed; use ${allowed}.` },
    { allow: allowed },
  );
}
