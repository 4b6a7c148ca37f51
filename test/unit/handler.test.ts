import { afterEach, describe, expect, it, vi } from "vitest";
import { httpEvent, seedBody } from "../support/events.js";

// The Lambda entry point as the runtime loads it: module state is per container, so each test
// imports a fresh copy with the environment it needs.
async function loadHandler(env: Record<string, string | undefined>) {
  vi.resetModules();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  return (await import("../../src/handler.js")).handler;
}

describe("handler", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("answers mode=get without any configuration", async () => {
    const handler = await loadHandler({ DDNS_CONFIG_BUCKET: undefined });
    const result = await handler(httpEvent({ query: { mode: "get" }, sourceIp: "192.0.2.5" }), {
      awsRequestId: "r-1",
    });
    expect(seedBody(result)).toEqual({ return_status: "success", return_message: "192.0.2.5" });
  });

  it("answers 503 with a generic body when the bucket is not configured, and says why in the log", async () => {
    // prepare
    const handler = await loadHandler({ DDNS_CONFIG_BUCKET: "" });
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    // act
    const result = await handler(
      httpEvent({ query: { mode: "set", hostname: "a.example.com", hash: "a".repeat(64) } }),
    );
    write.mockRestore();
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
