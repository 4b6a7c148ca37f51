# Shared helpers for the client's bats tests.
#
# Every run of the client happens under a clean environment (env -i) with a PATH that holds
# only the tools a scenario allows, so "curl absent" or "no openssl" is real, and under each
# shell in CLIENT_SHELLS. `logger` is a fake that records what would go to syslog, so the
# secret check covers syslog too.

REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
CLIENT="$REPO_ROOT/client/ddns-client.sh"
# make test runs busybox and dash; CLIENT_SHELLS="bash" bats test/client tries bash as well.
CLIENT_SHELLS=${CLIENT_SHELLS:-busybox dash}

# Absolute paths of the real tools, found once before PATH is narrowed.
real_tool() {
  command -v "$1" || {
    echo "missing tool on this machine: $1" >&2
    return 1
  }
}

# make_tools NAME TOOL... — a PATH directory with the base utilities plus TOOLs.
# A TOOL is a name (linked to the real one), `curl` (a wrapper that records each request's
# mode and can send from another loopback address), or `busybox-wget`.
make_tools() {
  local dir="$BATS_FILE_TMPDIR/tools/$1" tool
  shift
  mkdir -p "$dir"
  for tool in cat date ls mkdir mktemp mv od rm sleep; do
    ln -sf "$(real_tool "$tool")" "$dir/$tool"
  done
  # Replace, never write through, a link: a link points at the real tool.
  rm -f "$dir/logger"
  cat >"$dir/logger" <<EOF
#!/bin/sh
printf '%s\n' "\$*" >>"\$SYSLOG_FILE"
EOF
  chmod +x "$dir/logger"
  for tool in "$@"; do
    case $tool in
      curl)
        rm -f "$dir/curl"
        cat >"$dir/curl" <<EOF
#!/bin/sh
# The client passes the URL on stdin (curl -K -): note the mode, never the hash.
config=\$(cat)
case \$config in
  *mode=set*) echo set >>"\$REQUEST_LOG" ;;
  *mode=get*) echo get >>"\$REQUEST_LOG" ;;
esac
printf '%s\n' "\$config" | exec $(real_tool curl) "\$@" \${CURL_SOURCE:+--interface "\$CURL_SOURCE"}
EOF
        chmod +x "$dir/curl"
        ;;
      busybox-wget) ln -sf "$(real_tool busybox)" "$dir/wget" ;;
      *) ln -sf "$(real_tool "$tool")" "$dir/$tool" ;;
    esac
  done
}

make_all_tools() {
  make_tools full curl sha256sum openssl
  make_tools no-openssl curl sha256sum
  make_tools openssl-only curl openssl
  make_tools gnu-wget wget sha256sum
  make_tools busybox-wget busybox-wget sha256sum
  make_tools no-http sha256sum openssl
  make_tools no-hash curl
}

shell_command() {
  case $1 in
    busybox) echo "$(real_tool busybox) sh" ;;
    dash) real_tool dash ;;
    bash) echo "$(real_tool bash) --posix" ;;
  esac
}

# run_client TOOLS [VAR=value ...] -- ARGS... — runs the client under $CLIENT_SHELL.
# Sets status, and the files $out, $err, $syslog, $requests.
run_client() {
  local tools=$1 shell
  shift
  local vars=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do
    vars+=("$1")
    shift
  done
  shift
  out="$BATS_TEST_TMPDIR/out" err="$BATS_TEST_TMPDIR/err"
  syslog="$BATS_TEST_TMPDIR/syslog" requests="$BATS_TEST_TMPDIR/requests"
  : >"$out" && : >"$err" && : >"$syslog" && : >"$requests"
  shell=$(shell_command "$CLIENT_SHELL")
  status=0
  env -i PATH="$BATS_FILE_TMPDIR/tools/$tools" HOME="$BATS_TEST_TMPDIR" TMPDIR="$BATS_TEST_TMPDIR" \
    SYSLOG_FILE="$syslog" REQUEST_LOG="$requests" "${vars[@]}" \
    $shell "$CLIENT" "$@" >"$out" 2>"$err" || status=$?
  assert_no_secret_in_output
}

show_run() {
  echo "--- shell: $CLIENT_SHELL, exit status: $status"
  echo "--- stdout:" && cat "$out"
  echo "--- stderr:" && cat "$err"
  echo "--- syslog:" && cat "$syslog"
  echo "--- requests:" && cat "$requests"
}

# SECRETS holds every secret the tests use, one a line; a token is any 64-digit hex string.
assert_no_secret_in_output() {
  local secret file
  for file in "$out" "$err" "$syslog"; do
    while IFS= read -r secret; do
      if [ -n "$secret" ] && grep -qF -- "$secret" "$file"; then
        show_run
        echo "FAIL: a secret appears in $file"
        return 1
      fi
    done <<<"$SECRETS"
    if grep -qE '[0-9a-fA-F]{64}' "$file"; then
      show_run
      echo "FAIL: a token appears in $file"
      return 1
    fi
  done
}

expect_status() {
  if [ "$status" != "$1" ]; then
    show_run
    echo "FAIL: expected exit status $1"
    return 1
  fi
}

# expect_in FILE TEXT / expect_not_in FILE TEXT
expect_in() {
  if ! grep -qF -- "$2" "$1"; then
    show_run
    echo "FAIL: expected '$2' in $(basename "$1")"
    return 1
  fi
}

expect_not_in() {
  if grep -qF -- "$2" "$1"; then
    show_run
    echo "FAIL: did not expect '$2' in $(basename "$1")"
    return 1
  fi
}

# expect_requests "get set" — the modes the client sent, in order.
expect_requests() {
  local sent
  sent=$(tr '\n' ' ' <"$requests")
  if [ "${sent% }" != "$1" ]; then
    show_run
    echo "FAIL: expected requests '$1', got '${sent% }'"
    return 1
  fi
}

# for_each_shell FUNCTION — runs FUNCTION once per shell, with CLIENT_SHELL set.
# Not in an `||` context, so bats' errexit stops at the first failing check.
for_each_shell() {
  local shell
  for shell in $CLIENT_SHELLS; do
    CLIENT_SHELL=$shell
    echo "# under $shell"
    "$@"
  done
}

# stub_router TOOLS ip|ifconfig OUTPUT_FILE INTERFACE — a fake `ip` or `ifconfig` in the tool set
# TOOLS that prints OUTPUT_FILE (recorded on a real router, test/client/routers/) for INTERFACE
# and fails as the real one does for any other interface.
stub_router() {
  local dir="$BATS_FILE_TMPDIR/tools/$1"
  rm -f "$dir/$2"
  case $2 in
    ip)
      cat >"$dir/ip" <<STUB
#!/bin/sh
if [ "\$*" != "-6 addr show dev $4 scope global" ]; then
  echo "Device \"\$5\" does not exist." >&2
  exit 1
fi
cat "$3"
STUB
      ;;
    ifconfig)
      cat >"$dir/ifconfig" <<STUB
#!/bin/sh
if [ "\$*" != "$4" ]; then
  echo "ifconfig: \$1: error fetching interface information: Device not found" >&2
  exit 1
fi
cat "$3"
STUB
      ;;
  esac
  chmod +x "$dir/$2"
}
