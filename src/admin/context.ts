/** What every command gets: its arguments, the output, and lazily built AWS access. */
import { createAwsClients } from "./aws-clients.js";
import { ConfigObject } from "./config-object.js";
import type { AwsClients, Io, Output } from "./io.js";
import type { Target } from "./target.js";

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export class CommandContext {
  #clients: AwsClients | undefined;

  constructor(
    readonly io: Io,
    readonly out: Output,
    /** The positional arguments after the command's own words. */
    readonly args: readonly string[],
    readonly options: OptionValues,
    readonly target: Target,
  ) {}

  get clients(): AwsClients {
    this.#clients ??= this.io.clients ?? createAwsClients(this.io.env);
    return this.#clients;
  }

  async configObject(): Promise<ConfigObject> {
    return new ConfigObject(this.clients.s3, await this.target.bucket(), await this.target.key());
  }

  string(name: string): string | undefined {
    const value = this.options[name];
    return typeof value === "string" ? value : undefined;
  }

  /** An option that may be given more than once. */
  strings(name: string): string[] {
    const value = this.options[name];
    return Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
  }

  flag(name: string): boolean {
    return this.options[name] === true;
  }
}
