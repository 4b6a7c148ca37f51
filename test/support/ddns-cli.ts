/**
 * The `ddns` CLI run in-process with captured output, and the real handler as a fresh container, for
 * integration tests that edit a config through the CLI and then check it with the function.
 */
import { vi } from "vitest";
import type { AwsClients } from "../../src/admin/io.js";
import { run } from "../../src/admin/main.js";
import type { HttpEvent, HttpResult } from "../../src/protocols/http.js";
import { TEST_CREDENTIALS } from "./aws-fixture.js";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runDdns(
  argv: string[],
  env: Record<string, string>,
  options: { stdin?: string; clients?: AwsClients } = {},
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    readStdin: async () => options.stdin ?? "",
    // The operator's key, not the function's: the IAM evaluation (test/iam) judges functions only.
    env: env.AWS_ACCESS_KEY_ID ? { ...env, AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId } : env,
    clients: options.clients,
  });
  return { code, stdout, stderr };
}

/** The real handler in a fresh module graph (a new container) with `env`; its log lines go to `logs`. */
export async function freshHandler(
  env: Record<string, string>,
  logs: string[] = [],
): Promise<(event: HttpEvent) => Promise<HttpResult>> {
  vi.resetModules();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const { handler } = (await import("../../src/handler.js")) as {
    handler: (event: HttpEvent) => Promise<HttpResult>;
  };
  return async (event) => {
    const write = process.stdout.write;
    process.stdout.write = ((text: string) => {
      logs.push(String(text));
      return true;
    }) as typeof process.stdout.write;
    try {
      return await handler(event);
    } finally {
      process.stdout.write = write;
    }
  };
}
