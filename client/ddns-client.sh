#!/bin/sh
# ddns-client.sh — keep a Route 53 record pointing at this network's public address.
#
# POSIX sh: runs unchanged under BusyBox ash (DD-WRT, OpenWrt), dash, bash and macOS sh.
# Needs curl or wget, sha256sum or openssl, and od. See --help and client/README.md.
#
# The secret never leaves this process except through pipes into the hash tool: it is
# never an argument of another command (argv is readable by every local user through ps),
# never written to a file and never logged. The HMAC is therefore built here from a plain
# SHA-256 of stdin instead of `openssl dgst -hmac KEY`, which would put the key into argv.
#
# Sourcing this file with DDNS_CLIENT_LIBRARY=1 defines the functions without running
# anything (the tests call detect_hash_tool, sha256_hex and hmac_sha256_hex that way).

DDNS_CLIENT_VERSION=0.1.0

EXIT_OK=0
EXIT_USAGE=1
EXIT_NO_HTTP_TOOL=2
EXIT_NO_HASH_TOOL=3
EXIT_REJECTED=4
EXIT_FAILED=5

usage() {
  cat <<EOF
Usage: ddns-client.sh [options]

Sets HOSTNAME's A (IPv4) or AAAA (IPv6) record to this network's public address,
as seen by the route53-ddns API.

Options:
  -u, --url URL            API URL (DDNS_URL)
  -U, --url6 URL           API URL for IPv6 requests (DDNS_URL6; default: the -u URL)
  -h, --hostname NAME      host to update (DDNS_HOSTNAME)
  -s, --secret SECRET      the host's shared secret (DDNS_SECRET); prefer -c or the
                           environment: other local users can read command lines
  -c, --config FILE        read KEY=value settings (the DDNS_* names below) from FILE
  -m, --mode get|set       get: print the public address; set: update the record (default)
  -4, --ipv4               IPv4 only: the A record
  -6, --ipv6               IPv6 only: the AAAA record
  -b, --both               both: an A update over IPv4 and an AAAA update over IPv6
                           (default: one update over whichever family connects, DDNS_FAMILY=4|6|both)
  -L, --legacy-token       send the seed token sha256(ip+hostname+secret) instead of the
                           replay-proof timestamped HMAC token (DDNS_LEGACY_TOKEN=1)
  -P, --lan-prefix auto|IFACE|PREFIX
                           also send the IPv6 prefix of the LAN behind this router, so the
                           host's ipv6_lan_hosts follow it (DDNS_LAN_PREFIX): auto reads the
                           first of br-lan, br0, lan that has a global address; IFACE reads that
                           interface (ip -6 addr, else ifconfig); PREFIX is sent as given
                           (2001:db8:1200:ab00::/56). Needs the replay-proof token (not -L).
  -C, --cache FILE         remember the last address set; skip the update while it is
                           unchanged and younger than --force-after (DDNS_CACHE)
  -F, --force-after SECS   update even if unchanged after this long (DDNS_FORCE_AFTER, default 86400)
  -j, --jitter SECS        wait a random 0..SECS before the first request (DDNS_JITTER, default 0)
  -r, --retries N          retries on network errors, 429 and 5xx (DDNS_RETRIES, default 3)
  -d, --retry-delay SECS   first backoff delay, doubled each retry; Retry-After wins
                           (DDNS_RETRY_DELAY, default 5)
  -t, --timeout SECS       per-request timeout (DDNS_TIMEOUT, default 25)
      --insecure           accept an https:// URL with BusyBox wget, which does not verify
                           certificates (DDNS_INSECURE=1); curl and GNU wget always verify
  -n, --dry-run            ask for the address, but do not update the record
  -q, --quiet              log only errors to stderr (syslog still gets everything)
  -v, --verbose            log each step, also to syslog at user.debug
      --help               this text
      --version            print the version

Settings come from the environment, then the -c file, then the command line (later wins).
Logs go to stderr and, when logger exists, to syslog (tag ddns). The secret and the
token are never logged.

Exit codes:
  0  success: the record is set, already right, or (mode get) the address was printed
  1  usage or configuration error
  2  no HTTP tool: neither curl nor wget found, or only BusyBox wget for an https:// URL
     (it cannot verify certificates; see --insecure)
  3  no hash tool: neither sha256sum nor openssl found (or od, needed for the default token)
  4  rejected by the server: authentication, validation or permission (4xx)
  5  server or network failure, after the retries
EOF
}

# --- logging -----------------------------------------------------------------

log_verbose=0
log_quiet=0
logger_available=0

# Sets `redacted` to $1 with every occurrence of the secret and the current token
# replaced, so that no message, whatever its source, can carry them.
redact() {
  redacted=$1
  for _redact_word in "${DDNS_SECRET:-}" "${current_token:-}"; do
    [ -n "$_redact_word" ] || continue
    _redact_rest=$redacted
    redacted=
    while :; do
      case $_redact_rest in
        *"$_redact_word"*)
          redacted=$redacted${_redact_rest%%"$_redact_word"*}'[redacted]'
          _redact_rest=${_redact_rest#*"$_redact_word"}
          ;;
        *) break ;;
      esac
    done
    redacted=$redacted$_redact_rest
  done
}

# log LEVEL MESSAGE — LEVEL is a syslog level: err, warning, notice, info, debug.
log() {
  [ "$1" != debug ] || [ "$log_verbose" = 1 ] || return 0
  redact "$2"
  if [ "$1" = err ] || [ "$log_quiet" != 1 ]; then
    case $1 in
      err) printf 'ddns: error: %s\n' "$redacted" >&2 ;;
      warning) printf 'ddns: warning: %s\n' "$redacted" >&2 ;;
      debug) printf 'ddns: debug: %s\n' "$redacted" >&2 ;;
      *) printf 'ddns: %s\n' "$redacted" >&2 ;;
    esac
  fi
  if [ "$logger_available" = 1 ]; then
    logger -t ddns -p "user.$1" "$redacted" 2>/dev/null || :
  fi
}

