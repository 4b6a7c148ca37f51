/**
 * The local API's log lines to CloudWatch Logs, as Lambda delivers a function's stdout to its log
 * group: what `ddns host status` and the quiet-host job read (Logs Insights on the request lines)
 * then works against the local stack as against AWS. Lines still reach stdout (the stack's log
 * file); the JSON ones are also sent, once a second, to one stream of `logGroup` (the group
 * Terraform made for the function in the emulator). A failed delivery is reported once on stderr
 * and never stops the API.
 */
import {
  CloudWatchLogsClient,
  CreateLogStreamCommand,
  type InputLogEvent,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";

const FLUSH_INTERVAL_MS = 1000;
/** PutLogEvents takes at most 10,000 events a call. */
const MAX_EVENTS_PER_CALL = 10_000;

export interface LogDelivery {
  /** Sends what is buffered and stops watching stdout. */
  stop(): Promise<void>;
}

export function deliverStdoutToLogGroup(
  logGroup: string,
  client: CloudWatchLogsClient = new CloudWatchLogsClient({}),
): LogDelivery {
  const stream = `local-api/${new Date().toISOString().slice(0, 10)}/${process.pid}`;
  const pending: InputLogEvent[] = [];
  let partial = "";
  let streamReady: Promise<unknown> | undefined;
  let warned = false;

  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    const lines = (partial + (typeof chunk === "string" ? chunk : Buffer.from(chunk).toString())).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines)
      if (line.startsWith("{")) pending.push({ timestamp: Date.now(), message: line });
    return write(chunk, ...rest);
  }) as typeof process.stdout.write;

  const flush = async () => {
    if (pending.length === 0) return;
    const events = pending.splice(0, MAX_EVENTS_PER_CALL);
    try {
      streamReady ??= client
        .send(new CreateLogStreamCommand({ logGroupName: logGroup, logStreamName: stream }))
        .catch((error: Error) => {
          if (error.name !== "ResourceAlreadyExistsException") throw error;
        });
      await streamReady;
      await client.send(
        new PutLogEventsCommand({ logGroupName: logGroup, logStreamName: stream, logEvents: events }),
      );
    } catch (error) {
      streamReady = undefined;
      if (!warned) {
        warned = true;
        process.stderr.write(
          `local-api: log lines not delivered to ${logGroup}: ${(error as Error).message}\n`,
        );
      }
    }
  };
  let flushing = Promise.resolve();
  const timer = setInterval(() => {
    flushing = flushing.then(flush);
  }, FLUSH_INTERVAL_MS);
  timer.unref();

  return {
    async stop() {
      clearInterval(timer);
      process.stdout.write = write;
      await flushing;
      while (pending.length > 0) await flush();
    },
  };
}
