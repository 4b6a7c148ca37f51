/**
 * ACME DNS-01 without AWS: the accounts section of the config, who may write, the last-two-values
 * rule with its compare-and-set retries, and the acme-dns / httpreq wire formats through the app's
 * route table with an in-memory TXT store.
 */

import { createHash } from "node:crypto";
import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from "@aws-sdk/client-route-53";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { parseReservedNames, withoutReservedNames } from "../../src/config/reserved-names.js";
import { parseConfigDocument } from "../../src/config/schema.js";
import {
  type AcmeAccount,
  applyChallengeEdits,
  checkAccount,
  parseAddressRange,
  passwordSha256,
  rangeContains,
} from "../../src/core/acme.js";
import { parseIp } from "../../src/core/ip.js";
import type { TxtRecordState, TxtRecords } from "../../src/core/ports.js";
import { Route53TxtRecords } from "../../src/dns/route53-txt.js";
import { documentSource } from "../support/config-source.js";
import { directQueue } from "../support/direct-queue.js";
import { httpEvent } from "../support/events.js";

const USER = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b";
const OTHER_USER = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d";
const PASSWORD = "p".repeat(40);
const ZONE_ID = "Z0123456789ABC";
const VALUE_1 = "1".repeat(43);
const VALUE_2 = "2".repeat(43);
const VALUE_3 = "3".repeat(43);

const accountEntry = (name: string, subdomain: string, extra: Record<string, unknown> = {}) => ({
  name,
  subdomain,
  txt_name: `_acme-challenge.${name}`,
  route_53_zone_id: ZONE_ID,
  password_sha256: passwordSha256(PASSWORD),
  ...extra,
});

const CONFIG = {
  "home.dyn.example.com.": { route_53_zone_id: ZONE_ID, shared_secret: "s".repeat(43) },
  acme_accounts: {
    [USER]: accountEntry("home.dyn.example.com.", "sub-home", {
      allow_from: ["203.0.113.0/24", "2001:db8::/32"],
    }),
    [OTHER_USER]: accountEntry("other.dyn.example.com.", "sub-other"),
  },
};

/** TXT records in memory; `interfere` lets a test change a record between a read and the write. */
class MemoryTxt implements TxtRecords {
  readonly records = new Map<string, string[]>();
  interfere: (() => void) | undefined;
  writes = 0;

  async read(_zoneId: string, name: string): Promise<TxtRecordState> {
    return { values: [...(this.records.get(name) ?? [])], ttl: 10 };
  }

  async replace(_zoneId: string, name: string, expected: TxtRecordState, values: readonly string[]) {
    this.interfere?.();
    this.interfere = undefined;
    const current = this.records.get(name) ?? [];
    if (current.join() !== expected.values.join()) return false;
    this.writes++;
    if (values.length === 0) this.records.delete(name);
    else this.records.set(name, [...values]);
    return true;
  }
}

describe("the acme_accounts section", () => {
  it("parses beside the seed's hosts, which keep working", () => {
    // act
    const parsed = parseConfigDocument(CONFIG);

    // assess
    expect(parsed.problems).toEqual([]);
    expect(parsed.hosts.size).toBe(1);
    expect(parsed.accounts.find(USER.toUpperCase())).toMatchObject({
      name: "home.dyn.example.com.",
      txtName: "_acme-challenge.home.dyn.example.com.",
      allowFrom: [
        expect.objectContaining({ text: "203.0.113.0/24" }),
        expect.objectContaining({ text: "2001:db8::/32" }),
      ],
    });
  });

  it("reports a bad account by name and field and keeps the others", () => {
    // prepare
    const document = {
      acme_accounts: {
        "not-a-uuid": accountEntry("a.example.com.", "a"),
        [USER]: accountEntry("home.dyn.example.com.", "sub", {
          password_sha256: "plain",
          allow_from: ["10.0.0.0/33"],
        }),
        [OTHER_USER]: { ...accountEntry("b.example.com.", "b"), txt_name: "elsewhere.example.com." },
        "11111111-2222-4333-8444-555555555555": accountEntry("c.example.com.", "c"),
      },
    };

    // act
    const parsed = parseConfigDocument(document);

    // assess
    expect(parsed.accounts.size).toBe(1);
    expect(parsed.problems.map((p) => `${p.host} ${p.field ?? "-"}`)).toEqual([
      "acme_accounts.not-a-uuid -",
      `acme_accounts.${USER} password_sha256`,
      `acme_accounts.${USER} allow_from`,
      `acme_accounts.${OTHER_USER} txt_name`,
    ]);
  });
});

