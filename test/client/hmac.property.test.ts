// The client's portable HMAC-SHA256 (POSIX sh over sha256sum or openssl, with od and printf)
// equals Node's crypto.createHmac on random keys and messages, including keys longer than
// the 64-byte block. Each property run sends a whole batch of cases to one shell, so the
// test stays fast; the shells see only the tools a router would have.
import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CLIENT = resolve(import.meta.dirname, "../../client/ddns-client.sh");
const CASES_PER_RUN = 40;

interface Variant {
  readonly name: string;
  readonly shell: readonly string[];
  readonly tools: readonly string[];
}

const VARIANTS: readonly Variant[] = [
  { name: "busybox sh, sha256sum, no openssl", shell: ["busybox", "sh"], tools: ["od", "sha256sum"] },
  { name: "busybox sh, openssl, no sha256sum", shell: ["busybox", "sh"], tools: ["od", "openssl"] },
  { name: "dash, sha256sum, no openssl", shell: ["dash"], tools: ["od", "sha256sum"] },
];

function realTool(name: string): string {
  return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim();
}

// Bytes as a single-quoted printf format of octal escapes: any byte but NUL, which no shell
// variable (and so no secret from a config file or the environment) can hold.
function printfOctal(bytes: Uint8Array): string {
  return `'${Array.from(bytes, (byte) => `\\${byte.toString(8).padStart(3, "0")}`).join("")}'`;
}

// The trailing `x` keeps trailing newlines, which command substitution would strip.
function shellScript(cases: readonly (readonly [Uint8Array, Uint8Array])[]): string {
  const lines = ['DDNS_CLIENT_LIBRARY=1 . "$CLIENT"', "detect_hash_tool || exit 3"];
  for (const [key, message] of cases) {
    lines.push(
      `k=$(printf ${printfOctal(key)}; printf x); k=\${k%x}`,
      `m=$(printf ${printfOctal(message)}; printf x); m=\${m%x}`,
      'hmac_sha256_hex "$k" "$m" || exit 4',
      "echo",
    );
  }
  return `${lines.join("\n")}\n`;
}

const nonNulBytes = (maxLength: number) =>
  fc.array(fc.integer({ min: 1, max: 255 }), { maxLength }).map((bytes) => Uint8Array.from(bytes));

// Keys up to 200 bytes (the block is 64), messages up to 300.
const caseArbitrary = fc.tuple(nonNulBytes(200), nonNulBytes(300));

describe("client/ddns-client.sh hmac_sha256_hex", () => {
  let workDir: string;

  beforeAll(() => {
    workDir = mkdtempSync(join(tmpdir(), "ddns-hmac-"));
  });

  afterAll(() => {
    rmSync(workDir, { recursive: true, force: true });
  });

  it.each(VARIANTS)("equals crypto.createHmac under $name", ({ name, shell, tools }) => {
    const binDir = join(workDir, name.replaceAll(/[^a-z0-9]+/g, "-"));
    mkdirSync(binDir, { recursive: true });
    for (const tool of tools) symlinkSync(realTool(tool), join(binDir, tool));
    const [shellName = "sh", ...shellArgs] = shell;
    const shellPath = realTool(shellName);
    const scriptPath = join(binDir, "cases.sh");

    fc.assert(
      fc.property(
        fc.array(caseArbitrary, { minLength: CASES_PER_RUN, maxLength: CASES_PER_RUN }),
        (cases) => {
          writeFileSync(scriptPath, shellScript(cases));
          const output = execFileSync(shellPath, [...shellArgs, scriptPath], {
            encoding: "utf8",
            env: { PATH: binDir, CLIENT },
          });
          const expected = cases.map(
            ([key, message]) => `${createHmac("sha256", key).update(message).digest("hex")}\n`,
          );
          expect(output).toBe(expected.join(""));
        },
      ),
      // A failing batch shrinks slowly (every step runs a shell): report what shrinking found by then.
      { numRuns: 3, interruptAfterTimeLimit: 20_000, markInterruptAsFailure: true },
    );
  });
});
