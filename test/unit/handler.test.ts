import { afterEach, describe, expect, it, vi } from "vitest";
import { httpEvent, seedBody } from "../support/events.js";

// The Lambda entry point as the runtime loads it: module state is per container, so each test
// imports a fresh copy with the environment it needs.
async function loadHandler(env: Record<string, string | undefined>) {
  vi.resetModules();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  return (await import("../../src/handler.js")).handler;
}

/** The handler writes its log lines to stdout: keep them for the assertions, out of the test output. */
function captureStdout(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  return lines;
}

describe("handler", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it("answers mode=get without any configuration", async () => {
    // prepare
    const handler = await loadHandler({ DDNS_CONFIG_BUCKET: undefined });
    const lines = captureStdout();
    // act
    const result = await handler(httpEvent({ query: { mode: "get" }, sourceIp: "192.0.2.5" }), {
      awsRequestId: "r-1",
    });
    // assess
    expect(seedBody(result)).toEqual({ return_status: "success", return_message: "192.0.2.5" });
    expect(JSON.parse(lines.at(-1) ?? "{}")).toMatchObject({ requestId: "r-1", decision: "reflect" });
  });

  it("answers 503 with a generic body when the bucket is not configured, and says why in the log", async () => {
    // prepare
    const handler = await loadHandler({ DDNS_CONFIG_BUCKET: "" });
    const lines = captureStdout();
    // act
    const result = await handler(
      httpEvent({ query: { mode: "set", hostname: "a.example.com", hash: "a".repeat(64) } }),
    );
    // assess
    expect(result.statusCode).toBe(503);
    expect(seedBody(result).return_message).toBe("The service is temporarily unavailable; try again later.");
    const logged = JSON.parse(lines.at(-1) ?? "{}");
    expect(logged).toMatchObject({
      msg: "request",
      decision: "unavailable",
      error: { message: "DDNS_CONFIG_BUCKET is not set." },
    });
  });
});
