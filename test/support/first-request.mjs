// One cold process answering one request, as a fresh Lambda container would: load the built
// bundle, call its handler once, print the status, exit. bench/cold-start.ts times whole runs; the
// integration tests use it to see the bundle answer from a cold process.
//   node test/support/first-request.mjs BUNDLE SOURCE_IP PATH [QUERY]
const [bundle, sourceIp, rawPath, rawQueryString = ""] = process.argv.slice(2);
const { handler } = await import(bundle);
const result = await handler(
  {
    version: "2.0",
    routeKey: "$default",
    rawPath,
    rawQueryString,
    headers: {},
    isBase64Encoded: false,
    requestContext: { http: { method: "GET", path: rawPath, sourceIp } },
  },
  { awsRequestId: "cold-start" },
);
process.stderr.write(`status ${result.statusCode}\n`);
// The SDK keeps its connection open; a Lambda container would be frozen here, not wait for it.
process.exit(0);
