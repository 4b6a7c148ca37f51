#!/usr/bin/env bash
# The Terraform suite (`make test-terraform`):
#   1. terraform fmt -check -recursive terraform
#   2. init (from the provider mirror when it exists) + validate: the root and examples/complete; the
#      root passes every variable of modules/ddns on and every output back
#   3. terraform test (mock provider: no AWS, no network), in the background beside step 4
#   4. the emulator round trip on a moto server on loopback, through scripts/tf-emulator.sh: apply the
#      root module (alarms, email and webhook notifications, the quiet-host check, the config bucket's
#      lifecycle rule, and always the change queue, its dead-letter queue and the record writer), plan, which must show no changes
#      except the two moto is known to cause
#      (see ALLOWED_DRIFT), destroy. (An existing zone, create_zone = false, is covered by the mock tests.)
#   5. test/terraform/state-moves.sh (in the background beside step 4, on its own moto): an earlier commit's applied state, planned with this tree, moves its
#      buckets into modules/private-bucket and its functions into modules/lambda-function, and replaces nothing.
# Prints a PASS/FAIL line per step and exits non-zero when any step failed.
# KEEP_STATE=1 keeps the emulator state directory (it is always kept when a step fails).

set -uo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly REPO_ROOT
readonly TF_DIR="${REPO_ROOT}/terraform"
readonly EMULATOR="${REPO_ROOT}/scripts/tf-emulator.sh"
readonly LAMBDA_PACKAGE="${REPO_ROOT}/dist/lambda.zip"
readonly PLUGIN_MIRROR="${TF_PLUGIN_MIRROR:-/opt/tf-plugins}"

# moto drops these two arguments, so the plan after an apply always wants to set them again. Nothing
# else may change. Format: resource address, then the one top-level attribute allowed to differ.
declare -rx ALLOWED_DRIFT='module.ddns.module.function.module.lambda.aws_lambda_function.this logging_config
module.ddns.module.quiet_hosts[0].module.lambda.aws_lambda_function.this logging_config
module.ddns.module.record_writer.module.lambda.aws_lambda_function.this logging_config
module.ddns.module.http_api.aws_apigatewayv2_api.this ip_address_type'

work_dir="$(mktemp -d "${TMPDIR:-/tmp}/ddns-tf-test.XXXXXX")"
moto_pid=""
mock_tests_pid=""
state_moves_pid=""
results=()
failed=0
suite_start=${SECONDS}

cleanup() {
  local pid
  for pid in ${mock_tests_pid} ${state_moves_pid}; do
    kill "${pid}" 2>/dev/null
  done
  if [[ -n ${moto_pid} ]]; then
    kill "${moto_pid}" 2>/dev/null
    wait "${moto_pid}" 2>/dev/null
  fi
  if [[ ${failed} -eq 0 && -z ${KEEP_STATE:-} ]]; then
    rm -rf "${work_dir}"
  else
    printf 'State and logs kept in %s\n' "${work_dir}"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# step NAME COMMAND...: run a step, record PASS/FAIL and its duration.
step() {
  local name="$1" start=${SECONDS} rc=0
  shift
  printf '== %s\n' "${name}"
  "$@" || rc=$?
  if [[ ${rc} -eq 0 ]]; then
    results+=("PASS  ${name} ($((SECONDS - start)) s)")
  else
    results+=("FAIL  ${name} ($((SECONDS - start)) s)")
    failed=1
  fi
  return "${rc}"
}

skip() {
  results+=("SKIP  $1 (an earlier step failed)")
}

use_provider_mirror() {
  if [[ -d ${PLUGIN_MIRROR} ]]; then
    cat >"${work_dir}/cli.tfrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "${PLUGIN_MIRROR}"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
}
EOF
    export TF_CLI_CONFIG_FILE="${work_dir}/cli.tfrc"
  fi
}