# die EXIT_CODE MESSAGE
die() {
  log err "$2"
  exit "$1"
}

# --- settings ------------------------------------------------------------------

is_number() {
  case $1 in
    '' | *[!0-9]*) return 1 ;;
  esac
}

# Decimal value of a number that may have leading zeros (which $(( )) reads as octal).
decimal() {
  _decimal=$1
  while :; do
    case $_decimal in
      0?*) _decimal=${_decimal#0} ;;
      *) break ;;
    esac
  done
  printf '%s' "$_decimal"
}

# Warns when the config file (it holds the secret) is readable by anyone but its owner.
check_config_permissions() {
  _perm_line=$(ls -ld "$1" 2>/dev/null) || return 0
  case $_perm_line in
    ????r* | ???????r*)
      log warning "$1 is readable by other users and holds the secret: chmod 600 $1"
      ;;
  esac
}

# Warns when others may write the cache's directory: they could plant a cache that says the
# address is already set (no update for --force-after) or replace the file the client renames.
check_cache_directory() {
  case $1 in
    */*) _cache_dir=${1%/*} ;;
    *) _cache_dir=. ;;
  esac
  _perm_line=$(ls -ld "${_cache_dir:-/}" 2>/dev/null) || return 0
  case $_perm_line in
    ?????w* | ????????w*)
      log warning "the cache directory ${_cache_dir:-/} is writable by other users: keep the cache in a directory only this user can write (e.g. mkdir -m 700)"
      ;;
  esac
}

# Reads KEY=value lines (optionally `export KEY=value`, values optionally quoted).
# Only the known DDNS_* names are accepted; the file is never executed.
load_config() {
  if [ ! -f "$1" ] || [ ! -r "$1" ]; then
    die "$EXIT_USAGE" "cannot read config file $1"
  fi
  check_config_permissions "$1"
  _config_line_number=0
  while IFS= read -r _config_line || [ -n "$_config_line" ]; do
    _config_line_number=$((_config_line_number + 1))
    _config_line=${_config_line%"$CR"}
    _config_line=${_config_line#"${_config_line%%[! 	]*}"}
    case $_config_line in
      '' | '#'*) continue ;;
      'export '*) _config_line=${_config_line#export } ;;
    esac
    case $_config_line in
      *=*) ;;
      *)
        log warning "$1:$_config_line_number: not KEY=value, ignored"
        continue
        ;;
    esac
    _config_key=${_config_line%%=*}
    _config_value=${_config_line#*=}
    case $_config_value in
      \"*\") _config_value=${_config_value#\"} && _config_value=${_config_value%\"} ;;
      \'*\') _config_value=${_config_value#\'} && _config_value=${_config_value%\'} ;;
    esac
    case $_config_key in
      DDNS_URL | DDNS_URL6 | DDNS_HOSTNAME | DDNS_SECRET | DDNS_MODE | DDNS_FAMILY | DDNS_LEGACY_TOKEN | \
        DDNS_CACHE | DDNS_FORCE_AFTER | DDNS_JITTER | DDNS_RETRIES | DDNS_RETRY_DELAY | DDNS_TIMEOUT | \
        DDNS_INSECURE | DDNS_LAN_PREFIX)
        eval "$_config_key=\$_config_value"
        ;;
      *) log warning "$1:$_config_line_number: unknown setting $_config_key, ignored" ;;
    esac
  done <"$1"
}

# Options override the environment and the config file, so they are collected first
# (into cli_*) and applied after the config file is read.
parse_args() {
  cli_settings=
  config_file=
  while [ $# -gt 0 ]; do
    case $1 in
      --*=*)
        _arg_name=${1%%=*}
        _arg_value=${1#*=}
        shift
        set -- "$_arg_name" "$_arg_value" "$@"
        ;;
      -[uUhscmCFjrdtP]?*)
        # getopts style: -uURL
        _arg_name=${1%"${1#??}"}
        _arg_value=${1#??}
        shift
        set -- "$_arg_name" "$_arg_value" "$@"
        ;;
      -[46bLnqv]?*)
        # grouped flags: -4qv
        _arg_name=${1%"${1#??}"}
        _arg_value=-${1#??}
        shift
        set -- "$_arg_name" "$_arg_value" "$@"
        ;;
    esac
    case $1 in
      -u | --url | -U | --url6 | -h | --hostname | -s | --secret | -c | --config | -m | --mode | \
        -C | --cache | -F | --force-after | -j | --jitter | -r | --retries | -d | --retry-delay | \
        -t | --timeout | -P | --lan-prefix)
        [ $# -ge 2 ] || die "$EXIT_USAGE" "option $1 needs a value (see --help)"
        case $1 in
          -c | --config) config_file=$2 ;;
          -u | --url) cli_set DDNS_URL "$2" ;;
          -U | --url6) cli_set DDNS_URL6 "$2" ;;
          -h | --hostname) cli_set DDNS_HOSTNAME "$2" ;;
          -s | --secret) cli_set DDNS_SECRET "$2" ;;
          -m | --mode) cli_set DDNS_MODE "$2" ;;
          -C | --cache) cli_set DDNS_CACHE "$2" ;;
          -F | --force-after) cli_set DDNS_FORCE_AFTER "$2" ;;
          -j | --jitter) cli_set DDNS_JITTER "$2" ;;
          -r | --retries) cli_set DDNS_RETRIES "$2" ;;
          -d | --retry-delay) cli_set DDNS_RETRY_DELAY "$2" ;;
          -t | --timeout) cli_set DDNS_TIMEOUT "$2" ;;
          -P | --lan-prefix) cli_set DDNS_LAN_PREFIX "$2" ;;
        esac
        shift
        ;;
      -4 | --ipv4) cli_set DDNS_FAMILY 4 ;;
      -6 | --ipv6) cli_set DDNS_FAMILY 6 ;;
      -b | --both) cli_set DDNS_FAMILY both ;;
      -L | --legacy-token) cli_set DDNS_LEGACY_TOKEN 1 ;;
      --insecure) cli_set DDNS_INSECURE 1 ;;
      -n | --dry-run) dry_run=1 ;;
      -q | --quiet) log_quiet=1 ;;
      -v | --verbose) log_verbose=1 ;;
      --help)
        usage
        exit "$EXIT_OK"
        ;;
      --version)
        printf 'ddns-client.sh %s\n' "$DDNS_CLIENT_VERSION"
        exit "$EXIT_OK"
        ;;
      *) die "$EXIT_USAGE" "unknown argument: $1 (see --help)" ;;
    esac
    shift
  done
}

# cli_set NAME VALUE — remember an option; NAME is one of the DDNS_* names above.
cli_set() {
  eval "cli_$1=\$2"
  cli_settings="$cli_settings $1"
}

apply_cli_settings() {
  for _cli_name in $cli_settings; do
    eval "$_cli_name=\$cli_$_cli_name"
  done
}

validate_settings() {
  : "${DDNS_MODE:=set}" "${DDNS_FAMILY:=auto}" "${DDNS_LEGACY_TOKEN:=0}" "${DDNS_INSECURE:=0}"
  : "${DDNS_FORCE_AFTER:=86400}" "${DDNS_JITTER:=0}" "${DDNS_RETRIES:=3}" "${DDNS_RETRY_DELAY:=5}"
  : "${DDNS_TIMEOUT:=25}" "${DDNS_URL6:=${DDNS_URL:-}}"
  case $DDNS_MODE in
    get | set) ;;
    *) die "$EXIT_USAGE" "mode must be get or set, not $DDNS_MODE" ;;
  esac
  case $DDNS_FAMILY in
    4 | 6 | both | auto) ;;
    *) die "$EXIT_USAGE" "DDNS_FAMILY must be 4, 6 or both, not $DDNS_FAMILY" ;;
  esac
  case $DDNS_LEGACY_TOKEN in
    0 | 1) ;;
    *) die "$EXIT_USAGE" "DDNS_LEGACY_TOKEN must be 0 or 1" ;;
  esac
  case $DDNS_INSECURE in
    0 | 1) ;;
    *) die "$EXIT_USAGE" "DDNS_INSECURE must be 0 or 1" ;;
  esac
  for _number_name in DDNS_FORCE_AFTER DDNS_JITTER DDNS_RETRIES DDNS_RETRY_DELAY DDNS_TIMEOUT; do
    _number_value=
    eval "_number_value=\$$_number_name"
    is_number "$_number_value" || die "$EXIT_USAGE" "$_number_name must be a whole number of seconds, not $_number_value"
    eval "$_number_name=\$(decimal \"\$_number_value\")"
  done
  [ -n "${DDNS_URL:-}" ] || die "$EXIT_USAGE" "no API URL: use -u URL, DDNS_URL or a config file"
  api_url=$(normalize_url "$DDNS_URL") || die "$EXIT_USAGE" "not an http(s) URL: $DDNS_URL"
  api_url6=$(normalize_url "$DDNS_URL6") || die "$EXIT_USAGE" "not an http(s) URL: $DDNS_URL6"
  warn_if_plain_http "$DDNS_URL"
  [ "$DDNS_URL6" = "$DDNS_URL" ] || warn_if_plain_http "$DDNS_URL6"
  [ "$DDNS_MODE" = get ] && return 0
  [ -n "${DDNS_HOSTNAME:-}" ] || die "$EXIT_USAGE" "no hostname: use -h HOSTNAME, DDNS_HOSTNAME or a config file"
  case $DDNS_HOSTNAME in
    *[!A-Za-z0-9._-]*) die "$EXIT_USAGE" "not a valid hostname: $DDNS_HOSTNAME" ;;
  esac
  [ -n "${DDNS_SECRET:-}" ] || die "$EXIT_USAGE" "no secret: use a config file (-c), DDNS_SECRET or -s SECRET"
  [ -n "${DDNS_LAN_PREFIX:-}" ] || return 0
  case $DDNS_LAN_PREFIX in
    *:*[!0-9A-Fa-f:./]* | *[!0-9A-Fa-f:./]*:*) die "$EXIT_USAGE" "not an IPv6 prefix: $DDNS_LAN_PREFIX" ;;
    *:*) ;;
    *[!A-Za-z0-9._@-]*) die "$EXIT_USAGE" "DDNS_LAN_PREFIX must be auto, an interface name or an IPv6 prefix, not $DDNS_LAN_PREFIX" ;;
  esac
  # The seed token covers only ip + hostname: the server refuses a prefix it cannot vouch for.
  [ "$DDNS_LEGACY_TOKEN" = 0 ] || die "$EXIT_USAGE" "a LAN prefix needs the replay-proof token: drop -L (DDNS_LEGACY_TOKEN)"
}

# --- LAN prefix ----------------------------------------------------------------

# Prints the first usable address/length in `ip -6 addr show` or `ifconfig` output (both the
# BusyBox/old net-tools form `inet6 addr: A/L Scope:Global` and net-tools 2 `inet6 A prefixlen L
# ... <global>`): global scope, global unicast (2000::/3: ULAs also say "scope global"), and not
# deprecated (after a prefix change the old one lingers as deprecated). The server drops the
# address's host bits, so the interface's own address serves as the prefix.
first_global_prefix() {
  while IFS= read -r _lan_line; do
    # shellcheck disable=SC2086 # split into words on purpose (globbing is off: set -f)
    set -- $_lan_line
    [ "${1:-}" = inet6 ] || continue
    shift
    [ "${1:-}" != addr: ] || shift
    _lan_address=${1:-}
    _lan_length=
    case $_lan_address in
      */*) _lan_length=${_lan_address#*/} && _lan_address=${_lan_address%%/*} ;;
    esac
    _lan_scope=
    _lan_deprecated=0
    while [ $# -gt 0 ]; do
      case $1 in
        scope) _lan_scope=${2:-} ;;
        Scope:*) _lan_scope=${1#Scope:} ;;
        prefixlen) _lan_length=${2:-} ;;
        *'<global>'*) _lan_scope=global ;;
        deprecated) _lan_deprecated=1 ;;
      esac
      shift
    done
    case $_lan_scope in
      global | Global) ;;
      *) continue ;;
    esac
    [ "$_lan_deprecated" = 0 ] || continue
    case $_lan_address in
      [23][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f]:*) ;;
      *) continue ;;
    esac
    printf '%s%s' "$_lan_address" "${_lan_length:+/$_lan_length}"
    return 0
  done <<EOF
