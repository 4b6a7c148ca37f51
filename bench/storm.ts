/**
 * `bench/storm`: the renumbering storm under Lambda's model, the previous design and this one side by
 * side in one run, one table; then this design's steady day (requests and monthly cost).
 *
 * - The baseline is commit 17d5d8c (the S3 change budget: every environment leases one of 8 slots a
 *   second before its own ChangeResourceRecordSets), run from its own worktree with its own
 *   simulation (`bench/scale.ts --storm-designs lambda`, one request per environment, reserved
 *   concurrency 100), never from code kept in this tree. Create it once:
 *     git worktree add /work/baseline-17d5d8c 17d5d8c && ln -s "$PWD/node_modules" /work/baseline-17d5d8c/
 *   (--baseline DIR; without the directory the baseline column says so and the rest runs).
 * - This design: bench/queue-storm.ts (change queue, event source mapping, record writer).
 *
 *   npx tsx bench/storm.ts [--baseline /work/baseline-17d5d8c] [--storm-hosts 10000,100000]
 *                          [--baseline-hosts 10000] [--steady-hosts 100000] [--reserved-concurrency 100[,200…]]
 * The first reserved concurrency (Terraform's default) runs every storm; the others the largest one.
 * The baseline drains at 8 changes a second and simulates every throttled invocation, so it runs
 * only at --baseline-hosts (10,000: about a minute; 100,000 would need hours of simulated storm).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { parseArgs, promisify } from "node:util";
import { printTable } from "./lib/stats.js";
import { DEPLOYMENT, PRICES, type StormFigures, simulateSteadyDay, simulateStorm } from "./queue-storm.js";

interface BaselineFigures {
  readonly hosts: number;
  readonly allUpdatedAfterS: number;
  readonly peakAttempted: number;
  readonly throttledCalls: number;
  readonly answered429: number;
  readonly answered503: number;
  readonly lost: number;
  readonly throttledInvocations: number;
  readonly slotPuts: number;
}

const number = (text: string) => Number(text.replace(/[^0-9.]/g, ""));

/** Runs 17d5d8c's own storm simulation and reads its Lambda row and line. */
async function runBaseline(directory: string, hosts: number): Promise<BaselineFigures> {
  const { stdout } = await promisify(execFile)(
    "npx",
    ["tsx", "bench/scale.ts", "--hosts", "", "--storm-hosts", String(hosts), "--storm-designs", "lambda"],
    {
      cwd: directory,
      maxBuffer: 64 * 2 ** 20,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    },
  );
  const row = stdout.split("\n").find((line) => /^\| Lambda /.test(line));
  const line = stdout.split("\n").find((text) => /^Lambda \(.*invocations throttled/.test(text));
  if (!row || !line) throw new Error(`the baseline printed no Lambda storm row:\n${stdout}`);
  const cells = row.split("|").map((cell) => cell.trim());
  // | design | within 5 min | all updated after | calls | accepted / attempted | busiest 10 s | throttled | 429 / 503 | lost | not in Route 53 | slot PUTs (412) |
  const [, , , allAfter = "", , peaks = "", , throttled = "", answers = "", lost = "", , puts = ""] = cells;
  return {
    hosts,
    allUpdatedAfterS: number(allAfter),
    peakAttempted: number(peaks.split("/")[1] ?? ""),
    throttledCalls: number(throttled),
    answered429: number(answers.split("/")[0] ?? ""),
    answered503: number(answers.split("/")[1] ?? ""),
    lost: number(lost),
    throttledInvocations: number(/([\d,]+) invocations throttled/.exec(line)?.[1] ?? ""),
    slotPuts: number(puts.split("(")[0] ?? ""),
  };
}

const thousands = (value: number) => Math.round(value).toLocaleString("en-US");

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      baseline: { type: "string", default: "/work/baseline-17d5d8c" },
      "baseline-hosts": { type: "string", default: "10000" },
      "storm-hosts": { type: "string", default: "10000,100000" },
      "steady-hosts": { type: "string", default: "100000" },
      // Terraform's default; more (e.g. 100,200) adds columns for the largest storm.
      "reserved-concurrency": { type: "string", default: "100" },
    },
  });
  const baselineHosts = Number(values["baseline-hosts"]);
  const haveBaseline = existsSync(`${values.baseline}/bench/scale.ts`);
  const baselineRun =
    haveBaseline && baselineHosts > 0 ? runBaseline(values.baseline, baselineHosts) : undefined;
  const storms: StormFigures[] = [];
  const reservations = values["reserved-concurrency"].split(",").filter(Boolean).map(Number);
  const stormHosts = values["storm-hosts"].split(",").filter(Boolean).map(Number);
  const defaultReservation = DEPLOYMENT.reservedConcurrency;
  for (const reserved of reservations) {
    for (const hosts of stormHosts) {
      // The other reservations only for the largest storm, where the first throttles.
      if (reserved !== reservations[0] && hosts < Math.max(...stormHosts)) continue;
      const startedAt = performance.now();
      DEPLOYMENT.reservedConcurrency = reserved;
      storms.push(await simulateStorm(hosts));
      console.log(
        `  queue design, ${thousands(hosts)} routers, reserved concurrency ${reserved}: ` +
          `${((performance.now() - startedAt) / 1000).toFixed(0)} s to simulate`,
      );
    }
  }
  DEPLOYMENT.reservedConcurrency = defaultReservation; // the steady day runs with Terraform's default
  const baseline = await baselineRun;
  if (!haveBaseline)
    console.log(`  no baseline at ${values.baseline} (see bench/storm.ts for the git worktree command)`);

  const columns = [
    ...(baseline ? [`17d5d8c change budget, ${thousands(baseline.hosts)}`] : []),
    ...storms.map((storm) => `queue, ${thousands(storm.hosts)}, reserved ${storm.reservedConcurrency}`),
  ];
  type Row = [string, string, string[]];
  const row = (figure: string, goal: string, base: string, of: (storm: StormFigures) => string): Row => [
    figure,
    goal,
    [...(baseline ? [base] : []), ...storms.map(of)],
  ];
  const rows: Row[] = [
    row(
      "every record right, after the last report",
      "≤ 90 s (10,000), ≤ 180 s (100,000)",
      baseline
        ? `≈ ${thousands(baseline.allUpdatedAfterS - 60)} s (${thousands(baseline.allUpdatedAfterS)} s after the storm began)`
        : "",
      (s) =>
        Number.isNaN(s.allRightAfterLastReportS)
          ? `not within ${thousands(s.simulatedS)} s`
          : `${s.allRightAfterLastReportS.toFixed(0)} s (${s.allRightAfterStartS.toFixed(0)} s after the storm began)`,
    ),
    row(
      "invocations throttled (request function)",
      "0",
      baseline ? thousands(baseline.throttledInvocations) : "",
      (s) => thousands(s.throttledInvocations),
    ),
    row(
      "answers 429 / 5xx",
      "0 / 0",
      baseline
        ? `${thousands(baseline.answered429)} / ${thousands(baseline.throttledInvocations + baseline.answered503)}`
        : "",
      (s) => `${thousands(s.answered429)} / ${thousands(s.answered5xx)} of ${thousands(s.answers)}`,
    ),
    row(
      "ChangeResourceRecordSets in the busiest second (attempted)",
      "≤ 8",
      baseline ? String(baseline.peakAttempted) : "",
      (s) => String(s.peakChangeCallsPerSecond),
    ),
    row("calls Route 53 throttled", "0", baseline ? thousands(baseline.throttledCalls) : "", (s) =>
      thousands(s.throttledChangeCalls),
    ),
    row(
      "reversed updates (an older address written after a newer)",
      "0",
      baseline ? "not counted" : "",
      (s) => thousands(s.reversed),
    ),
    row(
      "records wrong when the queue had drained / after every router's next poll (lost)",
      "0 / 0",
      baseline ? `— / ${baseline.lost}` : "",
      (s) => `${thousands(s.wrongWhenSettled)} / ${thousands(s.lost)}`,
    ),
    row(
      "ChangeResourceRecordSets (storm)",
      "",
      "",
      (s) => `${thousands(s.changeCalls)} (largest ${s.largestCallElements} elements)`,
    ),
    row("routers' reports (5 % renumber twice)", "", "", (s) => thousands(s.reports)),
    row(
      "messages queued / duplicate deliveries / dead letters",
      "",
      "",
      (s) => `${thousands(s.messages)} / ${thousands(s.duplicateDeliveries)} / ${s.deadLetters}`,
    ),
    row(
      "writer invocations (largest batch, timed out)",
      "",
      "",
      (s) => `${thousands(s.writerInvocations)} (${thousands(s.writerLargestBatch)}, ${s.writerTimedOut})`,
    ),
    row("SQS requests (billed)", "", "", (s) => thousands(s.sqsRequests)),
    row(
      "state bucket GET / PUT (applied marks; baseline: slot PUTs)",
      "",
      baseline ? `— / ${thousands(baseline.slotPuts)}` : "",
      (s) => `${thousands(s.stateBucket.get)} / ${thousands(s.stateBucket.put)}`,
    ),
    row(
      "fair-share UpdateItems (refused)",
      "",
      "",
      (s) => `${thousands(s.shareTable.update)} (${thousands(s.shareTable.refused)})`,
    ),
    row("request environments started (at most the reservation)", "", baseline ? "100" : "", (s) =>
      String(s.environments),
    ),
  ];
  console.log();
  printTable(
    ["figure", "goal", ...columns],
    rows.map(([figure, goal, cells]) => [figure, goal, ...cells]),
  );

  const steadyHosts = Number(values["steady-hosts"]);
  if (steadyHosts > 0) {
    const steady = await simulateSteadyDay(steadyHosts);
    console.log();
    console.log(
      `steady state: ${thousands(steady.hosts)} hosts, 1 % change a day (${thousands(steady.changesPerDay)} changes), ` +
        `one simulated day; us-east-1 prices without free tiers: SQS $${PRICES.sqsPerMillion} per million requests ` +
        `(64 KiB each), Lambda $${PRICES.lambdaRequestsPerMillion} per million and $${PRICES.lambdaArmGbSecond} per GB-s ` +
        `(arm64, ${DEPLOYMENT.writerMemoryMb} MB), S3 $${PRICES.s3PutPerThousand} per 1,000 PUT and $${PRICES.s3GetPerThousand} per 1,000 GET, ` +
        `DynamoDB $${PRICES.dynamodbWritePerMillion} per million on-demand writes, ` +
        `CloudWatch Logs $${PRICES.logsPerGb} per GB; a month is 30 days`,
    );
    const money = (value: number) => `$${value.toFixed(2)}`;
    const actions = Object.entries(steady.sqsRequestsByAction)
      .map(([action, count]) => `${action} ${thousands(count)}`)
      .join(", ");
    printTable(
      ["figure", "per day", "per month"],
      [
        ["messages queued", thousands(steady.messagesPerDay), thousands(steady.messagesPerDay * 30)],
        [
          "writer invocations (cold starts)",
          `${thousands(steady.writerInvocationsPerDay)} (${thousands(steady.writerColdStartsPerDay)})`,
          thousands(steady.writerInvocationsPerDay * 30),
        ],
        [
          "SQS requests",
          `${thousands(steady.sqsRequestsPerDay)} (${actions})`,
          thousands(steady.sqsRequestsPerDay * 30),
        ],
        [
          "ChangeResourceRecordSets",
          thousands(steady.changeCallsPerDay),
          thousands(steady.changeCallsPerDay * 30),
        ],
        [
          "applied marks GET / PUT",
          `${thousands(steady.marksPerDay.get)} / ${thousands(steady.marksPerDay.put)}`,
          "",
        ],
        [
          "fair-share UpdateItems",
          thousands(steady.shareUpdatesPerDay),
          thousands(steady.shareUpdatesPerDay * 30),
        ],
        ["cost: SQS", "", money(steady.monthly.sqs)],
        [
          "cost: writer (requests + GB-s)",
          `${steady.writerGbSecondsPerDay.toFixed(1)} GB-s`,
          money(steady.monthly.writerLambda),
        ],
        ["cost: state bucket requests (applied marks)", "", money(steady.monthly.marks)],
        ["cost: share table writes", "", money(steady.monthly.shares)],
        ["cost: writer logs", "", money(steady.monthly.logs)],
        ["**total, queue + writer**", "", `**${money(steady.monthly.total)}**`],
      ],
    );
  }
}

await main();
