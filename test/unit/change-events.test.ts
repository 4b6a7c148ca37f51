/**
 * Change events: the EventBridge publisher at the SDK (aws-sdk-client-mock), the bound that keeps a
 * slow or failing bus away from the update, and the events the update decision emits through the
 * whole app (one per changed record, none without a change).
 */
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { ChangeResourceRecordSetsCommand, InvalidChangeBatch, Route53Client } from "@aws-sdk/client-route-53";
import { S3Client } from "@aws-sdk/client-s3";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import type { LogEntry } from "../../src/core/log.js";
import type { RecordChangeEvent } from "../../src/core/ports.js";
import { boundedChangeEvents } from "../../src/events/bounded.js";
import { EVENT_DETAIL_TYPE, EVENT_SOURCE, eventBridgePublisher } from "../../src/events/eventbridge.js";
import { httpEvent } from "../support/events.js";
import { aRecord, mockConfig, mockRecords, testApp, ZONE_ID } from "../support/mock-aws.js";

const BUS = "ddns-events";
const SECRET = "router-secret-0123456789abcdef";

const change = (hostname: string, extra: Partial<RecordChangeEvent> = {}): RecordChangeEvent => ({
  hostname,
  type: "A",
  previous: ["198.51.100.1"],
  current: ["203.0.113.10"],
  protocol: "dyndns2",
  sourceIp: "203.0.113.10",
  changeId: "/change/C1",
  ...extra,
});

const details = (eventBridge: AwsClientStub<EventBridgeClient>): RecordChangeEvent[] =>
  eventBridge
    .commandCalls(PutEventsCommand)
    .flatMap((call) => call.args[0].input.Entries ?? [])
    .map((entry) => JSON.parse(entry.Detail ?? "{}"));

describe("EventBridge publisher", () => {
  const eventBridge = mockClient(EventBridgeClient);
  beforeEach(() => eventBridge.reset());

  it("sends one entry per change on the bus, with the agreed source, detail-type and detail", async () => {
    // prepare
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e1" }] });
    const publish = eventBridgePublisher(new EventBridgeClient({ region: "us-east-1" }), BUS);
    // act
    await publish([change("home.dyn.example.com.")]);
    // assess
    expect(eventBridge).toReceiveCommandTimes(PutEventsCommand, 1);
    const [entry] = eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries ?? [];
    expect(entry).toMatchObject({ EventBusName: BUS, Source: EVENT_SOURCE, DetailType: EVENT_DETAIL_TYPE });
    expect(EVENT_SOURCE).toBe("route53-ddns");
    expect(EVENT_DETAIL_TYPE).toBe("DNS record changed");
    expect(JSON.parse(entry?.Detail ?? "")).toEqual(change("home.dyn.example.com."));
  });

  it("splits more than ten changes into calls of at most ten entries (the PutEvents limit)", async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    const publish = eventBridgePublisher(new EventBridgeClient({ region: "us-east-1" }), BUS);
    const changes = Array.from({ length: 23 }, (_, index) => change(`h${index}.dyn.example.com.`));

    await publish(changes);

    const sizes = eventBridge
      .commandCalls(PutEventsCommand)
      .map((call) => call.args[0].input.Entries?.length);
    expect(sizes).toEqual([10, 10, 3]);
    expect(details(eventBridge).map((detail) => detail.hostname)).toEqual(changes.map((c) => c.hostname));
  });

  it("rejects when EventBridge refuses entries, so the bound can log it", async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: "InternalFailure" }] });
    const publish = eventBridgePublisher(new EventBridgeClient({ region: "us-east-1" }), BUS);

    await expect(publish([change("home.dyn.example.com.")])).rejects.toThrow(/refused 1 of 1/);
  });
});

