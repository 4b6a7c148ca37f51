#!/usr/bin/env bats
# The client's command line, config file, tool detection and hashing, without a server.

load helpers

SECRETS="cli-test-secret-0123456789"

setup_file() {
  make_all_tools
}

help_lists_exit_codes() {
  run_client full -- --help
  expect_status 0
  for code in "0  success" "1  usage" "2  no HTTP tool" "3  no hash tool" "4  rejected" "5  server or network"; do
    expect_in "$out" "$code"
  done
  run_client full -- --version
  expect_status 0
  expect_in "$out" "ddns-client.sh "
}

@test "--help lists the exit codes, --version prints the version" {
  for_each_shell help_lists_exit_codes
}

usage_errors() {
  run_client full -- -h home.example.com -s "$SECRETS"
  expect_status 1
  expect_in "$err" "no API URL"
  run_client full -- -u http://127.0.0.1:9/ -s "$SECRETS"
  expect_status 1
  expect_in "$err" "no hostname"
  run_client full -- -u http://127.0.0.1:9/ -h home.example.com
  expect_status 1
  expect_in "$err" "no secret"
  run_client full -- -u ftp://example.com/ -h home.example.com -s "$SECRETS"
  expect_status 1
  expect_in "$err" "not an http(s) URL"
  run_client full -- -u http://127.0.0.1:9/ -h 'bad host&x=1' -s "$SECRETS"
  expect_status 1
  expect_in "$err" "not a valid hostname"
  run_client full -- -u http://127.0.0.1:9/ -m put
  expect_status 1
  expect_in "$err" "mode must be get or set"
  run_client full -- -u http://127.0.0.1:9/ -F soon
  expect_status 1
  expect_in "$err" "DDNS_FORCE_AFTER must be a whole number"
  run_client full -- --bogus
  expect_status 1
  expect_in "$err" "unknown argument: --bogus"
  run_client full -- -u
  expect_status 1
  expect_in "$err" "needs a value"
}

@test "usage errors exit 1 with a message that names the problem" {
  for_each_shell usage_errors
}

missing_tools() {
  run_client no-http -- -u http://127.0.0.1:9/ -h home.example.com -s "$SECRETS"
  expect_status 2
  expect_in "$err" "neither curl nor wget"
  run_client no-hash -- -u http://127.0.0.1:9/ -h home.example.com -s "$SECRETS"
  expect_status 3
  expect_in "$err" "neither sha256sum nor openssl"
}

@test "no HTTP tool exits 2, no hash tool exits 3" {
  for_each_shell missing_tools
}

config_file() {
  local config="$BATS_TEST_TMPDIR/ddns.conf"
  printf '%s\n' '# written by hand' 'DDNS_URL="http://127.0.0.1:9/"' "export DDNS_HOSTNAME='home.example.com'" \
    "DDNS_SECRET=$SECRETS" 'DDNS_MODE=get' 'DDNS_RETRIES=0' 'DDNS_SHOE_SIZE=44' 'not a setting' >"$config"
  chmod 644 "$config"
  run_client full -- -c "$config"
  expect_status 5
  expect_in "$err" "readable by other users"
  expect_in "$err" "unknown setting DDNS_SHOE_SIZE"
  expect_in "$err" "ddns.conf:8: not KEY=value"
  expect_in "$err" "cannot learn the public address"
  chmod 600 "$config"
  run_client full DDNS_URL=http://127.0.0.1:8/ -- -c "$config" -u http://127.0.0.1:7/
  expect_status 5
  expect_not_in "$err" "readable by other users"
  expect_in "$err" "http://127.0.0.1:7/"
  run_client full -- -c "$BATS_TEST_TMPDIR/missing.conf"
  expect_status 1
  expect_in "$err" "cannot read config file"
}

@test "config file: KEY=value lines, warnings, the command line wins" {
  for_each_shell config_file
}

