#!/usr/bin/env node
// `ddns` (the package's bin): runs the CLI bundle `make build` writes to dist/ddns.mjs. A launcher
// that always exists, so that in a checkout `npx ddns` before a build says what to do, instead of
// "ddns: not found" (npx would also cache that missing bin link past the build).
const bundle = new URL("../dist/ddns.mjs", import.meta.url);
try {
  await import(bundle.href);
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes(bundle.pathname)) throw error;
  process.stderr.write("ddns: the CLI is not built yet (dist/ddns.mjs): run `make build` first\n");
  process.exitCode = 1;
}
