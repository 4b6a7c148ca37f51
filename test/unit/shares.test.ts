/**
 * Fair shares at the change queue's door (src/core/shares.ts, src/queue/dynamodb-shares.ts): one host
 * or ACME account over its share hears 429 with Retry-After while everyone else goes on, the count
 * holds across execution environments (one table, not memory), and the ACME path reads no Route 53.
 */
import { ListResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { parseConfigDocument } from "../../src/config/schema.js";
import { passwordSha256 } from "../../src/core/acme.js";
import type { QueuedChange } from "../../src/core/changes.js";
import type { ChangeQueue } from "../../src/core/ports.js";
import { ACME_SHARE, HOST_SHARE } from "../../src/core/shares.js";
import { seedToken } from "../../src/core/tokens.js";
import { DynamoDbChangeShares } from "../../src/queue/dynamodb-shares.js";
import { configEntry } from "../support/builders.js";
import { documentSource } from "../support/config-source.js";
import { httpEvent } from "../support/events.js";
import { ShareTableStandIn } from "../support/fakes/share-table.js";

const route53 = mockClient(Route53Client);
const ZONE_ID = "Z0123456789ABC";
const SECRET = "s".repeat(43);
const PASSWORD = "p".repeat(40);
const ATTACKER = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b";
const VICTIM = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d";
const NOW = Date.parse("2026-12-06T12:00:10Z");

const CONFIG = {
  "noisy.dyn.example.com.": configEntry({ route_53_zone_id: ZONE_ID, shared_secret: SECRET }),
  "quiet.dyn.example.com.": configEntry({ route_53_zone_id: ZONE_ID, shared_secret: SECRET }),
  acme_accounts: Object.fromEntries(
    [ATTACKER, VICTIM].map((user, index) => [
      user,
      {
        name: `h${index}.dyn.example.com.`,
        subdomain: `h${index}`,
        txt_name: `_acme-challenge.h${index}.dyn.example.com.`,
        route_53_zone_id: ZONE_ID,
        password_sha256: passwordSha256(PASSWORD),
      },
    ]),
  ),
};

/** A fresh execution environment per request, as Lambda runs them; all share one table. */
function environment(table: ShareTableStandIn, queued: QueuedChange[], now = NOW) {
  const queue: ChangeQueue = {
    send: async (changes) => {
      queued.push(...changes);
      return changes.map((_, index) => `message-${queued.length + index}`);
    },
  };
  const shares = new DynamoDbChangeShares(table.client, {
    table: "ddns-shares",
    log: () => {},
    now: () => now,
  });
  const dns = { currentValues: async () => ["192.0.2.1"], expect: () => {} };
  return createApp({
    backends: async () => ({ config: documentSource(CONFIG), dns, queue, shares }),
    log: () => {},
    now: () => now,
  });
}

const acmeUpdate = (user: string, subdomain: string, value: string) =>
  httpEvent({
    method: "POST",
    path: "/acme-dns/update",
    headers: { "x-api-user": user, "x-api-key": PASSWORD },
    body: JSON.stringify({ subdomain, txt: value }),
    sourceIp: "198.51.100.9",
  });

const seedSet = (host: string, ip: string) =>
  httpEvent({ query: { mode: "set", hostname: host, hash: seedToken(ip, host, SECRET) }, sourceIp: ip });

describe("fair shares", () => {
  beforeEach(() => {
    route53.reset();
    expect(parseConfigDocument(CONFIG).problems).toEqual([]);
  });

  it("an ACME account over its share hears 429 with Retry-After; another account does not notice", async () => {
    // prepare
    const table = new ShareTableStandIn();
    const queued: QueuedChange[] = [];
    // act: each request in its own environment, the attacker one more than its share
    const attacker = [];
    for (let i = 0; i <= ACME_SHARE.limit; i++) {
      attacker.push(await environment(table, queued)(acmeUpdate(ATTACKER, "h0", String(i % 10).repeat(43))));
    }
    const victim = await environment(table, queued)(acmeUpdate(VICTIM, "h1", "v".repeat(43)));
    // assess
    expect(attacker.slice(0, -1).map((r) => r.statusCode)).toEqual(new Array(ACME_SHARE.limit).fill(200));
    const refused = attacker.at(-1);
    expect(refused?.statusCode).toBe(429);
    // 12:00:10 in a 5-minute window: 290 s left
    expect(refused?.headers?.["retry-after"]).toBe("290");
    expect(victim.statusCode).toBe(200);
    expect(
      queued.filter((change) => change.kind === "acme" && change.name === "h0.dyn.example.com."),
    ).toHaveLength(ACME_SHARE.limit);
    // One item per identity: the attacker's holds its share, the victim's its one change.
    expect([...table.items.values()].map((item) => item.changes).sort((a, b) => a - b)).toEqual([
      1,
      ACME_SHARE.limit,
    ]);
    expect(table.calls.refused).toBe(1);
    // No Route 53 read on the ACME path: the writer reads the record once per batch.
    expect(route53).toHaveReceivedCommandTimes(ListResourceRecordSetsCommand, 0);
  });

  it("a host over its share hears 429; the next window it may change again; other hosts go on", async () => {
    // prepare
    const table = new ShareTableStandIn();
    const queued: QueuedChange[] = [];
    // act
    const answers = [];
    for (let i = 0; i <= HOST_SHARE.limit; i++) {
      answers.push(await environment(table, queued)(seedSet("noisy.dyn.example.com", `203.0.113.${i + 1}`)));
    }
    const other = await environment(table, queued)(seedSet("quiet.dyn.example.com", "203.0.113.200"));
    const nextHour = await environment(
      table,
      queued,
      NOW + 3600_000,
    )(seedSet("noisy.dyn.example.com", "203.0.113.99"));
    // assess
    expect(answers.slice(0, -1).every((r) => r.statusCode === 201)).toBe(true);
    expect(answers.at(-1)?.statusCode).toBe(429);
    expect(answers.at(-1)?.headers?.["retry-after"]).toBe(String(3600 - 10));
    expect(other.statusCode).toBe(201);
    expect(nextHour.statusCode).toBe(201);
    expect(queued).toHaveLength(HOST_SHARE.limit + 2);
  });

  it("a check that changes nothing costs no share", async () => {
    // prepare
    const table = new ShareTableStandIn();
    // act: the record already holds 192.0.2.1
    const answer = await environment(table, [])(seedSet("noisy.dyn.example.com", "192.0.2.1"));
    // assess
    expect(answer.statusCode).toBe(200);
    expect(table.calls.update).toBe(0);
  });

  it("lets the change in when the table cannot be asked", async () => {
    // prepare
    const table = new ShareTableStandIn();
    table.send = async () => {
      throw Object.assign(new Error("down"), {
        name: "InternalServerError",
        $metadata: { httpStatusCode: 500 },
      });
    };
    // act
    const answer = await environment(table, [])(seedSet("noisy.dyn.example.com", "203.0.113.5"));
    // assess
    expect(answer.statusCode).toBe(201);
  });
});
