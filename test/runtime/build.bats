#!/usr/bin/env bats
# `make build` is reproducible: the same source gives the same dist/lambda.zip, byte for byte, so
# Terraform's source_code_hash changes only when the code does (scripts/lib/zip.mjs, fflate).

setup_file() {
  REPO_ROOT="$(cd "${BATS_TEST_DIRNAME}/../.." && pwd)"
  export REPO_ROOT
}

build() { # build TZ: runs the build in that time zone, prints the SHA-256 of the zip and the CLI
  (cd "${REPO_ROOT}" && TZ="$1" node scripts/build.mjs >/dev/null && sha256sum dist/lambda.zip dist/ddns.mjs)
}

@test "two builds, in different time zones, give the same SHA-256" {
  first=$(build UTC)
  second=$(build Pacific/Kiritimati)
  echo "${first}"
  [[ -n ${first} && ${first} == "${second}" ]]
}

@test "every zip entry has the fixed time and mode" {
  run unzip -Z "${REPO_ROOT}/dist/lambda.zip"
  [[ ${status} -eq 0 ]]
  entries=$(grep -c ' defN ' <<<"${output}")
  [[ ${entries} -gt 2 ]]
  [[ $(grep -c '^-rw-r--r--  2.0 unx .* defN 80-Jan-01 00:00 ' <<<"${output}") -eq ${entries} ]]
}
