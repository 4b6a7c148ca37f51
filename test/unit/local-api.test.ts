import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalApi, startLocalApi } from "../../src/local/server.js";
import type { HttpEvent } from "../../src/protocols/http.js";

/** A GET/POST from a chosen local address, so the source IP the function sees can be controlled. */
function send(
  url: string,
  options: { method?: string; body?: string; headers?: Record<string, string>; localAddress?: string } = {},
) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request(
        url,
        { method: options.method ?? "GET", headers: options.headers, localAddress: options.localAddress },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk) => chunks.push(chunk));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString(),
            }),
          );
        },
      );
      req.on("error", reject);
      req.end(options.body);
    },
  );
}

describe("local HTTP API", () => {
  const events: HttpEvent[] = [];
  let api: LocalApi;

  beforeAll(async () => {
    api = await startLocalApi(
      async (event) => {
        events.push(event);
        return { statusCode: 207, headers: { "x-handled": "yes" }, body: "ok", cookies: ["a=1"] };
      },
      ["127.0.0.1", "::1"],
      0,
    );
  });
  afterAll(() => api.close());

  it("turns a request into a payload 2.0 event with the raw path, query, headers and socket address", async () => {
    // act
    const response = await send(
      `${api.urls[0]}/nic/update?hostname=a.example.com,b.example.com&myip=1.2.3.4&x=1&x=2`,
      {
        headers: { "X-Forwarded-For": "6.6.6.6", Cookie: "c=1; d=2" },
        localAddress: "127.0.0.2",
      },
    );
    // assess
    const event = events.at(-1);
    expect(response).toMatchObject({
      status: 207,
      body: "ok",
      headers: { "x-handled": "yes", "set-cookie": ["a=1"] },
    });
    expect(event).toMatchObject({
      version: "2.0",
      routeKey: "$default",
      rawPath: "/nic/update",
      rawQueryString: "hostname=a.example.com,b.example.com&myip=1.2.3.4&x=1&x=2",
      queryStringParameters: { hostname: "a.example.com,b.example.com", myip: "1.2.3.4", x: "1,2" },
      cookies: ["c=1", "d=2"],
      requestContext: {
        http: { method: "GET", path: "/nic/update", sourceIp: "127.0.0.2" },
        stage: "$default",
      },
    });
    expect(event?.headers["x-forwarded-for"]).toBe("6.6.6.6");
  });

  it("serves IPv6 on ::1 at the same port", async () => {
    await send(`${api.urls[1]}/checkip`);
    expect(api.urls[1]).toBe(`http://[::1]:${api.port}`);
    expect(events.at(-1)?.requestContext.http.sourceIp).toBe("::1");
  });

  it("passes text bodies as text and binary bodies as base64", async () => {
    await send(`${api.urls[0]}/`, {
      method: "POST",
      body: '{"execution_mode":"get"}',
      headers: { "content-type": "application/json" },
    });
    const text = events.at(-1);
    await send(`${api.urls[0]}/`, {
      method: "POST",
      body: "\u0000\u0001",
      headers: { "content-type": "application/octet-stream" },
    });
    const binary = events.at(-1);
    expect(text).toMatchObject({ body: '{"execution_mode":"get"}', isBase64Encoded: false });
    expect(binary).toMatchObject({ body: "AAE=", isBase64Encoded: true });
  });

  it("answers 400 to a path that is not valid percent-encoding, before the function runs", async () => {
    // prepare
    const before = events.length;
    // act
    const responses = await Promise.all(
      ["/%", "/%zz", "/nic/%E0%A4%A"].map((path) => send(`${api.urls[0]}${path}`)),
    );
    // assess
    expect(responses.map((response) => response.status)).toEqual([400, 400, 400]);
    expect(JSON.parse(responses[0]?.body ?? "")).toEqual({ message: "Bad Request" });
    expect(events.length).toBe(before);
  });
});
