#!/usr/bin/env bats
# dyndns2 end to end: the real ddclient from Debian (and inadyn, and curl for the IPv6 and
# dual-stack paths ddclient 3.10 cannot take) against the built bundle behind the local API,
# each outcome checked in the emulator's Route 53. Everything runs on loopback.
#
# The tests share one stack and run in file order: each says what state it starts from.

load ddclient/helpers

setup_file() {
  export BATS_NO_PARALLELIZE_WITHIN_FILE=true
  export STACK_DIR="$BATS_FILE_TMPDIR/stack"
  dev_stack up
}

setup() {
  set -a
  # shellcheck source=/dev/null
  . "$STACK_DIR/env"
  # shellcheck source=/dev/null
  . "$STACK_DIR/hosts.env"
  set +a
  # Characters that must survive Basic auth: ':' (the separator), '@' and '%' (URL syntax).
  export WRONG_PASSWORD='wrong:p@ss%word'
}

teardown_file() {
  dev_stack down
}

@test "ddclient sets a new record through /checkip and /nic/update: good" {
  # prepare
  [ -n "$(find_ddclient)" ] || skip "ddclient is not installed"
  ddclient_conf "$BATS_TEST_TMPDIR/ddclient.conf" "$HOST_DYNDNS" "$HOST_DYNDNS_SECRET" "$HOST_DYNDNS"
  [ -z "$(record "$HOST_DYNDNS" A)" ]
  # act
  run run_ddclient "$BATS_TEST_TMPDIR/ddclient.conf" "$BATS_TEST_TMPDIR/cache"
  # assess
  [ "$status" -eq 0 ]
  [[ "$output" == *"RECEIVE:  good 127.0.0.1"* ]]
  [[ "$output" == *"SUCCESS:  updating $HOST_DYNDNS: good: IP address set to 127.0.0.1"* ]]
  [[ "$output" == *"Authorization: Basic <redacted>"* ]]
  [[ "$output" != *"$HOST_DYNDNS_SECRET"* ]]
  [ "$(record "$HOST_DYNDNS" A)" = "127.0.0.1" ]
}

@test "ddclient again, past its own cache: nochg, and the record is unchanged" {
  # prepare: the record holds 127.0.0.1 from the test above; a fresh cache file forces ddclient to ask
  [ -n "$(find_ddclient)" ] || skip "ddclient is not installed"
  ddclient_conf "$BATS_TEST_TMPDIR/ddclient.conf" "$HOST_DYNDNS" "$HOST_DYNDNS_SECRET" "$HOST_DYNDNS"
  # act
  run run_ddclient "$BATS_TEST_TMPDIR/ddclient.conf" "$BATS_TEST_TMPDIR/fresh-cache"
  # assess
  [ "$status" -eq 0 ]
  [[ "$output" == *"RECEIVE:  nochg 127.0.0.1"* ]]
  [[ "$output" == *"updating $HOST_DYNDNS: nochg"* ]]
  [[ "$output" != *FAILED* ]]
  [ "$(record "$HOST_DYNDNS" A)" = "127.0.0.1" ]
}

@test "ddclient with a wrong password fails cleanly (401 badauth) and the record is untouched" {
  # prepare: put the relay host's record somewhere the failed update would have moved it from
  [ -n "$(find_ddclient)" ] || skip "ddclient is not installed"
  run dyndns2 "$HOST_RELAY:$HOST_RELAY_SECRET" "$DDNS_URL/nic/update?hostname=$HOST_RELAY&myip=192.0.2.55"
  [ "$output" = "good 192.0.2.55" ]
  ddclient_conf "$BATS_TEST_TMPDIR/ddclient.conf" "$HOST_RELAY" "$WRONG_PASSWORD" "$HOST_RELAY"
  # act
  run run_ddclient "$BATS_TEST_TMPDIR/ddclient.conf" "$BATS_TEST_TMPDIR/cache"
  # assess
  [ "$status" -ne 0 ]
  [[ "$output" == *"FAILED:   updating $HOST_RELAY: authorization failed (HTTP/1.1 401 Unauthorized"* ]]
  [[ "$output" == *"badauth"* ]]
  [[ "$output" != *"p@ss%word"* ]]
  [ "$(record "$HOST_RELAY" A)" = "192.0.2.55" ]
}

