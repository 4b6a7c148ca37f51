# route53-ddns — the commands a newcomer, an operator and CI run.
# `make local` runs the system on this machine; `make test` runs every test suite.

SHELL := /bin/bash
.DEFAULT_GOAL := help

TF_DIR ?= terraform
# These machines run Node 20 (Lambda runs 22): the SDK's notice about that is noise in test output.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED := true
NPM_INSTALLED := node_modules/.package-lock.json

.PHONY: help
help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

$(NPM_INSTALLED): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

.PHONY: deps
deps: $(NPM_INSTALLED) ## Install the Node.js dependencies (npm ci)

.PHONY: build
build: $(NPM_INSTALLED) ## Bundle the Lambda handler into dist/lambda.zip and the CLI into dist/ddns.mjs
	npm run --silent build

.PHONY: lint
lint: $(NPM_INSTALLED) ## Biome, tsc, shellcheck, shfmt and terraform fmt
	npx biome check .
	npx tsc --noEmit
	shellcheck -s sh client/*.sh
	shellcheck scripts/*.sh scripts/local-stack test/terraform/run.sh test/terraform/state-moves.sh test/runtime/tools.sh test/support/deployment.sh
	shfmt -d -i 2 -ci client scripts/*.sh scripts/local-stack test/terraform/run.sh test/terraform/state-moves.sh test/runtime/tools.sh test/support/deployment.sh
	terraform fmt -check -recursive $(TF_DIR)

.PHONY: fmt
fmt: $(NPM_INSTALLED) ## Format everything in place
	npx biome check --write .
	shfmt -w -i 2 -ci client scripts/*.sh scripts/local-stack test/terraform/run.sh test/terraform/state-moves.sh test/runtime/tools.sh test/support/deployment.sh
	terraform fmt -recursive $(TF_DIR)

.PHONY: test
test: lint test-unit build test-integration test-terraform test-client test-e2e test-iam test-runtime ## Run every test suite
	@echo "make test: all suites passed"

.PHONY: test-unit
test-unit: $(NPM_INSTALLED) ## Unit and property tests (vitest, aws-sdk-client-mock, fast-check)
	npx vitest run --project unit

# The integration and e2e suites record the functions' AWS calls here; test-iam judges them.
AWS_CALLS := $(CURDIR)/.aws-calls

.PHONY: test-integration
test-integration: export DDNS_AWS_CALLS := $(AWS_CALLS)/integration
test-integration: build ## The real SDK against a moto server on loopback (and the built CLI)
	rm -rf "$$DDNS_AWS_CALLS"
	npx vitest run --project integration

.PHONY: test-terraform
test-terraform: build ## terraform validate/test, then apply → plan → destroy against moto
	bash test/terraform/run.sh

.PHONY: test-client
test-client: build ## The router client under busybox sh and dash (bats)
	bats test/client

.PHONY: test-e2e
test-e2e: export DDNS_AWS_CALLS := $(AWS_CALLS)/e2e
test-e2e: build ## Terraform-applied emulator + local API + client + ddclient; certificates from pebble via lego and acme-client
	rm -rf "$$DDNS_AWS_CALLS"
	bats test/e2e
	npx vitest run --project e2e

.PHONY: test-iam
test-iam: $(NPM_INSTALLED) ## The AWS calls test-integration and test-e2e recorded, judged against Terraform's IAM policies
	DDNS_AWS_CALLS_DIR="$(AWS_CALLS)" npx vitest run --project iam

.PHONY: runtime-tools
runtime-tools: ## Node 22 (x86_64 and arm64) and aws-lambda-ric into ~/.cache/route53-ddns (first time: a native build, ~2 min)
	test/runtime/tools.sh install

.PHONY: test-runtime
test-runtime: build runtime-tools ## The zip on Node 22 (x86_64, arm64 under qemu) and through aws-lambda-ric; Lambda's execution model; reproducible build; packed CLI
	npx vitest run --project runtime
	bats test/runtime

.PHONY: bench
bench: build ## Benchmarks: cold start, warm throughput, scale simulation, load
	bash bench/run.sh

.PHONY: bench-storm
bench-storm: ## The renumbering storm under Lambda's model: 17d5d8c's change budget beside the change queue, one table
	npx tsx bench/storm.ts --baseline "$${BENCH_BASELINE:-/work/baseline-17d5d8c}"

.PHONY: bench-latency
bench-latency: build ## One router's day through the local stack: answer "good" to the address at the name server, p50/p99 of 200 updates
	scripts/local-stack up
	npx tsx bench/local-latency.ts

.PHONY: local
local: build ## The whole system on this machine (moto + Terraform + local API); Ctrl-C stops it
	scripts/local-stack run

.PHONY: plan deploy destroy
plan: build ## terraform plan against your AWS account
	terraform -chdir=$(TF_DIR) init -input=false
	terraform -chdir=$(TF_DIR) plan
deploy: build ## terraform apply against your AWS account
	terraform -chdir=$(TF_DIR) init -input=false
	terraform -chdir=$(TF_DIR) apply
destroy: build ## terraform destroy against your AWS account (the plan reads the zip's hash)
	terraform -chdir=$(TF_DIR) init -input=false
	terraform -chdir=$(TF_DIR) destroy

.PHONY: clean
clean: ## Remove build output and local state
	rm -rf dist coverage .local .aws-calls
