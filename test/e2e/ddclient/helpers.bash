# Helpers for ddclient.bats: the dev stack (moto + local API on loopback), ddclient and inadyn
# config files, and runs whose output never holds a secret (ddclient -verbose prints the request's
# Authorization header; it is redacted before anything else sees the output).

REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true

dev_stack() { # dev_stack COMMAND ARGS...
  (cd "$REPO_ROOT" && npx --no-install tsx test/support/dev-stack.ts "$1" "$STACK_DIR" "${@:2}")
}

record() { # record NAME TYPE: the record's values, one a line (nothing when there is no record)
  dev_stack record "$1" "$2"
}

# The API's host:port, as ddclient's `server=` and inadyn's `ddns-server` want it.
api_hostport() {
  printf '%s\n' "${DDNS_URL#http://}"
}

find_ddclient() {
  command -v ddclient || { [ -x /usr/sbin/ddclient ] && echo /usr/sbin/ddclient; }
}

# ddclient_conf FILE LOGIN PASSWORD HOST: a dyndns2 config against the local API, over plain HTTP,
# finding the address through /checkip (ddclient 3.10's `use=web`; 3.11+ also takes usev4=webv4).
ddclient_conf() {
  local file=$1 login=$2 password=$3 host=$4
  (
    umask 077
    cat >"$file" <<CONF
ssl=no
use=web, web=$DDNS_URL/checkip
protocol=dyndns2
server=$(api_hostport)
login=$login
password='$password'
$host
CONF
  )
}

# inadyn_conf FILE LOGIN PASSWORD HOST: inadyn's `custom` provider against the local API.
inadyn_conf() {
  local file=$1 login=$2 password=$3 host=$4
  (
    umask 077
    cat >"$file" <<CONF
period = 60
custom local {
    ssl            = false
    username       = $login
    password       = "$password"
    checkip-server = $(api_hostport)
    checkip-path   = /checkip
    checkip-ssl    = false
    ddns-server    = $(api_hostport)
    ddns-path      = "/nic/update?hostname=%h&myip=%i"
    ddns-response  = { good, nochg }
    hostname       = $host
}
CONF
  )
}

# Replaces the Authorization header's value and every demo secret with <redacted>.
redact() {
  local secrets
  secrets=$(printf '%s\n' "$HOST_DYNDNS_SECRET" "$HOST_RELAY_SECRET" "$WRONG_PASSWORD" | sed 's/[][\.*^$/]/\\&/g')
  local script='s/(Authorization: Basic )[^[:space:]]*/\1<redacted>/I'
  local secret
  while IFS= read -r secret; do
    [ -n "$secret" ] && script="$script;s/$secret/<redacted>/g"
  done <<<"$secrets"
  sed -E "$script"
}

# run_ddclient CONF CACHE: one foreground run, no daemon; prints ddclient's output, redacted.
run_ddclient() {
  set -o pipefail
  timeout 60 "$(find_ddclient)" -daemon=0 -foreground -verbose -noquiet -file "$1" -cache "$2" 2>&1 | redact
}

# run_inadyn CONF: one run (-1) in the foreground, cache in the test's temp dir; output redacted.
run_inadyn() {
  set -o pipefail
  mkdir -p "$BATS_TEST_TMPDIR/inadyn-cache"
  timeout 60 inadyn -1 --foreground --no-pidfile -l info -f "$1" --cache-dir "$BATS_TEST_TMPDIR/inadyn-cache" 2>&1 | redact
}

# dyndns2 CREDENTIALS URL: a dyndns2 request with curl; prints the body. The credentials travel in
# a netrc-style config on stdin, not in curl's argument list.
dyndns2() {
  printf 'user = "%s"\n' "$1" | curl --silent --show-error --config - "$2"
}
