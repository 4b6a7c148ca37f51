/**
 * Function memory with a 100,000-host fleet (the 128 MB default must hold a large fleet): dist/lambda.zip's
 * index.mjs in one process, as a warm container, answering 10,000 `mode=set` checks for hosts drawn at
 * random from the fleet, with RSS and heap read after a forced GC. The config is in moto, in the sharded
 * layout and, for contrast, as one config.json; Route 53 is a stand-in HTTP endpoint
 * (AWS_ENDPOINT_URL_ROUTE_53) that lists a record for every host, generated on demand (moto takes minutes
 * per 10,000 records), so every check is a no-change 200 and the function holds the whole zone's records as
 * it would in AWS. A DNS stand-in (UDP, DDNS_NAME_SERVERS) answers the same records for the no-change
 * check's DNS path.
 * Run with the V8 heap Terraform sets for a 128 MB function, and with V8's defaults.
 *                                                       (target: RSS within the 128 MB default)
 *
 *   npx tsx bench/fleet-memory.ts [--hosts 100000] [--requests 10000]
 */
import { spawn } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import dnsPacket from "dns-packet";
import { createAwsFixture } from "../test/support/aws-fixture.js";
import { deployedEnvironment } from "../test/support/deployment.js";
import { FLEET_ZONE, fleetHost, setQuery } from "../test/support/fakes/fleet.js";
import { startMoto } from "../test/support/moto.js";
import { type FleetConfig, putFleetConfig, unpackBundle } from "./cold/fleet-configs.js";
import { printTable, verdict } from "./lib/stats.js";

const DRIVER = resolve("bench/cold/memory-driver.mjs");
const SOURCE_IP = "127.0.0.1";
/** Terraform's NODE_OPTIONS heap for memory_size = 128 (terraform/modules/function/main.tf). */
const HEAP_FOR_128 = ["--max-old-space-size=100", "--max-semi-space-size=4"];
const LAMBDA_MIB = 128;

/** Calls the stand-ins answered, per run. */
const served = { listCalls: 0, dnsQueries: 0 };

/** A Route 53 endpoint that lists `host0…host{n-1}` in the fleet zone, all A = SOURCE_IP. */
function route53StandIn(hosts: number): Promise<{ server: Server; url: string }> {
  const record = (index: number) =>
    `<ResourceRecordSet><Name>${fleetHost(index).hostname}.</Name><Type>A</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>${SOURCE_IP}</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>`;
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://stand-in");
    if (request.method !== "GET" || !url.pathname.endsWith("/rrset")) {
      response.writeHead(400, { "content-type": "text/xml" });
      response.end(
        `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidInput</Code><Message>not in the stand-in</Message></Error></ErrorResponse>`,
      );
      return;
    }
    served.listCalls += 1;
    const name = url.searchParams.get("name");
    const match = name ? /^host(\d+)\./.exec(name) : null;
    const start = name === null ? 0 : match ? Number(match[1]) : hosts;
    const max = Number(url.searchParams.get("maxitems") ?? 300);
    const end = Math.min(hosts, start + max);
    const items: string[] = [];
    for (let index = start; index < end; index++) items.push(record(index));
    const next =
      end < hosts
        ? `<NextRecordName>${fleetHost(end).hostname}.</NextRecordName><NextRecordType>A</NextRecordType>`
        : "";
    response.writeHead(200, { "content-type": "text/xml" });
    response.end(
      `<?xml version="1.0"?><ListResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ResourceRecordSets>${items.join("")}</ResourceRecordSets><IsTruncated>${end < hosts}</IsTruncated>${next}<MaxItems>${max}</MaxItems></ListResourceRecordSetsResponse>`,
    );
  });
  return new Promise((resolvePromise) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolvePromise({ server, url: `http://127.0.0.1:${port}` });
    });
  });
}

/** Authoritative answers for the fleet zone over UDP: `host<i>` has A = SOURCE_IP for i < hosts. */
function dnsStandIn(hosts: number): Promise<{ socket: Socket; address: string }> {
  const socket = createSocket("udp4");
  socket.on("message", (message, remote) => {
    served.dnsQueries += 1;
    const query = dnsPacket.decode(message);
    const question = query.questions?.[0];
    const match = question ? /^host(\d+)\.dyn\.example\.com$/i.exec(question.name) : null;
    const exists = match !== null && Number(match[1]) < hosts;
    const answers =
      exists && question?.type === "A"
        ? [{ type: "A" as const, name: question.name, ttl: 60, data: SOURCE_IP }]
        : [];
    const reply = dnsPacket.encode({
      type: "response",
      id: query.id ?? 0,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (exists ? 0 : 3), // NXDOMAIN for names not in the fleet
      questions: query.questions ?? [],
      answers,
    });
    socket.send(reply, remote.port, remote.address);
  });
  return new Promise((resolvePromise) => {
    socket.bind(0, "127.0.0.1", () =>
      resolvePromise({ socket, address: `127.0.0.1:${socket.address().port}` }),
    );
  });
}

/** A deterministic pseudo-random sequence (mulberry32), so every run asks for the same hosts. */
function randomIndices(count: number, below: number, seed = 13): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below);
  });
}

interface DriverResult {
  readonly samples: { after: string; rssMiB: number; heapMiB: number }[];
  readonly statuses: Record<string, number>;
  readonly seconds: number;
}

