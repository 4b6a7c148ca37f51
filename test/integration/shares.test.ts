/**
 * Fair shares against moto's DynamoDB (real conditional updates, as Terraform builds the table): the
 * changes of a window run out after `limit`, whichever environment asks and however many ask at once;
 * the next window starts again; and a check prints nothing.
 */
import { type DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DynamoDbChangeShares } from "../../src/queue/dynamodb-shares.js";
import { clientsFor, createShareTable } from "../support/aws-fixture.js";
import { type MotoServer, startMoto } from "../support/moto.js";

describe("fair shares in DynamoDB", () => {
  let moto: MotoServer;
  let dynamodb: DynamoDBClient;
  const table = "ddns-shares-test";
  const share = { limit: 3, windowSeconds: 300 };

  beforeAll(async () => {
    moto = await startMoto();
    dynamodb = clientsFor(moto.url).dynamodb;
    await createShareTable(moto.url, table);
  });

  afterAll(async () => {
    dynamodb?.destroy();
    await moto?.stop();
  });

  const environments = (count: number, now: () => number) =>
    Array.from({ length: count }, () => new DynamoDbChangeShares(dynamodb, { table, log: () => {}, now }));

  it("lets `limit` changes in per window from environments asking at once, then the seconds left", async () => {
    // prepare: 8 environments, one clock 100 s into a window
    const warnings = vi.spyOn(console, "warn").mockImplementation(() => {});
    const start = 1_800_000_000 - (1_800_000_000 % share.windowSeconds);
    const now = () => (start + 100) * 1000;
    try {
      // act
      const waits = await Promise.all(
        environments(8, now).map((environment) => environment.take("host:busy.dyn.example.com.", share)),
      );
      // assess: exactly `limit` got in; the others hear the 200 s left
      expect(waits.filter((wait) => wait === 0)).toHaveLength(share.limit);
      expect(waits.filter((wait) => wait > 0)).toEqual(new Array(8 - share.limit).fill(200));
      expect(warnings.mock.calls.map((call) => String(call[0]))).toEqual([]);
    } finally {
      warnings.mockRestore();
    }
  });

  it("counts each identity apart, starts again next window, and keeps no name in the table", async () => {
    // prepare
    let nowMs = Date.parse("2027-01-01T10:00:00Z");
    const [environment] = environments(1, () => nowMs);
    const shares = environment as DynamoDbChangeShares;
    // act
    const first = [];
    for (let i = 0; i <= share.limit; i++) first.push(await shares.take("host:a.dyn.example.com.", share));
    const other = await shares.take("host:b.dyn.example.com.", share);
    nowMs += share.windowSeconds * 1000;
    const nextWindow = await shares.take("host:a.dyn.example.com.", share);
    // assess
    expect(first).toEqual([0, 0, 0, 300]);
    expect(other).toBe(0);
    expect(nextWindow).toBe(0);
    const items = (await dynamodb.send(new ScanCommand({ TableName: table }))).Items ?? [];
    const text = JSON.stringify(items);
    expect(text).not.toContain("dyn.example.com");
    // Every item expires (DynamoDB's TTL) an hour after its window.
    for (const item of items) {
      const [, windowStart] = (item.id?.S ?? "").split("#");
      expect(Number(item.expires?.N)).toBeGreaterThanOrEqual(Number(windowStart) + 3600);
    }
  });
});
