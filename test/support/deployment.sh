#!/usr/bin/env bash
# The tests' deployment: applies terraform/ (the root module in the fixtures' zone, with every optional
# part on: change events, the quiet-host job, SSE-KMS, HTTPS-only buckets and queues) to a throw-away
# moto server through scripts/tf-emulator.sh, reads back the environment Terraform gave the request
# function and the record writer (scripts/lib/function-environment.py, as the local stack does),
# writes them with the outputs to OUT as JSON and the state beside it (OUT without .json, .tfstate:
# the IAM suite judges calls against its policies), and stops the server.
#
#   test/support/deployment.sh OUT.json
#
# test/support/deployment.ts calls it when OUT is missing (its name is a hash of what it depends on);
# the terraform log is shown only when the apply fails. About 80 s.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly REPO_ROOT
readonly ZONE_NAME="dyn.example.com"
out="${1:?usage: deployment.sh OUT.json}"

work="$(mktemp -d "${TMPDIR:-/tmp}/ddns-deployment.XXXXXX")"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
moto_url="http://127.0.0.1:${port}"
# It stops by itself even if this script is killed.
timeout 900 moto_server -H 127.0.0.1 -p "${port}" >"${work}/moto.log" 2>&1 &
moto_pid=$!
trap 'kill "${moto_pid}" 2>/dev/null || true; wait "${moto_pid}" 2>/dev/null || true; rm -rf "${work}"' EXIT
for _ in $(seq 1 100); do
  curl -s -o /dev/null "${moto_url}/moto-api/" && break
  sleep 0.2
done

printf 'deployment: applying terraform/ to moto for the tests (about 80 s; once per change of terraform/)\n' >&2
kms_key="$(python3 -c 'import boto3, sys
kms = boto3.client("kms", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
print(kms.create_key()["KeyMetadata"]["Arn"])' "${moto_url}")"
# The buckets' and queues' TLS-only policies too: nothing here sends data through this moto, which
# would apply their Deny without its condition.
"${REPO_ROOT}/scripts/tf-emulator.sh" apply --moto-url "${moto_url}" --state-dir "${work}/tf" -var "zone_name=${ZONE_NAME}" \
  -var change_events=true -var quiet_host_check_minutes=60 -var enforce_secure_transport=true -var "kms_key_arn=${kms_key}" >&2
"${REPO_ROOT}/scripts/tf-emulator.sh" output --state-dir "${work}/tf" >"${work}/outputs.json"

read_back() {
  local name
  name="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]]["value"])' "${work}/outputs.json" "$1")"
  python3 "${REPO_ROOT}/scripts/lib/function-environment.py" "${moto_url}" "${name}" --json
}
read_back function_name >"${work}/function.json"
read_back writer_function_name >"${work}/writer.json"

python3 - "${work}" "${moto_url}" "${out}" <<'PY'
import json, os, sys
work, moto_url, out = sys.argv[1:]
load = lambda name: json.load(open(os.path.join(work, name)))
document = {
    "moto_url": moto_url,
    "outputs": {name: output["value"] for name, output in load("outputs.json").items()},
    "function": load("function.json"),
    "writer": load("writer.json"),
}
os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
with open(out + ".tmp", "w") as f:
    json.dump(document, f, indent=2, sort_keys=True)
state = os.path.splitext(out)[0] + ".tfstate"
with open(os.path.join(work, "tf", "terraform", "terraform.tfstate")) as src, open(state + ".tmp", "w") as dst:
    dst.write(src.read())
os.replace(state + ".tmp", state)
os.replace(out + ".tmp", out)
PY
printf 'deployment: wrote %s\n' "${out}" >&2
