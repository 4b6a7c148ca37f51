/**
 * Ways of running the unpacked zip as Lambda does, shared by the runtime suites: Node 22 importing
 * index.mjs and calling the handler once per event (one invocation at a time, as one execution
 * environment), optionally under a command prefix (qemu for arm64, unshare for a read-only task
 * root); and aws-lambda-ric polling the Runtime API stand-in.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import type { HttpEvent, HttpResult } from "../../src/protocols/http.js";
import type { Invocation, RuntimeApiStandIn } from "./runtime-api.js";

/** One way of running the function: takes an event, gives what the function answered. */
export interface Runner {
  invoke(event: HttpEvent): Promise<HttpResult>;
  /** What the function wrote to stdout/stderr (its JSON log lines), shown when a test fails. */
  output(): string;
  stop(): Promise<void>;
  /** The process, for signals (SIGSTOP/SIGCONT: Lambda freezing the environment between invocations). */
  readonly pid: number | undefined;
}

function collect(child: ChildProcess): () => string {
  let text = "";
  child.stdout?.on("data", (chunk) => {
    text += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    text += chunk;
  });
  return () => text;
}

/** Rejects when the process exits: an invocation still waiting then fails at once, with its output. */
function exitOf(child: ChildProcess, name: string, output: () => string): Promise<never> {
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`${name} exited (${code}): ${output()}`))),
  );
  exited.catch(() => {}); // only a waiting invocation cares
  return exited;
}

/** The function's log line for the last request it answered. */
export function lastRequestLog(runner: Runner): Record<string, unknown> {
  const lines = runner
    .output()
    .split("\n")
    .filter((line) => line.includes('"msg":"request"'));
  return JSON.parse(lines.at(-1) ?? "{}");
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once("exit", done));
  child.kill("SIGTERM");
  await exited;
}

/**
 * Node 22 imports index.mjs from the task root and calls handler(event, context) per line on fd 3.
 * `node` is the command: a path, or words (qemu-aarch64-static -L SYSROOT NODE for arm64).
 */
export async function directRunner(
  node: string | readonly string[],
  taskRoot: string,
  env: Record<string, string>,
): Promise<Runner> {
  const driver = `
    import { writeSync } from "node:fs";
    import { createInterface } from "node:readline";
    const { handler } = await import(${JSON.stringify(`file://${taskRoot}/index.mjs`)});
    for await (const line of createInterface({ input: process.stdin })) {
      const { id, event } = JSON.parse(line);
      const result = await handler(event, { awsRequestId: id });
      writeSync(3, JSON.stringify({ id, result }) + "\\n");
    }`;
  const [command = "", ...prefix] = typeof node === "string" ? node.split(" ") : node;
  const child = spawn(command, [...prefix, "--input-type=module", "-e", driver], {
    cwd: taskRoot,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["pipe", "pipe", "pipe", "pipe"],
  });
  const output = collect(child);
  const exited = exitOf(child, "node", output);
  const waiting = new Map<string, (result: HttpResult) => void>();
  const results = child.stdio[3] as NodeJS.ReadableStream;
  createInterface({ input: results }).on("line", (line) => {
    const { id, result } = JSON.parse(line) as { id: string; result: HttpResult };
    waiting.get(id)?.(result);
    waiting.delete(id);
  });
  return {
    invoke: (event) => {
      const id = randomUUID();
      const answered = new Promise<HttpResult>((done) => waiting.set(id, done));
      child.stdin?.write(`${JSON.stringify({ id, event })}\n`);
      return Promise.race([answered, exited]);
    },
    output,
    stop: () => stopProcess(child),
    pid: child.pid,
  };
}

/** aws-lambda-ric on Node 22, as Lambda starts it: _HANDLER, LAMBDA_TASK_ROOT, AWS_LAMBDA_RUNTIME_API. */
export async function ricRunner(
  node: string,
  ric: string,
  api: RuntimeApiStandIn,
  taskRoot: string,
  env: Record<string, string>,
  handler = "index.handler",
): Promise<Runner & { invocation(event: HttpEvent): Promise<Invocation> }> {
  const child = spawn(node, [ric], {
    cwd: taskRoot,
    env: {
      PATH: process.env.PATH ?? "",
      ...env,
      AWS_LAMBDA_RUNTIME_API: api.address,
      _HANDLER: handler,
      LAMBDA_TASK_ROOT: taskRoot,
      AWS_LAMBDA_FUNCTION_NAME: "route53-ddns",
      AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "128",
      AWS_LAMBDA_LOG_GROUP_NAME: "/aws/lambda/route53-ddns",
      AWS_LAMBDA_LOG_STREAM_NAME: "2026/11/30/[$LATEST]0123456789abcdef",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = collect(child);
  const exited = exitOf(child, "aws-lambda-ric", output);
  const invocation = (event: HttpEvent) => Promise.race([api.invoke(event), exited]);
  return {
    invocation,
    invoke: async (event) => {
      const posted = await invocation(event);
      if (posted.outcome !== "response") throw new Error(`the runtime reported an error: ${output()}`);
      return posted.payload as HttpResult;
    },
    output,
    stop: () => stopProcess(child),
    pid: child.pid,
  };
}
