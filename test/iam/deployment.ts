/**
 * The IAM side of a deployment as Terraform produced it (its state after an apply to the emulator):
 * every Lambda function with its role's identity policies, and the resource policies of its buckets,
 * queues, KMS key and bus; and the evaluation of a request with @cloud-copilot/iam-simulate (AGPL-3.0,
 * a test-only devDependency). Nothing here is written for one function: a function Terraform adds
 * (the record writer, say) is evaluated like the others.
 */
import { readFileSync } from "node:fs";
import { runSimulation, runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import { ACCOUNT, type Context, changeContext, type IamRequest, type RecordedRequest } from "./requests.js";

type Policy = { Version?: string; Statement: Statement[] };
type Statement = Record<string, unknown> & {
  Effect: string;
  Condition?: Record<string, Record<string, unknown>>;
};

export interface DeployedFunction {
  readonly name: string;
  readonly handler: string;
  readonly roleArn: string;
  readonly roleName: string;
  readonly env: Record<string, string>;
  identityPolicies: { name: string; policy: Policy }[];
}

interface StateResource {
  type: string;
  module?: string;
  instances: { attributes: Record<string, unknown> }[];
}

export type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

export class Deployment {
  readonly functions: DeployedFunction[];
  readonly zoneId: string;
  readonly zoneName: string;
  readonly region: string;
  readonly bucketPolicies = new Map<string, Policy>();
  readonly queuePolicies = new Map<string, Policy>();
  readonly keyPolicies = new Map<string, Policy>();
  readonly bucketKmsKeys = new Map<string, { key: string; bucketKey: boolean }>();
  readonly logGroups: string[];
  readonly queues: string[];

  constructor(private readonly resources: StateResource[]) {
    const all = (type: string) =>
      resources.filter((r) => r.type === type).flatMap((r) => r.instances.map((i) => i.attributes));
    const json = (text: unknown) => JSON.parse(String(text)) as Policy;
    const zone = all("aws_route53_zone")[0] ?? {};
    this.zoneId = String(zone.zone_id);
    this.zoneName = String(zone.name).replace(/\.$/, "");
    const managed = new Map(all("aws_iam_policy").map((p) => [String(p.arn), json(p.policy)]));
    const roles = new Map(all("aws_iam_role").map((role) => [String(role.name), String(role.arn)]));
    this.functions = all("aws_lambda_function").map((fn) => {
      const roleArn = String(fn.role);
      const roleName = [...roles].find(([, arn]) => arn === roleArn)?.[0] ?? roleArn.split("/").at(-1) ?? "";
      const inline = all("aws_iam_role_policy")
        .filter((p) => p.role === roleName)
        .map((p) => ({ name: String(p.name), policy: json(p.policy) }));
      const attached = all("aws_iam_role_policy_attachment")
        .filter((a) => a.role === roleName)
        .map((a) => {
          const policy = managed.get(String(a.policy_arn)) ?? AWS_MANAGED[String(a.policy_arn)];
          if (!policy) throw new Error(`${roleName}: the document of ${a.policy_arn} is not known here`);
          return { name: String(a.policy_arn), policy };
        });
      const variables = (fn.environment as { variables?: Record<string, string> }[] | undefined)?.[0]
        ?.variables;
      return {
        name: String(fn.function_name),
        handler: String(fn.handler),
        roleArn,
        roleName,
        env: variables ?? {},
        identityPolicies: [...inline, ...attached],
      };
    });
    this.region =
      String(all("aws_cloudwatch_log_group")[0]?.arn ?? "arn:aws:logs:us-east-1").split(":")[3] ??
      "us-east-1";
    for (const p of all("aws_s3_bucket_policy")) this.bucketPolicies.set(String(p.bucket), json(p.policy));
    for (const p of all("aws_sqs_queue_policy"))
      this.queuePolicies.set(String(p.queue_url).split("/").at(-1) ?? "", json(p.policy));
    for (const k of all("aws_kms_key")) this.keyPolicies.set(String(k.arn), json(k.policy));
    for (const e of all("aws_s3_bucket_server_side_encryption_configuration")) {
      const rule = (
        e.rule as {
          apply_server_side_encryption_by_default: { sse_algorithm: string; kms_master_key_id: string }[];
          bucket_key_enabled: boolean | null;
        }[]
      )[0];
      const sse = rule?.apply_server_side_encryption_by_default[0];
      if (sse?.sse_algorithm === "aws:kms") {
        this.bucketKmsKeys.set(String(e.bucket), {
          key: sse.kms_master_key_id,
          bucketKey: rule?.bucket_key_enabled === true,
        });
      }
    }
    this.logGroups = all("aws_cloudwatch_log_group").map((g) => String(g.name));
    this.queues = all("aws_sqs_queue").map((q) => String(q.name));
  }

  static fromStateFile(path: string): Deployment {
    return new Deployment(
      (JSON.parse(readFileSync(path, "utf8")) as { resources: StateResource[] }).resources,
    );
  }

  /** The function Lambda invokes for API requests (its handler is index.handler). */
  get requestFunction(): DeployedFunction {
    const found = this.functions.find((fn) => fn.handler === "index.handler");
    if (!found) throw new Error("no function with the handler index.handler in the deployment");
    return found;
  }

  zoneArn(zoneId = this.zoneId): string {
    return `arn:aws:route53:::hostedzone/${zoneId}`;
  }

  /** A recorded request placed in this deployment as `fn` would make it: its zone, its buckets, its bus, its queue. */
  place(request: RecordedRequest, fn: DeployedFunction): IamRequest[] {
    const { target } = request;
    const secure: Context = { "aws:SecureTransport": "true" };
    switch (target.kind) {
      case "zone": {
        // Given its zone's name servers (DDNS_NAME_SERVERS), the function never asks Route 53 for them.
        if (request.action === "route53:GetHostedZone" && fn.env.DDNS_NAME_SERVERS) return [];
        const suffix = target.zoneName.replace(/\.$/, "").toLowerCase();
        const rename = (name: string) => {
          const bare = name.replace(/\.$/, "");
          return bare.toLowerCase().endsWith(suffix)
            ? `${bare.slice(0, bare.length - suffix.length)}${this.zoneName}`
            : bare;
        };
        const changes = (target.changes ?? []).map((change) => ({ ...change, name: rename(change.name) }));
        return [
          {
            action: request.action,
            resource: this.zoneArn(),
            context: target.changes ? changeContext(changes) : {},
          },
        ];
      }
      case "object": {
        // The state bucket's prefix of applied marks (the writer); anything else is the config bucket's.
        const state = /^(applied)\//.exec(target.key)?.[1];
        const bucket =
          (state ? fn.env.DDNS_WRITER_STATE_BUCKET : fn.env.DDNS_CONFIG_BUCKET) ??
          `not-the-functions-${target.bucket}`;
        // The key the function is configured with (tests name theirs), and its shards below it.
        const key = state
          ? target.key
          : target.key.replace(/^[^/]*?\.json(?=\.d\/|$)/, fn.env.DDNS_CONFIG_KEY ?? "config.json");
        const context: Context = target.ifNoneMatch
          ? { ...secure, "s3:if-none-match": target.ifNoneMatch }
          : secure;
        return this.withKms(
          { action: request.action, resource: `arn:aws:s3:::${bucket}/${key}`, context },
          bucket,
          key,
        );
      }
      case "bucket": {
        const bucket =
          (target.prefix?.startsWith("applied/")
            ? fn.env.DDNS_WRITER_STATE_BUCKET
            : fn.env.DDNS_CONFIG_BUCKET) ?? `not-the-functions-${target.bucket}`;
        const prefix = (target.prefix ?? "").replace(
          /^[^/]*?\.json(?=\.d\/|$)/,
          fn.env.DDNS_CONFIG_KEY ?? "config.json",
        );
        return [
          {
            action: request.action,
            resource: `arn:aws:s3:::${bucket}`,
            context: { ...secure, "s3:prefix": prefix },
          },
        ];
      }
      case "bus":
        return [
          {
            action: request.action,
            resource: this.arn("events", `event-bus/${fn.env.DDNS_EVENT_BUS ?? target.name}`),
            // Multivalued keys (one value per entry): this request is one bus, source and detail-type.
            context: {
              ...(target.source === undefined ? {} : { "events:source": [target.source] }),
              ...(target.detailType === undefined ? {} : { "events:detail-type": [target.detailType] }),
            },
          },
        ];
      case "log-group": {
        // The log group a job queries is the request function's.
        const name = `/aws/lambda/${this.requestFunction.name}`;
        return [{ action: request.action, resource: this.arn("logs", `log-group:${name}`), context: {} }];
      }
      case "queue": {
        const mine = Object.values(fn.env).find((value) =>
          this.queues.some((queue) => value.endsWith(`/${queue}`) || value === queue),
        );
        const name = mine?.split("/").at(-1) ?? (this.queues.length === 1 ? this.queues[0] : target.name);
        return [{ action: request.action, resource: this.arn("sqs", String(name)), context: {} }];
      }
      case "table":
        // The share table is the only one a function is told of (DDNS_SHARE_TABLE).
        return [
          {
            action: request.action,
            resource: this.arn(
              "dynamodb",
              `table/${fn.env.DDNS_SHARE_TABLE ?? `not-the-functions-${target.name}`}`,
            ),
            context: {
              "dynamodb:Attributes": target.attributes,
              ...(target.returnValues === undefined ? {} : { "dynamodb:ReturnValues": target.returnValues }),
            },
          },
        ];
      case "any":
        return [{ action: request.action, resource: "*", context: {} }];
    }
  }

  arn(service: string, resource: string): string {
    return `arn:aws:${service}:${this.region}:${ACCOUNT}:${resource}`;
  }

  /** Reading an SSE-KMS object makes S3 call kms:Decrypt with the caller's permissions (writing one, GenerateDataKey). */
  private withKms(request: IamRequest, bucket: string, key: string): IamRequest[] {
    const kms = this.bucketKmsKeys.get(bucket);
    if (!kms || !["s3:GetObject", "s3:PutObject"].includes(request.action)) return [request];
    return [
      request,
      {
        action: request.action === "s3:GetObject" ? "kms:Decrypt" : "kms:GenerateDataKey",
        resource: kms.key,
        context: {
          "kms:ViaService": `s3.${this.region}.amazonaws.com`,
          "kms:CallerAccount": ACCOUNT,
          "kms:EncryptionContext:aws:s3:arn": kms.bucketKey
            ? `arn:aws:s3:::${bucket}`
            : `arn:aws:s3:::${bucket}/${key}`,
          "kms:EncryptionContextKeys": ["aws:s3:arn"],
        },
      },
    ];
  }

  /** The resource policy that applies to a request's resource, if any. */
  resourcePolicy(request: IamRequest): Policy | undefined {
    if (request.action.startsWith("s3:")) {
      return this.bucketPolicies.get(request.resource.replace("arn:aws:s3:::", "").split("/")[0] ?? "");
    }
    if (request.action.startsWith("sqs:"))
      return this.queuePolicies.get(request.resource.split(":").at(-1) ?? "");
    if (request.action.startsWith("kms:")) {
      // A key Terraform did not create (var.kms_key_arn) has the default key policy: the account decides.
      return this.keyPolicies.get(request.resource) ?? DEFAULT_KEY_POLICY;
    }
    return undefined;
  }

  /**
   * The simulator's decision. It ignores a context key it does not know for the action (a misspelt
   * one would pass unnoticed): that is an error here, except kms:EncryptionContext:<key>, which it
   * does not match (it knows variable keys with a slash only); those requests are evaluated again
   * unvalidated, with every key as given.
   */
  async decide(fn: DeployedFunction, request: IamRequest): Promise<{ decision: Decision; detail: string }> {
    const resourcePolicy = this.resourcePolicy(request);
    const simulation = {
      identityPolicies: fn.identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
      request: {
        action: request.action,
        principal: fn.roleArn,
        resource: { resource: request.resource, accountId: ACCOUNT },
        contextVariables: request.context,
      },
    } as Parameters<typeof runSimulation>[0];
    const detail = `${fn.roleName}: ${request.action} ${request.resource} ${JSON.stringify(request.context)}`;
    const response = await runSimulation(simulation, {});
    if (response.resultType === "error") {
      throw new Error(`the simulator refused ${detail}: ${JSON.stringify(response.errors)}`);
    }
    const ignored = response.resultType === "single" ? (response.result.ignoredContextKeys ?? []) : [];
    const unknown = ignored.filter((key) => !/^kms:EncryptionContext:/i.test(key));
    if (unknown.length > 0)
      throw new Error(`context keys unknown for ${request.action}: ${unknown.join(", ")} (${detail})`);
    if (ignored.length > 0) {
      // Its unvalidated path reads the resource policy's name from a validated policy's metadata.
      const named = resourcePolicy && {
        __validated: true,
        policyDocument: resourcePolicy,
        metadata: { name: "resource" },
      };
      const unvalidated = { ...simulation, ...(named ? { resourcePolicy: named } : {}) } as typeof simulation;
      return { decision: runUnsafeSimulation(unvalidated, {}) as Decision, detail };
    }
    return { decision: response.overallResult as Decision, detail };
  }
}

const DEFAULT_KEY_POLICY: Policy = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "Enable IAM User Permissions",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: "kms:*",
      Resource: "*",
    },
  ],
};

/** The AWS-managed policies a function role may attach, as AWS publishes them. */
const AWS_MANAGED: Record<string, Policy> = {
  "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole": {
    Statement: [
      {
        Effect: "Allow",
        Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: "*",
      },
    ],
  },
  "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole": {
    Statement: [
      {
        Effect: "Allow",
        Action: [
          "sqs:ReceiveMessage",
          "sqs:DeleteMessage",
          "sqs:GetQueueAttributes",
          "logs:CreateLogGroup",
          "logs:CreateLogStream",
          "logs:PutLogEvents",
        ],
        Resource: "*",
      },
    ],
  },
};
