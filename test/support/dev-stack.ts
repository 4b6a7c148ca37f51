/**
 * A throw-away stack for shell-level tests (bats): moto + bucket + zone + change queue + demo hosts +
 * the local API serving the built bundle on 127.0.0.1 and ::1 + the record writer polling the queue
 * (src/local/writer-main.ts, the built writer.mjs). Processes run detached and stop on `down`, or by
 * themselves after an hour. `record` waits until the change queue has drained before it reads.
 *
 *   npx tsx test/support/dev-stack.ts up STATE_DIR       writes STATE_DIR/env and STATE_DIR/hosts.env
 *   npx tsx test/support/dev-stack.ts record STATE_DIR NAME TYPE   prints the record's values, one a line
 *   npx tsx test/support/dev-stack.ts config STATE_DIR FILE        replaces the config file
 *   npx tsx test/support/dev-stack.ts down STATE_DIR
 *
 * env: DDNS_URL, DDNS_URL6, MOTO_URL, ZONE_ID, CONFIG_BUCKET, CHANGE_QUEUE_URL, LOCAL_API_PID, WRITER_PID, MOTO_PID.
 * hosts.env: HOST_V4 (A only), HOST_DUAL (A+AAAA), HOST_TS (require_timestamp), HOST_DYNDNS
 * (allow_dyndns2), HOST_RELAY (allow_dyndns2 + allow_client_ip), each with HOST_*_SECRET.
 */

import { spawn } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SQSClient } from "@aws-sdk/client-sqs";
import { generateSecret } from "../../src/admin/secrets.js";
import { attachAwsFixture, createAwsFixture, TEST_CREDENTIALS, TEST_REGION } from "./aws-fixture.js";
import { deployedEnvironment } from "./deployment.js";
import { freePort, startMoto, waitForHttp } from "./moto.js";
import { createChangeQueues, queueDepth } from "./writer.js";

const LIFETIME_SECONDS = 3600;

interface DemoHost {
  readonly variable: string;
  readonly name: string;
  readonly entry: Record<string, unknown>;
}

const DEMO_HOSTS: readonly DemoHost[] = [
  { variable: "HOST_V4", name: "home", entry: { route_53_record_type: "A" } },
  { variable: "HOST_DUAL", name: "dual", entry: { record_types: ["A", "AAAA"] } },
  { variable: "HOST_TS", name: "strict", entry: { record_types: ["A", "AAAA"], require_timestamp: true } },
  { variable: "HOST_DYNDNS", name: "router", entry: { record_types: ["A", "AAAA"], allow_dyndns2: true } },
  {
    variable: "HOST_RELAY",
    name: "relay",
    entry: { record_types: ["A", "AAAA"], allow_dyndns2: true, allow_client_ip: true },
  },
];

function shellAssignments(values: Record<string, string | number>): string {
  return `${Object.entries(values)
    .map(([key, value]) => `${key}='${String(value).replaceAll("'", "'\\''")}'`)
    .join("\n")}\n`;
}

async function readEnvFile(path: string): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const line of (await readFile(path, "utf8")).split("\n")) {
    const match = /^([A-Z0-9_]+)='(.*)'$/.exec(line);
    if (match?.[1]) values[match[1]] = (match[2] ?? "").replaceAll("'\\''", "'");
  }
  return values;
}

