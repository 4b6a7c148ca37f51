// `make build`: bundles the function's three entry points into dist/lambda/ — index.mjs (src/handler.ts,
// `index.handler`, the requests), writer.mjs (src/writer/handler.ts, `writer.handler`, the record writer
// fed by the change queue) and jobs.mjs (src/jobs/handler.ts, `jobs.handler`, the scheduled
// quiet-host check) with the chunks they share or load on first need — and packs dist/lambda.zip for
// Terraform; bundles the operator CLI (src/admin/cli.ts) into the single file dist/ddns.mjs. Fails when
// the request path's code or the upload outgrows its budget.
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";
import { createZip } from "./lib/zip.mjs";

const OUT_DIR = "dist/lambda";
const ZIP_PATH = "dist/lambda.zip";
const CLI_PATH = "dist/ddns.mjs";
// Cold start budget (a cold function pays for every byte it loads; docs/performance.md has the
// figures): code a request can load (index.mjs and every chunk it imports,
// statically or dynamically — not what only jobs.mjs reaches), and the upload.
// Decimal kilobytes, the stricter reading of the budget. 540/210 since fair shares are counted in
// DynamoDB (its client is 41.5 KB of code, 9.6 KB zipped, loaded with the SDK, never by mode=get,
// /checkip or /health).
const MAX_CODE_BYTES = 540_000;
const MAX_ZIP_BYTES = 210_000;

// Lambda hands the function its role's credentials in environment variables, the first link of the
// SDK's credential chain. The chain's profile, SSO, process, web-identity and remote (container and
// instance metadata) links never run there, yet they and the STS/SSO clients they load are a tenth of
// the bundle: each becomes a link that passes to the next. (To use a profile, serve the source instead:
// `npm run local-api -- --source`.)
const LINKS_UNUSED_IN_LAMBDA = {
  "@aws-sdk/credential-provider-sso": "fromSSO",
  "@aws-sdk/credential-provider-ini": "fromIni",
  "@aws-sdk/credential-provider-process": "fromProcess",
  "@aws-sdk/credential-provider-web-identity": "fromTokenFile",
  "./remoteProvider": "remoteProvider",
};
const environmentCredentialsOnly = {
  name: "environment-credentials-only",
  setup(build) {
    build.onResolve(
      { filter: /^(@aws-sdk\/credential-provider-(sso|ini|process|web-identity)|\.\/remoteProvider)$/ },
      (args) =>
        args.importer.includes("credential-provider-node")
          ? { path: args.path, namespace: "not-in-lambda" }
          : undefined,
    );
    // remoteProvider(init) is awaited before its link is called; the others return their link at once.
    build.onLoad({ filter: /.*/, namespace: "not-in-lambda" }, ({ path }) => ({
      contents: `export const ${LINKS_UNUSED_IN_LAMBDA[path]} = ${path === "./remoteProvider" ? "async " : ""}() => async () => {
        throw Object.assign(new Error("${path} is not in the Lambda bundle"), { tryNextLink: true });
      };`,
      loader: "js",
    }));
  },
};

// What the function's and the CLI's bundles share: ESM for Node with the SDK inside.
const NODE_BUNDLE = {
  bundle: true,
  platform: "node",
  format: "esm",
  mainFields: ["module", "main"],
  minify: true,
  // Only the SDK's browser user-agent code imports bowser (dynamically); it never runs on Node.
  external: ["bowser"],
  legalComments: "none",
  logLevel: "warning",
};
// Some SDK dependencies still call require() for Node built-ins.
const REQUIRE_SHIM = "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);";

await rm(OUT_DIR, { recursive: true, force: true });
await mkdir(OUT_DIR, { recursive: true });

const { metafile } = await build({
  ...NODE_BUNDLE,
  entryPoints: { index: "src/handler.ts", writer: "src/writer/handler.ts", jobs: "src/jobs/handler.ts" },
  metafile: true,
  outdir: OUT_DIR,
  outExtension: { ".js": ".mjs" },
  splitting: true,
  target: "node22",
  // Maps point at file names and lines; the sources themselves stay out of the upload.
  sourcemap: true,
  sourcesContent: false,
  plugins: [environmentCredentialsOnly],
  chunkNames: "chunks/[name]-[hash]",
  banner: { js: REQUIRE_SHIM },
});

// The CLI keeps the whole credential chain (profiles, SSO) and runs on the operator's Node (>= 20).
await build({
  ...NODE_BUNDLE,
  entryPoints: ["src/admin/cli.ts"],
  outfile: CLI_PATH,
  target: "node20",
  banner: { js: `#!/usr/bin/env node\n${REQUIRE_SHIM}` },
});
await chmod(CLI_PATH, 0o755);

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

/** The output files `entry` can load: itself and, transitively, every chunk it imports (static or dynamic). */
function importClosure(entry) {
  const reached = new Set();
  const visit = (path) => {
    if (reached.has(path) || !metafile.outputs[path]) return;
    reached.add(path);
    for (const imported of metafile.outputs[path].imports) if (!imported.external) visit(imported.path);
  };
  visit(join(OUT_DIR, entry));
  return [...reached].map((path) => path.slice(OUT_DIR.length + 1));
}

const code = files.filter((file) => file.name.endsWith(".mjs"));
const bytesOf = (names) =>
  code.filter((file) => names.includes(file.name)).reduce((sum, file) => sum + file.data.length, 0);
const requestPath = importClosure("index.mjs");
const codeBytes = bytesOf(requestPath);
const jobPath = importClosure("jobs.mjs");
const jobOnlyBytes = bytesOf(jobPath.filter((name) => !requestPath.includes(name)));
const writerPath = importClosure("writer.mjs");
const writerOnlyBytes = bytesOf(writerPath.filter((name) => !requestPath.includes(name)));
const allCodeBytes = bytesOf(code.map((file) => file.name));
const entryBytes = bytesOf(["index.mjs"]);
const zipBytes = (await stat(ZIP_PATH)).size;
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;
console.log(
  `built ${ZIP_PATH}: ${kb(zipBytes)} zipped; request path ${kb(codeBytes)} in ${requestPath.length} files (index.mjs ${kb(entryBytes)}); ` +
    `writer.mjs adds ${kb(writerOnlyBytes)} of its own; jobs.mjs adds ${kb(jobOnlyBytes)} of its own; ${kb(allCodeBytes)} in ${code.length} files in all`,
);
console.log(`built ${CLI_PATH}: ${kb((await stat(CLI_PATH)).size)}`);

const overBudget = [];
if (codeBytes > MAX_CODE_BYTES) overBudget.push(`request path code ${kb(codeBytes)} > ${kb(MAX_CODE_BYTES)}`);
if (zipBytes > MAX_ZIP_BYTES) overBudget.push(`zip ${kb(zipBytes)} > ${kb(MAX_ZIP_BYTES)}`);
if (overBudget.length > 0) {
  console.error(`bundle over budget: ${overBudget.join("; ")}`);
  process.exit(1);
}
