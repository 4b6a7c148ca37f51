// Adds toReceiveCommandWith and friends to expect().
import "aws-sdk-client-mock-vitest/extend";
import { beforeEach } from "vitest";

/**
 * The function writes one JSON line per request to stdout (src/core/log.ts). A passing run shows test
 * names and figures, not those lines: they are kept per test and shown only when the test fails.
 * Tests that read the lines themselves spy on process.stdout.write over this.
 */
const FUNCTION_LOG_LINE = '{"time":';
const passThrough = process.stdout.write.bind(process.stdout);
let kept: string[] = [];

process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
  if (!text.startsWith(FUNCTION_LOG_LINE)) {
    return (passThrough as (...args: unknown[]) => boolean)(chunk, ...rest);
  }
  kept.push(text);
  const done = rest.find((argument) => typeof argument === "function") as (() => void) | undefined;
  done?.();
  return true;
}) as typeof process.stdout.write;

beforeEach(({ onTestFailed }) => {
  kept = [];
  onTestFailed(() => {
    if (kept.length > 0) passThrough(`The function's log lines in this test:\n${kept.join("")}`);
  });
});