$1
EOF
  return 1
}

# interface_lan_prefix IFACE — the LAN prefix of IFACE, from ip (OpenWrt) or ifconfig (DD-WRT).
interface_lan_prefix() {
  if command -v ip >/dev/null 2>&1; then
    _lan_output=$(ip -6 addr show dev "$1" scope global 2>/dev/null) || return 1
  elif command -v ifconfig >/dev/null 2>&1; then
    _lan_output=$(ifconfig "$1" 2>/dev/null) || return 1
  else
    log warning "neither ip nor ifconfig found: cannot read the LAN prefix of $1"
    return 1
  fi
  first_global_prefix "$_lan_output"
}

# Sets lan_prefix from DDNS_LAN_PREFIX. No prefix on the interface (IPv6 down, or not yet
# delegated) is a warning: the router's own record is still worth updating.
resolve_lan_prefix() {
  lan_prefix=
  case ${DDNS_LAN_PREFIX:-} in
    '') return 0 ;;
    *:*) lan_prefix=$DDNS_LAN_PREFIX ;;
    auto)
      for _lan_interface in br-lan br0 lan; do
        lan_prefix=$(interface_lan_prefix "$_lan_interface") && break
        lan_prefix=
      done
      [ -n "$lan_prefix" ] || log warning "no global IPv6 prefix on br-lan, br0 or lan: updating without a LAN prefix"
      ;;
    *)
      lan_prefix=$(interface_lan_prefix "$DDNS_LAN_PREFIX") || lan_prefix=
      [ -n "$lan_prefix" ] || log warning "no global IPv6 prefix on $DDNS_LAN_PREFIX: updating without a LAN prefix"
      ;;
  esac
  [ -z "$lan_prefix" ] || log debug "LAN prefix: $lan_prefix"
}

