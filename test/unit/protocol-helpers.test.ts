/**
 * The helpers every protocol shares (src/protocols/http.ts, src/protocols/failures.ts): one reader
 * of JSON object bodies and one step that records a failure in the request's log line, so that the
 * seed, dyndns2, the ACME formats, GET /status and the app's own net cannot drift apart.
 */
import { describe, expect, it } from "vitest";
import {
  AuthError,
  BadRequestError,
  DnsUpdateError,
  ThrottledError,
  UnavailableError,
} from "../../src/core/errors.js";
import { recordFailure } from "../../src/protocols/failures.js";
import { jsonObjectBody, MAX_BODY_BYTES, type RequestLogFields } from "../../src/protocols/http.js";
import { httpEvent } from "../support/events.js";
import { testApp } from "../support/mock-aws.js";

describe("jsonObjectBody", () => {
  it("returns a JSON object, plain or base64-encoded", () => {
    // prepare
    const text = '{"subdomain":"a","txt":"b"}';
    // act
    const plain = jsonObjectBody(httpEvent({ method: "POST", body: text }));
    const encoded = jsonObjectBody(
      httpEvent({ method: "POST", body: Buffer.from(text).toString("base64"), isBase64Encoded: true }),
    );
    // assess
    expect(plain).toEqual({ subdomain: "a", txt: "b" });
    expect(encoded).toEqual(plain);
  });

  it.each(["", "not json", "[1,2]", '"text"', "42", "null", "true"])(
    "returns undefined for %j, which is not a JSON object",
    (body) => {
      expect(jsonObjectBody(httpEvent({ method: "POST", body }))).toBeUndefined();
    },
  );

  it("refuses a body over the limit before parsing it", () => {
    const body = JSON.stringify({ pad: "x".repeat(MAX_BODY_BYTES) });
    expect(() => jsonObjectBody(httpEvent({ method: "POST", body }))).toThrow(BadRequestError);
    expect(() => jsonObjectBody(httpEvent({ method: "POST", body }))).toThrow(
      `The request body is larger than ${MAX_BODY_BYTES} bytes.`,
    );
  });
});

describe("recordFailure", () => {
  it("logs a refusal's decision and reason, but no error (its line is not level error)", () => {
    // prepare
    const log: RequestLogFields = {};
    // act
    const failure = recordFailure(log, new AuthError("badauth", "wrong password"));
    // assess
    expect(failure.status).toBe(401);
    expect(log).toEqual({ decision: "badauth", reason: "wrong password", error: undefined });
  });

  it.each([
    [new BadRequestError("bad"), 400, "badrequest"],
    [new ThrottledError("slow down", 5), 429, "throttled"],
  ])("keeps the error out of the log for %s (%i)", (error, status, decision) => {
    const log: RequestLogFields = { error: new Error("noted earlier") };
    expect(recordFailure(log, error).status).toBe(status);
    expect(log.decision).toBe(decision);
    expect(log.error).toBeUndefined();
  });

  it.each([
    [new UnavailableError("S3 is down", 30), 503, "unavailable"],
    [new DnsUpdateError("refused"), 502, "dnserr"],
    [new Error("bug"), 500, "error"],
  ])("logs the error itself for %s (%i)", (error, status, decision) => {
    const log: RequestLogFields = {};
    expect(recordFailure(log, error).status).toBe(status);
    expect(log).toMatchObject({ decision, error });
  });

  it("keeps the reason the protocol noted when the failure has none of its own", () => {
    const log: RequestLogFields = { reason: "#1 nohost: unknown host" };
    recordFailure(log, new UnavailableError("S3 is down", 30));
    expect(log.reason).toBe("#1 nohost: unknown host");
  });
});

describe("a refusal through the ACME formats", () => {
  it.each(["/httpreq/present", "/acme-dns/update"])(
    "%s: a 400 is logged at level info, as the other protocols log theirs",
    async (path) => {
      // prepare: credentials of the right form, from an address API Gateway could not determine
      const { app, logs } = testApp();
      const authorization = `Basic ${Buffer.from("user:password").toString("base64")}`;
      const event = httpEvent({
        method: "POST",
        path,
        headers: { authorization, "x-api-user": "user", "x-api-key": "password" },
        body: "{}",
        sourceIp: "not an address",
      });
      // act
      const result = await app(event);
      // assess
      expect(result.statusCode).toBe(400);
      expect(JSON.parse(result.body ?? "")).toEqual({ error: "bad_request" });
      expect(logs).toHaveLength(1);
      expect(logs[0]).toMatchObject({ level: "info", decision: "badrequest", error: undefined });
    },
  );
});
