/**
 * Cold start, measured as whole processes (spawn → exit), repeated, medians:
 *   (a) the built bundle answering `GET /?mode=get` vs `node -e 0`            (target ≤ 1.3×)
 *   (b) the built bundle answering `mode=set` against moto vs the upstream way
 *       in Python (boto3 clients, GetObject, ListResourceRecordSets)         (target ≤ 0.5×)
 * First it checks which bundle files each route loads: mode=get, /checkip and /health must load
 * no AWS SDK code. Also prints the bundle's size.
 *
 *   npx tsx bench/cold-start.ts [--runs 15]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { createAwsFixture, emulatorEnvironment } from "../test/support/aws-fixture.js";
import { startMoto } from "../test/support/moto.js";
import { fleetConfig, fleetHost, setQuery } from "./lib/fleet.js";
import { median, ms, printTable, verdict } from "./lib/stats.js";

const BUNDLE_DIR = resolve("dist/lambda");
const BUNDLE = join(BUNDLE_DIR, "index.mjs");
const DRIVER = resolve("bench/cold/first-request.mjs");
const RECORD_LOADS = resolve("bench/cold/record-loads.mjs");
const UPSTREAM = resolve("bench/cold/upstream.py");
const SOURCE_IP = "127.0.0.1";
/** Strings only the AWS SDK's code contains; the request path's own code has none of them. */
const SDK_MARKERS = /smithy|x-amz-|@aws-sdk/;

interface Command {
  readonly label: string;
  readonly file: string;
  readonly args: readonly string[];
}

function run(command: Command, env: NodeJS.ProcessEnv): number {
  const startedAt = performance.now();
  const result = spawnSync(command.file, command.args, { env, encoding: "utf8" });
  const elapsed = performance.now() - startedAt;
  if (result.status !== 0 || /status [45]\d\d/.test(result.stderr)) {
    throw new Error(`${command.label} failed (exit ${result.status}): ${result.stderr.slice(-500)}`);
  }
  return elapsed;
}

function listBundle(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listBundle(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

function printBundleSize(): void {
  const code = listBundle(BUNDLE_DIR).filter((file) => file.endsWith(".mjs"));
  const codeBytes = code.reduce((total, file) => total + statSync(file).size, 0);
  const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
  console.log(
    `bundle: index.mjs ${kb(statSync(BUNDLE).size)}; all code ${kb(codeBytes)} in ${code.length} files ` +
      `(budget 500 KB); dist/lambda.zip ${kb(statSync("dist/lambda.zip").size)} (budget 200 KB)`,
  );
}

/** Which bundle files one request loads, and whether any of them is SDK code. */
function loadedFiles(args: readonly string[], env: NodeJS.ProcessEnv) {
  const dir = mkdtempSync(join(tmpdir(), "ddns-loads-"));
  const log = join(dir, "loads.txt");
  try {
    run(
      { label: "load check", file: process.execPath, args: ["--import", RECORD_LOADS, DRIVER, ...args] },
      {
        ...env,
        BENCH_LOAD_LOG: log,
      },
    );
    const bundleUrl = pathToFileURL(BUNDLE_DIR).href;
    const files = readFileSync(log, "utf8")
      .split("\n")
      .filter((url) => url.startsWith(bundleUrl))
      .map((url) => relative(BUNDLE_DIR, new URL(url).pathname));
    const sdk = files.filter((file) => SDK_MARKERS.test(readFileSync(join(BUNDLE_DIR, file), "utf8")));
    return { files, sdk };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: "string", default: "15" } } });
  const runs = Number(values.runs);
  printBundleSize();

  const moto = await startMoto({ maxLifetimeSeconds: 600 });
  try {
    const fixture = await createAwsFixture(moto.url);
    const host = fleetHost(0);
    await fixture.putConfig(fleetConfig(1, fixture.zoneId));
    await fixture.setRecord(`${host.hostname}.`, "A", SOURCE_IP);
    // boto3 reads the region from AWS_DEFAULT_REGION; the JavaScript SDK from AWS_REGION.
    const aws = emulatorEnvironment(moto.url, fixture.bucket);
    const env = { ...process.env, ...aws, AWS_DEFAULT_REGION: aws.AWS_REGION };
    const setArgs = [BUNDLE, SOURCE_IP, "/", setQuery(host, SOURCE_IP)];

    console.log("\nbundle files each route loads (a fresh process per route):");
    const routes: [string, string[]][] = [
      ["GET /?mode=get", [BUNDLE, SOURCE_IP, "/", "mode=get"]],
      ["GET /checkip", [BUNDLE, SOURCE_IP, "/checkip"]],
      ["GET /health", [BUNDLE, SOURCE_IP, "/health"]],
      ["GET /?mode=set", setArgs],
    ];
    let sdkFree = true;
    const loadRows = routes.map(([route, args]) => {
      const { files, sdk } = loadedFiles(args, env);
      if (route !== "GET /?mode=set" && sdk.length > 0) sdkFree = false;
      return [
        route,
        String(files.length),
        String(sdk.length),
        files.slice(0, 3).join(", ") + (files.length > 3 ? ", …" : ""),
      ];
    });
    printTable(["route", "files loaded", "with SDK code", "files"], loadRows);
    console.log(verdict("mode=get, /checkip and /health load no SDK code", sdkFree));
    if (!sdkFree) process.exitCode = 1;

    const commands: Command[] = [
      { label: "node -e 0", file: process.execPath, args: ["-e", "0"] },
      {
        label: "bundle, first mode=get",
        file: process.execPath,
        args: [DRIVER, BUNDLE, SOURCE_IP, "/", "mode=get"],
      },
      { label: "bundle, first mode=set (moto)", file: process.execPath, args: [DRIVER, ...setArgs] },
      {
        label: "upstream way: Python + boto3 (moto)",
        file: "python3",
        args: [UPSTREAM, fixture.bucket, "config.json", fixture.zoneId, `${host.hostname}.`],
      },
    ];
    console.log(`\ncold start: ${runs} runs of each, interleaved, spawn → exit`);
    const times = new Map<string, number[]>(commands.map((command) => [command.label, []]));
    for (const command of commands) run(command, env); // warm the OS file cache first
    for (let round = 0; round < runs; round++) {
      for (const command of commands) times.get(command.label)?.push(run(command, env));
      process.stdout.write(round === runs - 1 ? "\n" : ".");
    }
    const medianOf = (label: string) => median(times.get(label) ?? []);
    printTable(
      ["process", "median", "min", "max"],
      commands.map(({ label }) => {
        const samples = times.get(label) ?? [];
        return [label, ms(medianOf(label)), ms(Math.min(...samples)), ms(Math.max(...samples))];
      }),
    );
    const getRatio = medianOf("bundle, first mode=get") / medianOf("node -e 0");
    const setRatio =
      medianOf("bundle, first mode=set (moto)") / medianOf("upstream way: Python + boto3 (moto)");
    console.log(
      verdict(`(a) first mode=get / node -e 0 = ${getRatio.toFixed(2)}× (target ≤ 1.3×)`, getRatio <= 1.3),
    );
    console.log(
      verdict(
        `(b) first mode=set / upstream Python = ${setRatio.toFixed(2)}× (target ≤ 0.5×)`,
        setRatio <= 0.5,
      ),
    );
  } finally {
    await moto.stop();
  }
}

await main();
