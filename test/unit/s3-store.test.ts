import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { S3ConfigStore } from "../../src/config/s3-store.js";
import { UnavailableError } from "../../src/core/errors.js";
import type { LogEntry } from "../../src/core/log.js";
import { getObjectOutput } from "../support/mock-aws.js";

const CONFIG = { "home.example.com.": { route_53_zone_id: "Z1", shared_secret: "the-secret" } };
const notModified = () =>
  Object.assign(new Error("Not Modified"), { name: "304", $metadata: { httpStatusCode: 304 } });
const networkDown = () =>
  Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { name: "Error", code: "ECONNREFUSED" });

describe("S3ConfigStore", () => {
  const s3 = mockClient(S3Client);
  let now: number;
  let logs: LogEntry[];
  const store = (cacheSeconds = 60) =>
    new S3ConfigStore(new S3Client({ region: "us-east-1" }), {
      bucket: "b",
      key: "config.json",
      cacheSeconds,
      now: () => now,
      log: (entry) => logs.push(entry),
    });

  beforeEach(() => {
    s3.reset();
    now = 1_000_000;
    logs = [];
  });

  it("reads the file once per cache period", async () => {
    // prepare
    s3.on(GetObjectCommand).callsFake(() => getObjectOutput(JSON.stringify(CONFIG)));
    const config = store();
    // act
    const first = await config.hosts();
    now += 59_000;
    await config.hosts();
    // assess
    expect(first.find("home.example.com")?.zoneId).toBe("Z1");
    expect(s3).toReceiveCommandTimes(GetObjectCommand, 1);
    expect(s3).toReceiveCommandWith(GetObjectCommand, { Bucket: "b", Key: "config.json" });
  });

  it("revalidates with the ETag and keeps its copy on 304", async () => {
    s3.on(GetObjectCommand)
      .callsFakeOnce(() => getObjectOutput(JSON.stringify(CONFIG), '"v1"'))
      .rejects(notModified());
    const config = store();
    const first = await config.hosts();
    now += 61_000;
    const second = await config.hosts();
    expect(second).toBe(first);
    expect(s3).toHaveReceivedNthCommandWith(GetObjectCommand, 2, { IfNoneMatch: '"v1"' });
  });

  it("shares one S3 request among concurrent callers", async () => {
    s3.on(GetObjectCommand).callsFake(() => getObjectOutput(JSON.stringify(CONFIG)));
    const config = store();
    await Promise.all(Array.from({ length: 20 }, () => config.hosts()));
    expect(s3).toReceiveCommandTimes(GetObjectCommand, 1);
  });

  it("fails closed with 503 when it never had a copy", async () => {
    s3.on(GetObjectCommand).rejects(networkDown());
    await expect(store().hosts()).rejects.toBeInstanceOf(UnavailableError);
    expect(logs.at(-1)).toMatchObject({ level: "error", msg: "config unavailable" });
  });

  it("after a failure, fails closed without asking S3 again until the Retry-After has passed", async () => {
    // prepare
    s3.on(GetObjectCommand)
      .rejectsOnce(networkDown())
      .callsFake(() => getObjectOutput(JSON.stringify(CONFIG)));
    const config = store();
    // act
    const first = config.hosts();
    await expect(first).rejects.toBeInstanceOf(UnavailableError);
    now += 4_000;
    const during = config.hosts();
    await expect(during).rejects.toBeInstanceOf(UnavailableError);
    now += 1_000;
    const after = await config.hosts();
    // assess
    expect(after.size).toBe(1);
    expect(s3).toReceiveCommandTimes(GetObjectCommand, 2);
  });

  it("serves its last copy for up to 15 minutes while S3 fails, then fails closed", async () => {
    // prepare
    s3.on(GetObjectCommand)
      .callsFakeOnce(() => getObjectOutput(JSON.stringify(CONFIG)))
      .rejects(networkDown());
    const config = store(60);
    const original = await config.hosts();
    // act
    now += 14 * 60_000;
    const stale = await config.hosts();
    now += 2 * 60_000;
    const expired = config.hosts();
    // assess
    expect(stale).toBe(original);
    expect(logs.some((entry) => entry.msg === "config fetch failed; using cached copy")).toBe(true);
    await expect(expired).rejects.toBeInstanceOf(UnavailableError);
  });

  it("treats a malformed file like an outage: keeps the last good copy", async () => {
    s3.on(GetObjectCommand)
      .callsFakeOnce(() => getObjectOutput(JSON.stringify(CONFIG), '"v1"'))
      .callsFake(() => getObjectOutput("{ broken", '"v2"'));
    const config = store(0);
    const good = await config.hosts();
    now += 10_000;
    expect(await config.hosts()).toBe(good);
  });

  it("logs a malformed file by line and column, never the text around the fault", async () => {
    // prepare
    s3.on(GetObjectCommand).callsFake(() =>
      getObjectOutput('{"home.example.com.": {"shared_secret": "s3cr3t-part" oops}}'),
    );
    // act
    const result = store().hosts();
    // assess
    await expect(result).rejects.toBeInstanceOf(UnavailableError);
    expect(logs).toContainEqual(
      expect.objectContaining({
        msg: "config unavailable",
        error: {
          name: "ConfigFileError",
          message: "The config file is not valid JSON: syntax error at line 1, column 55.",
        },
      }),
    );
    expect(JSON.stringify(logs)).not.toMatch(/s3cr3t|oops/);
  });

  it("logs each bad host entry without its secret and serves the rest", async () => {
    const document = {
      ...CONFIG,
      "bad.example.com": { route_53_zone_id: "Z1", shared_secret: "leaky", route_53_record_ttl: "x" },
    };
    s3.on(GetObjectCommand).callsFake(() => getObjectOutput(JSON.stringify(document)));
    const hosts = await store().hosts();
    expect(hosts.size).toBe(1);
    expect(logs).toContainEqual(
      expect.objectContaining({
        msg: "config problem",
        problem: expect.stringContaining("bad.example.com: route_53_record_ttl"),
      }),
    );
    expect(JSON.stringify(logs)).not.toContain("leaky");
  });
});
