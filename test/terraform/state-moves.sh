#!/usr/bin/env bash
# A deployment made with an earlier commit's Terraform upgrades to this tree's without replacing
# anything: the `moved` blocks carry the deployed state along (the deployment's body into modules/ddns,
# terraform/main.tf; the buckets' resources into modules/private-bucket, modules/config-bucket and
# modules/state-bucket; each function's role, policy, log group and function into
# modules/lambda-function). On a moto server on loopback:
#   1. apply OLD_REF's terraform/ with OLD_REF's scripts/tf-emulator.sh (lifecycle rules on, as in run.sh;
#      change events and the quiet-host check on, so that its function moves too);
#   2. plan this tree's terraform/ against that state (tf-emulator.sh copies the new files into the
#      same state directory and keeps the state);
#   3. fail on any create outside INTENDED_CREATES, any delete or replace, and on any update outside
#      ALLOWED_DRIFT (run.sh's list) and INTENDED_UPDATES (what this tree changes in place on purpose);
#      every resource must show as moved (to module.ddns, the buckets' also to module.bucket, the
#      functions' to module.lambda), not as new;
#   4. destroy with this tree's code.
# Usage: test/terraform/state-moves.sh [OLD_REF]   (default 83ce6e7, the last commit before the move;
# needs dist/lambda.zip: make build). KEEP_STATE=1 keeps the state directory.

set -uo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly REPO_ROOT
readonly OLD_REF="${1:-83ce6e7}"
readonly LAMBDA_PACKAGE="${REPO_ROOT}/dist/lambda.zip"

# moto drops these arguments, so every plan after an apply wants to set them again (test/terraform/run.sh).
declare -rx ALLOWED_DRIFT='module.ddns.module.function.module.lambda.aws_lambda_function.this logging_config
module.ddns.module.record_writer.module.lambda.aws_lambda_function.this logging_config
module.ddns.module.quiet_hosts[0].module.lambda.aws_lambda_function.this logging_config
module.ddns.module.http_api.aws_apigatewayv2_api.this ip_address_type'

# In-place updates this tree makes on purpose since OLD_REF (each a reason in a comment), beside the moves:
# - the writer's DDNS_WRITER_MARK_DAYS (the applied marks' retention, from the state bucket's expiry);
# - fair shares counted in a DynamoDB table, not S3 slots: the request function's DDNS_SHARE_TABLE and
#   its UpdateItem statement instead of the slot PutObject, and the state bucket's `shares/` rule gone
#   (moto reads the lifecycle back so that the plan may not show this one); the quiet-host job takes the
#   request function's environment, so it gets DDNS_SHARE_TABLE too;
# - events:source and events:detail-type are multivalued: the writer's and the quiet-host job's
#   events:PutEvents statements use ForAllValues:StringEquals with a Null guard, not StringEquals.
declare -rx INTENDED_UPDATES='module.ddns.module.record_writer.module.lambda.aws_lambda_function.this environment
module.ddns.module.function.module.lambda.aws_lambda_function.this environment
module.ddns.module.function.module.lambda.aws_iam_role_policy.this policy
module.ddns.module.quiet_hosts[0].module.lambda.aws_lambda_function.this environment
module.ddns.module.quiet_hosts[0].module.lambda.aws_iam_role_policy.this policy
module.ddns.module.record_writer.module.lambda.aws_iam_role_policy.this policy
module.ddns.module.state_bucket.aws_s3_bucket_lifecycle_configuration.this[0] rule'

# Resources this tree adds on purpose since OLD_REF: the fair-share table.
declare -rx INTENDED_CREATES='module.ddns.module.share_table.aws_dynamodb_table.this'

