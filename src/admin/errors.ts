/**
 * What can end a `ddns` command, each with its exit code (documented in `ddns --help`).
 * The messages are shown to the operator as they are, so none may carry a secret.
 */

export const EXIT = {
  ok: 0,
  /** AWS, network or Terraform failed, or anything unexpected. */
  failed: 1,
  /** Bad arguments or option values, or no config bucket known. */
  usage: 2,
  /** The request makes no sense for the current config: unknown host, host already there, no zone. */
  refused: 3,
  /** Someone else changed the config file between this command's read and its write. */
  conflict: 4,
  /** The config file (local or in S3) has errors. */
  invalidConfig: 5,
} as const;

export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    readonly exitCode: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export class UsageError extends CliError {
  override name = "UsageError";
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

export class RefusedError extends CliError {
  override name = "RefusedError";
  constructor(message: string) {
    super(message, EXIT.refused);
  }
}

export class ConcurrentEditError extends CliError {
  override name = "ConcurrentEditError";
  constructor(location: string, options?: ErrorOptions) {
    super(
      `${location} changed while this command was running (someone else edited it). Nothing was written: run the command again.`,
      EXIT.conflict,
      options,
    );
  }
}

export class InvalidConfigError extends CliError {
  override name = "InvalidConfigError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, EXIT.invalidConfig, options);
  }
}