# RFC 4231 test cases 1, 2, 6 and 7 (7: a 131-byte key, longer than the block),
# through the library mode, with each hash tool.
hmac_vectors() {
  local script="$BATS_TEST_TMPDIR/hmac.sh" tools
  cat >"$script" <<EOF
DDNS_CLIENT_LIBRARY=1 . "$CLIENT"
detect_hash_tool
k20=\$(printf '\\013%.0s' 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20)
k131=\$(printf '\\252%.0s' \$(seq 131))
hmac_sha256_hex "\$k20" "Hi There"; echo
hmac_sha256_hex "Jefe" "what do ya want for nothing?"; echo
hmac_sha256_hex "\$k131" "Test Using Larger Than Block-Size Key - Hash Key First"; echo
hmac_sha256_hex "\$k131" "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."; echo
hmac_sha256_hex "" ""; echo
EOF
  for tools in no-openssl openssl-only; do
    ln -sf "$(real_tool seq)" "$BATS_FILE_TMPDIR/tools/$tools/seq"
    status=0
    env -i PATH="$BATS_FILE_TMPDIR/tools/$tools" $(shell_command "$CLIENT_SHELL") "$script" >"$BATS_TEST_TMPDIR/hmac.out" || status=$?
    [ "$status" = 0 ]
    diff -u - "$BATS_TEST_TMPDIR/hmac.out" <<EOF
b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7
5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843
60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54
9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2
b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad
EOF
  done
}

@test "HMAC-SHA256 matches RFC 4231 with sha256sum and with openssl" {
  for_each_shell hmac_vectors
}

http_dates() {
  local script="$BATS_TEST_TMPDIR/date.sh"
  cat >"$script" <<EOF
DDNS_CLIENT_LIBRARY=1 . "$CLIENT"
http_date_to_epoch "Thu, 01 Jan 1970 00:00:00 GMT"; echo
http_date_to_epoch "Tue, 29 Feb 2000 23:59:59 GMT"; echo
http_date_to_epoch "Fri, 09 Aug 2024 08:08:09 GMT"; echo
http_date_to_epoch "Sun, 31 Dec 2084 12:00:00 GMT"; echo
http_date_to_epoch "yesterday" || echo refused
EOF
  env -i PATH="$BATS_FILE_TMPDIR/tools/full" $(shell_command "$CLIENT_SHELL") "$script" >"$BATS_TEST_TMPDIR/date.out"
  diff -u - "$BATS_TEST_TMPDIR/date.out" <<EOF
0
951868799
1723190889
3629102400
refused
EOF
}

@test "HTTP Date headers convert to Unix time (for clock correction)" {
  for_each_shell http_dates
}

jitter() {
  run_client full -- -u http://127.0.0.1:9/ -m get -r 0 -j 1 -v
  expect_status 5
  grep -qE 'waiting [01] s \(jitter\)' "$err" || { show_run && false; }
}

@test "-j waits a random 0..SECS before the first request" {
  for_each_shell jitter
}

# clock_case LOCAL_EPOCH SERVER_DATE — the offset adjust_clock settles on, and its warning.
clock_case() {
  local script="$BATS_TEST_TMPDIR/clock.sh"
  cat >"$script" <<EOF
DDNS_CLIENT_LIBRARY=1 . "$CLIENT"
date() { echo $1; }
http_date="$2"
adjust_clock
echo "offset \$clock_offset"
EOF
  env -i PATH="$BATS_FILE_TMPDIR/tools/full" $(shell_command "$CLIENT_SHELL") "$script" >"$BATS_TEST_TMPDIR/clock.out" 2>&1
}

clock_rules() {
  # 2000-01-01, a router that booted without a clock: the server's time is taken.
  clock_case 946684800 "Mon, 30 Nov 2026 18:00:00 GMT"
  expect_in "$BATS_TEST_TMPDIR/clock.out" "offset 849376800"
  expect_in "$BATS_TEST_TMPDIR/clock.out" "the local clock is unset (before 2024); using the server's time"
  # A set clock (2026-11-30 18:00:00) and a Date 20 days ahead: never moved into the future.
  clock_case 1796061600 "Sun, 20 Dec 2026 18:00:00 GMT"
  expect_in "$BATS_TEST_TMPDIR/clock.out" "offset 0"
  expect_in "$BATS_TEST_TMPDIR/clock.out" "the local clock is 1728000 s off the server's; keeping it"
  # ... 10 minutes ahead of the server: kept as well, with the same advice.
  clock_case 1796061600 "Mon, 30 Nov 2026 17:50:00 GMT"
  expect_in "$BATS_TEST_TMPDIR/clock.out" "offset 0"
  expect_in "$BATS_TEST_TMPDIR/clock.out" "fix NTP"
  # ... a few seconds apart: nothing to say.
  clock_case 1796061600 "Mon, 30 Nov 2026 18:00:05 GMT"
  [ "$(cat "$BATS_TEST_TMPDIR/clock.out")" = "offset 0" ]
  # An unset clock and a Date that is no better.
  clock_case 946684800 "Sat, 01 Jan 2000 00:10:00 GMT"
  expect_in "$BATS_TEST_TMPDIR/clock.out" "offset 0"
}

