/**
 * vitest global setup for the suites that run the function: applies the deployment (deployment.ts)
 * once, before the workers start, when its cache is stale, so no test waits for it under its timeout.
 */
import { deployment } from "./deployment.js";

export default function setup(): void {
  deployment();
}
