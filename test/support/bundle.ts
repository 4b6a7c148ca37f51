/**
 * The built bundle (make build → dist/lambda) and the driver that runs it once in a fresh process, as
 * a cold Lambda container would. A suite that needs the bundle fails without it, saying how to make
 * it: a skipped suite would report green for a check that never ran.
 */
import { existsSync } from "node:fs";

/** The driver (first-request.mjs): node FIRST_REQUEST BUNDLE SOURCE_IP PATH [QUERY]. */
export const FIRST_REQUEST = new URL("./first-request.mjs", import.meta.url).pathname;

/** The bundle's path; throws when it has not been built. */
export function builtBundle(): string {
  const bundle = new URL("../../dist/lambda/index.mjs", import.meta.url).pathname;
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`make build\` first.`);
  return bundle;
}
