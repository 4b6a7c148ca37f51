/**
 * `ddns --help` wall time, as whole processes (spawn → exit), repeated, medians: the built CLI
 * (bin/ddns.mjs → dist/ddns.mjs, what `npm install` puts on PATH), the bundle alone, and the
 * TypeScript source through tsx (how bin/ddns.mjs ran before the CLI was bundled), next to `node -e 0`.
 * Goal (issue #10): the built CLI under 0.3 s.
 *
 *   npx tsx bench/cli-help.ts [--runs 15]     (after `make build`)
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { median, ms, printTable, verdict } from "./lib/stats.js";

const GOAL_MS = 300;

const COMMANDS = [
  { label: "ddns --help (bin/ddns.mjs → dist/ddns.mjs)", args: ["bin/ddns.mjs", "--help"] },
  { label: "dist/ddns.mjs --help (the bundle alone)", args: ["dist/ddns.mjs", "--help"] },
  {
    label: "src/admin/cli.ts --help through tsx (before)",
    args: ["--import", "tsx", "src/admin/cli.ts", "--help"],
  },
  { label: "node -e 0 (Node's own start)", args: ["-e", "0"] },
] as const;

function timeOnce(args: readonly string[]): number {
  const startedAt = performance.now();
  const result = spawnSync(process.execPath, args, { encoding: "utf8" });
  const elapsed = performance.now() - startedAt;
  if (result.status !== 0) throw new Error(`node ${args.join(" ")} failed: ${result.stderr.slice(-500)}`);
  return elapsed;
}

const { values } = parseArgs({ options: { runs: { type: "string", default: "15" } } });
const runs = Number(values.runs);
if (!existsSync("dist/ddns.mjs")) throw new Error("dist/ddns.mjs is missing: run `make build` first");

// Interleaved, so a burst of load on a shared machine hits every command alike; one warm-up each.
const samples = COMMANDS.map(() => [] as number[]);
for (const command of COMMANDS) timeOnce(command.args);
for (let run = 0; run < runs; run++) {
  for (const [index, command] of COMMANDS.entries()) samples[index]?.push(timeOnce(command.args));
}
const medians = samples.map((values) => median(values));
printTable(
  ["command", `median of ${runs}`, "min", "max"],
  COMMANDS.map((command, index) => {
    const values = samples[index] ?? [];
    return [
      command.label,
      ms(medians[index] ?? Number.NaN),
      ms(Math.min(...values)),
      ms(Math.max(...values)),
    ];
  }),
);
const built = medians[0] ?? Number.NaN;
const before = medians[2] ?? Number.NaN;
console.log(`\nbuilt vs tsx: ${(before / built).toFixed(1)}× faster`);
console.log(verdict(`ddns --help < ${GOAL_MS} ms (${ms(built)})`, built < GOAL_MS));
