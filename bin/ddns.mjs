#!/usr/bin/env node
// `npx ddns`: runs the TypeScript source through tsx (a devDependency, so `npm ci` is enough — no
// build step and no second copy of the config schema to keep in step with the function's).
import { register } from "tsx/esm/api";

register();
const { run } = await import("../src/admin/main.ts");
const { processIo } = await import("../src/admin/io.ts");
process.exitCode = await run(process.argv.slice(2), processIo());
