#!/usr/bin/env bats
# docs/certificates.md "Trying it locally", run as written against the stack `scripts/local-stack up`
# builds (the function with the environment read back from the Terraform-applied emulator, as
# deployed): `scripts/local-stack cert HOST`, and the by-hand block itself, each getting a
# certificate for HOST and *.HOST from pebble through lego --dns httpreq.
# Needs `make build` first, and Debian's pebble, lego, openssl and jq. One Terraform apply (about a minute).

setup_file() {
  REPO_ROOT="$(cd "${BATS_TEST_DIRNAME}/../.." && pwd)"
  export REPO_ROOT
  # A state directory of its own, so a developer's .local/ stack is never touched.
  export DDNS_LOCAL_DIR="${BATS_FILE_TMPDIR}/local"
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
