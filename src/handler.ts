/**
 * Lambda entry point (`index.handler`): HTTP API payload 2.0 event in, response out. Wiring only.
 */
import type { Context } from "aws-lambda";
import { createApp } from "./app.js";
import { jsonLineLogger } from "./core/log.js";
import type { Backends } from "./core/ports.js";
import type { HttpEvent, HttpResult } from "./protocols/http.js";
import { readMetricsNamespace, readSettings } from "./settings.js";

let backends: Promise<Backends> | undefined;

function loadBackends(): Promise<Backends> {
  backends ??= (async () => {
    const settings = readSettings(process.env);
    const { createAwsBackends } = await import("./aws.js");
    return createAwsBackends(settings, jsonLineLogger);
  })().catch((error) => {
    backends = undefined; // a later request may succeed (e.g. the environment is fixed)
    throw error;
  });
  return backends;
}

const app = createApp({
  backends: loadBackends,
  log: jsonLineLogger,
  metricsNamespace: readMetricsNamespace(process.env, jsonLineLogger),
  edgeSecret: process.env.DDNS_EDGE_SECRET || undefined,
});

export function handler(event: HttpEvent, context?: Pick<Context, "awsRequestId">): Promise<HttpResult> {
  return app(event, context?.awsRequestId);
}
