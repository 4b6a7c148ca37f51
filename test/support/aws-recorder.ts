/**
 * A recording proxy in front of the emulator: every AWS request signed with the function's access key
 * (FUNCTION_ACCESS_KEY, what deployedEnvironment gives a function) is written, raw, as one JSON line
 * to a file in DDNS_AWS_CALLS, then forwarded unchanged. test/iam evaluates those calls against the
 * IAM policies Terraform produces: moto applies no IAM at all. The fixture's and the CLI's own calls
 * use other keys and are not recorded. Loopback only; stops with its test process, or (detached)
 * when the emulator's process is gone.
 *
 *   node --import tsx test/support/aws-recorder.ts UPSTREAM_URL UPSTREAM_PID DIR   (prints its URL)
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { createServer, type IncomingMessage, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

/** The access key id deployedEnvironment gives functions: what marks a call as the function's. */
export const FUNCTION_ACCESS_KEY = "FUNCTIONUNDERTEST";

/** One recorded request, as it went to the emulator. */
export interface RecordedCall {
  readonly service: string;
  readonly region: string;
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  /** The headers that name an operation or carry a condition key. */
  readonly headers: Record<string, string>;
  readonly body: string;
  /** For Route 53 calls on a hosted zone: its name, as the emulator has it (to place the call elsewhere). */
  readonly zoneName?: string;
}

const KEPT_HEADERS = [
  "x-amz-target",
  "content-type",
  "if-none-match",
  "if-match",
  "x-amz-server-side-encryption",
  "x-amz-server-side-encryption-aws-kms-key-id",
];

function readBody(incoming: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => resolve(Buffer.concat(chunks)));
    incoming.on("error", reject);
  });
}

/** Credential=KEY/DATE/REGION/SERVICE/aws4_request in a SigV4 Authorization header. */
function credentialScope(authorization: string | undefined) {
  const match = /Credential=([^/]+)\/\d+\/([^/]+)\/([^/]+)\//.exec(authorization ?? "");
  return match ? { key: match[1] ?? "", region: match[2] ?? "", service: match[3] ?? "" } : undefined;
}

export interface Recorder {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startRecorder(upstream: string, dir: string): Promise<Recorder> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `calls-${process.pid}-${Date.now()}.jsonl`);
  const target = new URL(upstream);
  const zoneNames = new Map<string, string>();

  const forward = (
    incoming: IncomingMessage,
    body: Buffer,
    path = incoming.url ?? "/",
    method = incoming.method,
    headers = incoming.headers,
  ) =>
    new Promise<{ status: number; headers: IncomingMessage["headers"]; body: Buffer }>((resolve, reject) => {
      const outgoing = request(
        { host: target.hostname, port: target.port, method, path, headers },
        async (answer) => {
          try {
            resolve({
              status: answer.statusCode ?? 502,
              headers: answer.headers,
              body: await readBody(answer),
            });
          } catch (error) {
            reject(error);
          }
        },
      );
      outgoing.on("error", reject);
      outgoing.end(body.length > 0 ? body : undefined);
    });

  /** The zone's name, asked of the emulator once per zone (the request's own headers route it). */
  async function zoneNameOf(incoming: IncomingMessage, zoneId: string): Promise<string | undefined> {
    if (!zoneNames.has(zoneId)) {
      // The request's headers route it to Route 53; not its body's length (this GET has none).
      const { "content-length": _length, "transfer-encoding": _encoding, ...headers } = incoming.headers;
      const path = `/2013-04-01/hostedzone/${zoneId}`;
      const answer = await forward(incoming, Buffer.alloc(0), path, "GET", headers);
      const name = /<Name>([^<]+)<\/Name>/.exec(answer.body.toString("utf8"))?.[1];
      if (name) zoneNames.set(zoneId, name);
    }
    return zoneNames.get(zoneId);
  }

  const server: Server = createServer(async (incoming, outgoing) => {
    try {
      const body = await readBody(incoming);
      const scope = credentialScope(incoming.headers.authorization);
      if (scope?.key === FUNCTION_ACCESS_KEY) {
        const headers: Record<string, string> = {};
        for (const name of KEPT_HEADERS) {
          const value = incoming.headers[name];
          if (typeof value === "string") headers[name] = value;
        }
        const zoneId = /^\/2013-04-01\/hostedzone\/([^/?]+)/.exec(incoming.url ?? "")?.[1];
        const call: RecordedCall = {
          service: scope.service,
          region: scope.region,
          method: incoming.method ?? "GET",
          url: incoming.url ?? "/",
          headers,
          body: body.toString("utf8"),
          ...(scope.service === "route53" && zoneId ? { zoneName: await zoneNameOf(incoming, zoneId) } : {}),
        };
        appendFileSync(file, `${JSON.stringify(call)}\n`);
      }
      const answer = await forward(incoming, body);
      outgoing.writeHead(answer.status, answer.headers).end(answer.body);
    } catch (error) {
      if (!outgoing.headersSent) outgoing.writeHead(502);
      outgoing.end((error as Error).message);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

// As a process (for a detached emulator): runs until the emulator's process is gone.
if (process.argv[1]?.endsWith("aws-recorder.ts")) {
  const [upstream = "", pid = "0", dir = ""] = process.argv.slice(2);
  const recorder = await startRecorder(upstream, dir);
  process.stdout.write(`${recorder.url}\n`);
  setInterval(() => {
    try {
      process.kill(Number(pid), 0);
    } catch {
      process.exit(0);
    }
  }, 1000);
}
