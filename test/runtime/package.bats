#!/usr/bin/env bats
# The operator CLI as a user installs it: `npm pack`, then the tarball installed into an empty
# directory with --omit=dev (no checkout, no tsx, no dev dependencies), and `ddns` run from there.
# Needs `make build` first (the package ships dist/ddns.mjs).

setup_file() {
  REPO_ROOT="$(cd "${BATS_TEST_DIRNAME}/../.." && pwd)"
  export REPO_ROOT
  export APP="${BATS_FILE_TMPDIR}/app"
  mkdir -p "${APP}"
  (cd "${REPO_ROOT}" && npm pack --silent --pack-destination "${BATS_FILE_TMPDIR}") >"${BATS_FILE_TMPDIR}/pack.out"
  # The SDK and everything else the CLI needs are inside dist/ddns.mjs: the install adds one package.
  (cd "${APP}" && npm install --omit=dev --no-audit --no-fund --no-save \
    "${BATS_FILE_TMPDIR}/$(tail -n 1 "${BATS_FILE_TMPDIR}/pack.out")") >"${BATS_FILE_TMPDIR}/install.out" 2>&1 || {
    cat "${BATS_FILE_TMPDIR}/install.out" >&2
    return 1
  }
}

ddns() {
  # Run from the install directory with a clean environment: nothing of the checkout is reachable.
  (cd "${APP}" && env -i PATH="$(dirname "$(command -v node)"):/usr/bin:/bin" HOME="${APP}" ./node_modules/.bin/ddns "$@")
}

@test "the tarball holds the launcher and the built CLI, and installs without other packages" {
  run tar -tzf "${BATS_FILE_TMPDIR}/$(tail -n 1 "${BATS_FILE_TMPDIR}/pack.out")"
  [[ ${status} -eq 0 ]]
  [[ ${output} == *"package/bin/ddns.mjs"* ]]
  [[ ${output} == *"package/dist/ddns.mjs"* ]]
  [[ ${output} != *"package/src/"* ]]
  # Build inputs belong in devDependencies: the bundle carries them.
  run ls "${APP}/node_modules"
  [[ ${output} == "route53-ddns" ]]
}

@test "ddns --help runs from the installed package" {
  run ddns --help
  [[ ${status} -eq 0 ]]
  [[ ${output} == "Usage: ddns COMMAND"* ]]
  [[ ${output} == *"config validate FILE"* ]]
}

@test "ddns config validate accepts a good file" {
  cat >"${APP}/good.json" <<JSON
{
  "home.dyn.example.com.": {
    "aws_region": "us-east-1",
    "route_53_zone_id": "Z0123456789ABCDEFGHIJ",
    "route_53_record_ttl": 60,
    "shared_secret": "$(openssl rand -hex 32)"
  }
}
JSON
  run ddns config validate good.json
  [[ ${status} -eq 0 ]]
  [[ ${output} == "good.json: "*"1 usable host, 0 errors, 0 warnings." ]]
}

@test "ddns config validate refuses a bad file with exit code 5" {
  printf '{ "home.dyn.example.com.": { "aws_region": "us-east-1", "route_53_record_ttl": "soon" } }\n' >"${APP}/bad.json"
  run ddns config validate bad.json
  [[ ${status} -eq 5 ]]
  [[ ${output} == *"bad.json"* ]]
  [[ ${output} == *"route_53_zone_id: Required"* ]]
  [[ ${output} == *"route_53_record_ttl: Must be a whole number"* ]]
}

@test "npm pack from a clone that was never built builds the CLI first (prepack)" {
  local clone="${BATS_TEST_TMPDIR}/clone"
  git clone --quiet "${REPO_ROOT}" "${clone}"
  # The checkout's package.json (what is under test) and the dependencies npm ci installs; no dist/.
  cp "${REPO_ROOT}/package.json" "${clone}/package.json"
  ln -s "${REPO_ROOT}/node_modules" "${clone}/node_modules"
  [[ ! -e "${clone}/dist" ]]
  run bash -c "cd '${clone}' && npm pack --dry-run --json 2>/dev/null"
  [[ ${status} -eq 0 ]]
  [[ ${output} == *'"path": "dist/ddns.mjs"'* ]]
}

@test "make help lists every target that has a description, test-e2e included" {
  local documented listed
  documented="$(grep -cE '^[a-z0-9-]+:.*## ' "${REPO_ROOT}/Makefile")"
  listed="$(make --no-print-directory -C "${REPO_ROOT}" help | wc -l)"
  [[ ${listed} -eq ${documented} ]]
  make --no-print-directory -C "${REPO_ROOT}" help | grep -q '^  test-e2e '
}
