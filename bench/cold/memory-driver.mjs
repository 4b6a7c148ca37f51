// One function process serving many requests, as a warm Lambda container would: load the built
// bundle, call its handler once per query (one after another), and after each `every` requests
// force a GC and note RSS and heap. bench/fleet-memory.ts starts it and reads the result file.
//   node --expose-gc bench/cold/memory-driver.mjs BUNDLE SOURCE_IP QUERIES_FILE EVERY RESULT_FILE
import { readFileSync, writeFileSync } from "node:fs";

const [bundle, sourceIp, queriesFile, every, resultFile] = process.argv.slice(2);
const mib = (bytes) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const sample = (after) => {
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { after, rssMiB: mib(rss), heapMiB: mib(heapUsed) };
};
const samples = [sample("start")];
const { handler } = await import(bundle);
samples.push(sample("bundle loaded"));
const queries = readFileSync(queriesFile, "utf8").split("\n").filter(Boolean);
const statuses = {};
const startedAt = performance.now();
for (const [index, rawQueryString] of queries.entries()) {
  const result = await handler(
    {
      version: "2.0",
      routeKey: "$default",
      rawPath: "/",
      rawQueryString,
      headers: {},
      isBase64Encoded: false,
      requestContext: { http: { method: "GET", path: "/", sourceIp } },
    },
    { awsRequestId: `memory-${index}` },
  );
  statuses[result.statusCode] = (statuses[result.statusCode] ?? 0) + 1;
  if ((index + 1) % Number(every) === 0) samples.push(sample(`${index + 1} requests`));
}
const seconds = (performance.now() - startedAt) / 1000;
writeFileSync(resultFile, JSON.stringify({ samples, statuses, seconds }));
process.exit(0);
