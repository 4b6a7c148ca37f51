/**
 * How Lambda runs the function, for the simulations: an execution environment serves ONE request at a
 * time. A request goes to an idle environment; when none is idle and fewer than the function's
 * reserved concurrency exist, a new one starts (a cold start, its own caches, budget and batcher);
 * otherwise Lambda throttles the invocation and the function never sees the request.
 *
 * What the router then gets is API Gateway's answer, not the function's: "If the Lambda API rejects
 * the invocation request, API Gateway returns a 500 error code" with the body
 * `{"message":"Internal Server Error"}`, no Retry-After, and API Gateway does not retry (AWS Lambda
 * Developer Guide, "Handling Lambda errors with an API Gateway API"; the HTTP API troubleshooting page
 * shows that body).
 *
 * Not modelled: idle environments are never reclaimed (a storm keeps them busy), and Lambda's scaling
 * rate (1,000 new environments per function every 10 s) is far above the concurrencies simulated here.
 */
import type { App } from "../../../src/app.js";
import type { HttpResult } from "../../../src/protocols/http.js";
import type { Clock } from "./clock.js";

/** API Gateway's answer to an invocation Lambda throttled. */
export const THROTTLED_INVOCATION: HttpResult = {
  statusCode: 500,
  headers: { "content-type": "application/json" },
  body: '{"message":"Internal Server Error"}',
};

/** Init of the bundle and its first request's extra work, roughly (bench/cold-start.ts measures the parts). */
export const COLD_START_MS = 300;

export interface LambdaPoolOptions {
  readonly clock: Clock;
  /** The function's reserved concurrency: at most this many environments, each busy with one request. */
  readonly concurrency: number;
  /** A fresh environment: module scope run again, nothing shared with the others but the outside services. */
  readonly startEnvironment: () => App;
  readonly coldStartMs?: number;
}

export class LambdaPool {
  /** Invocations Lambda refused because every environment was busy and no more could start. */
  throttled = 0;
  readonly #options: LambdaPoolOptions;
  readonly #idle: App[] = [];
  #environments = 0;

  constructor(options: LambdaPoolOptions) {
    this.#options = options;
  }

  /** Environments started so far (none is reclaimed, so also the most that ran at once). */
  get environments(): number {
    return this.#environments;
  }

  async invoke(event: Parameters<App>[0]): Promise<HttpResult> {
    let environment = this.#idle.pop();
    if (!environment) {
      if (this.#environments >= this.#options.concurrency) {
        this.throttled++;
        return THROTTLED_INVOCATION;
      }
      this.#environments++;
      environment = this.#options.startEnvironment();
      await this.#options.clock.sleep(this.#options.coldStartMs ?? COLD_START_MS);
    }
    try {
      return await environment(event, "sim");
    } finally {
      this.#idle.push(environment);
    }
  }
}