# --- behind another NAT -----------------------------------------------------------

# Prints the router's own IPv4 address on the interface of its default route, when `ip` can tell
# (OpenWrt, most BusyBox builds); fails quietly otherwise: the check is a courtesy.
wan_ipv4_address() {
  command -v ip >/dev/null 2>&1 || return 1
  _wan_route=$(ip -4 route show default 2>/dev/null) || return 1
  # shellcheck disable=SC2086 # split into words on purpose (globbing is off: set -f)
  set -- $_wan_route
  _wan_device=
  while [ $# -gt 1 ]; do
    [ "$1" != dev ] || {
      _wan_device=$2
      break
    }
    shift
  done
  [ -n "$_wan_device" ] || return 1
  _wan_output=$(ip -4 addr show dev "$_wan_device" 2>/dev/null) || return 1
  while IFS= read -r _wan_line; do
    # shellcheck disable=SC2086 # as above
    set -- $_wan_line
    [ "${1:-}" = inet ] || continue
    printf '%s' "${2%%/*}"
    return 0
  done <<EOF
$_wan_output
EOF
  return 1
}

# unreachable_ipv4_range ADDRESS — names the range when the internet cannot reach ADDRESS
# (carrier-grade NAT, RFC 1918); prints nothing otherwise.
unreachable_ipv4_range() {
  _first=${1%%.*}
  _second=${1#*.}
  _second=${_second%%.*}
  is_number "$_first" && is_number "$_second" || return 0
  _second=$(decimal "$_second")
  case $_first in
    10) printf 'private (10.0.0.0/8)' ;;
    100) [ "$_second" -lt 64 ] || [ "$_second" -gt 127 ] || printf 'carrier-grade NAT (100.64.0.0/10)' ;;
    172) [ "$_second" -lt 16 ] || [ "$_second" -gt 31 ] || printf 'private (172.16.0.0/12)' ;;
    192) [ "$_second" != 168 ] || printf 'private (192.168.0.0/16)' ;;
  esac
}

# A WAN address nobody can reach, other than the one the API saw: the A record will hold the
# outer NAT's address, which does not lead here. Said once per pair of addresses when there is a
# cache (noted beside it, in its private directory), else once per run; the update goes ahead.
warn_if_behind_nat() {
  [ "$_address_family" = 4 ] || return 0
  _wan=$(wan_ipv4_address) || return 0
  [ "$_wan" != "$public_address" ] || return 0
  _range=$(unreachable_ipv4_range "$_wan")
  [ -n "$_range" ] || return 0
  _nat_note=${DDNS_CACHE:+$DDNS_CACHE.nat}
  if [ -n "$_nat_note" ] && [ "$(cat "$_nat_note" 2>/dev/null)" = "$_wan $public_address" ]; then
    return 0
  fi
  log warning "behind another NAT: this router's WAN address $_wan is $_range, but the API saw $public_address, so $DDNS_HOSTNAME A will not reach this network from the internet. Use the AAAA name over IPv6 (-6 or -b) or ask the ISP for a public IPv4 address; updating anyway."
  [ -z "$_nat_note" ] || printf '%s\n' "$_wan $public_address" >"$_nat_note" 2>/dev/null || :
}

