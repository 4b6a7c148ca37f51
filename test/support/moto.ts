/**
 * A moto server (the AWS API emulator) on a free loopback port, for tests and local runs.
 * It stops with the returned `stop()`, and by itself after `maxLifetimeSeconds` in any case.
 * With DDNS_AWS_CALLS set (a directory), its URL is a recording proxy in front of it that keeps the
 * function's calls there (aws-recorder.ts), for the IAM evaluation in test/iam.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { startRecorder } from "./aws-recorder.js";

export interface MotoServer {
  readonly url: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export async function waitForHttp(
  url: string,
  timeoutMs: number,
  isDead: () => boolean = () => false,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (isDead()) throw new Error(`the server for ${url} exited before it was ready`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

export async function startMoto(
  options: { maxLifetimeSeconds?: number; detached?: boolean } = {},
): Promise<MotoServer> {
  const port = await freePort();
  const lifetime = String(options.maxLifetimeSeconds ?? 900);
  // `timeout` makes sure a forgotten server does not outlive its test run.
  const child = spawn("timeout", [lifetime, "moto_server", "-H", "127.0.0.1", "-p", String(port)], {
    stdio: "ignore",
    detached: options.detached ?? false,
  });
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  child.once("error", () => {
    exited = true;
  });
  const motoUrl = `http://127.0.0.1:${port}`;
  await waitForHttp(`${motoUrl}/moto-api/`, 30_000, () => exited);
  const recorded = await recordingProxy(motoUrl, child, options.detached ?? false);
  return {
    url: recorded?.url ?? motoUrl,
    process: child,
    stop: async () => {
      await recorded?.stop();
      if (exited) return;
      const done = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      await done;
    },
  };
}

/** The recording proxy when DDNS_AWS_CALLS asks for one: in this process, or its own for a detached emulator. */
async function recordingProxy(
  upstream: string,
  moto: ChildProcess,
  detached: boolean,
): Promise<{ url: string; stop(): Promise<void> } | undefined> {
  const dir = process.env.DDNS_AWS_CALLS;
  if (!dir) return undefined;
  if (!detached) return startRecorder(upstream, dir);
  const recorder = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      fileURLToPath(new URL("aws-recorder.ts", import.meta.url)),
      upstream,
      String(moto.pid),
      dir,
    ],
    { stdio: ["ignore", "pipe", "inherit"], detached: true },
  );
  const lines = createInterface({ input: recorder.stdout as NodeJS.ReadableStream });
  const url = await new Promise<string>((resolve, reject) => {
    lines.once("line", resolve);
    recorder.once("exit", () => reject(new Error("the recording proxy exited before it was ready")));
  });
  lines.close();
  recorder.stdout?.destroy();
  recorder.unref();
  return {
    url,
    stop: async () => {
      recorder.kill("SIGTERM");
    },
  };
}