async function up(stateDir: string): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  const moto = await startMoto({ maxLifetimeSeconds: LIFETIME_SECONDS, detached: true });
  const fixture = await createAwsFixture(moto.url, { inProcessWriter: false });
  const zone = fixture.zoneName.slice(0, -1);

  const config: Record<string, unknown> = {};
  const hosts: Record<string, string> = {};
  for (const host of DEMO_HOSTS) {
    const fqdn = `${host.name}.${zone}`;
    const secret = generateSecret();
    config[`${fqdn}.`] = {
      aws_region: "us-east-1",
      route_53_zone_id: fixture.zoneId,
      route_53_record_ttl: 60,
      shared_secret: secret,
      ...host.entry,
    };
    hosts[host.variable] = fqdn;
    hosts[`${host.variable}_SECRET`] = secret;
  }
  await fixture.putConfig(config);
  const sqs = sqsClient(moto.url);
  const { queueUrl } = await createChangeQueues(sqs, "ddns-changes", { visibilityTimeoutSeconds: 2 });
  sqs.destroy();
  const resources = { bucket: fixture.bucket, queueUrl };
  const environment = {
    ...process.env,
    ...deployedEnvironment(moto.url, resources),
    // Tests replace the config between runs and expect the function to see it at once.
    DDNS_CONFIG_CACHE_SECONDS: "0",
  };
  const writerEnvironment = { ...process.env, ...deployedEnvironment(moto.url, resources, "writer") };

  const port = await freePort();
  // The local API serves the built bundle (dist/lambda), as Lambda would run it.
  const localApi = spawn(
    "timeout",
    [
      String(LIFETIME_SECONDS),
      process.execPath,
      "--import",
      "tsx",
      "src/local/main.ts",
      "--port",
      String(port),
    ],
    {
      stdio: ["ignore", "ignore", "inherit"],
      detached: true,
      env: environment,
    },
  );
  // The record writer from the built bundle, polling the queue as the event source mapping would.
  const writer = spawn(
    "timeout",
    [
      String(LIFETIME_SECONDS),
      process.execPath,
      "--import",
      "tsx",
      "src/local/writer-main.ts",
      "--queue-url",
      queueUrl,
    ],
    { stdio: ["ignore", "ignore", "inherit"], detached: true, env: writerEnvironment },
  );
  writer.unref();
  let exited = false;
  localApi.once("exit", () => {
    exited = true;
  });
  await waitForHttp(`http://127.0.0.1:${port}/health`, 30_000, () => exited);
  moto.process.unref();
  localApi.unref();

  await writeFile(
    join(stateDir, "env"),
    shellAssignments({
      DDNS_URL: `http://127.0.0.1:${port}`,
      DDNS_URL6: `http://[::1]:${port}`,
      MOTO_URL: moto.url,
      ZONE_ID: fixture.zoneId,
      CONFIG_BUCKET: fixture.bucket,
      CHANGE_QUEUE_URL: queueUrl,
      LOCAL_API_PID: localApi.pid ?? 0,
      WRITER_PID: writer.pid ?? 0,
      MOTO_PID: moto.process.pid ?? 0,
    }),
  );
  await writeFile(join(stateDir, "hosts.env"), shellAssignments(hosts), { mode: 0o600 });
}

async function down(stateDir: string): Promise<void> {
  const env = await readEnvFile(join(stateDir, "env")).catch(() => ({}) as Record<string, string>);
  for (const name of ["LOCAL_API_PID", "WRITER_PID", "MOTO_PID"]) {
    const pid = Number(env[name]);
    if (!pid) continue;
    try {
      process.kill(-pid, "SIGTERM"); // the whole detached process group
    } catch {
      // already gone
    }
  }
}

function sqsClient(endpoint: string): SQSClient {
  return new SQSClient({ endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
}

/** Waits (up to 20 s) until the writer has handled every queued change. */
async function drained(sqs: SQSClient, queueUrl: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await queueDepth(sqs, queueUrl)) > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function main(): Promise<void> {
  const [command, stateDir, ...rest] = process.argv.slice(2);
  if (!command || !stateDir) throw new Error("usage: dev-stack.ts up|down|record|config STATE_DIR …");
  if (command === "up") return up(stateDir);
  if (command === "down") return down(stateDir);
  const env = await readEnvFile(join(stateDir, "env"));
  const fixture = attachAwsFixture(env.MOTO_URL ?? "", {
    bucket: env.CONFIG_BUCKET ?? "",
    zoneId: env.ZONE_ID ?? "",
    zoneName: "dyn.example.com.",
  });
  if (command === "record") {
    const [name = "", type = "A"] = rest;
    await drained(sqsClient(env.MOTO_URL ?? ""), env.CHANGE_QUEUE_URL ?? "");
    const { values } = await fixture.recordValues(name, type === "AAAA" ? "AAAA" : "A");
    for (const value of values) console.log(value);
    return;
  }
  if (command === "config") {
    const [file = ""] = rest;
    await fixture.putConfigText(await readFile(file, "utf8"));
    return;
  }
  throw new Error(`unknown command ${command}`);
}

main().catch((error: Error) => {
  console.error(`dev-stack: ${error.message}`);
  process.exit(1);
});