describe("account checks and address ranges", () => {
  const accounts = parseConfigDocument(CONFIG).accounts;
  const ip = (text: string) => parseIp(text) ?? { text, recordType: "A" as const };

  it("needs the right password and a source inside allow_from", () => {
    expect(checkAccount(accounts, USER, PASSWORD, ip("203.0.113.9"))).toMatchObject({ ok: true });
    expect(checkAccount(accounts, USER, PASSWORD, ip("2001:db8:1::1"))).toMatchObject({ ok: true });
    expect(checkAccount(accounts, USER, `${PASSWORD}x`, ip("203.0.113.9"))).toMatchObject({
      reason: "bad password",
    });
    expect(checkAccount(accounts, USER, PASSWORD, ip("198.51.100.1"))).toMatchObject({
      reason: "source not allowed",
    });
    expect(checkAccount(accounts, "nobody", PASSWORD, ip("203.0.113.9"))).toMatchObject({
      reason: "unknown user",
    });
  });

  it("normalises ranges to their network and matches by family", () => {
    const range = parseAddressRange("203.0.113.77/24");
    expect(range?.text).toBe("203.0.113.0/24");
    expect(parseAddressRange("2001:db8::1")?.text).toBe("2001:db8::1/128");
    expect(parseAddressRange("203.0.113.0/24/1")).toBeUndefined();
    expect(range && rangeContains(range, ip("::ffff:203.0.113.5"))).toBe(true);
    expect(range && rangeContains(range, ip("2001:db8::1"))).toBe(false);
  });
});

describe("writing challenge values", () => {
  const account = parseConfigDocument(CONFIG).accounts.find(USER) as AcmeAccount;
  let txt: MemoryTxt;

  const presentChallenge = (records: MemoryTxt, on: AcmeAccount, value: string) =>
    applyChallengeEdits(records, on.zoneId, on.txtName, [{ action: "present", value }]);

  beforeEach(() => {
    txt = new MemoryTxt();
  });

  it("keeps the last two values, newest last, and writes nothing for a value already there", async () => {
    // act
    await presentChallenge(txt, account, VALUE_1);
    await presentChallenge(txt, account, VALUE_2);
    await presentChallenge(txt, account, VALUE_2);
    await presentChallenge(txt, account, VALUE_3);

    // assess
    expect(txt.records.get(account.txtName)).toEqual([VALUE_2, VALUE_3]);
    expect(txt.writes).toBe(3);
  });

  it("reads again when another writer changed the record between read and write", async () => {
    // prepare
    txt.interfere = () => txt.records.set(account.txtName, [VALUE_1]);

    // act
    await presentChallenge(txt, account, VALUE_2);

    // assess
    expect(txt.records.get(account.txtName)).toEqual([VALUE_1, VALUE_2]);
  });

  it("keeps both values of challenges that arrive together, in one write", async () => {
    // act: the writer applies one batch's edits of a record in one compare-and-set
    await applyChallengeEdits(txt, account.zoneId, account.txtName, [
      { action: "present", value: VALUE_1 },
      { action: "present", value: VALUE_2 },
    ]);

    // assess
    expect(txt.records.get(account.txtName)).toEqual([VALUE_1, VALUE_2]);
    expect(txt.writes).toBe(1);
  });
});

describe("the Route 53 TXT adapter", () => {
  const route53 = mockClient(Route53Client);
  const adapter = new Route53TxtRecords(new Route53Client({ region: "us-east-1" }));

  beforeEach(() => {
    route53.reset();
  });

  it("replaces exactly what it read: DELETE of the old set and CREATE of the new, in one TXT-only batch", async () => {
    // prepare
    route53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [
        {
          Name: "_acme-challenge.home.dyn.example.com.",
          Type: "TXT",
          TTL: 30,
          ResourceRecords: [{ Value: `"${VALUE_1}"` }],
        },
      ],
    });
    route53.on(ChangeResourceRecordSetsCommand).resolves({});

    // act
    const current = await adapter.read(ZONE_ID, "_acme-challenge.home.dyn.example.com.");
    const replaced = await adapter.replace(
      ZONE_ID,
      "_acme-challenge.home.dyn.example.com.",
      current,
      [VALUE_1, VALUE_2],
      10,
    );

    // assess
    expect(current).toEqual({ values: [VALUE_1], ttl: 30 });
    expect(replaced).toBe(true);
    expect(route53).toReceiveCommandWith(ChangeResourceRecordSetsCommand, {
      ChangeBatch: {
        Comment: "route53-ddns acme",
        Changes: [
          {
            Action: "DELETE",
            ResourceRecordSet: expect.objectContaining({
              TTL: 30,
              ResourceRecords: [{ Value: `"${VALUE_1}"` }],
            }),
          },
          {
            Action: "CREATE",
            ResourceRecordSet: expect.objectContaining({
              Type: "TXT",
              TTL: 10,
              ResourceRecords: [{ Value: `"${VALUE_1}"` }, { Value: `"${VALUE_2}"` }],
            }),
          },
        ],
      },
    });
  });

  it("answers false when Route 53 refuses the batch because the record changed", async () => {
    // prepare
    route53
      .on(ChangeResourceRecordSetsCommand)
      .rejects(Object.assign(new Error("not found"), { name: "InvalidChangeBatch" }));

    // act
    const replaced = await adapter.replace(
      ZONE_ID,
      "_acme-challenge.x.",
      { values: [VALUE_1], ttl: 10 },
      [],
      10,
    );

    // assess
    expect(replaced).toBe(false);
  });
});