# The addresses the bucket resources and the functions' role, policy, log group and function must
# arrive at (modules/private-bucket, modules/lambda-function), each moved from its old place (every
# other resource must move to the same address under module.ddns).
readonly EXPECTED_MOVES='module.config_bucket.aws_s3_bucket.this module.ddns.module.config_bucket.module.bucket.aws_s3_bucket.this
module.config_bucket.aws_s3_bucket_public_access_block.this module.ddns.module.config_bucket.module.bucket.aws_s3_bucket_public_access_block.this
module.config_bucket.aws_s3_bucket_ownership_controls.this module.ddns.module.config_bucket.module.bucket.aws_s3_bucket_ownership_controls.this
module.config_bucket.aws_s3_bucket_server_side_encryption_configuration.this module.ddns.module.config_bucket.module.bucket.aws_s3_bucket_server_side_encryption_configuration.this
module.state_bucket.aws_s3_bucket.this module.ddns.module.state_bucket.module.bucket.aws_s3_bucket.this
module.state_bucket.aws_s3_bucket_public_access_block.this module.ddns.module.state_bucket.module.bucket.aws_s3_bucket_public_access_block.this
module.state_bucket.aws_s3_bucket_ownership_controls.this module.ddns.module.state_bucket.module.bucket.aws_s3_bucket_ownership_controls.this
module.state_bucket.aws_s3_bucket_server_side_encryption_configuration.this module.ddns.module.state_bucket.module.bucket.aws_s3_bucket_server_side_encryption_configuration.this
module.function.aws_iam_role.this module.ddns.module.function.module.lambda.aws_iam_role.this
module.function.aws_iam_role_policy.this module.ddns.module.function.module.lambda.aws_iam_role_policy.this
module.function.aws_cloudwatch_log_group.this module.ddns.module.function.module.lambda.aws_cloudwatch_log_group.this
module.function.aws_lambda_function.this module.ddns.module.function.module.lambda.aws_lambda_function.this
module.record_writer.aws_iam_role.this module.ddns.module.record_writer.module.lambda.aws_iam_role.this
module.record_writer.aws_iam_role_policy.this module.ddns.module.record_writer.module.lambda.aws_iam_role_policy.this
module.record_writer.aws_cloudwatch_log_group.this module.ddns.module.record_writer.module.lambda.aws_cloudwatch_log_group.this
module.record_writer.aws_lambda_function.this module.ddns.module.record_writer.module.lambda.aws_lambda_function.this
module.quiet_hosts[0].aws_iam_role.this module.ddns.module.quiet_hosts[0].module.lambda.aws_iam_role.this
module.quiet_hosts[0].aws_iam_role_policy.this module.ddns.module.quiet_hosts[0].module.lambda.aws_iam_role_policy.this
module.quiet_hosts[0].aws_cloudwatch_log_group.this module.ddns.module.quiet_hosts[0].module.lambda.aws_cloudwatch_log_group.this
module.quiet_hosts[0].aws_lambda_function.this module.ddns.module.quiet_hosts[0].module.lambda.aws_lambda_function.this'
export EXPECTED_MOVES

work_dir="$(mktemp -d "${TMPDIR:-/tmp}/ddns-tf-moves.XXXXXX")"
moto_pid=""
failed=1

