/**
 * Lambda entry point (`index.handler`): HTTP API payload 2.0 event in, response out; or the
 * scheduled quiet-host check (jobs/quiet-hosts.ts) when its rule invokes the function. Wiring only.
 */
import type { Context } from "aws-lambda";
import { createApp } from "./app.js";
import { jsonLineLogger } from "./core/log.js";
import { isQuietCheckEvent, type QuietCheckEvent, type QuietHostEvent } from "./jobs/quiet-hosts.js";
import type { Backends, HttpEvent, HttpResult } from "./protocols/http.js";
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
});

export function handler(event: HttpEvent, context?: Pick<Context, "awsRequestId">): Promise<HttpResult>;
export function handler(event: QuietCheckEvent): Promise<QuietHostEvent[]>;
export async function handler(
  event: HttpEvent | QuietCheckEvent,
  context?: Pick<Context, "awsRequestId">,
): Promise<HttpResult | QuietHostEvent[]> {
  if (!isQuietCheckEvent(event)) return app(event, context?.awsRequestId);
  const [{ runQuietHostCheck }, loaded] = await Promise.all([import("./aws.js"), loadBackends()]);
  return runQuietHostCheck(loaded, readSettings(process.env), jsonLineLogger, {
    everyMinutes: event.everyMinutes,
    // Lambda names the function's log group in its environment.
    logGroup: process.env.AWS_LAMBDA_LOG_GROUP_NAME ?? "",
  });
}