describe("acme-dns and httpreq over HTTP", () => {
  let txt: MemoryTxt;
  const app = createApp({
    backends: async () => ({
      // Wrapped as every deployment wraps it: Terraform always sets DDNS_RESERVED_NAMES (the zone apex).
      config: withoutReservedNames(documentSource(CONFIG), parseReservedNames("dyn.example.com")),
      dns: { currentValues: async () => [], expect: () => {} },
      queue: directQueue({ txt }),
    }),
    log: () => {},
  });
  const post = (path: string, body: string, headers: Record<string, string>, sourceIp = "203.0.113.10") =>
    app(httpEvent({ method: "POST", path, body, headers, sourceIp }));
  const acmeDnsHeaders = { "x-api-user": USER, "x-api-key": PASSWORD };
  const basic = (user: string, password: string) => ({
    authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
  });

  beforeEach(() => {
    txt = new MemoryTxt();
  });

  it("accepts body keys in any letter case and answers the value on one line", async () => {
    // act
    const lower = await post(
      "/acme-dns/update",
      JSON.stringify({ subdomain: "sub-home", txt: VALUE_1 }),
      acmeDnsHeaders,
    );
    const older = await post("/acme-dns/update", JSON.stringify({ SubDomain: "sub-home", Txt: VALUE_2 }), {
      "X-Api-User": USER.toUpperCase(),
      "X-Api-Key": PASSWORD,
    });

    // assess
    expect([lower.statusCode, lower.body]).toEqual([200, `{"txt":"${VALUE_1}"}`]);
    expect([older.statusCode, older.body]).toEqual([200, `{"txt":"${VALUE_2}"}`]);
    expect(txt.records.get("_acme-challenge.home.dyn.example.com.")).toEqual([VALUE_1, VALUE_2]);
  });

  it("checks allow_from against the source address only, never a forwarding header", async () => {
    // act
    const response = await post(
      "/acme-dns/update",
      JSON.stringify({ subdomain: "sub-home", txt: VALUE_1 }),
      { ...acmeDnsHeaders, "x-forwarded-for": "203.0.113.10" },
      "198.51.100.1",
    );

    // assess
    expect([response.statusCode, response.body]).toEqual([401, '{"error":"forbidden"}']);
    expect(txt.writes).toBe(0);
  });

  it("httpreq presents and cleans up the value, for the account's own fqdn only", async () => {
    // prepare
    const fqdn = "_acme-challenge.home.dyn.example.com.";

    // act
    const present = await post(
      "/httpreq/present",
      JSON.stringify({ fqdn, value: VALUE_1 }),
      basic(USER, PASSWORD),
    );
    const raw = await post(
      "/httpreq/present",
      JSON.stringify({ domain: "*.home.dyn.example.com", token: "t", keyAuth: "t.k" }),
      basic(USER, PASSWORD),
    );
    const afterPresent = [...(txt.records.get(fqdn) ?? [])];
    const cleanup = await post(
      "/httpreq/cleanup",
      JSON.stringify({ fqdn, value: VALUE_1 }),
      basic(USER, PASSWORD),
    );
    const foreign = await post(
      "/httpreq/present",
      JSON.stringify({ fqdn: "_acme-challenge.other.dyn.example.com.", value: VALUE_1 }),
      basic(USER, PASSWORD),
    );
    const wrong = await post(
      "/httpreq/present",
      JSON.stringify({ fqdn, value: VALUE_1 }),
      basic(USER, "wrong"),
    );

    // assess
    expect([present.statusCode, raw.statusCode, cleanup.statusCode]).toEqual([200, 200, 200]);
    const rawValue = createHash("sha256").update("t.k").digest("base64url");
    expect(afterPresent).toEqual([VALUE_1, rawValue]);
    expect(txt.records.get(fqdn)).toEqual([rawValue]);
    expect([foreign.statusCode, foreign.body]).toEqual([403, '{"error":"bad_fqdn"}']);
    expect([wrong.statusCode, wrong.headers?.["www-authenticate"]]).toEqual([
      401,
      expect.stringContaining("Basic"),
    ]);
  });
});
