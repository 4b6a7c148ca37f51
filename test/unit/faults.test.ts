/**
 * Faults the emulator cannot produce (AWS error codes), through the real request path and the real
 * adapters over mocked SDK clients: the status and Retry-After the caller gets, no partial update,
 * recovery once the fault ends, and the config's 15-minute stale bound on an injected clock.
 * Network faults (unreachable, timeouts) are in test/integration/faults.test.ts.
 */

import {
  ChangeResourceRecordSetsCommand,
  InvalidChangeBatch,
  ListResourceRecordSetsCommand,
  PriorRequestNotComplete,
  Route53Client,
  Route53ServiceException,
} from "@aws-sdk/client-route-53";
import { GetObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { S3ConfigStore } from "../../src/config/s3-store.js";
import { Route53Records } from "../../src/dns/route53.js";
import type { HttpResult } from "../../src/protocols/http.js";
import { directQueue } from "../support/direct-queue.js";
import { httpEvent } from "../support/events.js";
import { fleetConfig, fleetHost, setQuery } from "../support/fakes/fleet.js";
import { getObjectOutput } from "../support/mock-aws.js";

const ZONE_ID = "ZFAULTS00001";
const HOST = fleetHost(0);
const FQDN = `${HOST.hostname}.`;
const CALLER_IP = "203.0.113.7";
const OLD_IP = "198.51.100.1";
const CONFIG_CACHE_SECONDS = 60;
const MAX_STALE_SECONDS = 15 * 60;

const s3 = mockClient(S3Client);
const route53 = mockClient(Route53Client);

/** The config object as S3 returns it; its ETag changes with its length, so a new text is a new version. */
const configBody = (text: string) => getObjectOutput(text, `"${text.length}"`);

const throttling = () =>
  new Route53ServiceException({
    name: "Throttling",
    $fault: "client",
    $metadata: { httpStatusCode: 400 },
    message: "Rate exceeded",
  });
const priorRequestNotComplete = () =>
  new PriorRequestNotComplete({ $metadata: { httpStatusCode: 400 }, message: "The request was rejected" });
const invalidChangeBatch = () =>
  new InvalidChangeBatch({
    $metadata: { httpStatusCode: 400 },
    message: "Tried to create resource record set but it already exists",
  });
const accessDenied = () =>
  new S3ServiceException({
    name: "AccessDenied",
    $fault: "client",
    $metadata: { httpStatusCode: 403 },
    message: "Access Denied",
  });

/** A warm container on a clock the test moves. */
function container() {
  const clock = { now: Date.UTC(2025, 0, 1) };
  const now = () => clock.now;
  const backends = {
    config: new S3ConfigStore(new S3Client({}), {
      bucket: "ddns-config",
      key: "config.json",
      cacheSeconds: CONFIG_CACHE_SECONDS,
      maxStaleSeconds: MAX_STALE_SECONDS,
      now,
    }),
    dns: new Route53Records(new Route53Client({}), { recordCacheSeconds: 60, now }),
    queue: directQueue(),
  };
  const app = createApp({ backends: async () => backends, log: () => {}, now });
  return {
    set: () => app(httpEvent({ sourceIp: CALLER_IP, query: setQuery(HOST, CALLER_IP) })),
    queue: backends.queue,
    advanceSeconds: (seconds: number) => {
      clock.now += seconds * 1000;
    },
  };
}

function recordList(value: string) {
  return {
    ResourceRecordSets: [{ Name: FQDN, Type: "A" as const, TTL: 60, ResourceRecords: [{ Value: value }] }],
    IsTruncated: false,
  };
}

function body(result: HttpResult) {
  return JSON.parse(result.body ?? "{}") as { return_status: string; return_message: string };
}

/** Route 53 as the mock plays it: one record, and faults queued for the next calls of each action. */
const zone = { value: OLD_IP, listFaults: [] as Error[], changeFaults: [] as Error[] };

beforeEach(() => {
  s3.reset();
  route53.reset();
  Object.assign(zone, { value: OLD_IP, listFaults: [], changeFaults: [] });
  s3.on(GetObjectCommand).callsFake(() => configBody(JSON.stringify(fleetConfig(1, ZONE_ID))));
  route53.on(ListResourceRecordSetsCommand).callsFake(() => {
    const fault = zone.listFaults.shift();
    if (fault) throw fault;
    return recordList(zone.value);
  });
  route53.on(ChangeResourceRecordSetsCommand).callsFake((input: ChangeResourceRecordSetsCommand["input"]) => {
    const fault = zone.changeFaults.shift();
    if (fault) throw fault;
    zone.value = input.ChangeBatch?.Changes?.[0]?.ResourceRecordSet?.ResourceRecords?.[0]?.Value ?? "";
    return { ChangeInfo: { Id: "/change/C1", Status: "PENDING", SubmittedAt: new Date() } };
  });
});

describe("Route 53 refuses or fails the change in the record writer", () => {
  it.each([
    { fault: "Throttling", error: throttling },
    { fault: "PriorRequestNotComplete", error: priorRequestNotComplete },
  ])(
    "$fault → the router hears 201, the message comes again and is written once the fault ends",
    async ({ error }) => {
      // prepare
      const { set, queue } = container();
      zone.changeFaults.push(error());

      // act
      const answered = await set();
      const stillPending = queue.pending.length;
      const failedAgain = await queue.redeliver();

      // assess
      expect(answered.statusCode).toBe(201);
      expect(stillPending).toBe(1);
      expect(failedAgain).toBe(0);
      expect(zone.value).toBe(CALLER_IP);
      expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 2);
      expect(route53).toHaveReceivedNthCommandWith(ChangeResourceRecordSetsCommand, 2, {
        HostedZoneId: ZONE_ID,
        ChangeBatch: expect.objectContaining({
          Changes: [
            {
              Action: "UPSERT",
              ResourceRecordSet: { Name: FQDN, Type: "A", TTL: 60, ResourceRecords: [{ Value: CALLER_IP }] },
            },
          ],
        }),
      });
    },
  );

  it("InvalidChangeBatch → the message stays failed (for the dead-letter queue), nothing else changes", async () => {
    // prepare
    const { set, queue } = container();
    zone.changeFaults.push(invalidChangeBatch(), invalidChangeBatch());

    // act
    await set();
    const failedAgain = await queue.redeliver();

    // assess
    expect(failedAgain).toBe(1);
    expect(zone.value).toBe(OLD_IP);
  });
});

