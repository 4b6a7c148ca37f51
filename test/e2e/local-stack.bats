#!/usr/bin/env bats
# scripts/local-stack: up (moto + the real Terraform + the local API + the DNS server + a demo host),
# a client run against it (ddclient with the printed snippet, the sh client, dyndns2 with curl), the
# record seen through the DNS server with the printed dig line, host status as printed, docs/certificates.md
# "Trying it locally" run as written (`scripts/local-stack cert HOST` and the by-hand block, each a
# certificate for HOST and *.HOST from pebble through lego --dns httpreq), status, a second up that
# reuses it, down, and nothing left running. Needs Debian's pebble, lego, openssl and jq too.
# Needs `make build` first. One Terraform apply for the whole file (about a minute).

setup_file() {
  REPO_ROOT="$(cd "${BATS_TEST_DIRNAME}/../.." && pwd)"
  export REPO_ROOT
  # A state directory of its own, so a developer's .local/ stack is never touched.
  export DDNS_LOCAL_DIR="${BATS_FILE_TMPDIR}/local"
  # Long enough for this file, short enough that nothing outlives a broken run by much.
  export DDNS_LOCAL_LIFETIME=900
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

# The names a certificate covers, from the file itself.
subject_alt_names() {
  openssl x509 -in "$1" -noout -ext subjectAltName | sed -n 's/^ *//;2p'
}

free_port() {
  node -e 'const s = require("node:net").createServer();
    s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# NAME has no TXT values at the stack's DNS server within 20 s: lego's cleanups go through the
# change queue and its writer, so they land a moment after lego ends.
txt_gone() {
  local deadline=$((SECONDS + 20))
  until [[ -z $(dig @127.0.0.1 -p "$(state .dns_server | cut -d: -f2)" +short +norecurse "$1" TXT) ]]; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
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
  # for it as a client's propagation check does, up to 15 s (a dig timeout on a busy machine is retried too).
  for _ in $(seq 1 30); do
    run ${dig_line} +norecurse +time=2 +tries=1
    [[ ${output} == *"status: NOERROR"* ]] && break
    sleep 0.5
  done
  [[ ${status} -eq 0 ]]
  [[ ${output} == *"status: NOERROR"* && ${output} == *"flags: qr aa"* ]]
  [[ ${output} =~ $(state .demo.hostname)\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+127\.0\.0\.1 ]]
  run dig @127.0.0.1 -p "$(state .dns_server | cut -d: -f2)" +tcp +short "$(state .demo.hostname)" A
  [[ ${output} == "127.0.0.1" ]]
}

@test "cert HOST gets a certificate for HOST and *.HOST, printing the commands, and stops pebble" {
  host="cert.$(state .zone_name)"
  run timeout 300 "${REPO_ROOT}/scripts/local-stack" cert "${host}"
  echo "${output}"
  [[ ${status} -eq 0 ]]
  crt="${DDNS_LOCAL_DIR}/lego/certificates/${host}.crt"
  [[ $(subject_alt_names "${crt}") == "DNS:${host}, DNS:*.${host}" ]]
  [[ ${output} == *"the certificate for ${host} and *.${host}: ${crt}"* ]]
  # The commands of docs/certificates.md, with the stack's values.
  [[ ${output} == *"+ openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ${DDNS_LOCAL_DIR}/pebble/ca-key.pem"* ]]
  [[ ${output} == *"+ openssl x509 -req -in ${DDNS_LOCAL_DIR}/pebble/pebble.csr -CA ${DDNS_LOCAL_DIR}/pebble/ca.pem"* ]]
  [[ ${output} == *"timeout 600 pebble -config ${DDNS_LOCAL_DIR}/pebble/config.json -dnsserver $(state .dns_server) &"* ]]
  [[ ${output} == *"npx ddns acme add ${host} --zone-id $(state .zone_id) --json"* ]]
  [[ ${output} == *"HTTPREQ_ENDPOINT=$(state .api_url)httpreq "*"LEGO_CA_CERTIFICATES=${DDNS_LOCAL_DIR}/pebble/ca.pem"* ]]
  [[ ${output} == *"lego --server https://127.0.0.1:"*"/dir --accept-tos --email you@example.test --path ${DDNS_LOCAL_DIR}/lego --dns httpreq --dns.resolvers $(state .dns_server) --dns.disable-cp -d ${host} -d \\*.${host} run"* ]]
  # The password is in the account file only, never in the output.
  password="$(jq -r .password "${DDNS_LOCAL_DIR}/pebble/account.json")"
  [[ ${#password} -eq 40 && ${output} != *"${password}"* ]]
  [[ $(stat -c %a "${DDNS_LOCAL_DIR}/pebble/account.json") == 600 ]]
  # lego cleaned up, and pebble is gone.
  txt_gone "_acme-challenge.${host}"
  sleep 1
  run pgrep -f "pebble -config ${DDNS_LOCAL_DIR}/pebble/config.json"
  [[ ${status} -eq 1 ]]
}

@test "the by-hand block of docs/certificates.md, run as written, gets a certificate for HOST and *.HOST" {
  host="docs.$(state .zone_name)"
  # The block after "By hand" in "Trying it locally"; its first three lines are the reader's choices.
  sed -n '/^## Trying it locally/,${/^By hand/,/^```$/{/^```sh$/,/^```$/{/^```/d;p}}}' \
    "${REPO_ROOT}/docs/certificates.md" >"${BATS_TEST_TMPDIR}/block.sh"
  grep -q '^HOST=home.dyn.example.test ' "${BATS_TEST_TMPDIR}/block.sh"
  grep -q '^STATE=.local ' "${BATS_TEST_TMPDIR}/block.sh"
  grep -q '^PEBBLE=127.0.0.1:14000 ' "${BATS_TEST_TMPDIR}/block.sh"
  sed -i -e "s|^HOST=[^ ]*|HOST=${host}|" -e "s|^STATE=[^ ]*|STATE=${DDNS_LOCAL_DIR}|" \
    -e "s|^PEBBLE=[^ ]*|PEBBLE=127.0.0.1:$(free_port)|" "${BATS_TEST_TMPDIR}/block.sh"
  rm -rf "${DDNS_LOCAL_DIR}/pebble" # the cert test's, so that every file checked below is the block's
  cd "${REPO_ROOT}"
  # As pasted into a shell, but stopping at the first failing command. fd 3 closed for pebble.
  run timeout 300 bash -e "${BATS_TEST_TMPDIR}/block.sh" 3>&-
  echo "${output}"
  [[ ${status} -eq 0 ]]
  [[ $(subject_alt_names "${DDNS_LOCAL_DIR}/lego/certificates/${host}.crt") == "DNS:${host}, DNS:*.${host}" ]]
  # The block's last openssl line prints what the docs say it prints.
  [[ ${output} == *"DNS:${host}, DNS:*.${host}"* ]]
  txt_gone "_acme-challenge.${host}"
  sleep 1
  run pgrep -f "pebble -config ${DDNS_LOCAL_DIR}/pebble/config.json"
  [[ ${status} -eq 1 ]]
}

@test "cert without a HOST is a usage error; without a running stack it says how to start one" {
  run "${REPO_ROOT}/scripts/local-stack" cert
  [[ ${status} -eq 2 ]]
  [[ ${output} == *"usage: scripts/local-stack cert HOST"* ]]
  DDNS_LOCAL_DIR="${BATS_TEST_TMPDIR}/none" run "${REPO_ROOT}/scripts/local-stack" cert "home.$(state .zone_name)"
  [[ ${status} -eq 1 ]]
  [[ ${output} == *"no stack runs from ${BATS_TEST_TMPDIR}/none: start it with 'scripts/local-stack up'"* ]]
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
