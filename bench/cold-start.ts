/**
 * Cold start, measured as whole processes (spawn → exit), repeated, medians:
 *   (a) the built bundle answering `GET /?mode=get` vs `node -e 0`            (target ≤ 1.3×)
 *   (b) the built bundle answering `mode=set` against moto vs the upstream way
 *       in Python (boto3 clients, GetObject, ListResourceRecordSets)         (target ≤ 0.5×)
 * First it checks which bundle files each route loads: mode=get, /checkip and /health must load
 * no AWS SDK code. Also prints the bundle's size.
 * Then, by fleet size (a cold start must not grow with the fleet): the first `mode=set` of a fresh process
 * running dist/lambda.zip's index.mjs against moto holding 10, 100,000 and 1,000,000 hosts, in the layout
 * each size would use (config.json for 10, sharded above AUTO_SHARD_BYTES) and, for contrast, 100,000 in
 * one config.json. The zone holds only the hosts asked for, so the figures isolate what the config costs.
 *                                                       (target: 100,000 ≤ 1.5× the 10-host figure)
 *
 *   npx tsx bench/cold-start.ts [--runs 15] [--fleet 10,100000,1000000] [--fleet-runs 11] [--only-fleet]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { type AwsFixture, createAwsFixture } from "../test/support/aws-fixture.js";
import { deployedEnvironment } from "../test/support/deployment.js";
import { fleetConfig, fleetHost, setQuery } from "../test/support/fakes/fleet.js";
import { startMoto } from "../test/support/moto.js";
import { type FleetConfig, putFleetConfig, unpackBundle } from "./cold/fleet-configs.js";
import { median, ms, printTable, verdict } from "./lib/stats.js";

const BUNDLE_DIR = resolve("dist/lambda");
const BUNDLE = join(BUNDLE_DIR, "index.mjs");
const DRIVER = resolve("test/support/first-request.mjs");
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
  const { values } = parseArgs({
    options: {
      runs: { type: "string", default: "15" },
      fleet: { type: "string", default: "10,100000,1000000" },
      "fleet-runs": { type: "string", default: "11" },
      "only-fleet": { type: "boolean", default: false },
    },
  });
  const runs = Number(values.runs);
  printBundleSize();

  const moto = await startMoto({ maxLifetimeSeconds: 1800 });
  try {
    const fixture = await createAwsFixture(moto.url);
    if (!values["only-fleet"]) await bundleColdStart(moto.url, fixture, runs);
    const sizes = values.fleet.split(",").filter(Boolean).map(Number);
    if (sizes.length > 0) await fleetColdStart(moto.url, fixture, sizes, Number(values["fleet-runs"]));
  } finally {
    await moto.stop();
  }
}

/** (a) and (b) above, plus which bundle files each route loads. */
async function bundleColdStart(motoUrl: string, fixture: AwsFixture, runs: number): Promise<void> {
  {
    const host = fleetHost(0);
    await fixture.putConfig(fleetConfig(1, fixture.zoneId));
    await fixture.setRecord(`${host.hostname}.`, "A", SOURCE_IP);
    // boto3 reads the region from AWS_DEFAULT_REGION; the JavaScript SDK from AWS_REGION.
    const aws = deployedEnvironment(motoUrl, { bucket: fixture.bucket });
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
  }
}

/** Hosts asked for in the fleet runs (in every fleet), one per run in turn; their records match. */
const ASKED_HOSTS = 5;

/** The first mode=set of a fresh process, by fleet size and layout. */
async function fleetColdStart(
  motoUrl: string,
  fixture: AwsFixture,
  sizes: readonly number[],
  runs: number,
): Promise<void> {
  const bundle = unpackBundle();
  try {
    for (let index = 0; index < ASKED_HOSTS; index++) {
      await fixture.setRecord(`${fleetHost(index).hostname}.`, "A", SOURCE_IP);
    }
    console.log("\nfleet configs in moto (built and uploaded with the CLI's writer):");
    const configs: FleetConfig[] = [];
    for (const hosts of sizes) {
      const layouts =
        hosts <= 10_000
          ? (["single"] as const)
          : hosts <= 100_000
            ? (["sharded", "single"] as const)
            : (["sharded"] as const);
      for (const layout of layouts) {
        configs.push(await putFleetConfig(fixture.s3, fixture.bucket, fixture.zoneId, hosts, layout));
      }
    }
    printTable(
      ["hosts", "layout", "shards", "config as one file", "build + upload"],
      configs.map((config) => [
        config.hosts.toLocaleString("en-US"),
        config.layout,
        config.layout === "sharded" ? String(config.shards) : "-",
        `${(config.bytes / 1024 / 1024).toFixed(1)} MiB`,
        `${config.seconds.toFixed(1)} s`,
      ]),
    );

    const aws = deployedEnvironment(motoUrl, { bucket: fixture.bucket });
    const label = (config: FleetConfig) =>
      `${config.hosts.toLocaleString("en-US")} hosts, ${config.layout === "single" ? "config.json" : `${config.shards} shards`}`;
    const times = new Map<string, number[]>(configs.map((config) => [label(config), []]));
    const command = (config: FleetConfig, round: number): Command => ({
      label: label(config),
      file: process.execPath,
      args: [DRIVER, bundle.entry, SOURCE_IP, "/", setQuery(fleetHost(round % ASKED_HOSTS), SOURCE_IP)],
    });
    const envFor = (config: FleetConfig) => ({ ...process.env, ...aws, DDNS_CONFIG_KEY: config.key });
    console.log(
      `\ncold first mode=set by fleet size: ${runs} runs of each, interleaved, spawn → exit, dist/lambda.zip's index.mjs`,
    );
    for (const config of configs) run(command(config, 0), envFor(config)); // warm the OS file cache first
    for (let round = 0; round < runs; round++) {
      for (const config of configs)
        times.get(label(config))?.push(run(command(config, round), envFor(config)));
      process.stdout.write(round === runs - 1 ? "\n" : ".");
    }
    const base = configs.find((config) => config.layout === "single" && config.hosts <= 10_000);
    const baseMedian = base ? median(times.get(label(base)) ?? []) : Number.NaN;
    printTable(
      ["config", "median", "min", "max", "× smallest"],
      configs.map((config) => {
        const samples = times.get(label(config)) ?? [];
        return [
          label(config),
          ms(median(samples)),
          ms(Math.min(...samples)),
          ms(Math.max(...samples)),
          `${(median(samples) / baseMedian).toFixed(2)}×`,
        ];
      }),
    );
    const target = configs.find((config) => config.hosts === 100_000 && config.layout === "sharded");
    if (base && target) {
      const ratio = median(times.get(label(target)) ?? []) / baseMedian;
      console.log(
        verdict(
          `100,000 hosts (sharded) / ${base.hosts} hosts = ${ratio.toFixed(2)}× (target ≤ 1.5×)`,
          ratio <= 1.5,
        ),
      );
    }
  } finally {
    bundle.remove();
  }
}

await main();
