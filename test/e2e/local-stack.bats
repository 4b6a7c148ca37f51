#!/usr/bin/env bats
# scripts/local-stack: up (moto + the real Terraform + the local API + the DNS server + a demo host),
# a client run against it (ddclient with the printed snippet, the sh client, dyndns2 with curl), the
# record seen through the DNS server with the printed dig line, status, a second up that reuses it,
# down, and nothing left running.
# Needs `make build` first. One Terraform apply for the whole file (about a minute).

setup_file() {
  REPO_ROOT="$(cd "${BATS_TEST_DIRNAME}/../.." && pwd)"
  export REPO_ROOT
  # A state directory of its own, so a developer's .local/ stack is never touched.
  export DDNS_LOCAL_DIR="${BATS_FILE_TMPDIR}/local"
  # Long enough for this file, short enough that nothing outlives a broken run by much.
  export DDNS_LOCAL_LIFETIME=600
  if ! "${REPO_ROOT}/scripts/local-stack" up >"${BATS_FILE_TMPDIR}/up.out" 2>"${BATS_FILE_TMPDIR}/up.err"; then
    cat "${BATS_FILE_TMPDIR}/up.err" >&2
    return 1
  fi
}

teardown_file() {
  "${REPO_ROOT}/scripts/local-stack" down >/dev/null 2>&1 || true
}

state() {
  jq -r "$1" "${DDNS_LOCAL_DIR}/stack.json"
}

@test "up writes stack.json with the documented fields, private to its owner" {
  for field in .api_url .moto_url .config_bucket .zone_id .dns_server .demo.hostname .demo.secret; do
    [[ -n $(state "${field}") && $(state "${field}") != null ]]
  done
  [[ $(stat -c %a "${DDNS_LOCAL_DIR}/stack.json") == 600 ]]
  grep -qF "DDNS_SECRET='$(state .demo.secret)' sh client/ddns-client.sh -u $(state .api_url)" "${BATS_FILE_TMPDIR}/up.out"
  grep -q '^  protocol=dyndns2$' "${BATS_FILE_TMPDIR}/up.out"
}

@test "the ddclient.conf that up prints works with Debian's ddclient: good" {
  # First of the updates in this file, so the demo record does not exist yet.
  # The snippet is the indented block after "a ddclient.conf:" in up's output.
  sed -n '/a ddclient.conf:$/,/^$/{/^  /s/^  //p}' "${BATS_FILE_TMPDIR}/up.out" >"${BATS_TEST_TMPDIR}/ddclient.conf"
  chmod 600 "${BATS_TEST_TMPDIR}/ddclient.conf"
  grep -q '^protocol=dyndns2$' "${BATS_TEST_TMPDIR}/ddclient.conf"
  # The command as printed, with its own -cache in the state directory: ddclient's global cache
  # would make it skip the update on a rebuilt stack and report success.
  local printed
  printed="$(sed -n 's/^Or with ddclient (\(.*\)), a ddclient.conf:$/\1/p' "${BATS_FILE_TMPDIR}/up.out")"
  [[ ${printed} == "ddclient -file FILE -cache ${DDNS_LOCAL_DIR}/ddclient.cache "* ]]
  ddclient=$(command -v ddclient || echo /usr/sbin/ddclient)
  read -ra args <<<"${printed#ddclient }"
  run timeout 60 "${ddclient}" -daemon=0 "${args[@]/#FILE/${BATS_TEST_TMPDIR}/ddclient.conf}"
  [[ ${status} -eq 0 ]]
  [[ ${output} == *"SUCCESS:  updating $(state .demo.hostname): good: IP address set to 127.0.0.1"* ]]
  [[ ${output} != *"$(state .demo.secret)"* ]]
}

@test "the router client, run against the local API, finds the record ddclient set" {
  run env DDNS_SECRET="$(state .demo.secret)" sh "${REPO_ROOT}/client/ddns-client.sh" \
    -4 -u "$(state .api_url)" -h "$(state .demo.hostname)"
  [[ ${status} -eq 0 ]]
  [[ ${output} == *"127.0.0.1"* ]]
  [[ ${output} != *"$(state .demo.secret)"* ]]
}

@test "a dyndns2 request with the demo credentials is accepted" {
  run curl -fsS -u "$(state .demo.hostname):$(state .demo.secret)" \
    "$(state .api_url)nic/update?hostname=$(state .demo.hostname)"
  [[ ${status} -eq 0 ]]
  [[ ${output} == "good 127.0.0.1" || ${output} == "nochg 127.0.0.1" ]]
}

