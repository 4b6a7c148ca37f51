/**
 * `npm run local-writer -- --queue-url URL [--bundle FILE] [--batch-size N] [--window-seconds S] [--exit-after SECONDS]`
 *
 * Runs the record writer against an emulator's change queue as the event source mapping would
 * (local/writer-poller.ts). By default it runs the built bundle (dist/lambda/writer.mjs from
 * `make build`), so what runs here is what Terraform uploads; the writer's environment is this
 * process's environment. Prints `polling URL` once it polls, and one line per batch.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { SQSClient } from "@aws-sdk/client-sqs";
import { stopOnSignals } from "./process.js";
import { startWriterPoller, type WriterHandler } from "./writer-poller.js";

const usage = `usage: local-writer --queue-url URL [--bundle FILE] [--batch-size N] [--window-seconds S] [--exit-after SECONDS]
  --queue-url       the change queue (Terraform output change_queue_url)
  --bundle          the built entry point (default dist/lambda/writer.mjs)
  --batch-size      messages per invocation at most (default 100)
  --window-seconds  how long a batch gathers after its first message (default 1)
  --exit-after      stop by itself after this many seconds`;

function whole(raw: string, name: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number, not ${raw}`);
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      "queue-url": { type: "string" },
      bundle: { type: "string", default: "dist/lambda/writer.mjs" },
      "batch-size": { type: "string", default: "100" },
      "window-seconds": { type: "string", default: "1" },
      "exit-after": { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const queueUrl = values["queue-url"];
  if (!queueUrl) throw new Error(`--queue-url is required\n${usage}`);
  const entry = `file://${resolve(values.bundle)}`;
  const module = (await import(entry).catch((error) => {
    throw new Error(`cannot load ${entry} (run \`make build\` first): ${error.message}`);
  })) as { handler: WriterHandler };

  const poller = await startWriterPoller({
    sqs: new SQSClient({}),
    queueUrl,
    handler: module.handler,
    batchSize: whole(values["batch-size"], "batch-size"),
    windowSeconds: whole(values["window-seconds"], "window-seconds"),
    onBatch: ({ messages, failed, error }) => {
      if (error && messages === 0) console.error(`local-writer: polling failed: ${(error as Error).message}`);
      else
        console.log(
          `batch of ${messages}: ${failed} left for redelivery${error ? " (the handler threw)" : ""}`,
        );
    },
  });
  console.log(`polling ${queueUrl}`);
  stopOnSignals(() => poller.stop(), values["exit-after"]);
}

main().catch((error: Error) => {
  console.error(`local-writer: ${error.message}`);
  process.exit(1);
});
