/**
 * The seed's protocol (the project this one grew from: README.md "Upgrading from the seed"), kept
 * working for its existing clients: `GET /?mode=get|set&hostname=&hash=` and its later client's
 * `POST /` JSON body. Responses keep the seed's shape and wording.
 * A `ts` argument selects the replay-proof token (docs/architecture.md "Tokens").
 */
import { verifyClaim } from "../core/auth.js";
import { BadRequestError } from "../core/errors.js";
import { parseHostname } from "../core/hostname.js";
import { isSha256Hex } from "../core/tokens.js";
import { applyUpdates, assertRecordTypeAllowed, lanPrefixFor } from "../core/update.js";
import { recordFailure, retryAfterHeader } from "./failures.js";
import {
  callerAddress,
  type HttpResult,
  jsonObjectBody,
  jsonResponse,
  queryOf,
  type RequestContext,
  readLanPrefix,
  singleParam,
  updateNoters,
} from "./http.js";

export const MODE_MESSAGE = "You must pass mode=get or mode=set arguments.";
export const HASH_MESSAGE = "You must pass a valid sha256 hash in the hash= argument.";
export const MATCHES_MESSAGE = "Your IP address matches the current Route53 DNS record.";

interface SeedRequest {
  readonly mode: string | undefined;
  readonly hostname: string | undefined;
  readonly hash: string | undefined;
  readonly ts: string | undefined;
  readonly ip6lanprefix: string | undefined;
}

function success(statusCode: number, message: string): HttpResult {
  return jsonResponse(statusCode, { return_status: "success", return_message: message });
}

function fail(statusCode: number, message: string, headers: Record<string, string> = {}): HttpResult {
  return jsonResponse(statusCode, { return_status: "fail", return_message: message }, headers);
}

function readQuery(context: RequestContext): SeedRequest {
  const params = queryOf(context.event);
  return {
    mode: singleParam(params, "mode"),
    hostname: singleParam(params, "hostname"),
    hash: singleParam(params, "hash"),
    ts: singleParam(params, "ts"),
    ip6lanprefix: singleParam(params, "ip6lanprefix"),
  };
}

/** The seed's later client's body: {"execution_mode", "ddns_hostname", "validation_hash"}, plus our "ts" and "ip6lanprefix". */
function readJsonBody(context: RequestContext): SeedRequest {
  const fields = jsonObjectBody(context.event);
  if (!fields) throw new BadRequestError("The request body must be a JSON object.");
  const text = (name: string): string | undefined => {
    const value = fields[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value === "number" && name === "ts") return String(value);
    if (typeof value !== "string") throw new BadRequestError(`The ${name} field must be a string.`);
    return value;
  };
  return {
    mode: text("execution_mode"),
    hostname: text("ddns_hostname"),
    hash: text("validation_hash"),
    ts: text("ts"),
    ip6lanprefix: text("ip6lanprefix"),
  };
}

export async function handleSeed(context: RequestContext): Promise<HttpResult> {
  try {
    const request = context.method === "POST" ? readJsonBody(context) : readQuery(context);
    if (request.mode === "get") {
      context.log.decision = "reflect";
      return success(200, callerAddress(context.event).text);
    }
    if (request.mode !== "set") throw new BadRequestError(MODE_MESSAGE);
    return await setRecord(context, request);
  } catch (error) {
    const failure = recordFailure(context.log, error);
    return fail(failure.status, failure.message, retryAfterHeader(failure));
  }
}

async function setRecord(context: RequestContext, request: SeedRequest): Promise<HttpResult> {
  const hostnameAsSent = request.hostname ?? "";
  const name = parseHostname(hostnameAsSent);
  if (!name.ok) {
    throw new BadRequestError(
      `You must pass a valid hostname in the hostname= argument: the name ${name.problem}.`,
    );
  }
  if (request.hash === undefined || !isSha256Hex(request.hash)) throw new BadRequestError(HASH_MESSAGE);
  const sentPrefix = readLanPrefix(request.ip6lanprefix, context.log);
  const ip = callerAddress(context.event);
  context.log.hostname = name.fqdn;
  context.log.recordType = ip.recordType;

  const backends = await context.backends();
  const host = (await backends.config.hosts([name.fqdn])).find(name.fqdn);
  verifyClaim(
    host,
    {
      ip: ip.text,
      hostnameAsSent,
      hash: request.hash,
      timestamp: request.ts,
      lanPrefix: sentPrefix?.asSent,
    },
    context.nowSeconds(),
  );
  assertRecordTypeAllowed(host, ip);
  const lanPrefix = lanPrefixFor(host, sentPrefix?.prefix, ip);

  const [result] = await applyUpdates(backends, [{ host, addresses: [ip], lanPrefix }], {
    protocol: "seed",
    sourceIp: ip.text,
    requestedAt: context.now(),
    ...updateNoters(context.log),
  });
  if (!result || result.outcome === "failed") throw result?.error;
  if (result.outcome === "unchanged") {
    context.log.decision = "unchanged";
    return success(200, MATCHES_MESSAGE);
  }
  context.log.decision = "updated";
  context.log.changeId = result.changeId;
  context.log.changes = [...result.changes];
  return success(201, `Your hostname record ${hostnameAsSent} has been set to ${ip.text}.`);
}
