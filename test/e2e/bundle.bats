#!/usr/bin/env bats
# The artefact Terraform uploads: dist/lambda.zip, unpacked as Lambda would, answers through
# `index.handler`, and its record writer `writer.handler` answers SQS batches.

setup_file() {
  export UNPACKED="$BATS_FILE_TMPDIR/lambda"
  mkdir -p "$UNPACKED"
  unzip -q "$BATS_TEST_DIRNAME/../../dist/lambda.zip" -d "$UNPACKED"
}

invoke() { # invoke QUERY SOURCE_IP: prints the handler's result as JSON
  node --input-type=module -e '
    const { handler } = await import(process.argv[1] + "/index.mjs");
    const event = { version: "2.0", rawPath: "/", rawQueryString: process.argv[2], headers: {},
      requestContext: { http: { method: "GET", path: "/", sourceIp: process.argv[3] } } };
    console.log(JSON.stringify(await handler(event, { awsRequestId: "bats" })));
  ' "$UNPACKED" "$1" "$2" | tail -n 1
}

@test "the zip holds index.mjs, its source map, the writer's writer.mjs, the jobs' jobs.mjs and the lazily loaded chunks" {
  run unzip -Z1 "$BATS_TEST_DIRNAME/../../dist/lambda.zip"
  [ "$status" -eq 0 ]
  [[ "$output" == *"index.mjs"* ]]
  [[ "$output" == *"index.mjs.map"* ]]
  [[ "$output" == *"writer.mjs"* ]]
  [[ "$output" == *"jobs.mjs"* ]]
  [[ "$output" != *"jobs.mjs.map"* ]]
  [[ "$output" == *"chunks/"* ]]
}

@test "index.handler answers mode=get on this Node.js" {
  run invoke "mode=get" "192.0.2.44"
  [ "$status" -eq 0 ]
  [[ "$output" == *'\"return_message\":\"192.0.2.44\"'* ]]
}

@test "index.handler fails closed with a generic 503 when it has no configuration" {
  local hash
  hash=$(printf '%064d' 0)
  DDNS_CONFIG_BUCKET="" run invoke "mode=set&hostname=a.example.com&hash=$hash" "192.0.2.44"
  [ "$status" -eq 0 ]
  [[ "$output" == *'"statusCode":503'* ]]
  [[ "$output" == *'The service is temporarily unavailable; try again later.'* ]]
}

invoke_writer() { # invoke_writer BODY: prints writer.handler's answer to a batch of one message
  node --input-type=module -e '
    const { handler } = await import(process.argv[1] + "/writer.mjs");
    const event = { Records: [{ messageId: "m-1", body: process.argv[2], eventSource: "aws:sqs" }] };
    console.log(JSON.stringify(await handler(event)));
  ' "$UNPACKED" "$1" 2>/dev/null | tail -n 1
}

@test "writer.handler reports an unreadable message, and only it, for redelivery" {
  run invoke_writer "{not json"
  [ "$status" -eq 0 ]
  [ "$output" = '{"batchItemFailures":[{"itemIdentifier":"m-1"}]}' ]
}