describe("bounded change events", () => {
  const logged = () => {
    const lines: LogEntry[] = [];
    return { lines, log: (entry: LogEntry) => lines.push(entry) };
  };

  it("resolves within the bound when the bus never answers, aborts the call and logs a warning", async () => {
    // prepare
    const { lines, log } = logged();
    let aborted = false;
    const events = boundedChangeEvents(
      async () => (_events, signal) =>
        new Promise(() => {
          signal?.addEventListener("abort", () => {
            aborted = true;
          });
        }),
      { busName: BUS, log, timeoutMs: 50 },
    );
    // act
    const started = performance.now();
    await events.publish([change("home.dyn.example.com.")]);
    const waited = performance.now() - started;
    // assess
    expect(waited).toBeGreaterThanOrEqual(45);
    expect(waited).toBeLessThan(1000);
    expect(aborted).toBe(true);
    expect(lines).toEqual([
      expect.objectContaining({
        level: "warn",
        msg: "change events not published",
        bus: BUS,
        records: ["home.dyn.example.com. A"],
        error: { name: "TimeoutError", message: "No answer within 50 ms." },
      }),
    ]);
  });

  it("never rejects when publishing fails, and logs the failure without the event's addresses", async () => {
    const { lines, log } = logged();
    const events = boundedChangeEvents(
      async () => async () => {
        throw new Error("AccessDeniedException: not authorized to perform events:PutEvents");
      },
      { busName: BUS, log },
    );

    await expect(events.publish([change("home.dyn.example.com.")])).resolves.toBeUndefined();

    expect(lines).toHaveLength(1);
    expect(lines[0]?.error).toEqual({
      name: "Error",
      message: "AccessDeniedException: not authorized to perform events:PutEvents",
    });
    expect(JSON.stringify(lines)).not.toContain("203.0.113.10");
  });

  it("loads the publisher on the first change only, and again after a failed load", async () => {
    const { lines, log } = logged();
    let loads = 0;
    const sent: RecordChangeEvent[] = [];
    const events = boundedChangeEvents(
      async () => {
        loads += 1;
        if (loads === 1) throw new Error("chunk failed to load");
        return async (batch) => {
          sent.push(...batch);
        };
      },
      { busName: BUS, log },
    );

    await events.publish([]);
    expect(loads).toBe(0);
    await events.publish([change("a.dyn.example.com.")]);
    await events.publish([change("b.dyn.example.com.")]);
    await events.publish([change("c.dyn.example.com.")]);

    expect(loads).toBe(2);
    expect(sent.map((event) => event.hostname)).toEqual(["b.dyn.example.com.", "c.dyn.example.com."]);
    expect(lines.map((line) => line.records)).toEqual([["a.dyn.example.com. A"]]);
  });
});

