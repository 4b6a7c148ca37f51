#!/usr/bin/env bats
# Retries against a scripted server (fake-api.py): the real handler cannot be made to
# answer 429 or 503 on demand. Network errors are covered in live.bats (server down).

load helpers

SECRETS="retry-test-secret-0123456789"

setup_file() {
  make_all_tools
}

# fake_api STATUS[:RETRY_AFTER]... — starts the scripted server, sets FAKE_URL.
fake_api() {
  local dir="$BATS_TEST_TMPDIR/fake-$CLIENT_SHELL" tries=0
  mkdir -p "$dir"
  python3 "$BATS_TEST_DIRNAME/fake-api.py" "$dir" "$@" &
  FAKE_PIDS="${FAKE_PIDS:-} $!"
  until [ -s "$dir/port" ]; do
    tries=$((tries + 1))
    [ "$tries" -lt 100 ] || return 1
    sleep 0.05
  done
  FAKE_URL="http://127.0.0.1:$(cat "$dir/port")/"
}

teardown() {
  local pid
  for pid in ${FAKE_PIDS:-}; do
    kill "$pid" 2>/dev/null || :
  done
}

# run_against_fake CLIENT_ARGS... — the client with no backoff of its own (Retry-After decides).
run_against_fake() {
  run_client full DDNS_SECRET="$SECRETS" DDNS_RETRY_DELAY=0 -- -u "$FAKE_URL" -h home.example.com "$@"
}

retry_after_honoured() {
  local started
  fake_api 503:1 201
  started=$(date +%s)
  run_against_fake
  expect_status 0
  expect_requests "get set set"
  expect_in "$err" "attempt 1: HTTP 503: scripted failure 503; retrying in 1 s"
  [ $(($(date +%s) - started)) -ge 1 ]
}

@test "503 with Retry-After: waits as told, then succeeds" {
  for_each_shell retry_after_honoured
}

throttled_until_out_of_retries() {
  fake_api 429:0
  run_against_fake -r 2
  expect_status 5
  expect_requests "get set set set"
  expect_in "$err" "update refused or failed: HTTP 429"
}

@test "429 every time: bounded retries, then exit 5" {
  for_each_shell throttled_until_out_of_retries
}

bad_gateway_backoff() {
  fake_api 502 502 200
  run_against_fake -r 3
  expect_status 0
  expect_requests "get set set set"
  expect_in "$err" "retrying in 0 s"
  expect_in "$err" "is already 127.0.0.1"
}

@test "502 without Retry-After: retried with the backoff delay, then success" {
  for_each_shell bad_gateway_backoff
}

no_retry_on_client_error() {
  fake_api 400
  run_against_fake -r 3
  expect_status 4
  expect_requests "get set"
  expect_in "$err" "HTTP 400: scripted failure 400"
}

@test "400: no retry, exit 4" {
  for_each_shell no_retry_on_client_error
}
