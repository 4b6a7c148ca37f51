#!/usr/bin/env bats
# --lan-prefix: the client reads the LAN prefix the way it does on routers, from `ip -6 addr`
# (OpenWrt) or `ifconfig` (DD-WRT's BusyBox, net-tools 2), here stubs that print output recorded
# on such routers (test/client/routers/). The requests themselves are in live.bats.

load helpers

SECRETS="lan-test-secret-0123456789"
ROUTERS="$BATS_TEST_DIRNAME/routers"

setup_file() {
  make_tools openwrt curl sha256sum
  stub_router openwrt ip "$ROUTERS/openwrt-ip-br-lan.txt" br-lan
  make_tools openwrt-no-ipv6 curl sha256sum
  stub_router openwrt-no-ipv6 ip "$ROUTERS/openwrt-ip-no-ipv6.txt" br-lan
  make_tools ddwrt curl sha256sum
  stub_router ddwrt ifconfig "$ROUTERS/ddwrt-ifconfig-br0.txt" br0
  make_tools nettools2 curl sha256sum
  stub_router nettools2 ifconfig "$ROUTERS/nettools2-ifconfig-br0.txt" br0
  make_tools no-ip-tools curl sha256sum
  make_tools full curl sha256sum openssl
}

# prefix_of TOOLS SETTING — what resolve_lan_prefix makes of DDNS_LAN_PREFIX=SETTING.
prefix_of() {
  local script="$BATS_TEST_TMPDIR/prefix.sh"
  cat >"$script" <<SCRIPT
DDNS_CLIENT_LIBRARY=1 . "$CLIENT"
set -f
DDNS_LAN_PREFIX='$2'
resolve_lan_prefix
printf '%s\n' "\$lan_prefix"
SCRIPT
  env -i PATH="$BATS_FILE_TMPDIR/tools/$1" $(shell_command "$CLIENT_SHELL") "$script" 2>"$BATS_TEST_TMPDIR/prefix.err"
}

expect_prefix() {
  local actual
  actual=$(prefix_of "$1" "$2")
  if [ "$actual" != "$3" ]; then
    echo "FAIL under $CLIENT_SHELL: $1 with --lan-prefix $2 gave '$actual', expected '$3'"
    cat "$BATS_TEST_TMPDIR/prefix.err"
    return 1
  fi
}

reads_router_output() {
  # OpenWrt: the deprecated old prefix and the ULA are skipped.
  expect_prefix openwrt auto 2001:db8:77:1100::1/64
  expect_prefix openwrt br-lan 2001:db8:77:1100::1/64
  # DD-WRT (BusyBox ifconfig, no ip): br0 after br-lan fails; link-local and ULA skipped.
  expect_prefix ddwrt auto 2a02:8070:a1c0:5f00::1/64
  expect_prefix ddwrt br0 2a02:8070:a1c0:5f00::1/64
  # net-tools 2 ifconfig: prefixlen and scopeid words.
  expect_prefix nettools2 br0 2001:db8:4400:e00::1/56
  # An explicit prefix is sent as given.
  expect_prefix full 2001:db8:1200:ab00::/56 2001:db8:1200:ab00::/56
}

@test "reads the LAN prefix from ip (OpenWrt) and ifconfig (DD-WRT, net-tools 2) output" {
  for_each_shell reads_router_output
}

no_prefix_is_a_warning() {
  expect_prefix openwrt-no-ipv6 br-lan ""
  grep -qF "no global IPv6 prefix on br-lan: updating without a LAN prefix" "$BATS_TEST_TMPDIR/prefix.err"
  expect_prefix openwrt eth9 ""
  expect_prefix no-ip-tools auto ""
  grep -qF "neither ip nor ifconfig found" "$BATS_TEST_TMPDIR/prefix.err"
}

@test "a LAN without a global prefix, or no way to read one, is a warning, not a failure" {
  for_each_shell no_prefix_is_a_warning
}

usage_errors() {
  run_client full -- -u http://127.0.0.1:9/ -h home.example.com -s "$SECRETS" -L -P 2001:db8::/64
  expect_status 1
  expect_in "$err" "a LAN prefix needs the replay-proof token: drop -L"
  run_client full -- -u http://127.0.0.1:9/ -h home.example.com -s "$SECRETS" --lan-prefix '2001:db8::/64&x=1'
  expect_status 1
  expect_in "$err" "not an IPv6 prefix: 2001:db8::/64&x=1"
  run_client full -- -u http://127.0.0.1:9/ -h home.example.com -s "$SECRETS" -P 'br lan'
  expect_status 1
  expect_in "$err" "must be auto, an interface name or an IPv6 prefix"
}

@test "a prefix with the legacy token, or a malformed one, is a usage error" {
  for_each_shell usage_errors
}
