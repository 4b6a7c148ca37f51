/**
 * The environment every test that runs the function gives it: the one Terraform gives the deployed
 * function, read back from the root module applied to moto (test/support/deployment.sh), with only
 * the resource pointers (bucket, queue, state bucket, name servers, event bus) turned to the test's
 * own emulator resources. A variable Terraform sets reaches the function under test as it reaches a
 * deployment (DDNS_RESERVED_NAMES, the cache bounds, the share bucket…), so a setting that breaks a
 * feature in every deployment breaks its test too.
 *
 * The apply costs about 80 s, so its result is kept in .cache/deployment/<hash>.json, the hash taken
 * over everything that shapes it (terraform/, the emulator and read-back scripts): a change there
 * applies again, at most once (a lock keeps concurrent test processes from applying twice). vitest's
 * global setup (deployment-setup.ts) builds it before the workers start; bats suites get it through
 * dev-stack.ts, synchronously.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import {
  FUNCTION_CREDENTIALS,
  fixtureQueueUrl,
  fixtureShareTable,
  fixtureStateBucket,
  TEST_REGION,
} from "./aws-fixture.js";

const REPO_ROOT = join(import.meta.dirname, "..", "..");
const CACHE_DIR = join(REPO_ROOT, ".cache", "deployment");
const BUILDER = join(REPO_ROOT, "test", "support", "deployment.sh");

/** What shapes the applied deployment: a change to any of these applies again. */
const INPUTS = [
  "terraform",
  "scripts/tf-emulator.sh",
  "scripts/lib/function-environment.py",
  "test/support/deployment.sh",
];
/** Parts of terraform/ that do not reach an apply. */
const NOT_APPLIED = new Set([".terraform", "tests", "examples"]);

export interface DeployedFunction {
  readonly variables: Readonly<Record<string, string>>;
  /** The event source mapping's batch size and window (the writer only). */
  readonly poller: { readonly batch_size: number; readonly window_seconds: number } | null;
}

export interface Deployment {
  /** The moto server the deployment was applied to (gone now): its URL marks values that point into it. */
  readonly moto_url: string;
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly function: DeployedFunction;
  readonly writer: DeployedFunction;
  /** The apply's Terraform state (the IAM suite reads the policies from it). */
  readonly stateFile: string;
}

/** The test's own emulator resources, in place of the deployment's. */
export interface TestResources {
  readonly bucket: string;
  /** Default: the fixture's change queue (fixtureQueueUrl). */
  readonly queueUrl?: string;
  /** Default: the fixture's state bucket for `bucket` (fixtureStateBucket). */
  readonly stateBucket?: string;
  /** Default: the fixture's share table for `bucket` (fixtureShareTable). */
  readonly shareTable?: string;
  /** The zone's name servers as the test serves them (HOST:PORT); none: the function reads the zone through the API. */
  readonly nameServers?: string;
  readonly eventBus?: string;
}

/** The variables that name a deployed resource, and the test resource each becomes. */
const POINTERS: Readonly<Record<string, keyof TestResources>> = {
  DDNS_CONFIG_BUCKET: "bucket",
  DDNS_CHANGE_QUEUE_URL: "queueUrl",
  DDNS_SHARE_TABLE: "shareTable",
  DDNS_WRITER_STATE_BUCKET: "stateBucket",
  DDNS_NAME_SERVERS: "nameServers",
  DDNS_EVENT_BUS: "eventBus",
};

function inputFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => !NOT_APPLIED.has(name) && !name.endsWith(".md"))
    .sort()
    .flatMap((name) => inputFiles(join(path, name)));
}

function cachePath(): string {
  const hash = createHash("sha256");
  for (const file of INPUTS.flatMap((input) => inputFiles(join(REPO_ROOT, input)))) {
    hash.update(relative(REPO_ROOT, file)).update("\0").update(readFileSync(file)).update("\0");
  }
  return join(CACHE_DIR, `${hash.digest("hex").slice(0, 16)}.json`);
}

let loaded: Deployment | undefined;

/** The applied deployment: from the cache, or applied now (synchronously, about 80 s) when it is stale. */
export function deployment(): Deployment {
  if (loaded) return loaded;
  const path = cachePath();
  if (!existsSync(path)) {
    if (!existsSync(join(REPO_ROOT, "dist", "lambda.zip"))) {
      throw new Error("dist/lambda.zip is missing: run `make build` first (Terraform uploads it).");
    }
    mkdirSync(CACHE_DIR, { recursive: true });
    // flock: a second process waits for the first's apply, then finds the file.
    execFileSync("flock", [`${path}.lock`, "sh", "-c", 'test -f "$1" || "$2" "$1"', "sh", path, BUILDER], {
      stdio: ["ignore", "inherit", "inherit"],
    });
  }
  loaded = {
    ...(JSON.parse(readFileSync(path, "utf8")) as Omit<Deployment, "stateFile">),
    stateFile: path.replace(/\.json$/, ".tfstate"),
  };
  return loaded;
}

/**
 * The environment `role` runs with in the deployment, pointed at the test's emulator and resources.
 * Lambda itself supplies the region and credentials; they are the emulator's here. Throws when a
 * variable Terraform sets names a deployed resource this mapping does not know: a new pointer must be
 * mapped here, not left pointing at a server that is gone.
 */
export function deployedEnvironment(
  endpointUrl: string,
  resources: TestResources,
  role: "function" | "writer" = "function",
): Record<string, string> {
  return pointedEnvironment(deployment(), endpointUrl, resources, role);
}

/** deployedEnvironment for a given deployment (exported for its unit test). */
export function pointedEnvironment(
  applied: Deployment,
  endpointUrl: string,
  resources: TestResources,
  role: "function" | "writer",
): Record<string, string> {
  const test: TestResources = {
    queueUrl: fixtureQueueUrl(endpointUrl),
    stateBucket: fixtureStateBucket(resources.bucket),
    shareTable: fixtureShareTable(resources.bucket),
    ...resources,
  };
  const deployedNames = Object.values(applied.outputs).filter(
    (value): value is string => typeof value === "string" && /^(ddns-|http)/.test(value),
  );
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(applied[role].variables)) {
    const pointer = POINTERS[name];
    if (pointer) {
      const replacement = test[pointer];
      if (replacement) environment[name] = replacement;
      continue;
    }
    if (value.includes(applied.moto_url) || deployedNames.some((deployed) => value.includes(deployed))) {
      throw new Error(
        `${name} names a deployed resource (${value}): map it in test/support/deployment.ts POINTERS.`,
      );
    }
    environment[name] = value;
  }
  return {
    ...environment,
    AWS_ENDPOINT_URL: endpointUrl,
    AWS_ACCESS_KEY_ID: FUNCTION_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FUNCTION_CREDENTIALS.secretAccessKey,
    AWS_REGION: TEST_REGION,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
}
