/**
 * The local HTTP API: what API Gateway does in front of the function, on loopback. One handler,
 * served on every given address with the same port (127.0.0.1 and ::1 by default, so IPv4 and
 * IPv6 clients both reach it).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { HttpEvent, HttpResult } from "../protocols/http.js";
import { MalformedRequestError, PayloadTooLargeError, toHttpApiEvent, writeHttpResult } from "./event.js";

export type LambdaHandler = (event: HttpEvent, context: { awsRequestId: string }) => Promise<HttpResult>;

export interface LocalApi {
  readonly urls: readonly string[];
  readonly port: number;
  close(): Promise<void>;
}

function serve(handler: LambdaHandler): Server {
  return createServer(async (request, response) => {
    try {
      const event = await toHttpApiEvent(request);
      writeHttpResult(response, await handler(event, { awsRequestId: event.requestContext.requestId }));
    } catch (error) {
      // What API Gateway answers to a request it refuses, or when the integration fails.
      const [statusCode, message] = gatewayRefusal(error);
      writeHttpResult(response, {
        statusCode,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ message }),
      });
      if (statusCode >= 500) console.error("local-api: handler failed:", error);
    }
  });
}

function gatewayRefusal(error: unknown): [number, string] {
  if (error instanceof PayloadTooLargeError) return [413, "Request Entity Too Large"];
  if (error instanceof MalformedRequestError) return [400, "Bad Request"];
  return [500, "Internal Server Error"];
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port, ipv6Only: host.includes(":") }, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function urlOf(host: string, port: number): string {
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

export async function startLocalApi(
  handler: LambdaHandler,
  hosts: readonly string[],
  port: number,
): Promise<LocalApi> {
  const servers: Server[] = [];
  const urls: string[] = [];
  let chosenPort = port;
  try {
    for (const host of hosts) {
      const server = serve(handler);
      // Port 0 picks a free port on the first address; the others reuse it.
      chosenPort = await listen(server, host, chosenPort);
      servers.push(server);
      urls.push(urlOf(host, chosenPort));
    }
  } catch (error) {
    for (const server of servers) server.close();
    throw error;
  }
  return {
    urls,
    port: chosenPort,
    close: () =>
      Promise.all(
        servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
      ).then(() => undefined),
  };
}
