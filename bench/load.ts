/**
 * Load: src/local serving the built bundle against moto, driven by a small closed-loop load
 * generator. Each of the connections is bound to its own loopback source address (127.0.0.x), and
 * the server takes the caller's address from the socket, so every connection is a different router.
 * Mix: mode=get, mode=set whose address is unchanged, and mode=set that moves a host to the
 * caller's address (a Route 53 change). Prints status counts per kind, errors, p50/p99.
 *
 *   npx tsx bench/load.ts [--connections 50] [--seconds 30]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { Agent, request } from "node:http";
import { parseArgs } from "node:util";
import { createAwsFixture } from "../test/support/aws-fixture.js";
import { deployedEnvironment } from "../test/support/deployment.js";
import { fleetConfig, fleetHost, setQuery } from "../test/support/fakes/fleet.js";
import { freePort, startMoto, waitForHttp } from "../test/support/moto.js";
import { percentile, printTable, verdict } from "./lib/stats.js";

type Kind = "get" | "set-unchanged" | "set-changed";
/** Out of 100 requests. */
const MIX: readonly [Kind, number][] = [
  ["get", 20],
  ["set-unchanged", 78],
  ["set-changed", 2],
];
const HOSTS_PER_CONNECTION = 4;
/** Hosts that move between connections, so setting one to the caller's address is a change. */
const ROAMING_HOSTS = 20;

const sourceAddress = (connection: number) => `127.0.0.${10 + connection}`;

interface Tally {
  statuses: Map<number, number>;
  latenciesMs: number[];
  errors: number;
}

function get(agent: Agent, port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: "127.0.0.1", port, path, agent, timeout: 30_000 }, (response) => {
      response.resume();
      response.once("end", () => resolve(response.statusCode ?? 0));
      response.once("error", reject);
    });
    outgoing.once("timeout", () => outgoing.destroy(new Error("timeout")));
    outgoing.once("error", reject);
    outgoing.end();
  });
}

function pickKind(): Kind {
  let roll = Math.random() * 100;
  for (const [kind, share] of MIX) {
    roll -= share;
    if (roll < 0) return kind;
  }
  return "get";
}

async function startLocalApi(env: NodeJS.ProcessEnv, port: number, lifetimeSeconds: number) {
  const server: ChildProcess = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "src/local/main.ts",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--exit-after",
      String(lifetimeSeconds),
    ],
    // The function writes one JSON log line per request; the benchmark does not read them.
    { env, stdio: ["ignore", "ignore", "inherit"] },
  );
  let exited = false;
  server.once("exit", () => {
    exited = true;
  });
  await waitForHttp(`http://127.0.0.1:${port}/health`, 30_000, () => exited);
  return server;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { connections: { type: "string", default: "50" }, seconds: { type: "string", default: "30" } },
  });
  const connections = Number(values.connections);
  const seconds = Number(values.seconds);
  const moto = await startMoto({ maxLifetimeSeconds: seconds + 300 });
  let server: ChildProcess | undefined;
  try {
    const fixture = await createAwsFixture(moto.url);
    const ownHosts = connections * HOSTS_PER_CONNECTION;
    await fixture.putConfig(fleetConfig(ownHosts + ROAMING_HOSTS, fixture.zoneId));
    // Each connection's own hosts already point at its address: setting them is "unchanged".
    for (let index = 0; index < ownHosts; index++) {
      await fixture.setRecord(`${fleetHost(index).hostname}.`, "A", sourceAddress(index % connections));
    }
    const port = await freePort();
    server = await startLocalApi(
      { ...process.env, ...deployedEnvironment(moto.url, { bucket: fixture.bucket }) },
      port,
      seconds + 120,
    );

    const tallies = new Map<Kind, Tally>(
      MIX.map(([kind]) => [kind, { statuses: new Map(), latenciesMs: [], errors: 0 }]),
    );
    const deadline = performance.now() + seconds * 1000;
    const progress = setInterval(() => {
      const done = [...tallies.values()].reduce((sum, tally) => sum + tally.latenciesMs.length, 0);
      console.log(`  load: ${done.toLocaleString("en-US")} requests so far`);
    }, 5000);
    console.log(
      `load: ${connections} connections from ${sourceAddress(0)}…${sourceAddress(connections - 1)}, ${seconds} s, mix ${MIX.map(([kind, share]) => `${kind} ${share} %`).join(", ")}`,
    );

    const connection = async (index: number) => {
      const source = sourceAddress(index);
      const agent = new Agent({ keepAlive: true, maxSockets: 1, localAddress: source });
      let turn = 0;
      while (performance.now() < deadline) {
        const kind = pickKind();
        const host =
          kind === "set-changed"
            ? fleetHost(ownHosts + ((index + turn) % ROAMING_HOSTS))
            : fleetHost(index + connections * (turn % HOSTS_PER_CONNECTION));
        turn++;
        const path = kind === "get" ? "/?mode=get" : `/?${setQuery(host, source)}`;
        const tally = tallies.get(kind) as Tally;
        const startedAt = performance.now();
        try {
          const status = await get(agent, port, path);
          tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);
        } catch {
          tally.errors++;
        }
        tally.latenciesMs.push(performance.now() - startedAt);
      }
      agent.destroy();
    };
    const startedAt = performance.now();
    await Promise.all(Array.from({ length: connections }, (_, index) => connection(index)));
    const elapsed = (performance.now() - startedAt) / 1000;
    clearInterval(progress);

    const all = [...tallies.values()];
    const total = all.reduce((sum, tally) => sum + tally.latenciesMs.length, 0);
    const errors = all.reduce((sum, tally) => sum + tally.errors, 0);
    const serverErrors = all.reduce(
      (sum, tally) =>
        sum + [...tally.statuses].filter(([status]) => status >= 500).reduce((n, [, count]) => n + count, 0),
      0,
    );
    const row = (label: string, tally: Tally) => [
      label,
      tally.latenciesMs.length.toLocaleString("en-US"),
      [...tally.statuses]
        .sort(([a], [b]) => a - b)
        .map(([status, count]) => `${status}×${count}`)
        .join(" "),
      String(tally.errors),
      `${percentile(tally.latenciesMs, 0.5).toFixed(1)} ms`,
      `${percentile(tally.latenciesMs, 0.99).toFixed(1)} ms`,
    ];
    const merged: Tally = {
      statuses: new Map(),
      latenciesMs: all.flatMap((tally) => tally.latenciesMs),
      errors,
    };
    for (const tally of all)
      for (const [status, count] of tally.statuses)
        merged.statuses.set(status, (merged.statuses.get(status) ?? 0) + count);
    printTable(
      ["kind", "requests", "statuses", "errors", "p50", "p99"],
      [...[...tallies].map(([kind, tally]) => row(kind, tally)), row("all", merged)],
    );
    console.log(
      `${Math.round(total / elapsed).toLocaleString("en-US")} requests/s over ${elapsed.toFixed(1)} s`,
    );
    console.log(
      verdict(
        `0 errors and 0 5xx (errors ${errors}, 5xx ${serverErrors})`,
        errors === 0 && serverErrors === 0,
      ),
    );
    if (errors > 0 || serverErrors > 0) process.exitCode = 1;
  } finally {
    server?.kill("SIGTERM");
    await moto.stop();
  }
}

await main();
