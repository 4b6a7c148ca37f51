/**
 * Fair shares against moto's S3 (real conditional writes): the slots of a window run out after
 * `limit` changes, whatever client asks, and taking a slot prints nothing. An empty string as the
 * body made the SDK warn "Stream of unknown length" on every change a deployment queued.
 */
import { CreateBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { S3ChangeShares } from "../../src/queue/s3-shares.js";
import { clientsFor } from "../support/aws-fixture.js";
import { type MotoServer, startMoto } from "../support/moto.js";

describe("fair shares in S3", () => {
  let moto: MotoServer;
  let s3: S3Client;
  const bucket = "ddns-shares-test";

  beforeAll(async () => {
    moto = await startMoto();
    s3 = clientsFor(moto.url).s3;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  afterAll(async () => {
    s3?.destroy();
    await moto?.stop();
  });

  it("lets `limit` changes in per window, then answers with the seconds left, and warns about nothing", async () => {
    // prepare: two environments' clients of the same bucket, one clock
    const warnings = vi.spyOn(console, "warn").mockImplementation(() => {});
    const now = () => 1_800_000_000_000;
    const share = { limit: 2, windowSeconds: 300 };
    const environments = [0, 1].map(() => new S3ChangeShares(s3, { bucket, log: () => {}, now }));
    try {
      // act
      const waits = [];
      for (const environment of [...environments, ...environments])
        waits.push(await environment.take("host.dyn.example.com", share));
      // assess: two slots, then refused with the window's remaining seconds
      expect(waits.slice(0, 2)).toEqual([0, 0]);
      expect(waits[2]).toBeGreaterThan(0);
      expect(waits[3]).toBeGreaterThan(0);
      expect(warnings.mock.calls.map((call) => String(call[0]))).toEqual([]);
    } finally {
      warnings.mockRestore();
    }
  });
});
