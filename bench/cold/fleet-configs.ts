/**
 * What the fleet-size benchmarks (bench/cold-start.ts "by fleet size", bench/fleet-memory.ts) run
 * against: the function as shipped (dist/lambda.zip unpacked to a temporary directory), and fleet
 * configs of any size in the emulator's bucket, each under its own key, in either layout. Sharded
 * configs are written by the CLI's own writer (ConfigObject), so the benchmark times what
 * `ddns config shard` does.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { unzipSync } from "fflate";
import { ConfigObject } from "../../src/admin/config-object.js";
import { configText, defaultShardCount } from "../../src/config/shards.js";
import { fleetConfig } from "../../test/support/fakes/fleet.js";

export interface UnpackedBundle {
  /** index.mjs of the unpacked zip. */
  readonly entry: string;
  remove(): void;
}

/** dist/lambda.zip unpacked as Lambda would: the handler is its index.mjs. */
export function unpackBundle(zip = "dist/lambda.zip"): UnpackedBundle {
  const dir = mkdtempSync(join(tmpdir(), "ddns-bundle-"));
  for (const [name, bytes] of Object.entries(unzipSync(readFileSync(zip)))) {
    if (name.endsWith("/")) continue;
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), bytes);
  }
  return { entry: join(dir, "index.mjs"), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export type FleetLayout = "single" | "sharded";

export interface FleetConfig {
  readonly hosts: number;
  readonly layout: FleetLayout;
  /** DDNS_CONFIG_KEY for this fleet. */
  readonly key: string;
  readonly shards: number;
  /** Bytes of config.json, or of the manifest plus every shard. */
  readonly bytes: number;
  /** How long building and uploading it took. */
  readonly seconds: number;
}

/** Puts a fleet of `hosts` (test/support/fakes/fleet.ts's hosts) under its own key, in `layout`. */
export async function putFleetConfig(
  s3: S3Client,
  bucket: string,
  zoneId: string,
  hosts: number,
  layout: FleetLayout,
): Promise<FleetConfig> {
  const startedAt = performance.now();
  const key = `fleet-${hosts}-${layout}/config.json`;
  const document = fleetConfig(hosts, zoneId);
  if (layout === "single") {
    const text = configText(document);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: text }));
    const seconds = (performance.now() - startedAt) / 1000;
    return { hosts, layout, key, shards: 0, bytes: Buffer.byteLength(text), seconds };
  }
  const shards = defaultShardCount(hosts);
  const config = new ConfigObject(s3, bucket, key);
  await config.write(document, { document: {}, etag: undefined }, { kind: "sharded", shards });
  const seconds = (performance.now() - startedAt) / 1000;
  const bytes = Buffer.byteLength(configText(document)); // the same hosts, as one file
  return { hosts, layout, key, shards, bytes, seconds };
}
