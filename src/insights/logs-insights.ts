/**
 * CloudWatch Logs Insights, the store we did not have to build: the function's own request log lines
 * answer "when did this host last check in, and what were its addresses". One query is started,
 * polled until it completes, and stopped if it outlasts `timeoutMs`.
 */
import {
  type CloudWatchLogsClient,
  GetQueryResultsCommand,
  type ResultField,
  StartQueryCommand,
  StopQueryCommand,
} from "@aws-sdk/client-cloudwatch-logs";

export type QueryRow = Record<string, string>;

export interface InsightsOptions {
  readonly pollMs?: number;
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export class QueryFailedError extends Error {
  override name = "QueryFailedError";
}

const DONE = new Set(["Complete", "Failed", "Cancelled", "Timeout"]);

export class LogsInsights {
  readonly #client: CloudWatchLogsClient;
  readonly #pollMs: number;
  readonly #timeoutMs: number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(client: CloudWatchLogsClient, options: InsightsOptions = {}) {
    this.#client = client;
    this.#pollMs = options.pollMs ?? 500;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** The rows of `query` over `logGroup` between `since` and `until`, each as field → value. */
  async query(logGroup: string, query: string, window: { since: Date; until: Date }): Promise<QueryRow[]> {
    const { queryId } = await this.#client.send(
      new StartQueryCommand({
        logGroupName: logGroup,
        queryString: query,
        // The API counts whole seconds.
        startTime: Math.floor(window.since.getTime() / 1000),
        endTime: Math.ceil(window.until.getTime() / 1000),
      }),
    );
    if (!queryId) throw new QueryFailedError("CloudWatch Logs started no query.");
    const deadline = Date.now() + this.#timeoutMs;
    for (;;) {
      const output = await this.#client.send(new GetQueryResultsCommand({ queryId }));
      const status = output.status ?? "Unknown";
      if (status === "Complete") return (output.results ?? []).map(toRow);
      if (DONE.has(status))
        throw new QueryFailedError(`The Logs Insights query ended with status ${status}.`);
      if (Date.now() >= deadline) {
        await this.#client.send(new StopQueryCommand({ queryId })).catch(() => undefined);
        throw new QueryFailedError(
          `The Logs Insights query did not finish within ${this.#timeoutMs / 1000} s.`,
        );
      }
      await this.#sleep(this.#pollMs);
    }
  }
}

function toRow(fields: ResultField[]): QueryRow {
  return Object.fromEntries(
    fields.flatMap((field) => (field.field ? [[field.field, field.value ?? ""]] : [])),
  );
}

/** Insights answers `@timestamp` as "2026-11-30 18:00:00.000" (UTC); some emulators as epoch milliseconds. */
export function parseInsightsTime(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const time = /^\d+$/.test(value) ? Number(value) : Date.parse(`${value.replace(" ", "T")}Z`);
  return Number.isNaN(time) ? undefined : new Date(time);
}
