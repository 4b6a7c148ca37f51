#!/usr/bin/env bats
# The client against the real handler: the built bundle behind src/local, backed by moto
# (test/support/dev-stack.ts). One stack for the file; each shell gets its own hosts, so the
# scenarios under busybox sh and dash start from the same state.

load helpers

dev_stack() {
  (cd "$REPO_ROOT" && node --import tsx test/support/dev-stack.ts "$@")
}

# record NAME TYPE — the record's values as Route 53 (moto) holds them, one a line.
record() {
  dev_stack record "$STACK" "$1" "$2" 2>/dev/null
}

expect_record() {
  local actual
  actual=$(record "$1" "$2")
  if [ "$actual" != "$3" ]; then
    show_run
    echo "FAIL: $1 $2 is '$actual', expected '$3'"
    return 1
  fi
}

# The hosts for one shell: NAME KIND (v4: A only; dual: A+AAAA; strict: require_timestamp;
# odd: a secret with quotes, spaces, $, \ and non-ASCII; lan: a router with one LAN device, nas.lan-SHELL).
host() {
  echo "$1-$CLIENT_SHELL.dyn.example.com"
}

secret_of() {
  cat "$BATS_FILE_TMPDIR/secrets/$1-$CLIENT_SHELL"
}

write_config() {
  python3 - "$BATS_FILE_TMPDIR/secrets" "$ZONE_ID" $CLIENT_SHELLS >"$BATS_FILE_TMPDIR/config.json" <<'EOF'
import json, pathlib, secrets, sys
secret_dir, zone_id, shells = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
secret_dir.mkdir(exist_ok=True)
kinds = {
    "v4": {"route_53_record_type": "A"},
    "dual": {"record_types": ["A", "AAAA"]},
    "strict": {"record_types": ["A", "AAAA"], "require_timestamp": True},
    "odd": {"route_53_record_type": "A"},
    "lan": {"route_53_record_type": "A"},
}
config = {}
for shell in shells:
    for kind, entry in kinds.items():
        secret = secrets.token_hex(32)
        if kind == "odd":
            secret = "it's \"odd\" $HOME `x` back\\slash %41&=ümlaut " + secrets.token_hex(4)
        (secret_dir / f"{kind}-{shell}").write_text(secret)
        config[f"{kind}-{shell}.dyn.example.com."] = {
            "aws_region": "us-east-1",
            "route_53_zone_id": zone_id,
            "route_53_record_ttl": 60,
            "shared_secret": secret,
            **entry,
        }
        if kind == "lan":
            config[f"{kind}-{shell}.dyn.example.com."]["ipv6_lan_hosts"] = {
                f"nas.{kind}-{shell}.dyn.example.com.": "00:11:32:12:34:56"
            }
print(json.dumps(config, ensure_ascii=False, indent=2))
EOF
}

# fake_clock TOOLS SECONDS_BEHIND — a tool set whose `date +%s` is that far behind the real one.
# (rm first: the base `date` is a link to the real one, which must not be written through.)
fake_clock() {
  make_tools "$1" curl sha256sum
  rm -f "$BATS_FILE_TMPDIR/tools/$1/date"
  cat >"$BATS_FILE_TMPDIR/tools/$1/date" <<EOF
#!/bin/sh
now=\$($(real_tool date) +%s)
echo \$((now - $2))
EOF
  chmod +x "$BATS_FILE_TMPDIR/tools/$1/date"
}

setup_file() {
  make_all_tools
  # A router that booted without a clock (it thinks it is 2000), and one whose set clock is
  # 20 days behind.
  fake_clock unset-clock 849376800
  fake_clock slow-clock 1728000
  # An OpenWrt router's br-lan, as `ip -6 addr` shows it (test/client/routers/).
  make_tools openwrt curl sha256sum
  stub_router openwrt ip "$BATS_TEST_DIRNAME/routers/openwrt-ip-br-lan.txt" br-lan
  export STACK="$BATS_FILE_TMPDIR/stack"
  dev_stack up "$STACK" 2>"$BATS_FILE_TMPDIR/stack.log"
  # shellcheck disable=SC1091
  . "$STACK/env"
  write_config
  dev_stack config "$STACK" "$BATS_FILE_TMPDIR/config.json"
}

