/**
 * Which deployment a command works on: the config bucket and key, and the API URL that client
 * configs point at. Each comes from its option, else its environment variable, else the outputs of
 * the Terraform root module that deployed it (read once, only when needed), else a default.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { CliError, EXIT, UsageError } from "./errors.js";
import type { Output } from "./io.js";

const DEFAULT_TERRAFORM_DIR = "terraform";
const DEFAULT_CONFIG_KEY = "config.json";

export interface TargetOptions {
  readonly bucket?: string;
  readonly key?: string;
  readonly apiUrl?: string;
  readonly terraformDir?: string;
}

type TerraformOutputs = Record<string, unknown>;

export class Target {
  #outputs: Promise<TerraformOutputs> | undefined;

  constructor(
    private readonly options: TargetOptions,
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly output: Output,
  ) {}

  async bucket(): Promise<string> {
    const bucket =
      this.options.bucket ||
      this.env.DDNS_CONFIG_BUCKET ||
      stringOutput(await this.#terraform(), "config_bucket");
    if (!bucket) {
      throw new UsageError(
        "No config bucket: pass --bucket, set DDNS_CONFIG_BUCKET, or point --terraform-dir at the deployed Terraform root module.",
      );
    }
    return bucket;
  }

  async key(): Promise<string> {
    return (
      this.options.key ||
      this.env.DDNS_CONFIG_KEY ||
      stringOutput(await this.#terraform(), "config_key") ||
      DEFAULT_CONFIG_KEY
    );
  }

  /** Undefined when nothing names it: client configs then need --api-url. */
  async apiUrl(): Promise<string | undefined> {
    return this.options.apiUrl || this.env.DDNS_API_URL || stringOutput(await this.#terraform(), "api_url");
  }

  /**
   * The outputs when they describe the deployment in use: always with --terraform-dir, and otherwise
   * only when nothing else named the bucket (a key or URL from another deployment would be wrong).
   */
  /** The function's log group (`host status`): DDNS_LOG_GROUP, else the Terraform outputs. */
  async logGroup(): Promise<string | undefined> {
    return this.env.DDNS_LOG_GROUP || stringOutput(await this.#terraform(), "function_log_group_name");
  }

  /** How long the function reuses a config it read (its DDNS_CONFIG_CACHE_SECONDS), when the outputs say. */
  async configCacheSeconds(): Promise<number | undefined> {
    const environment = (await this.#terraform()).function_environment as Record<string, unknown> | undefined;
    const raw = environment?.DDNS_CONFIG_CACHE_SECONDS;
    return typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : undefined;
  }

  /** The change queue (`ddns queue`): DDNS_CHANGE_QUEUE_URL, as the function has it, else the Terraform outputs. */
  async changeQueueUrl(): Promise<string | undefined> {
    return this.env.DDNS_CHANGE_QUEUE_URL || stringOutput(await this.#terraform(), "change_queue_url");
  }

  /** The change queue's dead-letter queue: DDNS_CHANGE_DLQ_URL, else the Terraform outputs. */
  async deadLetterQueueUrl(): Promise<string | undefined> {
    return this.env.DDNS_CHANGE_DLQ_URL || stringOutput(await this.#terraform(), "change_dlq_url");
  }

  /** The deployment's hosted zone, when its Terraform outputs are at hand. */
  async zoneId(): Promise<string | undefined> {
    return stringOutput(await this.#terraform(), "zone_id");
  }

  #terraform(): Promise<TerraformOutputs> {
    const bucketNamedElsewhere = Boolean(this.options.bucket || this.env.DDNS_CONFIG_BUCKET);
    if (bucketNamedElsewhere && !this.options.terraformDir) return Promise.resolve({});
    this.#outputs ??= this.#readTerraformOutputs();
    return this.#outputs;
  }

  async #readTerraformOutputs(): Promise<TerraformOutputs> {
    const explicit = this.options.terraformDir;
    const dir = explicit ?? DEFAULT_TERRAFORM_DIR;
    // Without --terraform-dir, only a root module that has been initialised can have outputs.
    if (!explicit && !existsSync(join(dir, ".terraform"))) return {};
    this.output.progress(`reading the Terraform outputs in ${dir}`);
    try {
      const { stdout } = await promisify(execFile)("terraform", [`-chdir=${dir}`, "output", "-json"], {
        timeout: 120_000,
        maxBuffer: 16 * 1024 * 1024,
      });
      const outputs = JSON.parse(stdout) as Record<string, { value?: unknown }>;
      return Object.fromEntries(Object.entries(outputs).map(([name, output]) => [name, output.value]));
    } catch (error) {
      if (!explicit) return {};
      const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
      throw new CliError(`Cannot read the Terraform outputs in ${dir}: ${detail}`, EXIT.failed, {
        cause: error,
      });
    }
  }
}

function stringOutput(outputs: TerraformOutputs, name: string): string | undefined {
  const value = outputs[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}