init_and_validate() {
  local dir
  for dir in "${TF_DIR}" "${TF_DIR}/examples/complete"; do
    terraform -chdir="${dir}" init -backend=false -input=false -no-color >"${work_dir}/init.log" 2>&1 || {
      cat "${work_dir}/init.log" >&2
      return 1
    }
    # Without the test files: validate cannot resolve the aliased provider of a run block that tests
    # modules/ddns directly (hashicorp/terraform#28490), which `terraform test` passes it; step 3
    # parses and runs every test file.
    terraform -chdir="${dir}" validate -no-tests -no-color || return 1
  done
  root_passes_everything_on
}

# terraform/main.tf lists each variable of modules/ddns once more (the module call) and outputs.tf
# each output: a name left out of either would be silently ignored or missing.
root_passes_everything_on() {
  python3 - "${TF_DIR}" <<'EOF'
import re, sys
root = sys.argv[1]
def names(path, kind):
    return set(re.findall(rf'^{kind} "([a-z0-9_]+)"', open(path).read(), re.M))
call = re.search(r'^module "ddns" \{(.*?)^\}', open(f"{root}/main.tf").read(), re.M | re.S).group(1)
passed = set(re.findall(r"^  ([a-z0-9_]+) += var\.\1$", call, re.M))
forwarded = set(re.findall(r'^output "([a-z0-9_]+)" \{[^}]*?value += module\.ddns\.\1\n', open(f"{root}/outputs.tf").read(), re.M))
problems = []
for kind, wanted, got in (("variable", names(f"{root}/modules/ddns/variables.tf", "variable"), passed),
                          ("output", names(f"{root}/modules/ddns/outputs.tf", "output"), forwarded)):
    if wanted != got:
        problems.append(f"{kind}s: not passed {sorted(wanted - got)}, unknown {sorted(got - wanted)}")
for problem in problems:
    print(f"  root module vs modules/ddns: {problem}", file=sys.stderr)
if problems:
    sys.exit(1)
print(f"  the root passes all {len(passed)} variables on and all {len(forwarded)} outputs back")
EOF
}

# background_result PID LOG: a background step's output, then its exit status.
background_result() {
  local rc=0
  wait "$1" || rc=$?
  cat "$2"
  return "${rc}"
}