teardown_file() {
  dev_stack down "$STACK"
}

setup() {
  # shellcheck disable=SC1091
  . "$STACK/env"
  SECRETS=$(for file in "$BATS_FILE_TMPDIR"/secrets/*; do cat "$file" && echo; done && echo wrong-secret-not-this-one)
}

get_address() {
  run_client full -- -u "$DDNS_URL" -m get
  expect_status 0
  [ "$(cat "$out")" = 127.0.0.1 ]
  expect_requests "get"
  run_client full -- -u "$DDNS_URL6" -m get
  expect_status 0
  [ "$(cat "$out")" = ::1 ]
  run_client full -- -u "$DDNS_URL" -U "$DDNS_URL6" -m get -b
  expect_status 0
  [ "$(cat "$out")" = "127.0.0.1
::1" ]
}

@test "mode get prints the caller's address over IPv4, IPv6 and both" {
  for_each_shell get_address
}

set_unchanged_changed() {
  local name cache="$BATS_TEST_TMPDIR/cache-$CLIENT_SHELL"
  name=$(host v4)
  # first set: the replay-proof token, then the cache remembers the address
  run_client full DDNS_SECRET="$(secret_of v4)" -- -u "$DDNS_URL" -h "$name" -C "$cache"
  expect_status 0
  expect_in "$err" "$name A set to 127.0.0.1"
  expect_requests "get set"
  expect_record "$name" A 127.0.0.1
  expect_in "$cache" "$name A 127.0.0.1 "
  # unchanged and fresh: no set request, nothing said
  run_client full DDNS_SECRET="$(secret_of v4)" -- -u "$DDNS_URL" -h "$name" -C "$cache"
  expect_status 0
  expect_requests "get"
  [ ! -s "$err" ] || { show_run && false; }
  # the address changes (the request comes from 127.0.0.2): set again
  run_client full DDNS_SECRET="$(secret_of v4)" CURL_SOURCE=127.0.0.2 -- -u "$DDNS_URL" -h "$name" -C "$cache"
  expect_status 0
  expect_in "$err" "$name A set to 127.0.0.2"
  expect_requests "get set"
  expect_record "$name" A 127.0.0.2
  expect_in "$cache" "$name A 127.0.0.2 "
  # -F 0: the cache is never fresh, so the server is asked and says it is right
  run_client full DDNS_SECRET="$(secret_of v4)" CURL_SOURCE=127.0.0.2 -- -u "$DDNS_URL" -h "$name" -C "$cache" -F 0
  expect_status 0
  expect_requests "get set"
  expect_in "$err" "$name A is already 127.0.0.2"
  # -q: nothing on stderr, but syslog still hears of the change
  run_client full DDNS_SECRET="$(secret_of v4)" -- -u "$DDNS_URL" -h "$name" -q
  expect_status 0
  [ ! -s "$err" ] || { show_run && false; }
  expect_in "$syslog" "-p user.notice $name A set to 127.0.0.1"
  expect_record "$name" A 127.0.0.1
}

@test "first set, unchanged address with a cache (no set request), changed address" {
  for_each_shell set_unchanged_changed
}

ipv6() {
  local name
  name=$(host dual)
  run_client full DDNS_SECRET="$(secret_of dual)" -- -u "$DDNS_URL6" -h "$name" -6
  expect_status 0
  expect_in "$err" "$name AAAA set to ::1"
  expect_record "$name" AAAA ::1
  expect_record "$name" A ""
  # both families: an A update over IPv4, an AAAA update over IPv6
  run_client full DDNS_SECRET="$(secret_of dual)" -- -u "$DDNS_URL" -U "$DDNS_URL6" -h "$name" -b
  expect_status 0
  expect_in "$err" "$name A set to 127.0.0.1"
  expect_in "$err" "$name AAAA is already ::1"
  expect_requests "get set get set"
  expect_record "$name" A 127.0.0.1
  # an A-only host refuses AAAA with a clear message; its A update still happens
  name=$(host v4)
  run_client full DDNS_SECRET="$(secret_of v4)" -- -u "$DDNS_URL" -U "$DDNS_URL6" -h "$name" -b
  expect_status 4
  expect_in "$err" "does not allow AAAA"
  expect_record "$name" AAAA ""
  # -6 against an IPv4-only URL: no answer over IPv6
  run_client full DDNS_SECRET="$(secret_of v4)" -- -u "$DDNS_URL" -h "$name" -6 -r 0
  expect_status 5
}

@test "IPv6 over ::1: -6, -b, and an A-only host refusing AAAA" {
  for_each_shell ipv6
}

wrong_secret() {
  local name
  name=$(host strict)
  run_client full DDNS_SECRET=wrong-secret-not-this-one -- -u "$DDNS_URL" -h "$name" -v
  expect_status 4
  expect_in "$err" "Validation hashes do not match."
  expect_requests "get set"
  expect_record "$name" A ""
}

@test "wrong secret: exit 4, the server's message, no retry, record untouched" {
  for_each_shell wrong_secret
}

server_down() {
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  run_client full DDNS_SECRET="$(secret_of v4)" DDNS_RETRY_DELAY=0 -- -u "http://127.0.0.1:$port/" -h "$(host v4)" -r 2
  expect_status 5
  expect_requests "get get get"
  expect_in "$err" "attempt 1:"
  expect_in "$err" "attempt 2:"
  expect_in "$err" "cannot learn the public address"
}

@test "server down: retries, then exit 5" {
  for_each_shell server_down
}

wget_path() {
  local name wget
  name=$(host dual)
  for wget in gnu-wget busybox-wget; do
    run_client "$wget" DDNS_SECRET="$(secret_of dual)" -- -u "$DDNS_URL" -h "$name" -v
    expect_status 0
    expect_in "$err" "HTTP tool: $wget"
    expect_in "$err" "$name A is already 127.0.0.1"
    run_client "$wget" DDNS_SECRET="$(secret_of dual)" -- -u "$DDNS_URL6" -h "$name" -6
    expect_status 0
    run_client "$wget" DDNS_SECRET=wrong-secret-not-this-one -- -u "$DDNS_URL" -h "$name"
    expect_status 4
    expect_in "$err" "HTTP 401"
  done
  run_client busybox-wget DDNS_SECRET="$(secret_of dual)" -- -u "https://127.0.0.1:9/" -h "$name" -r 0
  expect_status 2
  expect_in "$err" "BusyBox wget is here, and it does not verify TLS certificates"
}

@test "curl absent: GNU wget and BusyBox wget" {
  for_each_shell wget_path
}

openssl_path() {
  local name
  name=$(host dual)
  run_client openssl-only DDNS_SECRET="$(secret_of dual)" CURL_SOURCE=127.0.0.2 -- -u "$DDNS_URL" -h "$name" -v
  expect_status 0
  expect_in "$err" "hash tool: openssl"
  expect_in "$err" "$name A set to 127.0.0.2"
  run_client openssl-only DDNS_SECRET="$(secret_of dual)" -- -u "$DDNS_URL" -h "$name" -L
  expect_status 0
  expect_in "$err" "$name A set to 127.0.0.1"
  expect_record "$name" A 127.0.0.1
}

@test "sha256sum absent: openssl computes both tokens" {
  for_each_shell openssl_path
}

replay_proof_token() {
  local name
  name=$(host strict)
  run_client no-openssl DDNS_SECRET="$(secret_of strict)" -- -u "$DDNS_URL" -h "$name" -v
  expect_status 0
  expect_in "$err" "hash tool: sha256sum"
  expect_in "$err" "&ts="
  expect_in "$err" "$name A set to 127.0.0.1"
  expect_record "$name" A 127.0.0.1
  # the legacy token is refused by a require_timestamp host
  run_client no-openssl DDNS_SECRET="$(secret_of strict)" CURL_SOURCE=127.0.0.2 -- -u "$DDNS_URL" -h "$name" -L
  expect_status 4
  expect_in "$err" "HTTP 401"
  expect_record "$name" A 127.0.0.1
}

@test "v2 token without openssl (sha256sum alone); -L refused by a require_timestamp host" {
  for_each_shell replay_proof_token
}

odd_secret() {
  local name config="$BATS_TEST_TMPDIR/ddns.conf"
  name=$(host odd)
  printf 'DDNS_URL=%s\nDDNS_HOSTNAME=%s\nDDNS_SECRET=%s\n' "$DDNS_URL" "$name" "$(secret_of odd)" >"$config"
  chmod 600 "$config"
  run_client full -- -c "$config"
  expect_status 0
  expect_in "$err" "$name A set to 127.0.0.1"
  run_client no-openssl DDNS_SECRET="$(secret_of odd)" CURL_SOURCE=127.0.0.2 -- -u "$DDNS_URL" -h "$name" -L
  expect_status 0
  expect_record "$name" A 127.0.0.2
}

@test "a secret with quotes, spaces, \$, backslash and non-ASCII, from a config file" {
  for_each_shell odd_secret
}

dry_run() {
  local name
  name=$(host v4)
  run_client full DDNS_SECRET="$(secret_of v4)" CURL_SOURCE=127.0.0.2 -- -u "$DDNS_URL" -h "$name" -n
  expect_status 0
  expect_requests "get"
  expect_in "$err" "dry run: would set $name A to 127.0.0.2"
  expect_record "$name" A 127.0.0.1
}

@test "dry run asks for the address and changes nothing" {
  for_each_shell dry_run
}

bad_clock() {
  local name
  name=$(host dual)
  run_client unset-clock DDNS_SECRET="$(secret_of dual)" CURL_SOURCE=127.0.0.2 -- -u "$DDNS_URL" -h "$name"
  expect_status 0
  expect_in "$err" "the local clock is unset (before 2024); using the server's time"
  expect_in "$err" "$name A set to 127.0.0.2"
  # A set clock is never moved by the server's Date: the token is refused, with the reason.
  run_client slow-clock DDNS_SECRET="$(secret_of dual)" -- -u "$DDNS_URL" -h "$name"
  expect_status 4
  expect_in "$err" "the local clock is 1728000 s off the server's; keeping it"
  expect_in "$err" "more than 300 seconds old"
  expect_record "$name" A 127.0.0.2
}

@test "an unset local clock takes the server's time from its Date header; a set one is kept" {
  for_each_shell bad_clock
}

lan_prefix() {
  local name cache="$BATS_TEST_TMPDIR/cache-$CLIENT_SHELL"
  name=$(host lan)
  # The prefix read from br-lan is sent, covered by the token; the LAN device's AAAA follows it.
  run_client openwrt DDNS_SECRET="$(secret_of lan)" -- -u "$DDNS_URL" -h "$name" --lan-prefix auto -C "$cache"
  expect_status 0
  expect_in "$err" "$name A set to 127.0.0.1 (LAN prefix 2001:db8:77:1100::1/64)"
  expect_record "nas.lan-$CLIENT_SHELL.dyn.example.com" AAAA 2001:db8:77:1100:211:32ff:fe12:3456
  # Same address and prefix: the cache saves the request. A new prefix alone is sent.
  run_client openwrt DDNS_SECRET="$(secret_of lan)" -- -u "$DDNS_URL" -h "$name" -P br-lan -C "$cache"
  expect_status 0
  expect_requests "get"
  run_client openwrt DDNS_SECRET="$(secret_of lan)" -- -u "$DDNS_URL" -h "$name" -P 2001:db8:1200:ab00::/56 -C "$cache"
  expect_status 0
  expect_requests "get set"
  expect_record "nas.lan-$CLIENT_SHELL.dyn.example.com" AAAA 2001:db8:1200:ab00:211:32ff:fe12:3456
  # A host without ipv6_lan_hosts refuses a prefix, and its record stays as it was.
  run_client openwrt DDNS_SECRET="$(secret_of v4)" CURL_SOURCE=127.0.0.3 -- -u "$DDNS_URL" -h "$(host v4)" -P auto
  expect_status 4
  expect_in "$err" "has no ipv6_lan_hosts, so it does not take a LAN prefix"
  [ "$(record "$(host v4)" A)" != 127.0.0.3 ] || { show_run && false; }
}

@test "--lan-prefix: the router's LAN devices follow the prefix it reads from br-lan" {
  for_each_shell lan_prefix
}
