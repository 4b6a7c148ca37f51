/**
 * An HTTP proxy in front of moto that notes each request (method, path, If-None-Match) and the status
 * moto answered, then passes both on unchanged: what lets a test assert the calls a handler made (a
 * Route 53 action, a conditional S3 GET answered 304) without reaching into the SDK. Loopback only.
 */
import { createServer, request, type Server } from "node:http";
import { freePort } from "./moto.js";

export interface LoggedRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  readonly ifNoneMatch: string | undefined;
  /** Moto's answer; undefined until it came. */
  status: number | undefined;
}

export interface RequestLog {
  readonly url: string;
  /** Each request as it arrived. */
  readonly requests: LoggedRequest[];
  close(): Promise<void>;
}

export async function requestLog(target: string): Promise<RequestLog> {
  const requests: LoggedRequest[] = [];
  const port = await freePort();
  const server: Server = createServer((incoming, outgoing) => {
    const url = incoming.url ?? "";
    const method = incoming.method ?? "GET";
    const logged: LoggedRequest = {
      method,
      url,
      ifNoneMatch: incoming.headers["if-none-match"],
      status: undefined,
    };
    requests.push(logged);
    const upstream = request(new URL(url, target), { method, headers: incoming.headers }, (response) => {
      logged.status = response.statusCode ?? 502;
      outgoing.writeHead(logged.status, response.headers);
      response.pipe(outgoing);
    });
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
