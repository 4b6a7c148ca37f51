// `make build`: bundles src/handler.ts into dist/lambda/ (index.mjs plus chunks the handler loads
// on first need) and packs dist/lambda.zip for Terraform. Fails when the bundle outgrows its budget.
import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";
import { createZip } from "./lib/zip.mjs";

const OUT_DIR = "dist/lambda";
const ZIP_PATH = "dist/lambda.zip";
// Cold start budget (issue #7): code the runtime must load, and the upload.
const MAX_CODE_BYTES = 500 * 1024;
const MAX_ZIP_BYTES = 200 * 1024;

await rm(OUT_DIR, { recursive: true, force: true });
await mkdir(OUT_DIR, { recursive: true });

await build({
  entryPoints: { index: "src/handler.ts" },
  outdir: OUT_DIR,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  splitting: true,
  platform: "node",
  target: "node22",
  format: "esm",
  mainFields: ["module", "main"],
  minify: true,
  // Maps point at file names and lines; the sources themselves stay out of the upload.
  sourcemap: true,
  sourcesContent: false,
  // Only the SDK's browser user-agent code imports bowser (dynamically); it never runs on Node.
  external: ["bowser"],
  chunkNames: "chunks/[name]-[hash]",
  legalComments: "none",
  // Some SDK dependencies still call require() for Node built-ins.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  logLevel: "warning",
});

async function listFiles(dir, prefix = "") {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const relative = prefix + entry.name;
    if (entry.isDirectory()) files.push(...(await listFiles(join(dir, entry.name), `${relative}/`)));
    else files.push(relative);
  }
  return files;
}

// The upload carries the map of index.mjs (the request path: core, protocols, app), so stack traces
// name our source lines; the SDK chunks' maps would triple its size and stay in dist/lambda/ for debugging.
const shipped = (name) => !name.endsWith(".map") || name === "index.mjs.map";
const names = (await listFiles(OUT_DIR)).filter(shipped);
const files = await Promise.all(
  names.map(async (name) => ({ name, data: await readFile(join(OUT_DIR, name)) })),
);
await writeFile(ZIP_PATH, createZip(files));

const code = files.filter((file) => file.name.endsWith(".mjs"));
const codeBytes = code.reduce((sum, file) => sum + file.data.length, 0);
const entryBytes = files.find((file) => file.name === "index.mjs")?.data.length ?? 0;
const zipBytes = (await stat(ZIP_PATH)).size;
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
console.log(
  `built ${ZIP_PATH}: ${kib(zipBytes)} zipped; code ${kib(codeBytes)} in ${code.length} files (index.mjs ${kib(entryBytes)})`,
);

const overBudget = [];
if (codeBytes > MAX_CODE_BYTES) overBudget.push(`code ${kib(codeBytes)} > ${kib(MAX_CODE_BYTES)}`);
if (zipBytes > MAX_ZIP_BYTES) overBudget.push(`zip ${kib(zipBytes)} > ${kib(MAX_ZIP_BYTES)}`);
if (overBudget.length > 0) {
  console.error(`bundle over budget: ${overBudget.join("; ")}`);
  process.exit(1);
}
