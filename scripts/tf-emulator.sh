#!/usr/bin/env bash
# Apply the real root module (terraform/) to an AWS emulator (moto) on loopback.
#
# Usage:
#   scripts/tf-emulator.sh COMMAND --moto-url URL --state-dir DIR [-var NAME=VALUE ...] [--verbose]
#
# Commands:
#   apply    copy terraform/ into DIR, init, apply; saves the -var arguments for the other commands
#   plan     plan with -detailed-exitcode; writes DIR/plan.tfplan and DIR/plan.json (terraform show -json);
#            exits 0 when there are no changes, 2 when there are changes, 1 on error
#   destroy  destroy everything the apply created
#   output   print `terraform output -json`
#
# Options:
#   --moto-url URL   the emulator, on loopback only: http://127.0.0.1:PORT (or localhost, [::1]);
#                    not needed by output
#   --state-dir DIR  working directory of this deployment: the module copy, the endpoints override
#                    (DIR/terraform/emulator_override.tf), the state and the log (DIR/terraform.log).
#                    Separate directories keep concurrent runs apart; the source tree stays clean.
#   -var NAME=VALUE  a root module variable; repeatable. Saved in DIR/vars and reused by later
#                    commands on the same DIR (apply starts afresh); the latest value of a name wins.
#                    Defaults: region=us-east-1, zone_name=dyn.example.test,
#                    enforce_secure_transport=false (moto applies a bucket policy's Deny without
#                    evaluating its condition), force_destroy=true,
#                    lambda_package=<repo>/dist/lambda.zip (absolute; `make build` writes it);
#                    and, in DIR/terraform/emulator.auto.tfvars, config_noncurrent_version_expiration_days=null
#                    (no lifecycle rule: the provider's wait for one costs about 55 s; -var brings it back).
#   --verbose        stream Terraform's output instead of keeping it in DIR/terraform.log
#
# Terraform's output goes to DIR/terraform.log and is shown only when a command fails. When the provider
# mirror (/opt/tf-plugins, or TF_PLUGIN_MIRROR) exists, DIR/cli.tfrc makes Terraform install from it.

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT
readonly PLUGIN_MIRROR="${TF_PLUGIN_MIRROR:-/opt/tf-plugins}"

usage() {
  sed -n '2,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
  exit 64
}

die() {
  printf 'tf-emulator: %s\n' "$*" >&2
  exit 1
}

command_name=""
moto_url=""
state_dir=""
verbose=false
cli_vars=()

parse_args() {
  [[ $# -gt 0 ]] || usage
  command_name="$1"
  shift
  case "${command_name}" in
    apply | plan | destroy | output) ;;
    -h | --help) usage ;;
    *) die "unknown command '${command_name}' (apply, plan, destroy or output)" ;;
  esac
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --moto-url)
        [[ $# -ge 2 ]] || die "--moto-url needs a value"
        moto_url="$2"
        shift 2
        ;;
      --state-dir)
        [[ $# -ge 2 ]] || die "--state-dir needs a value"
        state_dir="$2"
        shift 2
        ;;
      -var)
        [[ $# -ge 2 ]] || die "-var needs NAME=VALUE"
        cli_vars+=("$2")
        shift 2
        ;;
      -var=*)
        cli_vars+=("${1#-var=}")
        shift
        ;;
      --verbose)
        verbose=true
        shift
        ;;
      -h | --help) usage ;;
      *) die "unknown argument '$1'" ;;
    esac
  done
  [[ -n ${state_dir} ]] || die "--state-dir is required"
  if [[ -z ${moto_url} ]]; then
    [[ ${command_name} == output ]] || die "--moto-url is required"
    return 0
  fi
  # Never point the provider anywhere but this machine.
  [[ ${moto_url} =~ ^http://(127\.0\.0\.1|localhost|\[::1\]):[0-9]+/?$ ]] ||
    die "--moto-url must be http://127.0.0.1:PORT (loopback only), not '${moto_url}'"
  moto_url="${moto_url%/}"
}

set_paths() {
  if [[ ${command_name} == apply ]]; then
    mkdir -p "${state_dir}"
  fi
  [[ -d ${state_dir} ]] || die "no deployment in ${state_dir}: run 'apply' first"
  state_dir="$(cd "${state_dir}" && pwd)"
  work_dir="${state_dir}/terraform"
  log_file="${state_dir}/terraform.log"
  vars_file="${state_dir}/vars"
}

prepare_state_dir() {
  # Refresh the module copy, keeping the state and the initialised providers.
  mkdir -p "${work_dir}"
  find "${work_dir}" -mindepth 1 -maxdepth 1 \
    ! -name .terraform ! -name .terraform.lock.hcl ! -name 'terraform.tfstate*' \
    -exec rm -rf {} +
  tar -C "${REPO_ROOT}/terraform" \
    --exclude=.terraform --exclude=.terraform.lock.hcl --exclude='terraform.tfstate*' \
    --exclude='*_override.tf' --exclude=tests --exclude=examples \
    -cf - . | tar -C "${work_dir}" -xf -

  write_endpoints_override >"${work_dir}/emulator_override.tf"
  write_emulator_defaults >"${work_dir}/emulator.auto.tfvars"

  if [[ -d ${PLUGIN_MIRROR} ]]; then
    cat >"${state_dir}/cli.tfrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "${PLUGIN_MIRROR}"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
}
EOF
    export TF_CLI_CONFIG_FILE="${state_dir}/cli.tfrc"
  fi
}

