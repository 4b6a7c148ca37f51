/**
 * What IAM sees of an AWS call: the action, the resource's ARN and the condition-key values the
 * service puts in the request context, computed from a call recorded on the wire
 * (test/support/aws-recorder.ts). A call this file does not know is an error, not a pass: a new call
 * in the functions has to be taught here, and so gets judged.
 */
import type { RecordedCall } from "../support/aws-recorder.js";

export const ACCOUNT = "123456789012";

export type Context = Record<string, string | string[]>;

export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  readonly context: Context;
}

/** Where a recorded call lands, in the recording's own terms; a deployment maps it onto its resources. */
export type Target =
  | { kind: "zone"; zoneId: string; zoneName: string; changes?: Change[] }
  | { kind: "object"; bucket: string; key: string; ifNoneMatch?: string }
  | { kind: "bucket"; bucket: string; prefix?: string }
  | { kind: "bus"; name: string; source?: string; detailType?: string }
  | { kind: "log-group"; name: string }
  | { kind: "queue"; name: string }
  | { kind: "table"; name: string; attributes: string[]; returnValues?: string }
  | { kind: "any" };

export interface Change {
  readonly action: string;
  /** The name as sent (absolute or not, escapes or not). */
  readonly name: string;
  readonly type: string;
}

export interface RecordedRequest {
  readonly action: string;
  readonly target: Target;
}

/**
 * Route 53's normalisation for `route53:ChangeResourceRecordSetsNormalizedRecordNames`: lower case,
 * no trailing dot, every character outside a-z 0-9 - _ . as a backslash and three octal digits
 * (so `*` is `\052`). Escapes already in the name (`\052`, `\\`) are read first, as Route 53 does.
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-rrset-conditions.html
 */
export function normalizedRecordName(name: string): string {
  const decoded = name.replace(/\\([0-7]{3}|.)/g, (_, sequence: string) =>
    sequence.length === 3 ? String.fromCharCode(Number.parseInt(sequence, 8)) : sequence,
  );
  return [...decoded.toLowerCase().replace(/\.$/, "")]
    .map((char) =>
      /[a-z0-9\-_.]/.test(char) ? char : `\\${char.charCodeAt(0).toString(8).padStart(3, "0")}`,
    )
    .join("");
}

/** The three Route 53 keys of a change batch. */
export function changeContext(changes: readonly Change[]): Context {
  return {
    "route53:ChangeResourceRecordSetsActions": [...new Set(changes.map((change) => change.action))],
    "route53:ChangeResourceRecordSetsRecordTypes": [...new Set(changes.map((change) => change.type))],
    "route53:ChangeResourceRecordSetsNormalizedRecordNames": [
      ...new Set(changes.map((change) => normalizedRecordName(change.name))),
    ],
  };
}

function tag(xml: string, name: string): string {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1] ?? "";
}

const unescapeXml = (text: string) =>
  text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");

