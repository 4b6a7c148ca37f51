import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { HttpEvent } from "../../src/protocols/http.js";
import { httpEvent, seedBody } from "../support/events.js";
import { testApp } from "../support/mock-aws.js";

/** The route table as DESIGN.md lists it; everything else must be 404 or 405. */
const ROUTES: Record<string, readonly string[]> = {
  "/": ["GET", "POST"],
  "/checkip": ["GET"],
  "/nic/update": ["GET"],
  "/health": ["GET"],
};
const PROTOTYPE_NAMES = [
  "constructor",
  "__proto__",
  "valueOf",
  "hasOwnProperty",
  "toString",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toLocaleString",
  "__defineGetter__",
  "__lookupGetter__",
];
const isRoute = (method: string, path: string) =>
  Object.hasOwn(ROUTES, path) && (ROUTES[path] ?? []).includes(method);

describe("routing", () => {
  const method = fc.oneof(
    fc.constantFrom(...PROTOTYPE_NAMES, "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"),
    fc.string({ minLength: 1, maxLength: 12 }),
  );
  const path = fc.oneof(
    fc.constantFrom(...Object.keys(ROUTES)),
    fc.constantFrom(...PROTOTYPE_NAMES).map((name) => `/${name}`),
    fc.constantFrom(...PROTOTYPE_NAMES),
    fc.webPath(),
  );

  it("answers every method and path outside the table with 404 or 405, never 5xx or the context", async () => {
    const { app } = testApp();
    await fc.assert(
      fc.asyncProperty(
        method,
        path.filter((p) => p !== ""),
        async (verb, rawPath) => {
          fc.pre(!isRoute(verb, rawPath.length > 1 ? rawPath.replace(/\/$/, "") : rawPath));
          // act
          const result = await app(
            httpEvent({ method: verb, path: rawPath, headers: { authorization: "Basic c2VjcmV0" } }),
          );
          // assess
          expect([404, 405]).toContain(result.statusCode);
          expect(result.body).not.toContain("c2VjcmV0");
          if (result.statusCode === 405) {
            expect(result.headers?.allow).toMatch(/^(GET|POST)(, (GET|POST))*$/);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("answers the prototype's method names on a real path with 405 and the allowed methods", async () => {
    const { app } = testApp();
    for (const name of PROTOTYPE_NAMES) {
      const result = await app(httpEvent({ method: name, path: "/" }));
      expect(result.statusCode, name).toBe(405);
      expect(result.headers?.allow).toBe("GET, POST");
    }
  });

  it("answers 400, never 500, to events without requestContext or requestContext.http", async () => {
    // prepare
    const { app } = testApp();
    const full = httpEvent({ method: "POST", body: '{"execution_mode":"get"}' });
    const { http: _http, ...withoutHttp } = full.requestContext;
    const partial: HttpEvent[] = [
      { ...full, requestContext: undefined } as unknown as HttpEvent,
      { ...full, requestContext: withoutHttp } as unknown as HttpEvent,
      { ...httpEvent({ query: { mode: "get" } }), requestContext: undefined } as unknown as HttpEvent,
    ];
    for (const event of partial) {
      // act
      const result = await app(event);
      // assess
      expect(result.statusCode).toBe(400);
      expect(seedBody(result).return_status).toBe("fail");
    }
  });
});
