import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { routeTable } from "../../src/app.js";
import type { HttpEvent } from "../../src/protocols/http.js";
import catalogue from "../../terraform/routes.json" with { type: "json" };
import { httpEvent, seedBody } from "../support/events.js";
import { testApp } from "../support/mock-aws.js";

/** The route catalogue that app.ts and the http-api module both read; everything else must be 404 or 405. */
const ROUTES: Record<string, readonly string[]> = Object.fromEntries(
  Object.entries(catalogue.routes).map(([path, { methods }]) => [path, methods]),
);
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
  it("serves every route of the catalogue: none answers 404 or 405", async () => {
    // prepare
    const { app } = testApp();
    for (const [path, methods] of Object.entries(ROUTES)) {
      for (const verb of methods) {
        // act
        const result = await app(httpEvent({ method: verb, path }));
        // assess
        expect([404, 405], `${verb} ${path}`).not.toContain(result.statusCode);
      }
    }
  });

  it("refuses to build a table where the catalogue and the handlers disagree", () => {
    // prepare
    const handler = () => ({ statusCode: 200, body: "" });
    const catalogueOnly = { "/a": { protocol: "x", methods: ["GET", "POST"] } };
    // act, assess
    expect(() => routeTable(catalogueOnly, { "GET /a": handler })).toThrow(/lists POST \/a, but no handler/);
    expect(() =>
      routeTable(catalogueOnly, { "GET /a": handler, "POST /a": handler, "GET /b": handler }),
    ).toThrow(/lacks GET \/b/);
    expect(routeTable(catalogueOnly, { "GET /a": handler, "POST /a": handler }).get("/a")?.protocol).toBe(
      "x",
    );
  });

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
