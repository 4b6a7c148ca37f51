/**
 * `npm run local-api -- [--host H]... [--port N] [--source | --bundle FILE] [--log-group NAME] [--exit-after SECONDS]`
 *
 * Serves the function on loopback as API Gateway would. By default it serves the built bundle
 * (dist/lambda/index.mjs from `make build`), so what runs here is what Terraform uploads; `--source`
 * serves src/handler.ts instead. The function's environment is this process's environment.
 * Prints `listening on http://HOST:PORT` for each address once ready. With `--log-group`, the
 * function's log lines also go to that CloudWatch Logs group, as Lambda sends them (log-delivery.ts).
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { deliverStdoutToLogGroup } from "./log-delivery.js";
import { LOOPBACK_ADDRESS, parsePort, stopOnSignals } from "./process.js";
import { type LambdaHandler, startLocalApi } from "./server.js";

const usage = `usage: local-api [--host ADDRESS]... [--port PORT] [--source | --bundle FILE] [--log-group NAME] [--exit-after SECONDS]
  --host        address to listen on; repeat for several (default: 127.0.0.1 and ::1)
  --port        port (default 8080; 0 picks a free one)
  --source      serve src/handler.ts instead of the built bundle
  --bundle      the built entry point (default dist/lambda/index.mjs)
  --log-group   also send the function's log lines to this CloudWatch Logs group (AWS_ENDPOINT_URL)
  --exit-after  stop by itself after this many seconds`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: "string", multiple: true },
      port: { type: "string", default: "8080" },
      source: { type: "boolean", default: false },
      bundle: { type: "string", default: "dist/lambda/index.mjs" },
      "exit-after": { type: "string" },
      "log-group": { type: "string" },
      "allow-non-loopback": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const hosts = values.host ?? ["127.0.0.1", "::1"];
  // The HTTP server also takes the name localhost (it resolves to loopback).
  const notLoopback = hosts.filter((host) => host !== "localhost" && !LOOPBACK_ADDRESS.test(host));
  if (notLoopback.length > 0 && !values["allow-non-loopback"]) {
    throw new Error(`refusing to listen on ${notLoopback.join(", ")}: the local API is for loopback only`);
  }
  const port = parsePort(values.port);

  const entry = values.source
    ? new URL("../handler.ts", import.meta.url).href
    : `file://${resolve(values.bundle)}`;
  const module = (await import(entry).catch((error) => {
    throw new Error(
      `cannot load ${entry}${values.source ? "" : " (run `make build` first)"}: ${error.message}`,
    );
  })) as { handler: LambdaHandler };

  const delivery = values["log-group"] ? deliverStdoutToLogGroup(values["log-group"]) : undefined;
  const api = await startLocalApi(module.handler, hosts, port);
  for (const url of api.urls) console.log(`listening on ${url}`);

  stopOnSignals(async () => {
    await api.close();
    await delivery?.stop();
  }, values["exit-after"]);
}

main().catch((error: Error) => {
  console.error(`local-api: ${error.message}`);
  process.exit(1);
});