describe("change events from the record writer", () => {
  const s3 = mockClient(S3Client);
  const route53 = mockClient(Route53Client);
  const eventBridge = mockClient(EventBridgeClient);
  const config = {
    "router.dyn.example.com.": {
      route_53_zone_id: ZONE_ID,
      record_types: ["A", "AAAA"],
      allow_dyndns2: true,
      allow_client_ip: true,
      shared_secret: SECRET,
    },
    "other.dyn.example.com.": { route_53_zone_id: ZONE_ID, allow_dyndns2: true, shared_secret: SECRET },
  };
  const basic = (user: string) => `Basic ${Buffer.from(`${user}:${SECRET}`).toString("base64")}`;
  const dyndns2 = (hostnames: string, myip: string) =>
    httpEvent({
      path: "/nic/update",
      query: { hostname: hostnames, myip },
      headers: { authorization: basic("router.dyn.example.com") },
      sourceIp: "203.0.113.10",
    });

  beforeEach(() => {
    s3.reset();
    route53.reset();
    eventBridge.reset();
    mockConfig(s3, config);
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    route53
      .on(ChangeResourceRecordSetsCommand)
      .resolves({ ChangeInfo: { Id: "/change/C42", Status: "PENDING", SubmittedAt: new Date() } });
  });

  it("emits one event per changed record with what Route 53 held before", async () => {
    // prepare: A differs, AAAA does not exist yet
    mockRecords(route53, [aRecord("router.dyn.example.com.", "198.51.100.1")]);
    const { app } = testApp({ eventBus: BUS });
    // act
    const result = await app(dyndns2("router.dyn.example.com", "203.0.113.10,2001:db8::10"));
    // assess
    expect(result.body).toBe("good 203.0.113.10,2001:db8::10\n");
    expect(details(eventBridge)).toEqual([
      {
        hostname: "router.dyn.example.com.",
        type: "A",
        previous: ["198.51.100.1"],
        current: ["203.0.113.10"],
        protocol: "dyndns2",
        sourceIp: "203.0.113.10",
        changeId: "/change/C42",
      },
      {
        hostname: "router.dyn.example.com.",
        type: "AAAA",
        previous: [],
        current: ["2001:db8::10"],
        protocol: "dyndns2",
        sourceIp: "203.0.113.10",
        changeId: "/change/C42",
      },
    ]);
  });

  it("emits nothing when no record changes, and loads no EventBridge client", async () => {
    mockRecords(route53, [aRecord("router.dyn.example.com.", "203.0.113.10")]);
    const { app } = testApp({ eventBus: BUS });

    const result = await app(dyndns2("router.dyn.example.com", "203.0.113.10"));

    expect(result.body).toBe("nochg 203.0.113.10\n");
    expect(eventBridge.calls()).toHaveLength(0);
  });

  it("emits nothing for a record Route 53 refused to change", async () => {
    mockRecords(route53, []);
    route53
      .on(ChangeResourceRecordSetsCommand)
      .rejects(new InvalidChangeBatch({ message: "no", $metadata: {} }));
    const { app } = testApp({ eventBus: BUS });

    const result = await app(dyndns2("router.dyn.example.com", "203.0.113.10"));

    // The router's change was queued; the writer could not make it, so it announces nothing.
    expect(result.body).toBe("good 203.0.113.10\n");
    expect(eventBridge.calls()).toHaveLength(0);
  });

  it("emits nothing when DDNS_EVENT_BUS is unset", async () => {
    mockRecords(route53, []);
    const { app } = testApp();

    const result = await app(dyndns2("router.dyn.example.com", "203.0.113.10"));

    expect(result.body).toBe("good 203.0.113.10\n");
    expect(eventBridge.calls()).toHaveLength(0);
  });

  it("answers the update when the bus fails, with a warning line beside the request's", async () => {
    mockRecords(route53, []);
    eventBridge
      .on(PutEventsCommand)
      .rejects(new Error("ResourceNotFoundException: Event bus ddns-events does not exist."));
    const { app, logs, writerLogs } = testApp({ eventBus: BUS });

    const result = await app(dyndns2("router.dyn.example.com", "203.0.113.10"));

    // The writer publishes after its write; a failing bus costs it a warning, never the change.
    expect(result.body).toBe("good 203.0.113.10\n");
    expect(logs.map((line) => [line.level, line.msg])).toEqual([["info", "request"]]);
    expect(writerLogs.map((line) => [line.level, line.msg])).toEqual([
      ["info", "records written"],
      ["warn", "change events not published"],
    ]);
  });

  it("names the seed protocol in events from seed requests", async () => {
    mockRecords(route53, []);
    const { createHash } = await import("node:crypto");
    const hash = createHash("sha256").update(`203.0.113.10other.dyn.example.com${SECRET}`).digest("hex");
    const { app } = testApp({ eventBus: BUS });

    const result = await app(
      httpEvent({
        query: { mode: "set", hostname: "other.dyn.example.com", hash },
        sourceIp: "203.0.113.10",
      }),
    );

    expect(result.statusCode).toBe(201);
    expect(details(eventBridge)).toEqual([
      expect.objectContaining({ hostname: "other.dyn.example.com.", protocol: "seed", previous: [] }),
    ]);
  });
});