cleanup() {
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

die() {
  printf 'state-moves: %s\n' "$*" >&2
  exit 1
}

start_moto() {
  command -v moto_server >/dev/null || die "moto_server is not installed (pip install 'moto[server]')"
  local port attempt
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  moto_url="http://127.0.0.1:${port}"
  moto_server -H 127.0.0.1 -p "${port}" >"${work_dir}/moto.log" 2>&1 &
  moto_pid=$!
  for attempt in $(seq 1 100); do
    curl -s -o /dev/null "${moto_url}/moto-api/" && return 0
    kill -0 "${moto_pid}" 2>/dev/null || break
    sleep 0.2
  done
  cat "${work_dir}/moto.log" >&2
  die "moto did not start after ${attempt} attempts"
}

main() {
  [[ -f ${LAMBDA_PACKAGE} ]] || die "${LAMBDA_PACKAGE} is missing: run 'make build' first"
  mkdir -p "${work_dir}/old"
  git -C "${REPO_ROOT}" archive "${OLD_REF}" terraform scripts/tf-emulator.sh | tar -C "${work_dir}/old" -xf - ||
    die "cannot export terraform/ and scripts/tf-emulator.sh from ${OLD_REF}"
  start_moto

  local deployment="${work_dir}/deployment" rc=0
  printf '== apply %s (terraform/ as of that commit)\n' "${OLD_REF}"
  "${work_dir}/old/scripts/tf-emulator.sh" apply --moto-url "${moto_url}" --state-dir "${deployment}" \
    -var "lambda_package=${LAMBDA_PACKAGE}" \
    -var config_noncurrent_version_expiration_days=30 -var state_share_expiration_days=1 \
    -var change_events=true -var quiet_host_check_minutes=15 ||
    die "the old code's apply failed"

  printf '== plan this tree against that state\n'
  # The old apply's lifecycle rules stay on (this tree's switch for them; the old variable is ignored).
  "${REPO_ROOT}/scripts/tf-emulator.sh" plan --moto-url "${moto_url}" --state-dir "${deployment}" \
    -var state_lifecycle_rules=true || rc=$?
  [[ ${rc} -eq 0 || ${rc} -eq 2 ]] || die "the plan failed"
  python3 - "${deployment}/plan.json" <<'EOF' || die "the new code does not take over the old state as it stands"
import json, os, sys

plan = json.load(open(sys.argv[1]))
allowed, intended = {}, {}
for variable, into in (("ALLOWED_DRIFT", allowed), ("INTENDED_UPDATES", intended)):
    for line in os.environ[variable].splitlines():
        address, attribute = line.split()
        into.setdefault(address, set()).add(attribute)
expected_moves = dict(line.split() for line in os.environ["EXPECTED_MOVES"].splitlines())

def changed_attributes(change):
    before, after = change.get("before") or {}, change.get("after") or {}
    unknown = change.get("after_unknown") or {}
    keys = set(before) | set(after) | set(unknown)
    return {k for k in keys if before.get(k) != after.get(k) or unknown.get(k)}

problems, moved = [], {}
created = set(os.environ["INTENDED_CREATES"].split())
for rc in plan.get("resource_changes", []):
    address, actions = rc["address"], rc["change"]["actions"]
    if "previous_address" in rc:
        moved[rc["previous_address"]] = address
    if actions in (["no-op"], ["read"]):
        continue
    if actions == ["create"] and address in created:
        print(f"  created on purpose since the old commit: {address}")
        continue
    attributes = changed_attributes(rc["change"])
    drift = attributes & allowed.get(address, set())
    on_purpose = attributes & intended.get(address, set())
    if actions == ["update"] and attributes and attributes == drift | on_purpose:
        if drift:
            print(f"  known moto drift: {address}: {', '.join(sorted(drift))}")
        if on_purpose:
            print(f"  updated on purpose since the old commit: {address}: {', '.join(sorted(on_purpose))}")
    else:
        problems.append(f"{address}: {'/'.join(actions)} {', '.join(sorted(attributes))}")

for old, new in expected_moves.items():
    if moved.get(old) != new:
        problems.append(f"{old} did not move to {new} (moved: {moved.get(old)})")
for rc in plan.get("resource_changes", []):
    if rc["mode"] == "managed" and not rc["address"].startswith("module.ddns."):
        problems.append(f"{rc['address']} is outside module.ddns")
    elif rc["mode"] == "managed" and rc.get("previous_address") is None and rc["address"] not in created:
        problems.append(f"{rc['address']} did not move from an address of the old state")
for old, new in sorted(moved.items()):
    print(f"  moved: {old} -> {new}")
for problem in problems:
    print(f"  UNEXPECTED: {problem}", file=sys.stderr)
if problems:
    sys.exit(1)
print(f"  {len(moved)} resources moved; nothing destroyed or replaced, nothing created but {', '.join(sorted(created))}")
EOF

  printf '== destroy with this tree\n'
  "${REPO_ROOT}/scripts/tf-emulator.sh" destroy --moto-url "${moto_url}" --state-dir "${deployment}" ||
    die "destroy failed"
  failed=0
  echo PASS
}

main "$@"
