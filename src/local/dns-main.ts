/**
 * `node --import tsx src/local/dns-main.ts [--host 127.0.0.1] [--port N] [--exit-after SECONDS]`
 *
 * The local authoritative DNS server as a process, for scripts/local-stack. Route 53 is the one the
 * environment points the SDK at (AWS_ENDPOINT_URL and credentials). Prints
 * `dns server listening on HOST:PORT (udp, tcp)` once it answers.
 */
import { parseArgs } from "node:util";
import { startDnsServer } from "./dns-server.js";
import { LOOPBACK_ADDRESS, parsePort, stopOnSignals } from "./process.js";

const usage = `usage: dns-server [--host ADDRESS] [--port PORT] [--exit-after SECONDS]
  --host        loopback address to listen on (default 127.0.0.1)
  --port        UDP and TCP port (default 0: a free one)
  --exit-after  stop by itself after this many seconds`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "0" },
      "exit-after": { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  if (!LOOPBACK_ADDRESS.test(values.host))
    throw new Error(`refusing to listen on ${values.host}: loopback only`);
  const port = parsePort(values.port);

  const server = await startDnsServer({ host: values.host, port });
  console.log(`dns server listening on ${server.address} (udp, tcp)`);
  stopOnSignals(() => server.stop(), values["exit-after"]);
}

main().catch((error: Error) => {
  console.error(`dns-server: ${error.message}`);
  process.exit(1);
});
