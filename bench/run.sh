#!/usr/bin/env bash
# `make bench` (after `make build`): every benchmark in turn, figures printed as Markdown tables
# ready for docs/performance.md. Takes several minutes; each part prints its progress.
set -euo pipefail
cd "$(dirname "$0")/.."

export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
for tool in moto_server python3; do
  if ! command -v "$tool" >/dev/null; then
    echo "bench: $tool is needed (moto for the emulator, Python + boto3 for the upstream comparison)" >&2
    exit 1
  fi
done
if [[ ! -f dist/lambda/index.mjs || ! -f dist/ddns.mjs ]]; then
  echo "bench: dist/lambda/index.mjs or dist/ddns.mjs is missing; run make build" >&2
  exit 1
fi

section() { printf '\n## %s\n\n' "$1"; }

section "Machine"
echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)," \
  "$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), node $(node --version)," \
  "$(python3 --version), $(date -u +%Y-%m-%d)"

section "1. Cold start (and by fleet size: 10 / 100,000 / 1,000,000 hosts)"
npx tsx bench/cold-start.ts --runs "${BENCH_COLD_RUNS:-21}" --fleet "${BENCH_FLEET:-10,100000,1000000}"

section "2. Function memory with 100,000 hosts"
npx tsx bench/fleet-memory.ts --hosts 100000 --requests 10000

section "4. Warm throughput and memory (one container, 10,000 hosts)"
# Bundled like the function (no tsx loader in the process), so RSS is the function's own.
npx esbuild bench/throughput.ts --bundle --platform=node --format=esm --target=node20 --main-fields=module,main \
  --log-level=warning \
  --outfile=dist/bench/throughput.mjs \
  --banner:js="import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);"
echo "### V8 defaults on this machine (heap sized for $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo))"
node --expose-gc dist/bench/throughput.mjs
echo
echo "### V8 heap sized for a 128 MB function (NODE_OPTIONS=--max-old-space-size=100 --max-semi-space-size=4)"
node --expose-gc --max-old-space-size=100 --max-semi-space-size=4 dist/bench/throughput.mjs
echo
echo "### Today's design for comparison (zone listings instead of the DNS path), same heap"
node --expose-gc --max-old-space-size=100 --max-semi-space-size=4 dist/bench/throughput.mjs --design today

section "3. Scale (virtual time): this design vs today's"
# The storm is section 3b: in this tree bench/scale.ts's containers write through an in-process
# writer, not the deployed queue, so its storm figures would describe nothing that runs.
npx tsx bench/scale.ts --hosts "${BENCH_SCALE_HOSTS:-100000}" --containers 4,16 --storm-hosts 0
echo
echo "### 1,000,000 hosts (one parsed config shared by the simulated containers; about 3 GiB of heap)"
NODE_OPTIONS=--max-old-space-size=8192 npx tsx bench/scale.ts --hosts 1000000 --containers 16 --minutes 2 --storm-hosts 0

section "3b. Renumbering storm under Lambda: the change budget (17d5d8c) beside the change queue"
# The baseline runs from its own worktree (bench/storm.ts says how to create it); without it, only this design.
npx tsx bench/storm.ts --baseline "${BENCH_BASELINE:-/work/baseline-17d5d8c}"

section "5. Load (src/local + built bundle + moto)"
npx tsx bench/load.ts --connections 50 --seconds "${BENCH_LOAD_SECONDS:-30}"

section "6. Operator CLI start (ddns --help)"
npx tsx bench/cli-help.ts --runs "${BENCH_CLI_RUNS:-15}"
