#!/usr/bin/env python3
"""The environment a deployed function runs with, as the (emulated) Lambda reports it.

    function-environment.py ENDPOINT FUNCTION_NAME [--json]

Prints one NAME=value line per variable; for a function fed by an event source mapping it adds the
mapping's batch size and window as POLLER_BATCH_SIZE and POLLER_WINDOW_SECONDS (what a local poller
needs to behave as the mapping does). --json prints {"variables": {...}, "poller": {...} | null}.
The local stack (scripts/local-stack) and the tests' deployment (test/support/deployment.ts) both read
the function's environment through this script, so both run the function as Terraform configured it.
"""
import json
import sys

import boto3


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--json"]
    if len(args) != 2:
        sys.exit(__doc__)
    endpoint, function_name = args
    client = boto3.client("lambda", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
    variables = client.get_function_configuration(FunctionName=function_name).get("Environment", {}).get("Variables", {})
    mappings = client.list_event_source_mappings(FunctionName=function_name).get("EventSourceMappings", [])
    poller = None
    if mappings:
        poller = {"batch_size": mappings[0].get("BatchSize", 10),
                  "window_seconds": mappings[0].get("MaximumBatchingWindowInSeconds", 1)}
    if "--json" in sys.argv:
        print(json.dumps({"variables": variables, "poller": poller}, sort_keys=True))
        return
    for name, value in sorted(variables.items()):
        print(f"{name}={value}")
    if poller:
        print(f"POLLER_BATCH_SIZE={poller['batch_size']}")
        print(f"POLLER_WINDOW_SECONDS={poller['window_seconds']}")


if __name__ == "__main__":
    main()
