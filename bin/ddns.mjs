#!/usr/bin/env node
// `npx ddns`: runs the TypeScript source through tsx (a devDependency, so `npm ci` is enough — no
// build step and no second copy of the config schema to keep in step with the function's).
import { register } from "tsx/esm/api";

// The SDK warns on Node 20 that its 2027 releases need Node 22: noise for an operator running a command.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

register();
const { run } = await import("../src/admin/main.ts");
const { processIo } = await import("../src/admin/io.ts");
process.exitCode = await run(process.argv.slice(2), processIo());