describe("Route 53 throttles reads", () => {
  it("a throttled zone read → 429 with Retry-After, and the next check succeeds", async () => {
    // prepare
    const { set } = container();
    zone.value = CALLER_IP;
    zone.listFaults.push(throttling());

    // act
    const throttled = await set();
    const recovered = await set();

    // assess
    expect(throttled.statusCode).toBe(429);
    expect(throttled.headers?.["retry-after"]).toBe("2");
    expect(recovered.statusCode).toBe(200);
    expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 0);
  });
});

describe("the config in S3 cannot be read", () => {
  it.each([
    { fault: "AccessDenied", fail: () => s3.on(GetObjectCommand).rejects(accessDenied()) },
    {
      fault: "a malformed object",
      fail: () => s3.on(GetObjectCommand).callsFake(() => configBody("{ not json")),
    },
  ])(
    "$fault with no copy cached → 503 with Retry-After, nothing written; recovers when fixed",
    async ({ fail }) => {
      // prepare
      const { set, advanceSeconds } = container();
      fail();

      // act
      const failed = await set();
      s3.on(GetObjectCommand).callsFake(() => configBody(JSON.stringify(fleetConfig(1, ZONE_ID))));
      advanceSeconds(5); // past the store's back-off after a failed fetch
      const recovered = await set();

      // assess
      expect(failed.statusCode).toBe(503);
      expect(failed.headers?.["retry-after"]).toBe("5");
      expect(body(failed).return_message).toBe("The service is temporarily unavailable; try again later.");
      expect(recovered.statusCode).toBe(201);
      expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 1);
    },
  );

  it.each([
    { fault: "AccessDenied", fail: () => s3.on(GetObjectCommand).rejects(accessDenied()) },
    {
      fault: "a malformed object",
      fail: () => s3.on(GetObjectCommand).callsFake(() => configBody("{ not json")),
    },
  ])("$fault with a copy cached → the copy serves for 15 minutes, then 503", async ({ fail }) => {
    // prepare: a warm container, then the fault
    const { set, advanceSeconds } = container();
    expect((await set()).statusCode).toBe(201);
    fail();

    // act
    advanceSeconds(MAX_STALE_SECONDS - 1);
    const withinBound = await set();
    advanceSeconds(2);
    const pastBound = await set();

    // assess
    expect(withinBound.statusCode).toBe(200);
    expect(pastBound.statusCode).toBe(503);
    expect(pastBound.headers?.["retry-after"]).toBe("5");
  });
});