write_endpoints_override() {
  local service alias
  printf '# Written by scripts/tf-emulator.sh: every AWS call goes to the emulator at %s.\n' "${moto_url}"
  # The default provider, and the us-east-1 one the optional edge (CloudFront + WAF) uses.
  for alias in "" us_east_1; do
    write_provider_override "${alias}"
  done
}

write_provider_override() {
  local service
  printf 'provider "aws" {\n'
  [[ -z $1 ]] || printf '  alias                       = "%s"\n' "$1"
  cat <<EOF
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true

  endpoints {
EOF
  for service in acm apigatewayv2 cloudwatch dynamodb events iam kms lambda logs route53 s3 sns sqs sts; do
    printf '    %-12s = "%s"\n' "${service}" "${moto_url}"
  done
  cat <<'EOF'
  }
}
EOF
}

# Defaults that -var cannot express (null); a -var of the same name still wins.
write_emulator_defaults() {
  cat <<'EOF'
# Written by scripts/tf-emulator.sh. After creating a lifecycle rule the AWS provider waits until it
# reads back unchanged several times in a row: about 55 s on moto. Emulator stacks (make local, the
# e2e and client suites) keep every config version instead; test/terraform/run.sh applies the rule
# (-var config_noncurrent_version_expiration_days=30, -var state_lifecycle_rules=true).
config_noncurrent_version_expiration_days = null
state_lifecycle_rules                     = false
EOF
}

# Saved variables first, then this command's, so that the latest value of a name wins.
collect_var_args() {
  local default_package="${REPO_ROOT}/dist/lambda.zip"
  local -a saved=()
  local line arg
  if [[ ${command_name} == apply ]]; then
    printf '%s\n' \
      "region=us-east-1" \
      "zone_name=dyn.example.test" \
      "enforce_secure_transport=false" \
      "force_destroy=true" \
      "lambda_package=${default_package}" \
      ${cli_vars[@]+"${cli_vars[@]}"} >"${vars_file}"
  elif [[ ${#cli_vars[@]} -gt 0 ]]; then
    printf '%s\n' "${cli_vars[@]}" >>"${vars_file}"
  fi
  [[ -f ${vars_file} ]] || die "no apply has run in ${state_dir}: run 'apply' first"
  while IFS= read -r line; do
    saved+=("${line}")
  done <"${vars_file}"
  var_args=()
  for arg in "${saved[@]}"; do
    var_args+=(-var "${arg}")
    if [[ ${arg} == lambda_package=* ]]; then
      lambda_package="${arg#lambda_package=}"
    fi
  done
  if [[ -n ${lambda_package:-} && ! -f ${lambda_package} ]]; then
    die "Lambda package ${lambda_package} not found: run 'make build' first (or pass -var lambda_package=PATH)"
  fi
}

# Run Terraform in the module copy; output to the log unless --verbose, shown when it fails.
tf() {
  local start rc=0
  if [[ ${verbose} == true ]]; then
    terraform -chdir="${work_dir}" "$@" || rc=$?
    return "${rc}"
  fi
  touch "${log_file}"
  start=$(($(wc -l <"${log_file}") + 1))
  printf '\n$ terraform %s\n' "$*" >>"${log_file}"
  terraform -chdir="${work_dir}" "$@" >>"${log_file}" 2>&1 || rc=$?
  if [[ ${rc} -ne 0 && ! (${1} == plan && ${rc} -eq 2) ]]; then
    printf 'tf-emulator: terraform %s failed (exit %d); its output (full log: %s):\n' "$1" "${rc}" "${log_file}" >&2
    tail -n "+${start}" "${log_file}" | tail -n 200 >&2
  fi
  return "${rc}"
}

main() {
  parse_args "$@"
  command -v terraform >/dev/null || die "terraform is not installed"
  set_paths
  if [[ ${command_name} == output ]]; then
    terraform -chdir="${work_dir}" output -json
    return
  fi
  prepare_state_dir
  collect_var_args

  export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
  # Dummy keys are in the override; keep the caller's profile and config files out of it.
  unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
  export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null

  tf init -input=false -no-color

  local rc=0
  case "${command_name}" in
    apply)
      tf apply -input=false -no-color -auto-approve "${var_args[@]}"
      ;;
    plan)
      tf plan -input=false -no-color -detailed-exitcode -out="${state_dir}/plan.tfplan" "${var_args[@]}" || rc=$?
      [[ ${rc} -ne 1 ]] || return 1
      terraform -chdir="${work_dir}" show -json "${state_dir}/plan.tfplan" >"${state_dir}/plan.json"
      return "${rc}"
      ;;
    destroy)
      tf destroy -input=false -no-color -auto-approve "${var_args[@]}"
      ;;
  esac
}

main "$@"