function runDriver(
  nodeFlags: readonly string[],
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<DriverResult | { failed: string }> {
  const dir = mkdtempSync(join(tmpdir(), "ddns-memory-"));
  const resultFile = join(dir, "result.json");
  return new Promise((resolvePromise) => {
    // The function's JSON log lines go nowhere; only the exit and the result file matter.
    const child = spawn(process.execPath, ["--expose-gc", ...nodeFlags, DRIVER, ...args, resultFile], {
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr = (stderr + chunk).slice(-2000);
    });
    child.on("exit", (code, signal) => {
      try {
        resolvePromise(
          code === 0
            ? (JSON.parse(readFileSync(resultFile, "utf8")) as DriverResult)
            : {
                failed: `exit ${code ?? signal}: ${/heap out of memory/i.test(stderr) ? "JavaScript heap out of memory" : stderr.slice(-300)}`,
              },
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { hosts: { type: "string", default: "100000" }, requests: { type: "string", default: "10000" } },
  });
  const hosts = Number(values.hosts);
  const requests = Number(values.requests);
  const moto = await startMoto({ maxLifetimeSeconds: 1800 });
  const route53 = await route53StandIn(hosts);
  const dns = await dnsStandIn(hosts);
  const bundle = unpackBundle();
  const work = mkdtempSync(join(tmpdir(), "ddns-memory-queries-"));
  try {
    const fixture = await createAwsFixture(moto.url, { zoneName: FLEET_ZONE });
    const configs: FleetConfig[] = [];
    for (const layout of ["sharded", "single"] as const) {
      configs.push(await putFleetConfig(fixture.s3, fixture.bucket, fixture.zoneId, hosts, layout));
    }
    const queriesFile = join(work, "queries.txt");
    const indices = randomIndices(requests, hosts);
    writeFileSync(queriesFile, indices.map((index) => setQuery(fleetHost(index), SOURCE_IP)).join("\n"));
    // The same hosts with a token made from the wrong secret: each check loads the host's shard and
    // is refused (401) before any record is read, which leaves the config's own share of memory.
    const refusedFile = join(work, "refused.txt");
    writeFileSync(
      refusedFile,
      indices
        .map((index) => setQuery({ ...fleetHost(index), secret: "not-the-secret" }, SOURCE_IP))
        .join("\n"),
    );
    const aws = deployedEnvironment(moto.url, { bucket: fixture.bucket });
    const every = Math.max(1, Math.floor(requests / 5));
    console.log(
      `memory: ${hosts.toLocaleString("en-US")} hosts, ${requests.toLocaleString("en-US")} mode=set checks over hosts drawn at random, dist/lambda.zip's index.mjs; MiB after a forced GC`,
    );
    const runs: { config: FleetConfig; heap: string; flags: readonly string[]; queries?: string }[] = [
      {
        config: configs[0] as FleetConfig,
        heap: "V8 heap for a 128 MB function; config only (every check refused 401 after its shard is loaded, no records read)",
        flags: HEAP_FOR_128,
        queries: refusedFile,
      },
      {
        config: configs[0] as FleetConfig,
        heap: "V8 heap for a 128 MB function (Terraform's NODE_OPTIONS)",
        flags: HEAP_FOR_128,
      },
      { config: configs[0] as FleetConfig, heap: "V8's default heap on this machine", flags: [] },
      {
        config: configs[1] as FleetConfig,
        heap: "V8 heap for a 128 MB function (Terraform's NODE_OPTIONS)",
        flags: HEAP_FOR_128,
      },
      { config: configs[1] as FleetConfig, heap: "V8's default heap on this machine", flags: [] },
    ];
    let target: number | undefined;
    for (const { config, heap, flags, queries = queriesFile } of runs) {
      const layout = config.layout === "single" ? "one config.json" : `sharded, ${config.shards} shards`;
      console.log(`\n### ${layout}; ${heap}`);
      served.listCalls = 0;
      served.dnsQueries = 0;
      const result = await runDriver(flags, [bundle.entry, SOURCE_IP, queries, String(every)], {
        ...process.env,
        ...aws,
        AWS_ENDPOINT_URL_ROUTE_53: route53.url,
        DDNS_NAME_SERVERS: dns.address,
        DDNS_CONFIG_KEY: config.key,
      });
      if ("failed" in result) {
        console.log(`failed: ${result.failed}`);
        continue;
      }
      printTable(
        ["after", "RSS", "heap used"],
        result.samples.map((sample) => [sample.after, sample.rssMiB.toFixed(1), sample.heapMiB.toFixed(1)]),
      );
      const answers = Object.entries(result.statuses)
        .map(([status, count]) => `${status}×${count}`)
        .join(" ");
      console.log(
        `answers: ${answers}; ${Math.round(requests / result.seconds).toLocaleString("en-US")} requests/s; ` +
          `ListResourceRecordSets calls ${served.listCalls}, DNS queries ${served.dnsQueries}`,
      );
      if (config.layout === "sharded" && flags === HEAP_FOR_128 && queries === queriesFile) {
        target = result.samples.at(-1)?.rssMiB;
      }
    }
    if (target !== undefined) {
      console.log(
        `\n${verdict(`RSS with ${hosts.toLocaleString("en-US")} hosts (sharded) after ${requests.toLocaleString("en-US")} requests: ${target.toFixed(1)} MiB (target ≤ ${LAMBDA_MIB} MiB)`, target <= LAMBDA_MIB)}`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    bundle.remove();
    route53.server.close();
    dns.socket.close();
    await moto.stop();
  }
}

await main();
