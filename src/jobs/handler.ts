/**
 * Lambda entry point of the scheduled jobs (`jobs.handler`, a second function from the same zip):
 * today the quiet-host check (jobs/quiet-hosts.ts). Its own entry, and not a branch of index.handler,
 * because it needs the CloudWatch Logs client: the request path (index.mjs and what it can import)
 * must never reach that client, which scripts/build.mjs checks against the function's code budget.
 * So the wiring lives here rather than in src/aws.ts, which the request path imports.
 */
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { createAwsBackends } from "../aws.js";
import { jsonLineLogger } from "../core/log.js";
import { putEvents } from "../events/eventbridge.js";
import { FLEET_QUERY, fleetActivity } from "../insights/activity.js";
import { LogsInsights } from "../insights/logs-insights.js";
import { readSettings } from "../settings.js";
import { checkQuietHosts, isQuietCheckEvent, QUIET_DETAIL_TYPE, type QuietHostEvent } from "./quiet-hosts.js";

export class NotAJobError extends Error {
  override name = "NotAJobError";
}

export class NoEventBusError extends Error {
  override name = "NoEventBusError";
}

export async function handler(event: unknown): Promise<QuietHostEvent[]> {
  if (!isQuietCheckEvent(event))
    throw new NotAJobError(
      'Expected the scheduled rule\'s input {"ddns":"quiet-hosts","everyMinutes":N,"logGroup":"…"}.',
    );
  const settings = readSettings(process.env);
  const busName = settings.eventBus;
  if (busName === undefined)
    throw new NoEventBusError("DDNS_EVENT_BUS is not set: the quiet-host check has nowhere to announce.");
  const { config } = createAwsBackends(settings, jsonLineLogger);
  // Inside the function's timeout (terraform/modules/quiet-hosts), with time to spare for the events.
  const insights = new LogsInsights(new CloudWatchLogsClient({ maxAttempts: 3 }), { timeoutMs: 20_000 });
  const eventBridge = new EventBridgeClient({ maxAttempts: 3 });
  return checkQuietHosts(
    {
      config,
      fleet: async (since, until) =>
        fleetActivity(await insights.query(event.logGroup, FLEET_QUERY, { since, until })),
      announce: (events) => putEvents(eventBridge, busName, QUIET_DETAIL_TYPE, events),
      log: jsonLineLogger,
      now: Date.now,
    },
    event.everyMinutes,
  );
}
