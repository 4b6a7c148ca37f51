// Preloaded (--import) into each timed process by bench/cli-help.ts: at exit, writes the process's
// whole CPU time (user + system, from its start) to $BENCH_CPU_FILE, a figure that a busy shared
// machine inflates far less than wall time.
import { writeFileSync } from "node:fs";

process.on("exit", () => {
  const { user, system } = process.cpuUsage();
  writeFileSync(process.env.BENCH_CPU_FILE, String((user + system) / 1000));
});