function route53(call: RecordedCall, path: string): RecordedRequest {
  const zone = /^\/2013-04-01\/hostedzone\/([^/]+)(\/rrset)?\/?$/.exec(path);
  if (zone?.[1]) {
    const where = { kind: "zone" as const, zoneId: zone[1], zoneName: call.zoneName ?? "" };
    if (!zone[2]) return { action: "route53:GetHostedZone", target: where };
    if (call.method === "GET") return { action: "route53:ListResourceRecordSets", target: where };
    const changes = [...call.body.matchAll(/<Change>([\s\S]*?)<\/Change>/g)].map(([, block = ""]) => ({
      action: tag(block, "Action"),
      name: unescapeXml(tag(block, "Name")),
      type: tag(block, "Type"),
    }));
    return { action: "route53:ChangeResourceRecordSets", target: { ...where, changes } };
  }
  if (/^\/2013-04-01\/change\//.test(path)) return { action: "route53:GetChange", target: { kind: "any" } };
  throw new Error(`unknown Route 53 call ${call.method} ${call.url}`);
}

function s3(call: RecordedCall, path: string, query: URLSearchParams): RecordedRequest {
  const [, bucket = "", ...rest] = path.split("/");
  const key = decodeURIComponent(rest.join("/"));
  if (key === "" && call.method === "GET" && query.has("list-type")) {
    return { action: "s3:ListBucket", target: { kind: "bucket", bucket, prefix: query.get("prefix") ?? "" } };
  }
  const object = { kind: "object" as const, bucket, key };
  if (key !== "" && (call.method === "GET" || call.method === "HEAD"))
    return { action: "s3:GetObject", target: object };
  if (key !== "" && call.method === "PUT") {
    // A conditional create: the s3:if-none-match key the share bucket's statement requires.
    const ifNoneMatch = call.headers["if-none-match"];
    return { action: "s3:PutObject", target: ifNoneMatch ? { ...object, ifNoneMatch } : object };
  }
  if (key !== "" && call.method === "DELETE") return { action: "s3:DeleteObject", target: object };
  throw new Error(`unknown S3 call ${call.method} ${call.url}`);
}

function jsonBody(call: RecordedCall): Record<string, unknown> {
  try {
    return JSON.parse(call.body || "{}") as Record<string, unknown>;
  } catch {
    return {};
  }
}

const lastPart = (value: string, separator: string) => value.split(separator).at(-1) ?? value;

/** Words of DynamoDB's expression grammar that are not attribute names. */
const EXPRESSION_WORDS = new Set(["SET", "ADD", "REMOVE", "DELETE", "AND", "OR", "NOT", "BETWEEN", "IN"]);

/**
 * `dynamodb:Attributes` of an item request: the top-level attribute names it touches, the key's
 * included, as DynamoDB puts them in the request context. Names come from the key and from every
 * expression (`#name` through ExpressionAttributeNames); `:values`, functions and keywords are not names.
 */
function itemAttributes(body: Record<string, unknown>): string[] {
  const aliases = (body.ExpressionAttributeNames as Record<string, string> | undefined) ?? {};
  const names = new Set(Object.keys((body.Key as Record<string, unknown> | undefined) ?? {}));
  for (const field of ["UpdateExpression", "ConditionExpression", "ProjectionExpression"]) {
    const expression = typeof body[field] === "string" ? (body[field] as string) : "";
    for (const match of expression.matchAll(/([:#]?[A-Za-z_][A-Za-z0-9_]*)(\s*\()?/g)) {
      const [, word = "", call] = match;
      if (word.startsWith(":") || call || EXPRESSION_WORDS.has(word.toUpperCase())) continue;
      names.add(word.startsWith("#") ? (aliases[word] ?? word) : word);
    }
  }
  return [...names].sort();
}

/** Every IAM request one recorded call makes (PutEvents with entries for several buses makes several). */
export function recordedRequests(call: RecordedCall): RecordedRequest[] {
  const url = new URL(call.url, "http://emulator");
  const target = call.headers["x-amz-target"] ?? "";
  const body = jsonBody(call);
  switch (call.service) {
    case "route53":
      return [route53(call, url.pathname)];
    case "s3":
      return [s3(call, url.pathname, url.searchParams)];
    case "events": {
      if (target !== "AWSEvents.PutEvents") break;
      // One request per bus, source and detail-type: the writer's and the job's statements condition on both.
      const entries =
        (body.Entries as { EventBusName?: string; Source?: string; DetailType?: string }[] | undefined) ?? [];
      const distinct = new Map(
        entries.map((entry) => {
          const target = {
            kind: "bus" as const,
            name: lastPart(entry.EventBusName ?? "default", "/"),
            source: entry.Source ?? "",
            detailType: entry.DetailType ?? "",
          };
          return [JSON.stringify(target), target];
        }),
      );
      return [...distinct.values()].map((bus) => ({ action: "events:PutEvents", target: bus }));
    }
    case "logs": {
      if (target.endsWith(".StartQuery")) {
        const names = [
          ...((body.logGroupNames as string[] | undefined) ?? []),
          ...((body.logGroupIdentifiers as string[] | undefined) ?? []),
          ...(typeof body.logGroupName === "string" ? [body.logGroupName] : []),
        ].map((name) => lastPart(name, ":log-group:"));
        return names.map((name) => ({ action: "logs:StartQuery", target: { kind: "log-group", name } }));
      }
      if (target.endsWith(".GetQueryResults") || target.endsWith(".StopQuery")) {
        return [{ action: `logs:${lastPart(target, ".")}`, target: { kind: "any" } }];
      }
      break;
    }
    case "dynamodb": {
      const operation = lastPart(target, ".");
      if (!["UpdateItem", "PutItem", "GetItem", "DeleteItem"].includes(operation)) break;
      return [
        {
          action: `dynamodb:${operation}`,
          target: {
            kind: "table",
            name: String(body.TableName ?? ""),
            attributes: itemAttributes(body),
            ...(typeof body.ReturnValues === "string" ? { returnValues: body.ReturnValues } : {}),
          },
        },
      ];
    }
    case "sqs": {
      const operation = lastPart(target, ".");
      if (!operation) break;
      const queueUrl = String(body.QueueUrl ?? "");
      return [
        {
          action: `sqs:${operation.replace(/Batch$/, "")}`,
          target: { kind: "queue", name: lastPart(queueUrl, "/") },
        },
      ];
    }
  }
  throw new Error(`unknown ${call.service} call ${call.method} ${call.url} ${target}`);
}