@test "inadyn (custom provider, plain HTTP) updates through /nic/update: good" {
  # prepare: the relay host's record holds 192.0.2.55 from the test above. inadyn reads 127.0.0.1 from
  # /checkip but refuses it as not an Internet address, so it sends myip= empty and the server
  # uses the caller's address.
  command -v inadyn >/dev/null || skip "inadyn is not installed"
  inadyn_conf "$BATS_TEST_TMPDIR/inadyn.conf" "$HOST_RELAY" "$HOST_RELAY_SECRET" "$HOST_RELAY"
  # act
  run run_inadyn "$BATS_TEST_TMPDIR/inadyn.conf"
  # assess
  [ "$status" -eq 0 ]
  [[ "$output" == *"Successful alias table update for $HOST_RELAY"* ]]
  [[ "$output" != *"$HOST_RELAY_SECRET"* ]]
  [ "$(record "$HOST_RELAY" A)" = "127.0.0.1" ]
}

@test "inadyn with a wrong password stops with an authentication failure; the record is untouched" {
  # prepare: the relay host's record holds 127.0.0.1 from the test above
  command -v inadyn >/dev/null || skip "inadyn is not installed"
  inadyn_conf "$BATS_TEST_TMPDIR/inadyn.conf" "$HOST_RELAY" "$WRONG_PASSWORD" "$HOST_RELAY"
  run dyndns2 "$HOST_RELAY:$HOST_RELAY_SECRET" "$DDNS_URL/nic/update?hostname=$HOST_RELAY&myip=192.0.2.56"
  [ "$output" = "good 192.0.2.56" ]
  # act
  run run_inadyn "$BATS_TEST_TMPDIR/inadyn.conf"
  # assess
  [[ "$output" == *"[401 Unauthorized] badauth"* ]]
  [[ "$output" == *"Authentication failure"* ]]
  [[ "$output" != *"p@ss%word"* ]]
  [ "$(record "$HOST_RELAY" A)" = "192.0.2.56" ]
}

@test "dyndns2 over IPv6 (curl to [::1]) sets the AAAA record: good ::1" {
  # prepare: no AAAA record yet
  [ -z "$(record "$HOST_DYNDNS" AAAA)" ]
  # act
  run dyndns2 "$HOST_DYNDNS:$HOST_DYNDNS_SECRET" "$DDNS_URL6/nic/update?hostname=$HOST_DYNDNS"
  # assess
  [ "$status" -eq 0 ]
  [ "$output" = "good ::1" ]
  [ "$(record "$HOST_DYNDNS" AAAA)" = "::1" ]
  [ "$(record "$HOST_DYNDNS" A)" = "127.0.0.1" ]
}

@test "dyndns2 myip=v4,v6 (as ddclient 3.11+ sends) sets A and AAAA in one line" {
  # act
  run dyndns2 "$HOST_RELAY:$HOST_RELAY_SECRET" \
    "$DDNS_URL/nic/update?hostname=$HOST_RELAY&myip=192.0.2.60,2001:db8::60"
  # assess
  [ "$status" -eq 0 ]
  [ "$output" = "good 192.0.2.60,2001:db8::60" ]
  [ "$(record "$HOST_RELAY" A)" = "192.0.2.60" ]
  [ "$(record "$HOST_RELAY" AAAA)" = "2001:db8::60" ]
}

@test "dyndns2 refuses myip for a host without allow_client_ip: abuse, nothing changes" {
  # act
  run dyndns2 "$HOST_DYNDNS:$HOST_DYNDNS_SECRET" "$DDNS_URL/nic/update?hostname=$HOST_DYNDNS&myip=192.0.2.99"
  # assess
  [ "$output" = "abuse" ]
  [ "$(record "$HOST_DYNDNS" A)" = "127.0.0.1" ]
}

@test "/checkip answers the caller's address alone, over IPv4 and IPv6" {
  run curl --silent --show-error "$DDNS_URL/checkip"
  [ "$output" = "127.0.0.1" ]
  run curl --silent --show-error "$DDNS_URL6/checkip"
  [ "$output" = "::1" ]
}