mock_tests_result() {
  background_result "${mock_tests_pid}" "${work_dir}/terraform-test.log"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_moto() {
  command -v moto_server >/dev/null || {
    echo "moto_server is not installed (pip install 'moto[server]')" >&2
    return 1
  }
  local port attempt
  port="$(free_port)"
  moto_url="http://127.0.0.1:${port}"
  moto_server -H 127.0.0.1 -p "${port}" >"${work_dir}/moto.log" 2>&1 &
  moto_pid=$!
  for attempt in $(seq 1 100); do
    if curl -s -o /dev/null "${moto_url}/moto-api/"; then
      echo "moto listening on ${moto_url}"
      return 0
    fi
    kill -0 "${moto_pid}" 2>/dev/null || break
    sleep 0.2
  done
  echo "moto did not start after ${attempt} attempts:" >&2
  cat "${work_dir}/moto.log" >&2
  return 1
}

emulator() {
  local command_name="$1" deployment="$2"
  shift 2
  "${EMULATOR}" "${command_name}" --moto-url "${moto_url}" --state-dir "${work_dir}/${deployment}" "$@"
}

# The plan may only hold the changes listed in ALLOWED_DRIFT.
plan_shows_only_known_drift() {
  local deployment="$1" rc=0
  emulator plan "${deployment}" || rc=$?
  [[ ${rc} -eq 0 || ${rc} -eq 2 ]] || return 1
  python3 - "${work_dir}/${deployment}/plan.json" <<'EOF'
import json, os, sys

plan = json.load(open(sys.argv[1]))
allowed = {}
for line in os.environ["ALLOWED_DRIFT"].splitlines():
    address, attribute = line.split()
    allowed.setdefault(address, set()).add(attribute)

def changed_attributes(change):
    before, after = change.get("before") or {}, change.get("after") or {}
    unknown = change.get("after_unknown") or {}
    keys = set(before) | set(after) | set(unknown)
    return {k for k in keys if before.get(k) != after.get(k) or unknown.get(k)}

unexpected, tolerated = [], []
for rc in plan.get("resource_changes", []):
    actions = rc["change"]["actions"]
    if actions in (["no-op"], ["read"]):
        continue
    attributes = changed_attributes(rc["change"])
    if actions == ["update"] and attributes and attributes <= allowed.get(rc["address"], set()):
        tolerated.append(f"{rc['address']}: {', '.join(sorted(attributes))}")
    else:
        unexpected.append(f"{rc['address']}: {'/'.join(actions)} {', '.join(sorted(attributes))}")

for item in tolerated:
    print(f"  known moto drift: {item}")
for item in unexpected:
    print(f"  UNEXPECTED change: {item}", file=sys.stderr)
if unexpected:
    sys.exit(1)
print("  no other changes")
EOF
}

outputs_are_complete() {
  local deployment="$1"
  emulator output "${deployment}" | python3 -c '
import json, sys
outputs = {name: o["value"] for name, o in json.load(sys.stdin).items()}
required = ["api_url", "config_bucket", "config_key", "zone_id", "name_servers", "function_name", "change_queue_url", "change_dlq_url", "writer_function_name", "state_bucket", "share_table"]
missing = [name for name in required if not outputs.get(name)]
if missing:
    sys.exit(f"  missing outputs: {missing}")
for name in required:
    print(f"  {name} = {json.dumps(outputs[name])}")
'
}

emulator_round_trip() {
  if [[ ! -f ${LAMBDA_PACKAGE} ]]; then
    echo "${LAMBDA_PACKAGE} is missing: run 'make build' first (make test-terraform does)." >&2
    results+=("FAIL  emulator round trip: ${LAMBDA_PACKAGE} is missing, run 'make build' first")
    failed=1
    return
  fi
  step "moto server on loopback" start_moto || {
    skip "emulator round trip"
    return
  }

  # The lifecycle rule too, which emulator stacks leave out (scripts/tf-emulator.sh).
  if step "apply (alarms, notifications, the quiet-host check, the change queue and writer, the config and state lifecycle rules on; their waits overlap)" emulator apply ddns -var alarm_email=ops@example.com \
    -var 'notify_emails=["owner@example.com"]' -var notify_webhook_url=https://hooks.example.com/ddns -var notify_webhook_header_value=emulator-webhook-secret-0123 \
    -var quiet_host_check_minutes=15 -var config_noncurrent_version_expiration_days=30 -var state_lifecycle_rules=true; then
    step "outputs" outputs_are_complete ddns
    step "plan: no changes but known moto drift" plan_shows_only_known_drift ddns
    step "destroy" emulator destroy ddns
  else
    skip "plan"
    skip "destroy"
  fi
}

main() {
  command -v terraform >/dev/null || {
    echo "terraform is not installed" >&2
    exit 1
  }
  use_provider_mirror
  export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1

  step "terraform fmt -check -recursive" terraform fmt -check -recursive -diff "${TF_DIR}"
  if step "terraform init + validate" init_and_validate; then
    # The mock tests and the emulator round trip share nothing (the round trip applies a copy of the
    # module): side by side they take the time of the longer, about two minutes less on two cores.
    terraform -chdir="${TF_DIR}" test -no-color >"${work_dir}/terraform-test.log" 2>&1 &
    mock_tests_pid=$!
    # The upgrade check too, on its own moto server.
    if [[ -f ${LAMBDA_PACKAGE} ]]; then
      bash "${REPO_ROOT}/test/terraform/state-moves.sh" >"${work_dir}/state-moves.log" 2>&1 &
      state_moves_pid=$!
    fi
    emulator_round_trip
    step "terraform test (mock provider; beside the round trip, so its time is the wait after it)" mock_tests_result
    if [[ -n ${state_moves_pid} ]]; then
      step "an earlier commit's deployed state plans with no replacement (moved blocks; beside the round trip)" \
        background_result "${state_moves_pid}" "${work_dir}/state-moves.log"
    fi
  else
    skip "terraform test (mock provider)"
    emulator_round_trip
  fi

  printf '\nTerraform suite (%d s):\n' "$((SECONDS - suite_start))"
  printf '  %s\n' "${results[@]}"
  if [[ ${failed} -ne 0 ]]; then
    echo "FAIL"
    exit 1
  fi
  echo "PASS"
}

main "$@"