@test "host status as up prints it finds the log group and name servers, and shows the check-in just made" {
  block="$(sed -n "/^host status reads the function's log group/,/^\$/{/^  /s/^  //p}" "${BATS_FILE_TMPDIR}/up.out")"
  [[ ${block} == *"DDNS_LOG_GROUP=/aws/lambda/"* && ${block} == *"DDNS_NAME_SERVERS=$(state .dns_server)"* ]]
  # The dyndns2 test before this one checked in; the local API sends its log lines once a second.
  for _ in $(seq 1 20); do
    run bash -c "cd '${REPO_ROOT}' && ${block}"
    [[ ${output} == *"last check-in: never"* ]] || break
    sleep 1
  done
  [[ ${status} -eq 0 ]]
  [[ ${output} == *"last check-in:"* && ${output} != *"last check-in: never"* ]]
  [[ ${output} == *"127.0.0.1"* ]]
  [[ ${output} != *"$(state .demo.secret)"* ]]
}

@test "the dig line that up prints gets the demo record from the DNS server, authoritatively" {
  [[ $(state .dns_server) =~ ^127\.0\.0\.1:[0-9]+$ ]]
  dig_line="$(sed -n 's/^  \(dig @.*\)/\1/p' "${BATS_FILE_TMPDIR}/up.out")"
  [[ ${dig_line} == "dig @127.0.0.1 -p $(state .dns_server | cut -d: -f2) $(state .demo.hostname) A" ]]
  # The writer writes a change a moment after the API answered (the queue's batching window): wait
  # for it as a client's propagation check does, up to 15 s.
  for _ in $(seq 1 30); do
    run ${dig_line} +norecurse +time=2 +tries=1
    [[ ${output} != *"status: NXDOMAIN"* ]] && break
    sleep 0.5
  done
  [[ ${status} -eq 0 ]]
  [[ ${output} == *"status: NOERROR"* && ${output} == *"flags: qr aa"* ]]
  [[ ${output} =~ $(state .demo.hostname)\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+127\.0\.0\.1 ]]
  run dig @127.0.0.1 -p "$(state .dns_server | cut -d: -f2)" +tcp +short "$(state .demo.hostname)" A
  [[ ${output} == "127.0.0.1" ]]
}

@test "status reports the running stack without its secret" {
  run "${REPO_ROOT}/scripts/local-stack" status
  [[ ${status} -eq 0 ]]
  [[ ${output} == *"$(state .api_url)"* ]]
  [[ ${output} != *"$(state .demo.secret)"* ]]
}

@test "run (make local) refuses to replace the running stack, and leaves it as it was" {
  pids_before="$(state '.pids | join(" ")')"
  bucket_before="$(state .config_bucket)"
  run timeout 60 "${REPO_ROOT}/scripts/local-stack" run
  [[ ${status} -eq 1 ]]
  [[ ${output} == *"a stack is already running from ${DDNS_LOCAL_DIR}"* ]]
  [[ ${output} == *"scripts/local-stack down"* ]]
  [[ $(state '.pids | join(" ")') == "${pids_before}" ]]
  [[ $(state .config_bucket) == "${bucket_before}" ]]
  curl -fsS -o /dev/null --max-time 5 "$(state .api_url)health"
}

@test "a second up reuses the running stack" {
  pids_before="$(state '.pids | join(" ")')"
  run "${REPO_ROOT}/scripts/local-stack" up
  [[ ${status} -eq 0 ]]
  [[ ${output} == *"already running; reusing it"* ]]
  [[ $(state '.pids | join(" ")') == "${pids_before}" ]]
}

@test "down stops every process it started" {
  pids="$(state '.pids | join(" ")')"
  [[ -e ${DDNS_LOCAL_DIR}/ddclient.cache ]] # written by the printed ddclient command above
  run "${REPO_ROOT}/scripts/local-stack" down
  [[ ${status} -eq 0 ]]
  for pid in ${pids}; do
    if kill -0 "${pid}" 2>/dev/null || pgrep -g "${pid}" >/dev/null; then
      echo "process group ${pid} is still running" >&2
      return 1
    fi
  done
  [[ ! -e ${DDNS_LOCAL_DIR}/stack.json ]]
  [[ ! -e ${DDNS_LOCAL_DIR}/ddclient.cache ]]
  run "${REPO_ROOT}/scripts/local-stack" status
  [[ ${status} -eq 3 ]]
}
