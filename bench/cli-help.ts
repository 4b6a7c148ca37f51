/**
 * `ddns --help`, as whole processes (spawn → exit), repeated, medians of wall time and of the
 * process's CPU time: the built CLI (bin/ddns.mjs → dist/ddns.mjs, what `npm install` puts on PATH),
 * the bundle alone, and the TypeScript source through tsx (how bin/ddns.mjs ran before the CLI was
 * bundled), next to `node -e 0`. Goal: the built CLI under 0.3 s, as an
 * installed command-line tool answers.
 *
 *   npx tsx bench/cli-help.ts [--runs 15]     (after `make build`)
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { median, ms, printTable, verdict } from "./lib/stats.js";

const GOAL_MS = 300;
const CPU_AT_EXIT = resolve("bench/cli/cpu-at-exit.mjs");

const COMMANDS = [
  { label: "ddns --help (bin/ddns.mjs → dist/ddns.mjs)", args: ["bin/ddns.mjs", "--help"] },
  { label: "dist/ddns.mjs --help (the bundle alone)", args: ["dist/ddns.mjs", "--help"] },
  {
    label: "src/admin/cli.ts --help through tsx (before)",
    args: ["--import", "tsx", "src/admin/cli.ts", "--help"],
  },
  { label: "node -e 0 (Node's own start)", args: ["-e", "0"] },
] as const;

interface Sample {
  readonly wall: number;
  readonly cpu: number;
}

function timeOnce(args: readonly string[], cpuFile: string): Sample {
  const startedAt = performance.now();
  const result = spawnSync(process.execPath, ["--import", CPU_AT_EXIT, ...args], {
    encoding: "utf8",
    env: { ...process.env, BENCH_CPU_FILE: cpuFile },
  });
  const wall = performance.now() - startedAt;
  if (result.status !== 0) throw new Error(`node ${args.join(" ")} failed: ${result.stderr.slice(-500)}`);
  return { wall, cpu: Number(readFileSync(cpuFile, "utf8")) };
}

const { values } = parseArgs({ options: { runs: { type: "string", default: "15" } } });
const runs = Number(values.runs);
if (!existsSync("dist/ddns.mjs")) throw new Error("dist/ddns.mjs is missing: run `make build` first");
const scratch = mkdtempSync(join(tmpdir(), "bench-cli-"));
const cpuFile = join(scratch, "cpu");

// Interleaved, so a burst of load on a shared machine hits every command alike; one warm-up each.
const samples = COMMANDS.map(() => [] as Sample[]);
for (const command of COMMANDS) timeOnce(command.args, cpuFile);
for (let run = 0; run < runs; run++) {
  for (const [index, command] of COMMANDS.entries()) samples[index]?.push(timeOnce(command.args, cpuFile));
}
rmSync(scratch, { recursive: true, force: true });

const wall = samples.map((values) => median(values.map((sample) => sample.wall)));
const cpu = samples.map((values) => median(values.map((sample) => sample.cpu)));
printTable(
  ["command", `wall, median of ${runs}`, "wall min", "CPU, median"],
  COMMANDS.map((command, index) => {
    const walls = (samples[index] ?? []).map((sample) => sample.wall);
    return [
      command.label,
      ms(wall[index] ?? Number.NaN),
      ms(Math.min(...walls)),
      ms(cpu[index] ?? Number.NaN),
    ];
  }),
);
const [built = Number.NaN, , before = Number.NaN] = wall;
console.log(
  `\nbuilt vs tsx: ${(before / built).toFixed(1)}× faster (wall), ${((cpu[2] ?? 0) / (cpu[0] ?? 1)).toFixed(1)}× (CPU)`,
);
console.log(
  verdict(
    `ddns --help < ${GOAL_MS} ms (${ms(built)} wall, ${ms(cpu[0] ?? Number.NaN)} CPU)`,
    built < GOAL_MS,
  ),
);
