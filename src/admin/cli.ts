/**
 * `ddns` as a program: the entry point `make build` bundles into dist/ddns.mjs (one file with the
 * SDK and the function's own config schema), which the package's bin runs.
 */
import { processIo } from "./io.js";
import { run } from "./main.js";

// The SDK warns on Node 20 that its 2027 releases need Node 22: noise for an operator running a
// command. It reads the variable when a client is made, after this line.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

process.exitCode = await run(process.argv.slice(2), processIo());
