/**
 * SDK clients for the operator's own credentials (the SDK's default chain: environment, profile,
 * SSO, instance role). Emulators are reached through the SDK's standard AWS_ENDPOINT_URL variables.
 */
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { Route53Client } from "@aws-sdk/client-route-53";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { AwsClients } from "./io.js";

type Env = Readonly<Record<string, string | undefined>>;

export function createAwsClients(env: Env): AwsClients & Required<Pick<AwsClients, "logs">> {
  const { credentials, endpoint, region } = connection(env);
  return {
    s3: new S3Client({
      region,
      // The bucket may live in another region than the operator's default: follow S3's redirect.
      followRegionRedirects: true,
      endpoint: endpoint("S3"),
      credentials,
    }),
    // Route 53 is a global service, signed in us-east-1.
    route53: new Route53Client({ region: "us-east-1", endpoint: endpoint("ROUTE_53"), credentials }),
    // The function's log group, in the deployment's region.
    logs: new CloudWatchLogsClient({ region, endpoint: endpoint("CLOUDWATCH_LOGS"), credentials }),
  };
}

/**
 * A client for the queue at `queueUrl`, signed for the region its URL names
 * (https://sqs.REGION.amazonaws.com/…): the SDK sends to the URL's host, which refuses a signature
 * for the operator's default region when the deployment lives elsewhere.
 */
export function createSqsClient(env: Env, queueUrl: string): SQSClient {
  const { credentials, endpoint, region } = connection(env);
  const named = /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\//.exec(queueUrl)?.[1];
  return new SQSClient({ region: named ?? region, endpoint: endpoint("SQS"), credentials });
}

function connection(env: Env) {
  const credentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          accessKeyId: env.AWS_ACCESS_KEY_ID,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
          sessionToken: env.AWS_SESSION_TOKEN,
        }
      : undefined;
  const endpoint = (service: string) =>
    env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL || undefined;
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || "us-east-1";
  return { credentials, endpoint, region };
}
