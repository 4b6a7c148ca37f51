import { describe, expect, it } from "vitest";
import { EDGE_ONLY_MESSAGE } from "../../src/protocols/edge.js";
import { httpEvent, seedBody } from "../support/events.js";
import { testApp } from "../support/mock-aws.js";

const EDGE_SECRET = "0b7e4f6e-5a51-4c1e-9f0e-edge-secret-for-tests";
const CLOUDFRONT_EDGE_IP = "130.176.0.10";

/** A request as CloudFront forwards it: API Gateway sees the edge's address. */
const throughEdge = (headers: Record<string, string>) =>
  httpEvent({ query: { mode: "get" }, sourceIp: CLOUDFRONT_EDGE_IP, headers });

describe("behind the edge (CloudFront + WAF)", () => {
  it("takes the caller's address from CloudFront-Viewer-Address on requests carrying the edge secret", async () => {
    // prepare
    const { app, logs } = testApp({ edgeSecret: EDGE_SECRET });
    // act
    const v4 = await app(
      throughEdge({
        "x-ddns-edge-secret": EDGE_SECRET,
        "cloudfront-viewer-address": "198.51.100.7:54321",
        "x-forwarded-for": "6.6.6.6",
      }),
    );
    const v6 = await app(
      throughEdge({ "X-DDNS-Edge-Secret": EDGE_SECRET, "CloudFront-Viewer-Address": "2001:db8:0::7:443" }),
    );
    // assess
    expect(seedBody(v4)).toEqual({ return_status: "success", return_message: "198.51.100.7" });
    expect(seedBody(v6).return_message).toBe("2001:db8::7");
    expect(logs.map((entry) => entry.sourceIp)).toEqual(["198.51.100.7", "2001:db8::7"]);
    expect(JSON.stringify(logs)).not.toContain(EDGE_SECRET);
  });

  it("refuses requests that did not come through the edge, whatever headers they forge", async () => {
    // prepare
    const { app, logs } = testApp({ edgeSecret: EDGE_SECRET });
    // act
    const direct = await app(httpEvent({ query: { mode: "get" }, sourceIp: "203.0.113.10" }));
    const forged = await app(
      throughEdge({ "x-ddns-edge-secret": "guess", "cloudfront-viewer-address": "198.51.100.7:1" }),
    );
    // assess
    expect([direct.statusCode, forged.statusCode]).toEqual([403, 403]);
    expect(seedBody(direct).return_message).toBe(EDGE_ONLY_MESSAGE);
    expect(logs).toHaveLength(2);
    expect(logs.every((entry) => entry.level === "info" && entry.decision === "forbidden")).toBe(true);
  });

  it("answers 400 when the edge sends no usable viewer address", async () => {
    const { app } = testApp({ edgeSecret: EDGE_SECRET });
    for (const viewer of [undefined, "", "not-an-address:80", "198.51.100.7"]) {
      const headers: Record<string, string> = { "x-ddns-edge-secret": EDGE_SECRET };
      if (viewer !== undefined) headers["cloudfront-viewer-address"] = viewer;
      const result = await app(throughEdge(headers));
      expect(result.statusCode, String(viewer)).toBe(400);
    }
  });

  it("without an edge secret, the headers are ignored and API Gateway's source address counts", async () => {
    const { app } = testApp();
    const result = await app(
      throughEdge({ "x-ddns-edge-secret": EDGE_SECRET, "cloudfront-viewer-address": "198.51.100.7:1" }),
    );
    expect(seedBody(result).return_message).toBe(CLOUDFRONT_EDGE_IP);
  });
});
