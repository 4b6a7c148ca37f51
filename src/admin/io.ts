/**
 * Where a command's words go. Results go to stdout (human text, or JSON with --json); progress,
 * warnings and errors go to stderr, so `ddns … --json | jq` always sees clean JSON.
 */
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { Route53Client } from "@aws-sdk/client-route-53";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SQSClient } from "@aws-sdk/client-sqs";

export interface AwsClients {
  readonly s3: S3Client;
  readonly route53: Route53Client;
  /** Only `host status` and `host list --status` read logs; tests that need none leave it out. */
  readonly logs?: CloudWatchLogsClient;
  /** Only `queue status` and `queue replay` use SQS; without it they build one for the queue's region. */
  readonly sqs?: SQSClient;
}

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Tests hand in clients of their own (e.g. one that simulates a concurrent edit). */
  readonly clients?: AwsClients;
}

export function processIo(): Io {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
    env: process.env,
  };
}

export class Output {
  constructor(
    private readonly io: Io,
    readonly json: boolean,
    private readonly quiet: boolean,
  ) {}

  /** A step that may take a moment (a network call, Terraform). */
  progress(message: string): void {
    if (!this.quiet) this.io.stderr(`… ${message}\n`);
  }

  /** Something the operator must know about the result (not a problem): on stderr, even with --quiet. */
  note(message: string): void {
    this.io.stderr(`note: ${message}\n`);
  }

  warn(message: string): void {
    this.io.stderr(`warning: ${message}\n`);
  }

  /** The command's result: `human` lines, or `data` as JSON with --json. */
  result(human: readonly string[], data: unknown): void {
    if (this.json) this.io.stdout(`${JSON.stringify(data, null, 2)}\n`);
    else if (human.length > 0) this.io.stdout(`${human.join("\n")}\n`);
  }
}
