/**
 * IAM, evaluated: moto applies no policy, so the integration and e2e suites record every AWS call
 * the functions make (DDNS_AWS_CALLS, test/support/aws-recorder.ts) and this suite judges each one
 * against the policies Terraform produces — the tests' deployment (test/support/deployment.ts: the
 * root module applied to moto with every optional part on: change events, quiet-host job, SSE-KMS,
 * HTTPS-only buckets and queues) — with @cloud-copilot/iam-simulate. Every recorded call must be Allowed; a corpus of calls the
 * functions must never be able to make must each be Denied; and the suite shows it can fail.
 * `make test-iam` runs it after `make test-integration test-e2e` (which record).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { RecordedCall } from "../support/aws-recorder.js";
import { deployment as appliedDeployment } from "../support/deployment.js";
import { type DeployedFunction, Deployment } from "./deployment.js";
import {
  type Change,
  changeContext,
  type IamRequest,
  normalizedRecordName,
  recordedRequests,
} from "./requests.js";

const CALLS = resolve(process.env.DDNS_AWS_CALLS_DIR ?? ".aws-calls");

function recordedCalls(): RecordedCall[] {
  const files = existsSync(CALLS) ? readdirSync(CALLS, { recursive: true, encoding: "utf8" }) : [];
  return files
    .filter((file) => file.endsWith(".jsonl"))
    .flatMap((file) => readFileSync(join(CALLS, file), "utf8").split("\n").filter(Boolean))
    .map((line) => JSON.parse(line) as RecordedCall);
}

describe("IAM, evaluated against the policies Terraform produces", () => {
  let deployment: Deployment;
  let writers: DeployedFunction[];

  const change = (changes: Change[], zoneId = deployment.zoneId): IamRequest => ({
    action: "route53:ChangeResourceRecordSets",
    resource: deployment.zoneArn(zoneId),
    context: changeContext(changes),
  });
  const inZone = (label: string) => (label ? `${label}.${deployment.zoneName}` : deployment.zoneName);
  const allowedFor = async (fn: DeployedFunction, request: IamRequest) =>
    (await deployment.decide(fn, request)).decision === "Allowed";

  beforeAll(async () => {
    deployment = Deployment.fromStateFile(appliedDeployment().stateFile);
    const probe = change([{ action: "UPSERT", name: inZone("probe"), type: "A" }]);
    writers = [];
    for (const fn of deployment.functions) if (await allowedFor(fn, probe)) writers.push(fn);
  }, 300_000);

  it("normalises record names as Route 53 does for its condition keys", () => {
    expect(normalizedRecordName("*.Home.Dyn.Example.COM.")).toBe("\\052.home.dyn.example.com");
    expect(normalizedRecordName("\\052.home.example.")).toBe("\\052.home.example");
    expect(normalizedRecordName("a b@c_d-e.example")).toBe("a\\040b\\100c_d-e.example");
  });

  it("every AWS call the functions made in the integration and e2e suites is Allowed", async () => {
    // prepare: each distinct request once
    const calls = recordedCalls();
    const requests = new Map(
      calls.flatMap(recordedRequests).map((request) => [JSON.stringify(request), request]),
    );
    const actions = new Set([...requests.values()].map((request) => request.action));
    expect(
      calls.length,
      `no calls recorded in ${CALLS}: run make test-integration test-e2e first`,
    ).toBeGreaterThan(0);
    for (const action of [
      "route53:ChangeResourceRecordSets",
      "route53:ListResourceRecordSets",
      "s3:GetObject",
      "dynamodb:UpdateItem",
    ]) {
      expect(actions, `the recordings have no ${action}`).toContain(action);
    }
    // act: allowed when one function's role allows all IAM requests the call makes (S3 asks KMS too)
    const refused: string[] = [];
    const notMade = new Set<string>();
    for (const request of requests.values()) {
      let allowed = false;
      let applicable = false;
      const details: string[] = [];
      for (const fn of deployment.functions) {
        const placed = deployment.place(request, fn);
        // Not a call this function makes as deployed (see Deployment.place): judged by terraform/tests.
        if (placed.length === 0) {
          notMade.add(request.action);
          continue;
        }
        applicable = true;
        const decisions = await Promise.all(placed.map((one) => deployment.decide(fn, one)));
        if (decisions.every((one) => one.decision === "Allowed")) allowed = true;
        details.push(
          ...decisions
            .filter((one) => one.decision !== "Allowed")
            .map((one) => `${one.decision} ${one.detail}`),
        );
      }
      if (applicable && !allowed) refused.push(`${JSON.stringify(request)}\n    ${details.join("\n    ")}`);
    }
    // assess
    expect(refused).toEqual([]);
    expect([...notMade].filter((action) => action !== "route53:GetHostedZone")).toEqual([]);
  });

  it("some role may change address records, and only a record writer when there is one", () => {
    expect(writers.length).toBeGreaterThan(0);
    if (
      deployment.functions.some((fn) => fn.handler !== "index.handler" && fn.handler.startsWith("writer."))
    ) {
      expect(writers.map((fn) => fn.handler)).not.toContain("index.handler");
    }
  });

  describe("the Route 53 changes no function may make", () => {
    const forbidden: [
      string,
      (zone: (label: string) => string) => Change[] | { zoneId: string; changes: Change[] },
    ][] = [
      ["the zone apex", (z) => [{ action: "UPSERT", name: z(""), type: "A" }]],
      [
        "_acme-challenge at the apex, UPSERT",
        (z) => [{ action: "UPSERT", name: z("_acme-challenge"), type: "TXT" }],
      ],
      [
        "an escaped name that is not a host's wildcard",
        (z) => [{ action: "UPSERT", name: z("a*b"), type: "A" }],
      ],
      ["another escaped character", (z) => [{ action: "UPSERT", name: z("a@b"), type: "A" }]],
      ["a wildcard at the apex", (z) => [{ action: "UPSERT", name: z("*"), type: "A" }]],
      ["a wildcard in the middle", (z) => [{ action: "UPSERT", name: z("home.*.x"), type: "A" }]],
      ["NS", (z) => [{ action: "UPSERT", name: z("home"), type: "NS" }]],
      ["MX", (z) => [{ action: "UPSERT", name: z("home"), type: "MX" }]],
      ["CNAME", (z) => [{ action: "UPSERT", name: z("home"), type: "CNAME" }]],
      ["TXT outside ACME", (z) => [{ action: "CREATE", name: z("home"), type: "TXT" }]],
      [
        "UPSERT of an ACME TXT (only CREATE and DELETE)",
        (z) => [{ action: "UPSERT", name: z("_acme-challenge.home"), type: "TXT" }],
      ],
      ["DELETE of an address record", (z) => [{ action: "DELETE", name: z("home"), type: "A" }]],
      ["a name outside the zone", () => [{ action: "UPSERT", name: "home.example.org", type: "A" }]],
      [
        "another hosted zone",
        (z) => ({ zoneId: "Z0THERZONE000", changes: [{ action: "UPSERT", name: z("home"), type: "A" }] }),
      ],
      [
        "a batch of an allowed and a forbidden name",
        (z) => [
          { action: "UPSERT", name: z("home"), type: "A" },
          { action: "UPSERT", name: z(""), type: "A" },
        ],
      ],
      [
        "a batch of an allowed and a forbidden type",
        (z) => [
          { action: "UPSERT", name: z("home"), type: "A" },
          { action: "UPSERT", name: z("home"), type: "MX" },
        ],
      ],
    ];

    it.each(forbidden)("%s: Denied for every role", async (_, build) => {
      const built = build(inZone);
      const request = Array.isArray(built) ? change(built) : change(built.changes, built.zoneId);
      for (const fn of deployment.functions)
        expect((await deployment.decide(fn, request)).decision).not.toBe("Allowed");
    });

    it("each reserved name (DDNS_RESERVED_NAMES: the apex, the API's custom domain) and its _acme-challenge: Denied", async () => {
      for (const fn of deployment.functions) {
        const reserved = (fn.env.DDNS_RESERVED_NAMES ?? "").split(",").filter(Boolean);
        expect(reserved).toContain(deployment.zoneName);
        for (const name of reserved) {
          for (const [type, action, owner] of [
            ["A", "UPSERT", name],
            ["TXT", "CREATE", `_acme-challenge.${name}`],
          ]) {
            const request = change([
              { action: action as string, name: owner as string, type: type as string },
            ]);
            expect((await deployment.decide(fn, request)).decision, `${fn.name} ${type} ${owner}`).not.toBe(
              "Allowed",
            );
          }
        }
      }
    });

    it("what the functions do write stays allowed (the corpus is not denied for another reason)", async () => {
      const allowed = [
        change([
          { action: "UPSERT", name: inZone("home"), type: "A" },
          { action: "UPSERT", name: inZone("home"), type: "AAAA" },
        ]),
        change([{ action: "UPSERT", name: inZone("*.home"), type: "A" }]),
        change([
          { action: "CREATE", name: inZone("_acme-challenge.home"), type: "TXT" },
          { action: "DELETE", name: inZone("_acme-challenge.home"), type: "TXT" },
        ]),
        change([{ action: "CREATE", name: inZone("nas._acme-dns"), type: "TXT" }]),
      ];
      for (const request of allowed) {
        expect(await Promise.all(writers.map((fn) => allowedFor(fn, request)))).not.toContain(false);
      }
    });

    it("a change whose condition keys are missing is Denied (each Allow carries a Null guard); a misspelt key stops the suite", async () => {
      const upsert = change([{ action: "UPSERT", name: inZone("home"), type: "A" }]);
      const names = "route53:ChangeResourceRecordSetsNormalizedRecordNames";
      const { [names]: value, ...withoutNames } = upsert.context;
      const misspelt = {
        ...withoutNames,
        "route53:ChangeResourceRecordSetNormalizedRecordNames": value as string[],
      };
      for (const fn of deployment.functions) {
        for (const context of [{}, withoutNames]) {
          expect((await deployment.decide(fn, { ...upsert, context })).decision).not.toBe("Allowed");
        }
        // The simulator would ignore a misspelt key: the evaluation refuses to go on instead.
        await expect(deployment.decide(fn, { ...upsert, context: misspelt })).rejects.toThrow(
          /context keys unknown/,
        );
        for (const { policy } of fn.identityPolicies) {
          for (const statement of policy.Statement) {
            const actions = [statement.Action].flat();
            if (statement.Effect !== "Allow" || !actions.includes("route53:ChangeResourceRecordSets"))
              continue;
            expect(statement.Condition?.Null, `${fn.roleName} ${statement.Sid}`).toEqual(
              Object.fromEntries(Object.keys(upsert.context).map((key) => [key, "false"])),
            );
          }
        }
      }
    });
  });

  describe("the other calls no function may make", () => {
    const configBucket = () => deployment.requestFunction.env.DDNS_CONFIG_BUCKET as string;
    const configKey = () => deployment.requestFunction.env.DDNS_CONFIG_KEY as string;
    const stateBucket = () =>
      deployment.functions.find((fn) => fn.env.DDNS_WRITER_STATE_BUCKET)?.env
        .DDNS_WRITER_STATE_BUCKET as string;
    const shareTable = () =>
      deployment.arn("dynamodb", `table/${deployment.requestFunction.env.DDNS_SHARE_TABLE}`);
    const shareCount = (context: Record<string, string | string[]> = {}) => ({
      "dynamodb:Attributes": ["changes", "expires", "id"],
      "dynamodb:ReturnValues": "NONE",
      ...context,
    });
    const secure = { "aws:SecureTransport": "true" };
    const cases: [string, () => IamRequest][] = [
      [
        "s3:PutObject on the config",
        () => ({
          action: "s3:PutObject",
          resource: `arn:aws:s3:::${configBucket()}/${configKey()}`,
          context: secure,
        }),
      ],
      [
        "s3:DeleteObject on the config",
        () => ({
          action: "s3:DeleteObject",
          resource: `arn:aws:s3:::${configBucket()}/${configKey()}`,
          context: secure,
        }),
      ],
      [
        "s3:GetObject outside the config keys",
        () => ({
          action: "s3:GetObject",
          resource: `arn:aws:s3:::${configBucket()}/other.json`,
          context: secure,
        }),
      ],
      [
        "s3:PutObject outside applied/ in the state bucket (the old share slots, say)",
        () => ({
          action: "s3:PutObject",
          resource: `arn:aws:s3:::${stateBucket()}/shares/h/1/0`,
          context: { ...secure, "s3:if-none-match": "*" },
        }),
      ],
      [
        "dynamodb:UpdateItem on another table",
        () => ({
          action: "dynamodb:UpdateItem",
          resource: deployment.arn("dynamodb", "table/someone-elses-table"),
          context: shareCount(),
        }),
      ],
      [
        "dynamodb:UpdateItem of the share table writing another attribute",
        () => ({
          action: "dynamodb:UpdateItem",
          resource: shareTable(),
          context: shareCount({ "dynamodb:Attributes": ["changes", "expires", "id", "note"] }),
        }),
      ],
      [
        "dynamodb:UpdateItem of the share table reading the item back (ReturnValues ALL_OLD)",
        () => ({
          action: "dynamodb:UpdateItem",
          resource: shareTable(),
          context: shareCount({ "dynamodb:ReturnValues": "ALL_OLD" }),
        }),
      ],
      ...(["GetItem", "PutItem", "DeleteItem", "Scan"] as const).map(
        (operation): [string, () => IamRequest] => [
          `dynamodb:${operation} on the share table`,
          () => ({ action: `dynamodb:${operation}`, resource: shareTable(), context: {} }),
        ],
      ),
      [
        "s3:GetObject of the config over plain HTTP (aws:SecureTransport false)",
        () => ({
          action: "s3:GetObject",
          resource: `arn:aws:s3:::${configBucket()}/${configKey()}`,
          context: { "aws:SecureTransport": "false" },
        }),
      ],
      [
        "kms:Decrypt not via S3",
        () => ({
          action: "kms:Decrypt",
          resource: [...deployment.bucketKmsKeys.values()][0]?.key ?? "",
          context: { "kms:CallerAccount": "123456789012" },
        }),
      ],
      [
        "kms:Decrypt via S3 for another bucket",
        () => ({
          action: "kms:Decrypt",
          resource: [...deployment.bucketKmsKeys.values()][0]?.key ?? "",
          context: {
            "kms:ViaService": `s3.${deployment.region}.amazonaws.com`,
            "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::someone-elses-bucket",
          },
        }),
      ],
      [
        "events:PutEvents on another bus",
        () => ({
          action: "events:PutEvents",
          resource: deployment.arn("events", "event-bus/default"),
          context: {},
        }),
      ],
      [
        "events:PutEvents on the deployment's bus with another source",
        () => ({
          action: "events:PutEvents",
          resource: deployment.arn("events", `event-bus/${deployment.requestFunction.env.DDNS_EVENT_BUS}`),
          context: { "events:source": ["aws.partner.someone"], "events:detail-type": ["DNS record changed"] },
        }),
      ],
      [
        "logs:StartQuery on another log group",
        () => ({
          action: "logs:StartQuery",
          resource: deployment.arn("logs", "log-group:/aws/lambda/someone-else"),
          context: {},
        }),
      ],
      [
        "sqs:SendMessage to another queue",
        () => ({
          action: "sqs:SendMessage",
          resource: deployment.arn("sqs", "someone-elses-queue"),
          context: {},
        }),
      ],
      [
        "iam:PassRole",
        () => ({ action: "iam:PassRole", resource: `arn:aws:iam::123456789012:role/admin`, context: {} }),
      ],
      ["route53:ListHostedZones", () => ({ action: "route53:ListHostedZones", resource: "*", context: {} })],
    ];

    it.each(cases)("%s: Denied for every role", async (_, build) => {
      const request = build();
      expect(request.resource).not.toBe("");
      for (const fn of deployment.functions)
        expect((await deployment.decide(fn, request)).decision, fn.name).not.toBe("Allowed");
    });

    it("the calls above are denied by their resource, not by their action: the right ones are Allowed", async () => {
      const fn = deployment.requestFunction;
      const config = {
        action: "s3:GetObject",
        resource: `arn:aws:s3:::${configBucket()}/${configKey()}`,
        context: secure,
      };
      const [read, decrypt] = deployment.place(
        { action: "s3:GetObject", target: { kind: "object", bucket: "b", key: "config.json" } },
        fn,
      );
      expect(read).toEqual(config);
      expect(decrypt?.action).toBe("kms:Decrypt");
      expect((await deployment.decide(fn, config)).decision).toBe("Allowed");
      expect((await deployment.decide(fn, decrypt as IamRequest)).decision).toBe("Allowed");
      const count = { action: "dynamodb:UpdateItem", resource: shareTable(), context: shareCount() };
      expect((await deployment.decide(fn, count)).decision).toBe("Allowed");
      // Change events come from the writer, with their source and detail-type.
      const writer = deployment.functions.find((one) => one.handler === "writer.handler");
      const changeEvent = {
        action: "events:PutEvents",
        resource: deployment.arn("events", `event-bus/${fn.env.DDNS_EVENT_BUS}`),
        context: { "events:source": ["route53-ddns"], "events:detail-type": ["DNS record changed"] },
      };
      expect(writer && (await deployment.decide(writer, changeEvent)).decision).toBe("Allowed");
    });
  });

  describe("the suite can fail", () => {
    /** The request function with its policies rewritten. */
    const mutated = (
      rewrite: (statement: Record<string, unknown>) => Record<string, unknown>,
    ): DeployedFunction => {
      const fn = writers[0] as DeployedFunction;
      return {
        ...fn,
        identityPolicies: fn.identityPolicies.map(({ name, policy }) => ({
          name,
          policy: {
            ...policy,
            Statement: policy.Statement.map((s) => rewrite(structuredClone(s)) as typeof s),
          },
        })),
      };
    };

    it("without the Null guard, a change with its keys missing would be Allowed", async () => {
      const unguarded = mutated((statement) => {
        const condition = statement.Condition as Record<string, unknown> | undefined;
        if (condition) delete condition.Null;
        return statement;
      });
      const keyless = {
        action: "route53:ChangeResourceRecordSets",
        resource: deployment.zoneArn(),
        context: {},
      };
      expect((await deployment.decide(unguarded, keyless)).decision).toBe("Allowed");
    });

    it("with ForAnyValue for ForAllValues, a batch of an allowed and a forbidden type would be Allowed", async () => {
      const loose = mutated((statement) =>
        JSON.parse(JSON.stringify(statement).replaceAll("ForAllValues:", "ForAnyValue:")),
      );
      const mixed = change([
        { action: "UPSERT", name: inZone("home"), type: "A" },
        { action: "UPSERT", name: inZone("home"), type: "MX" },
      ]);
      expect((await deployment.decide(writers[0] as DeployedFunction, mixed)).decision).not.toBe("Allowed");
      expect((await deployment.decide(loose, mixed)).decision).toBe("Allowed");
    });

    it("a recorded call the policies do not allow is reported", async () => {
      const fn = deployment.requestFunction;
      const [put] = deployment.place(
        { action: "s3:PutObject", target: { kind: "object", bucket: "b", key: "config.json" } },
        fn,
      );
      expect((await deployment.decide(fn, put as IamRequest)).decision).not.toBe("Allowed");
    });
  });
});