@test "the server's Date sets only a clock that was never set; a set clock is never moved" {
  for_each_shell clock_rules
}

# A link planted where the old client put its temporary file ($DDNS_CACHE.$$): the cache
# update never writes through it.
cache_symlink() {
  local script="$BATS_TEST_TMPDIR/cache.sh" dir="$BATS_TEST_TMPDIR/cache-dir"
  rm -rf "$dir" && mkdir "$dir"
  echo "victim" >"$dir/victim"
  cat >"$script" <<EOF
DDNS_CLIENT_LIBRARY=1 . "$CLIENT"
DDNS_CACHE="$dir/ddns.cache"
ln -s "$dir/victim" "\$DDNS_CACHE.\$\$"
cache_store home.example.com A 192.0.2.1
cache_store home.example.com AAAA 2001:db8::1
rm -f "\$DDNS_CACHE.\$\$"
EOF
  ln -sf "$(real_tool ln)" "$BATS_FILE_TMPDIR/tools/full/ln"
  env -i PATH="$BATS_FILE_TMPDIR/tools/full" $(shell_command "$CLIENT_SHELL") "$script" >"$BATS_TEST_TMPDIR/cache.out" 2>&1
  [ "$(cat "$dir/victim")" = victim ] || { cat "$BATS_TEST_TMPDIR/cache.out" && false; }
  grep -q '^home.example.com A 192.0.2.1 [0-9]*$' "$dir/ddns.cache"
  grep -q '^home.example.com AAAA 2001:db8::1 [0-9]*$' "$dir/ddns.cache"
  # the cache is the client's alone, and no temporary file is left behind
  case $(ls -l "$dir/ddns.cache") in -rw-------*) ;; *) ls -l "$dir" && false ;; esac
  [ "$(ls "$dir" | wc -l)" = 2 ] || { ls -la "$dir" && false; }
}

@test "the cache is rewritten through mktemp next to it, never through a planted link" {
  for_each_shell cache_symlink
}

unverified_tls() {
  run_client busybox-wget -- -u "https://127.0.0.1:9/" -h home.example.com -s "$SECRETS" -r 0
  expect_status 2
  expect_in "$err" "only BusyBox wget is here, and it does not verify TLS certificates"
  expect_in "$err" "Install curl (or GNU wget), or pass --insecure"
  run_client busybox-wget DDNS_URL6="https://[::1]:9/" -- -u "http://127.0.0.1:9/" -h home.example.com -s "$SECRETS" -6 -r 0
  expect_status 2
  run_client busybox-wget -- -u "https://127.0.0.1:9/" -h home.example.com -s "$SECRETS" -r 0 --insecure
  expect_status 5
  expect_in "$err" "--insecure: using BusyBox wget, which does not verify TLS certificates"
  expect_in "$err" "cannot learn the public address"
  # curl verifies certificates: --insecure changes nothing there
  run_client full -- -u "https://127.0.0.1:9/" -h home.example.com -s "$SECRETS" -r 0 --insecure
  expect_status 5
  expect_not_in "$err" "TLS certificates"
}

@test "https:// with BusyBox wget (no certificate check) is refused unless --insecure" {
  for_each_shell unverified_tls
}

plain_http() {
  run_client no-http -- -u "http://ddns.example.com/" -h home.example.com -s "$SECRETS"
  expect_status 2
  expect_in "$err" "http://ddns.example.com/ is plain http: anyone on the path can read the token"
  run_client no-http -- -u "http://127.0.0.1:9/" -U "http://[::1]:9/" -h home.example.com -s "$SECRETS"
  expect_status 2
  expect_not_in "$err" "plain http"
  run_client no-http -- -u "https://ddns.example.com/" -h home.example.com -s "$SECRETS"
  expect_not_in "$err" "plain http"
}

@test "a plain http:// URL to another machine is warned about" {
  for_each_shell plain_http
}

shared_cache_directory() {
  local shared="$BATS_TEST_TMPDIR/shared" own="$BATS_TEST_TMPDIR/own"
  mkdir -p "$shared" "$own" && chmod 1777 "$shared" && chmod 700 "$own"
  run_client no-http -- -u "https://ddns.example.com/" -h home.example.com -s "$SECRETS" -C "$shared/cache"
  expect_status 2
  expect_in "$err" "the cache directory $shared is writable by other users"
  run_client no-http -- -u "https://ddns.example.com/" -h home.example.com -s "$SECRETS" -C "$own/cache"
  expect_not_in "$err" "writable by other users"
}

@test "a cache in a directory others can write (like /tmp) is warned about" {
  for_each_shell shared_cache_directory
}