# Plain http to another machine: whoever is on the path reads the token and can answer in
# the server's place (the address to sign). Loopback has nobody on the path.
warn_if_plain_http() {
  case $1 in
    http://127.* | http://localhost[:/]* | http://localhost | http://\[::1\]*) ;;
    http://*) log warning "$1 is plain http: anyone on the path can read the token and forge the answers; use https://" ;;
  esac
}

# Prints the URL ready for a query string to be appended ("…/?" or "…&").
normalize_url() {
  case $1 in
    http://* | https://*) ;;
    *) return 1 ;;
  esac
  case $1 in
    *[\ \"\\\	]*) return 1 ;;
  esac
  _url=$1
  case ${_url#*://} in
    */*) ;;
    *) _url=$_url/ ;;
  esac
  case $_url in
    *\?*) printf '%s&' "$_url" ;;
    *) printf '%s?' "$_url" ;;
  esac
}

# --- tools ---------------------------------------------------------------------

detect_http_tool() {
  if command -v curl >/dev/null 2>&1; then
    http_tool=curl
  elif command -v wget >/dev/null 2>&1; then
    case $(wget --version 2>&1) in
      *'GNU Wget'*) http_tool=gnu-wget ;;
      *) http_tool=busybox-wget ;;
    esac
    case $api_url$api_url6 in
      *https://*) [ "$http_tool" = gnu-wget ] || refuse_unverified_tls ;;
    esac
  else
    die "$EXIT_NO_HTTP_TOOL" "neither curl nor wget found; install one of them"
  fi
  log debug "HTTP tool: $http_tool"
}

# BusyBox wget checks no certificate: anyone on the path could answer in the server's place,
# choose the address this client signs a token for, and learn a valid token. Only by choice.
refuse_unverified_tls() {
  if [ "$DDNS_INSECURE" != 1 ]; then
    die "$EXIT_NO_HTTP_TOOL" "only BusyBox wget is here, and it does not verify TLS certificates: anyone on the path could pose as the server, choose the address this client reports and obtain a valid token for it. Install curl (or GNU wget), or pass --insecure to accept that risk"
  fi
  log warning "--insecure: using BusyBox wget, which does not verify TLS certificates; install curl to have them checked"
}

detect_hash_tool() {
  if command -v sha256sum >/dev/null 2>&1; then
    hash_tool=sha256sum
  elif command -v openssl >/dev/null 2>&1; then
    hash_tool=openssl
  else
    return 1
  fi
}

# Prints the lowercase hex SHA-256 of stdin.
sha256_stdin() {
  case $hash_tool in
    sha256sum) _digest_output=$(sha256sum) || return 1 ;;
    openssl) _digest_output=$(openssl dgst -sha256) || return 1 ;;
  esac
  # sha256sum prints "HEX  -"; OpenSSL prints "(stdin)= HEX" (1.1) or "SHA2-256(stdin)= HEX" (3).
  case $hash_tool in
    sha256sum) _digest=${_digest_output%% *} ;;
    openssl) _digest=${_digest_output##* } ;;
  esac
  case $_digest in
    *[!0-9a-f]*) return 1 ;;
  esac
  [ ${#_digest} -eq 64 ] || return 1
  printf '%s' "$_digest"
}

# sha256_hex STRING — the hex SHA-256 of STRING's bytes.
sha256_hex() {
  printf '%s' "$1" | sha256_stdin
}

# Appends to `_bytes` the escapes (\0ooo, for printf %b) of the decimal byte $1.
append_byte_escape() {
  _bytes="$_bytes\\0$(($1 / 64))$(($1 / 8 % 8))$(($1 % 8))"
}

# hmac_sha256_hex KEY MESSAGE — RFC 2104 HMAC-SHA256 in hex, from SHA-256 of stdin
# only, so that BusyBox-only routers get it too and the key never becomes an argument.
hmac_sha256_hex() {
  # The key's bytes as decimal numbers; a key longer than the 64-byte block is hashed first.
  _hmac_key_bytes=
  _hmac_key_length=0
  for _hmac_word in $(printf '%s' "$1" | od -b -v); do
    case $_hmac_word in
      [0-7][0-7][0-7])
        _hmac_key_bytes="$_hmac_key_bytes $((0$_hmac_word))"
        _hmac_key_length=$((_hmac_key_length + 1))
        ;;
    esac
  done
  if [ "$_hmac_key_length" -gt 64 ]; then
    _hmac_hex=$(sha256_hex "$1") || return 1
    _hmac_key_bytes=$(hex_to_decimal_bytes "$_hmac_hex")
  fi
  _hmac_ipad=
  _hmac_opad=
  _hmac_count=0
  for _hmac_byte in $_hmac_key_bytes; do
    _bytes=$_hmac_ipad && append_byte_escape $((_hmac_byte ^ 54)) && _hmac_ipad=$_bytes
    _bytes=$_hmac_opad && append_byte_escape $((_hmac_byte ^ 92)) && _hmac_opad=$_bytes
    _hmac_count=$((_hmac_count + 1))
  done
  while [ "$_hmac_count" -lt 64 ]; do
    _hmac_ipad="$_hmac_ipad\\0066"
    _hmac_opad="$_hmac_opad\\0134"
    _hmac_count=$((_hmac_count + 1))
  done
  _hmac_inner=$({
    printf '%b' "$_hmac_ipad"
    printf '%s' "$2"
  } | sha256_stdin) || return 1
  _bytes=
  for _hmac_byte in $(hex_to_decimal_bytes "$_hmac_inner"); do
    append_byte_escape "$_hmac_byte"
  done
  {
    printf '%b' "$_hmac_opad"
    printf '%b' "$_bytes"
  } | sha256_stdin
}

# Prints the bytes of a hex string as decimal numbers.
hex_to_decimal_bytes() {
  _hex_rest=$1
  while [ -n "$_hex_rest" ]; do
    _hex_pair=${_hex_rest%"${_hex_rest#??}"}
    _hex_rest=${_hex_rest#??}
    printf '%s ' $((0x$_hex_pair))
  done
}

# --- HTTP ----------------------------------------------------------------------

# http_get URL FAMILY — FAMILY is 4, 6 or empty (let the tool choose).
# Sets http_status (000 when no HTTP response arrived), http_body (its first line),
# http_retry_after and http_date (header values, possibly empty), http_error (the tool's complaint).
http_get() {
  rm -f "$work_dir/body" "$work_dir/headers" "$work_dir/error"
  case $http_tool in
    curl)
      # The URL goes in through stdin (-K -) so the token does not show up in ps.
      printf 'url = "%s"\n' "$1" |
        curl -q -sS -K - ${2:+"-$2"} --connect-timeout 10 -m "$DDNS_TIMEOUT" \
          -A "ddns-client.sh/$DDNS_CLIENT_VERSION" \
          -o "$work_dir/body" -D "$work_dir/headers" 2>"$work_dir/error"
      ;;
    gnu-wget)
      wget -q -S -O "$work_dir/body" --content-on-error -t 1 -T "$DDNS_TIMEOUT" ${2:+"-$2"} \
        -U "ddns-client.sh/$DDNS_CLIENT_VERSION" "$1" 2>"$work_dir/headers"
      ;;
    busybox-wget)
      # BusyBox wget cannot choose the address family or keep an error body,
      # and its -T crashes some builds: the caller checks the family of the answer.
      wget -q -S -O "$work_dir/body" -U "ddns-client.sh/$DDNS_CLIENT_VERSION" "$1" 2>"$work_dir/headers"
      ;;
  esac
  _http_tool_status=$?
  http_status=000
  http_retry_after=
  http_date=
  http_body=
  http_error=
  [ -f "$work_dir/headers" ] && parse_headers <"$work_dir/headers"
  [ -f "$work_dir/body" ] && { IFS= read -r http_body <"$work_dir/body" || :; }
  if [ "$http_status" = 000 ]; then
    http_error="$http_tool exit status $_http_tool_status"
    [ -s "$work_dir/error" ] && { IFS= read -r http_error <"$work_dir/error" || :; }
  fi
  log debug "HTTP status $http_status"
}

# Reads response headers (curl -D, or wget -S with its indentation and extra lines).
# Only the last response counts (after a redirect or a 100 Continue).
parse_headers() {
  while IFS= read -r _header || [ -n "$_header" ]; do
    _header=${_header%"$CR"}
    _header=${_header#"${_header%%[! ]*}"}
    case $_header in
      HTTP/*)
        _header=${_header#* }
        http_status=${_header%% *}
        http_retry_after=
        http_date=
        ;;
      [Rr][Ee][Tt][Rr][Yy]-[Aa][Ff][Tt][Ee][Rr]:*) http_retry_after=$(trim "${_header#*:}") ;;
      [Dd][Aa][Tt][Ee]:*) http_date=$(trim "${_header#*:}") ;;
    esac
  done
  case $http_status in
    [1-5][0-9][0-9]) ;;
    *) http_status=000 ;;
  esac
}

trim() {
  _trim=${1#"${1%%[! ]*}"}
  printf '%s' "${_trim%"${_trim##*[! ]}"}"
}

# json_string_field JSON NAME — the string value of "NAME" in one-line JSON, without jq.
json_string_field() {
  case $1 in
    *\""$2"\":\"*) _json_value=${1#*\""$2"\":\"} ;;
    *\""$2"\":\ \"*) _json_value=${1#*\""$2"\":\ \"} ;;
    *) return 1 ;;
  esac
  printf '%s' "${_json_value%%\"*}"
}

# Unix time from an HTTP date ("Sun, 06 Nov 1994 08:49:37 GMT"), without date -d.
http_date_to_epoch() {
  # shellcheck disable=SC2086 # split the date into its words on purpose
  set -- $1
  [ $# -ge 5 ] || return 1
  _day=$(decimal "$2")
  _year=$4
  _hms=$5
  case $3 in
    Jan) _month=1 ;; Feb) _month=2 ;; Mar) _month=3 ;; Apr) _month=4 ;;
    May) _month=5 ;; Jun) _month=6 ;; Jul) _month=7 ;; Aug) _month=8 ;;
    Sep) _month=9 ;; Oct) _month=10 ;; Nov) _month=11 ;; Dec) _month=12 ;;
    *) return 1 ;;
  esac
  case $_hms in
    [0-2][0-9]:[0-5][0-9]:[0-6][0-9]) ;;
    *) return 1 ;;
  esac
  is_number "$_day" && is_number "$_year" || return 1
  _hour=$(decimal "${_hms%%:*}")
  _minute=${_hms#*:}
  _minute=$(decimal "${_minute%%:*}")
  _second=$(decimal "${_hms##*:}")
  # Days since the epoch of a civil date (H. Hinnant's days_from_civil), for years >= 1.
  _y=$((_year - (_month <= 2)))
  _era=$((_y / 400))
  _yoe=$((_y - _era * 400))
  _doy=$(((153 * (_month + (_month > 2 ? -3 : 9)) + 2) / 5 + _day - 1))
  _doe=$((_yoe * 365 + _yoe / 4 - _yoe / 100 + _doy))
  _days=$((_era * 146097 + _doe - 719468))
  printf '%s' $((_days * 86400 + _hour * 3600 + _minute * 60 + _second))
}

# --- clock -------------------------------------------------------------------

# Seconds to add to the local clock. Routers without a battery-backed clock boot in
# 1970 or 2000 until NTP syncs; the token's timestamp must match the server's clock,
# so the server's Date header (every answer carries one) sets the offset — but only for
# a clock that was clearly never set. A set clock is never moved: a forged Date could
# otherwise date a valid token for a future moment chosen by whoever sent it.
clock_offset=0
clock_checked=0
# 2024-01-01T00:00:00Z: a local clock before this has not been set since boot.
CLOCK_UNSET_BEFORE=1704067200
# The server accepts a token's timestamp within this many seconds of its own clock.
TOKEN_WINDOW_SECONDS=300

now() {
  printf '%s' $(($(date +%s) + clock_offset))
}

adjust_clock() {
  [ "$clock_checked" = 0 ] || return 0
  _server_time=$(http_date_to_epoch "$http_date") || return 0
  clock_checked=1
  _local_time=$(date +%s)
  _clock_skew=$((_server_time - _local_time))
  if [ "$_local_time" -ge "$CLOCK_UNSET_BEFORE" ]; then
    if [ "$_clock_skew" -gt 60 ] || [ "$_clock_skew" -lt -60 ]; then
      log warning "the local clock is $_clock_skew s off the server's; keeping it (only a clock that was never set takes the server's time): tokens are accepted within $TOKEN_WINDOW_SECONDS s, so fix NTP"
    fi
    return 0
  fi
  if [ "$_server_time" -lt "$CLOCK_UNSET_BEFORE" ]; then
    log warning "the local clock is unset and the server's Date ($http_date) is no better; keeping the local time"
    return 0
  fi
  clock_offset=$_clock_skew
  log warning "the local clock is unset (before 2024); using the server's time until NTP sets it"
}

# --- cache ---------------------------------------------------------------------

# The cache file holds one line per record: HOSTNAME TYPE ADDRESS UNIX_TIME_SET.

# cache_is_fresh HOSTNAME TYPE ADDRESS — true when the cache holds this address,
# set less than DDNS_FORCE_AFTER seconds ago.
cache_is_fresh() {
  [ -n "${DDNS_CACHE:-}" ] && [ -r "$DDNS_CACHE" ] || return 1
  _cache_now=$(now)
  while read -r _cache_host _cache_type _cache_address _cache_time _cache_rest; do
    if [ "$_cache_host" != "$1" ] || [ "$_cache_type" != "$2" ]; then
      continue
    fi
    if [ "$_cache_address" != "$3" ] || ! is_number "$_cache_time"; then
      return 1
    fi
    cache_age=$((_cache_now - _cache_time))
    [ "$cache_age" -ge 0 ] && [ "$cache_age" -lt "$DDNS_FORCE_AFTER" ]
    return
  done <"$DDNS_CACHE"
  return 1
}

# cache_store HOSTNAME TYPE ADDRESS — written to an unpredictable new file next to the
# cache (mktemp: O_EXCL, mode 600), then renamed over it: a file or link someone else planted
# under a guessable name is never written through.
cache_store() {
  [ -n "${DDNS_CACHE:-}" ] || return 0
  if ! _cache_new=$(mktemp "$DDNS_CACHE.XXXXXX" 2>/dev/null); then
    log warning "cannot write the cache file $DDNS_CACHE (mktemp failed in its directory)"
    return 0
  fi
  if {
    if [ -r "$DDNS_CACHE" ]; then
      while read -r _cache_host _cache_type _cache_rest; do
        if [ -z "$_cache_host" ] || { [ "$_cache_host" = "$1" ] && [ "$_cache_type" = "$2" ]; }; then
          continue
        fi
        printf '%s %s %s\n' "$_cache_host" "$_cache_type" "$_cache_rest"
      done <"$DDNS_CACHE"
    fi
    printf '%s %s %s %s\n' "$1" "$2" "$3" "$(now)"
  } >"$_cache_new" && mv -f "$_cache_new" "$DDNS_CACHE"; then
    log debug "cache $DDNS_CACHE: $1 $2 $3"
  else
    rm -f "$_cache_new"
    log warning "cannot write the cache file $DDNS_CACHE"
  fi
}

# --- API requests ----------------------------------------------------------------

# Sets `query` for mode=set with a fresh token (a retry gets a fresh timestamp).
build_set_query() {
  if [ "$DDNS_LEGACY_TOKEN" = 1 ]; then
    current_token=$(sha256_hex "$public_address$DDNS_HOSTNAME$DDNS_SECRET") || return 1
    query="mode=set&hostname=$DDNS_HOSTNAME&hash=$current_token"
  else
    _timestamp=$(now)
    # A LAN prefix is covered by the token: `|lan=<prefix as sent>` ends the signed message.
    current_token=$(hmac_sha256_hex "$DDNS_SECRET" "ddns-v2|$public_address|$DDNS_HOSTNAME|$_timestamp${lan_prefix:+|lan=$lan_prefix}") ||
      return 1
    query="mode=set&hostname=$DDNS_HOSTNAME&hash=$current_token&ts=$_timestamp${lan_prefix:+&ip6lanprefix=$lan_prefix}"
  fi
}

# api_request get|set FAMILY URL — with bounded retries on network errors, 429 and 5xx.
# Returns 0 on a 2xx answer, EXIT_REJECTED on another 4xx, EXIT_FAILED otherwise;
# `request_problem` describes the last failure.
api_request() {
  _attempt=1
  while :; do
    if [ "$1" = set ]; then
      build_set_query || die "$EXIT_NO_HASH_TOOL" "$hash_tool failed to compute the token"
    else
      query=mode=get
    fi
    log debug "GET $3$query${2:+ over IPv$2}"
    http_get "$3$query" "$2"
    case $http_status in
      2??) return 0 ;;
    esac
    if [ "$http_status" = 000 ]; then
      request_problem="no answer from ${3%[?&]} ($http_error)"
    else
      request_problem=$(json_string_field "$http_body" return_message) || request_problem=
      request_problem="HTTP $http_status${request_problem:+: $request_problem}"
    fi
    case $http_status in
      429 | 5?? | 000) ;;
      4??) return "$EXIT_REJECTED" ;;
      *) return "$EXIT_FAILED" ;;
    esac
    [ "$_attempt" -le "$DDNS_RETRIES" ] || return "$EXIT_FAILED"
    if is_number "$http_retry_after"; then
      _delay=$(decimal "$http_retry_after")
      [ "$_delay" -le 600 ] || _delay=600
    else
      _delay=$((DDNS_RETRY_DELAY << (_attempt - 1)))
    fi
    log warning "attempt $_attempt: $request_problem; retrying in $_delay s"
    sleep "$_delay"
    _attempt=$((_attempt + 1))
  done
}

# update_family FAMILY URL — FAMILY 4, 6 or empty (whichever family the tool connects over).
# Learns the public address, then sets the record unless the cache says it is right.
update_family() {
  _family=$1
  api_request get "$_family" "$2" || {
    _status=$?
    log err "cannot learn the public address${_family:+ (IPv$_family)}: $request_problem"
    return "$_status"
  }
  public_address=$(json_string_field "$http_body" return_message) || public_address=
  case $public_address in
    '' | *[!0-9A-Fa-f:.]*)
      log err "unexpected answer to mode=get from $2 (HTTP $http_status)"
      return "$EXIT_FAILED"
      ;;
    *:*) _address_family=6 _record_type=AAAA ;;
    *) _address_family=4 _record_type=A ;;
  esac
  if [ -n "$_family" ] && [ "$_family" != "$_address_family" ]; then
    log err "asked over IPv$_family, but the API saw $public_address"
    return "$EXIT_FAILED"
  fi
  adjust_clock
  if [ "$DDNS_MODE" = get ]; then
    printf '%s\n' "$public_address"
    return 0
  fi
  warn_if_behind_nat
  # The cache remembers the prefix with the address: a new prefix alone is worth an update.
  _cached=$public_address${lan_prefix:+,lan=$lan_prefix}
  if cache_is_fresh "$DDNS_HOSTNAME" "$_record_type" "$_cached"; then
    log debug "$DDNS_HOSTNAME $_record_type is $public_address since $cache_age s (cache); nothing to do"
    return 0
  fi
  if [ "$dry_run" = 1 ]; then
    log info "dry run: would set $DDNS_HOSTNAME $_record_type to $public_address${lan_prefix:+ (LAN prefix $lan_prefix)}"
    return 0
  fi
  # The set request goes over the family the API saw, or the token's address is wrong.
  api_request set "$_address_family" "$2" || {
    _status=$?
    log err "$DDNS_HOSTNAME $_record_type: update refused or failed: $request_problem"
    return "$_status"
  }
  _message=$(json_string_field "$http_body" return_message) || _message=
  if [ "$(json_string_field "$http_body" return_status)" != success ]; then
    log err "$DDNS_HOSTNAME $_record_type: unexpected answer (HTTP $http_status): $_message"
    return "$EXIT_FAILED"
  fi
  if [ "$http_status" = 201 ]; then
    log notice "$DDNS_HOSTNAME $_record_type set to $public_address${lan_prefix:+ (LAN prefix $lan_prefix)}"
  else
    log info "$DDNS_HOSTNAME $_record_type is already $public_address"
  fi
  cache_store "$DDNS_HOSTNAME" "$_record_type" "$_cached"
}

# --- main --------------------------------------------------------------------------

make_work_dir() {
  mktemp -d 2>/dev/null && return 0
  _work_dir=${TMPDIR:-/tmp}/ddns-client.$$
  mkdir -m 700 "$_work_dir" && printf '%s\n' "$_work_dir"
}

random_delay() {
  _random=$(od -A n -N 2 -t u2 /dev/urandom 2>/dev/null) || _random=
  _random=$(trim "$_random")
  is_number "$_random" || _random=$$
  printf '%s' $((_random % ($1 + 1)))
}

main() {
  set -f
  dry_run=0
  command -v logger >/dev/null 2>&1 && logger_available=1
  parse_args "$@"
  [ -z "$config_file" ] || load_config "$config_file"
  apply_cli_settings
  validate_settings
  [ -z "${DDNS_CACHE:-}" ] || check_cache_directory "$DDNS_CACHE"
  detect_http_tool
  if [ "$DDNS_MODE" = set ]; then
    detect_hash_tool || die "$EXIT_NO_HASH_TOOL" "neither sha256sum nor openssl found; install one of them"
    if [ "$DDNS_LEGACY_TOKEN" = 0 ] && ! command -v od >/dev/null 2>&1; then
      die "$EXIT_NO_HASH_TOOL" "od is needed for the token; install it, or use -L for the legacy token"
    fi
    log debug "hash tool: $hash_tool"
    resolve_lan_prefix
  fi
  work_dir=$(make_work_dir) || die "$EXIT_USAGE" "cannot create a temporary directory"
  trap 'rm -rf "$work_dir"' EXIT
  trap 'exit 129' HUP
  trap 'exit 130' INT
  trap 'exit 143' TERM
  if [ "$DDNS_JITTER" -gt 0 ]; then
    _jitter=$(random_delay "$DDNS_JITTER")
    log debug "waiting $_jitter s (jitter)"
    sleep "$_jitter"
  fi
  case $DDNS_FAMILY in
    auto) update_family "" "$api_url" ;;
    4) update_family 4 "$api_url" ;;
    6) update_family 6 "$api_url6" ;;
    both)
      update_family 4 "$api_url"
      _status4=$?
      update_family 6 "$api_url6"
      _status6=$?
      [ "$_status4" -ge "$_status6" ] || _status4=$_status6
      return "$_status4"
      ;;
  esac
}

CR=$(printf '\r')

if [ "${DDNS_CLIENT_LIBRARY:-0}" != 1 ]; then
  main "$@"
  exit
fi
