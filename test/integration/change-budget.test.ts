/**
 * The shared change budget against the emulator's S3, whose conditional writes (If-None-Match: *
 * → 412) are what make a slot belong to one container: several budgets, each with its own client
 * as separate containers have, never start more calls in a second than the budget allows; and the
 * handler, given DDNS_CHANGE_BUDGET_BUCKET, leases a slot for the change it makes and none for a
 * check that changes nothing.
 */
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { generateSecret } from "../../src/admin/secrets.js";
import { S3ChangeBudget } from "../../src/dns/change-budget.js";
import type { HttpEvent, HttpResult } from "../../src/protocols/http.js";
import {
  type AwsFixture,
  createAwsFixture,
  emulatorEnvironment,
  TEST_CREDENTIALS,
  TEST_REGION,
} from "../support/aws-fixture.js";
import { httpEvent } from "../support/events.js";
import { type MotoServer, startMoto } from "../support/moto.js";

const BUDGET_BUCKET = "ddns-change-budget-it";

describe("the shared change budget against moto", () => {
  let moto: MotoServer;
  let aws: AwsFixture;
  const s3 = () =>
    new S3Client({
      endpoint: moto.url,
      region: TEST_REGION,
      credentials: TEST_CREDENTIALS,
      forcePathStyle: true,
    });
  const slotKeys = async () =>
    ((await s3().send(new ListObjectsV2Command({ Bucket: BUDGET_BUCKET }))).Contents ?? []).map(
      (object) => object.Key ?? "",
    );

  beforeAll(async () => {
    moto = await startMoto();
    aws = await createAwsFixture(moto.url);
    await s3().send(new CreateBucketCommand({ Bucket: BUDGET_BUCKET }));
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await moto?.stop();
  });

  it("grants at most perSecond slots in any second to four containers asking at once", async () => {
    // prepare: 4 containers, 2 calls per second for all of them
    const logged: unknown[] = [];
    const containers = Array.from(
      { length: 4 },
      () =>
        new S3ChangeBudget(s3(), {
          bucket: BUDGET_BUCKET,
          perSecond: 2,
          log: (entry) => logged.push(entry),
          leaseTimeoutMs: 5000, // a loaded test machine's emulator, not S3: no lease may time out here
        }),
    );
    const grantedAt: number[] = [];
    const deadline = Date.now() + 20_000;

    // act: 3 calls wanted by each container
    const granted = await Promise.all(
      containers.flatMap((container) =>
        [1, 2, 3].map(async () => {
          const ok = await container.take(deadline);
          if (ok) grantedAt.push(Date.now());
          return ok;
        }),
      ),
    );

    // assess: all 12 went, in at least 6 different seconds, never 3 in one; S3 really refused some
    expect(logged).toEqual([]); // no "could not be asked": every refusal was a 412
    expect(granted.every(Boolean)).toBe(true);
    const perSecond = new Map<number, number>();
    for (const at of grantedAt) {
      const second = Math.floor(at / 1000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    }
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(2);
    expect(perSecond.size).toBeGreaterThanOrEqual(6);
    // A lease that came back after its second was dropped and another taken: slots ≥ calls.
    expect((await slotKeys()).length).toBeGreaterThanOrEqual(12);
  }, 30_000);

  it("leases one slot for a changed address and none for an unchanged one (handler, dyndns2)", async () => {
    // prepare
    const secret = generateSecret();
    const host = "budget.dyn.example.com.";
    await aws.putConfig({
      [host]: { route_53_zone_id: aws.zoneId, shared_secret: secret, allow_dyndns2: true },
    });
    vi.resetModules();
    for (const [name, value] of Object.entries({
      ...emulatorEnvironment(moto.url, aws.bucket),
      DDNS_CHANGE_BUDGET_BUCKET: BUDGET_BUCKET,
      DDNS_CHANGE_BUDGET_PER_SECOND: "2",
    })) {
      vi.stubEnv(name, value);
    }
    const handler = (await import("../../src/handler.js")).handler as (
      event: HttpEvent,
    ) => Promise<HttpResult>;
    const before = (await slotKeys()).length;
    const name = host.slice(0, -1);
    const update = (address: string) =>
      handler(
        httpEvent({
          path: "/nic/update",
          query: { hostname: name },
          sourceIp: address,
          headers: { authorization: `Basic ${Buffer.from(`${name}:${secret}`).toString("base64")}` },
        }),
      );

    // act
    const changed = await update("198.51.100.77");
    const afterChange = (await slotKeys()).length;
    const unchanged = await update("198.51.100.77");

    // assess: one slot (two if the first came back after its second), none for the no-change
    expect(changed.body).toBe("good 198.51.100.77\n");
    expect(unchanged.body).toBe("nochg 198.51.100.77\n");
    expect(afterChange - before).toBeGreaterThanOrEqual(1);
    expect(afterChange - before).toBeLessThanOrEqual(2);
    expect((await slotKeys()).length).toBe(afterChange);
    expect((await aws.recordValues(host, "A")).values).toEqual(["198.51.100.77"]);
  });
});
