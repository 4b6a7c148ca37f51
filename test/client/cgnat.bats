#!/usr/bin/env bats
# Behind another NAT: the client compares the router's WAN address (the default route's interface,
# from `ip`: here a stub printing what OpenWrt prints) with the address the API saw (the scripted
# server, fake-api.py, sees 127.0.0.1). A carrier-grade NAT or private WAN address that differs is
# said once, clearly, and the update still happens.

load helpers

SECRETS="cgnat-test-secret-0123456789"

# wan_tools NAME ADDRESS — a tool set whose `ip` says the default route leaves by wan, holding ADDRESS.
wan_tools() {
  make_tools "$1" curl sha256sum
  rm -f "$BATS_FILE_TMPDIR/tools/$1/ip"
  cat >"$BATS_FILE_TMPDIR/tools/$1/ip" <<STUB
#!/bin/sh
case "\$*" in
  "-4 route show default") echo "default via ${2%.*}.1 dev wan proto static src $2" ;;
  "-4 addr show dev wan")
    echo "3: wan: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP qlen 1000"
    echo "    inet $2/10 brd ${2%.*}.255 scope global wan"
    echo "       valid_lft forever preferred_lft forever" ;;
  *) echo "ip: unexpected arguments: \$*" >&2; exit 1 ;;
esac
STUB
  chmod +x "$BATS_FILE_TMPDIR/tools/$1/ip"
}

setup_file() {
  wan_tools cgnat 100.64.12.34
  wan_tools private 192.168.178.2
  wan_tools public 127.0.0.1
  wan_tools edge 100.128.0.1
  make_tools no-ip curl sha256sum
}

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

WARNING="behind another NAT: this router's WAN address"

warns_and_updates() {
  fake_api 201
  run_client cgnat DDNS_SECRET="$SECRETS" -- -u "$FAKE_URL" -h home.example.com -4
  expect_status 0
  expect_requests "get set"
  expect_in "$err" "$WARNING 100.64.12.34 is carrier-grade NAT (100.64.0.0/10), but the API saw 127.0.0.1, so home.example.com A will not reach this network from the internet. Use the AAAA name over IPv6 (-6 or -b)"
  expect_in "$syslog" "$WARNING 100.64.12.34"
  [ "$(grep -c "$WARNING" "$err")" = 1 ]
  run_client private DDNS_SECRET="$SECRETS" -- -u "$FAKE_URL" -h home.example.com -4
  expect_status 0
  expect_in "$err" "$WARNING 192.168.178.2 is private (192.168.0.0/16)"
}

@test "a CGNAT or private WAN address that differs from the API's view: one clear warning, and the update" {
  for_each_shell warns_and_updates
}

once_per_address_pair_with_a_cache() {
  local cache_dir="$BATS_TEST_TMPDIR/cache-$CLIENT_SHELL"
  mkdir -m 700 "$cache_dir"
  fake_api 201
  run_client cgnat DDNS_SECRET="$SECRETS" -- -u "$FAKE_URL" -h home.example.com -4 -C "$cache_dir/cache" -F 0
  expect_in "$err" "$WARNING"
  run_client cgnat DDNS_SECRET="$SECRETS" -- -u "$FAKE_URL" -h home.example.com -4 -C "$cache_dir/cache" -F 0
  expect_status 0
  expect_not_in "$err" "$WARNING"
  expect_not_in "$syslog" "$WARNING"
}

@test "with a cache, the warning is given once per pair of addresses, not on every run" {
  for_each_shell once_per_address_pair_with_a_cache
}

silent_otherwise() {
  fake_api 201
  for tools in public edge no-ip; do
    run_client "$tools" DDNS_SECRET="$SECRETS" -- -u "$FAKE_URL" -h home.example.com -4
    expect_status 0
    expect_not_in "$err" "$WARNING"
  done
}

@test "a public WAN address, 100.128.0.1 (just outside 100.64.0.0/10), or no ip tool: no warning" {
  for_each_shell silent_otherwise
}
