// Module customization hook (see record-loads.mjs): notes each loaded URL, then loads it as usual.
import { appendFileSync } from "node:fs";

export async function load(url, context, nextLoad) {
  appendFileSync(process.env.BENCH_LOAD_LOG, `${url}\n`);
  return nextLoad(url, context);
}
