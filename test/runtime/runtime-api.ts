/**
 * A stand-in for the Lambda Runtime API (2018-06-01), the part a runtime client uses: it hands out
 * invocations on `GET /runtime/invocation/next` (long poll, with the Lambda-Runtime-* headers) and
 * takes `POST /runtime/invocation/{id}/response|error` and `POST /runtime/init/error`. Loopback only,
 * a free port; `close()` drops a poll still waiting.
 * https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

const PREFIX = "/2018-06-01/runtime";
const FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:route53-ddns";

export interface Invocation {
  readonly requestId: string;
  readonly outcome: "response" | "error";
  readonly contentType: string | undefined;
  /** The posted body, parsed as JSON. */
  readonly payload: unknown;
}

export interface InitError {
  readonly errorType: string;
  readonly errorMessage: string;
}

interface Pending {
  readonly requestId: string;
  readonly event: unknown;
  readonly done: (invocation: Invocation) => void;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      body += chunk;
    });
    request.on("end", () => resolve(body));
    request.on("error", reject);
  });
}

export class RuntimeApiStandIn {
  private readonly queue: Pending[] = [];
  private readonly polls: ServerResponse[] = [];
  private readonly inFlight = new Map<string, Pending>();
  private readonly initErrors: InitError[] = [];
  private readonly initErrorWaiters: Array<(error: InitError) => void> = [];

  private constructor(
    private readonly server: Server,
    /** host:port, the value of AWS_LAMBDA_RUNTIME_API. */
    readonly address: string,
  ) {}

  static async start(): Promise<RuntimeApiStandIn> {
    let standIn: RuntimeApiStandIn | undefined;
    const server = createServer((request, response) => {
      standIn?.route(request, response).catch((error: Error) => {
        response.writeHead(500).end(error.message);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    standIn = new RuntimeApiStandIn(server, `127.0.0.1:${(server.address() as AddressInfo).port}`);
    return standIn;
  }

  /** Queues an event; resolves with what the runtime posted for it. */
  invoke(event: unknown): Promise<Invocation> {
    return new Promise((done) => {
      this.queue.push({ requestId: randomUUID(), event, done });
      this.deliver();
    });
  }

  /** Resolves with the first init error the runtime reported, or the next one. */
  initError(): Promise<InitError> {
    const reported = this.initErrors[0];
    return reported ? Promise.resolve(reported) : new Promise((done) => this.initErrorWaiters.push(done));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private deliver(): void {
    while (this.queue.length > 0 && this.polls.length > 0) {
      const pending = this.queue.shift() as Pending;
      const poll = this.polls.shift() as ServerResponse;
      this.inFlight.set(pending.requestId, pending);
      poll.writeHead(200, {
        "content-type": "application/json",
        "lambda-runtime-aws-request-id": pending.requestId,
        "lambda-runtime-deadline-ms": String(Date.now() + 30_000),
        "lambda-runtime-invoked-function-arn": FUNCTION_ARN,
        "lambda-runtime-trace-id": `Root=1-${Date.now().toString(16)}-${randomUUID().replaceAll("-", "").slice(0, 24)};Sampled=0`,
      });
      poll.end(JSON.stringify(pending.event));
    }
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = request.url ?? "";
    if (request.method === "GET" && path === `${PREFIX}/invocation/next`) {
      this.polls.push(response);
      this.deliver();
      return;
    }
    const body = await readBody(request);
    const result = new RegExp(`^${PREFIX}/invocation/([^/]+)/(response|error)$`).exec(path);
    if (request.method === "POST" && result) {
      const requestId = decodeURIComponent(result[1] as string);
      const pending = this.inFlight.get(requestId);
      if (!pending) {
        response.writeHead(400).end(JSON.stringify({ errorType: "InvalidRequestID" }));
        return;
      }
      this.inFlight.delete(requestId);
      response.writeHead(202).end(JSON.stringify({ status: "OK" }));
      pending.done({
        requestId,
        outcome: result[2] as "response" | "error",
        contentType: request.headers["content-type"],
        payload: JSON.parse(body),
      });
      return;
    }
    if (request.method === "POST" && path === `${PREFIX}/init/error`) {
      response.writeHead(202).end(JSON.stringify({ status: "OK" }));
      const error = JSON.parse(body) as InitError;
      this.initErrors.push(error);
      for (const done of this.initErrorWaiters.splice(0)) done(error);
      return;
    }
    response.writeHead(404).end();
  }
}
