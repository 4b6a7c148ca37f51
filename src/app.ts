/**
 * The request path shared by the Lambda handler and everything that runs it elsewhere (the local
 * API, tests, benchmarks): route the event, run the protocol, write the request's one log line.
 */
import { randomUUID } from "node:crypto";
import routeCatalogue from "../terraform/routes.json" with { type: "json" };
import { errorSummary, type Logger } from "./core/log.js";
import type { Backends } from "./core/ports.js";
import { DEFAULT_METRICS_NAMESPACE, emfFields, metricDirectives } from "./metrics/emf.js";
import { handleAcmeDnsRegister, handleAcmeDnsUpdate } from "./protocols/acme-dns.js";
import { handleCheckIp, handleHealth } from "./protocols/checkip.js";
import { handleDyndns2 } from "./protocols/dyndns2.js";
import { viaEdge } from "./protocols/edge.js";
import { recordFailure } from "./protocols/failures.js";
import {
  type HttpEvent,
  type HttpResult,
  jsonResponse,
  type RequestContext,
  type RequestLogFields,
} from "./protocols/http.js";
import { handleHttpreqCleanup, handleHttpreqPresent } from "./protocols/httpreq.js";
import { handleSeed } from "./protocols/seed.js";
import { handleStatus } from "./protocols/status.js";

type RouteHandler = (context: RequestContext) => HttpResult | Promise<HttpResult>;

interface Route {
  /** The metrics' protocol dimension (terraform/emf-metrics.json). */
  readonly protocol: string;
  readonly methods: ReadonlyMap<string, RouteHandler>;
}

/** What runs each `METHOD /path` of terraform/routes.json: the catalogue says which routes exist. */
const HANDLERS: Readonly<Record<string, RouteHandler>> = {
  "GET /": handleSeed,
  "POST /": handleSeed,
  "GET /checkip": handleCheckIp,
  "GET /nic/update": handleDyndns2,
  "GET /health": handleHealth,
  "POST /acme-dns/update": handleAcmeDnsUpdate,
  "POST /acme-dns/register": handleAcmeDnsRegister,
  "GET /acme-dns/health": handleHealth,
  "POST /httpreq/present": handleHttpreqPresent,
  "POST /httpreq/cleanup": handleHttpreqCleanup,
  "GET /status": handleStatus,
};

/**
 * Routes by method and path, so the function works behind explicit routes or `$default` alike.
 * Looked up in Maps, never as object properties: a method or path the caller sends (`constructor`,
 * `__proto__`, `valueOf`) must not reach the object prototype.
 */
const ROUTES = routeTable(routeCatalogue.routes, HANDLERS);

/**
 * Joins the catalogue to the handlers, and refuses to load when either names a route the other does
 * not: API Gateway would then send a request the function cannot answer, or never send one it can.
 */
export function routeTable(
  catalogue: Readonly<Record<string, { readonly protocol: string; readonly methods: readonly string[] }>>,
  handlers: Readonly<Record<string, RouteHandler>>,
): ReadonlyMap<string, Route> {
  const unused = new Set(Object.keys(handlers));
  // Object.entries lists own properties only.
  const table = new Map(
    Object.entries(catalogue).map(([path, { protocol, methods }]) => {
      const byMethod = new Map<string, RouteHandler>();
      for (const method of methods) {
        const key = `${method} ${path}`;
        const handler = Object.hasOwn(handlers, key) ? handlers[key] : undefined;
        if (!handler) throw new Error(`terraform/routes.json lists ${key}, but no handler serves it`);
        unused.delete(key);
        byMethod.set(method, handler);
      }
      return [path, { protocol, methods: byMethod }] as const;
    }),
  );
  if (unused.size > 0) throw new Error(`terraform/routes.json lacks ${[...unused].join(", ")}`);
  return table;
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
      const failure = recordFailure(log, error);
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
