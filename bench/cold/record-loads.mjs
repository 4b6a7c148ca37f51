// `node --import ./record-loads.mjs …` appends the URL of every module the process loads to the
// file named by $BENCH_LOAD_LOG, so bench/cold-start.ts can see which bundle chunks a request needs.
import { register } from "node:module";

register("./load-hooks.mjs", import.meta.url);
