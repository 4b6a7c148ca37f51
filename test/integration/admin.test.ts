/**
 * The `ddns` operator CLI against a moto server: hosts added, rotated and removed through the real
 * SDK, checked by the function itself (the real handler reading the same bucket), plus the
 * concurrency check, the validator and the config history.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { CreateHostedZoneCommand } from "@aws-sdk/client-route-53";
import { PutBucketVersioningCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { AwsClients } from "../../src/admin/io.js";
import { run } from "../../src/admin/main.js";
import type { HttpResult } from "../../src/protocols/http.js";
import { type AwsFixture, createAwsFixture, TEST_CREDENTIALS, TEST_REGION } from "../support/aws-fixture.js";
import { freshHandler, runDdns } from "../support/ddns-cli.js";
import { deployedEnvironment } from "../support/deployment.js";
import { httpEvent } from "../support/events.js";
import { type MotoServer, startMoto } from "../support/moto.js";

const SOURCE_IP = "198.51.100.7";
const seedHash = (host: string, secret: string) =>
  createHash("sha256")
    .update(SOURCE_IP + host + secret)
    .digest("hex");

describe("ddns CLI against moto", () => {
  let moto: MotoServer;
  let aws: AwsFixture;
  let env: Record<string, string>;
  const apiUrl = "https://api.example.test/";

  const ddns = (argv: string[], options: { stdin?: string; clients?: AwsClients } = {}) =>
    runDdns(argv, env, options);

  async function addHost(name: string, ...flags: string[]): Promise<string> {
    const added = await ddns(["host", "add", name, "--json", ...flags]);
    expect(added.code, added.stderr).toBe(0);
    return JSON.parse(added.stdout).secret;
  }

  /** The real handler, reading the config on every request (cache 0), as a fresh container. */
  async function updateFromRouter(host: string, secret: string): Promise<HttpResult> {
    const handler = await freshHandler({ ...env, DDNS_CONFIG_CACHE_SECONDS: "0" });
    return handler(
      httpEvent({
        query: { mode: "set", hostname: host, hash: seedHash(host, secret) },
        sourceIp: SOURCE_IP,
      }),
    );
  }

  beforeAll(async () => {
    moto = await startMoto();
    aws = await createAwsFixture(moto.url);
    // A parent zone too, so the CLI has to pick the longest matching one.
    await aws.route53.send(new CreateHostedZoneCommand({ Name: "example.com.", CallerReference: "parent" }));
    await aws.s3.send(
      new PutBucketVersioningCommand({ Bucket: aws.bucket, VersioningConfiguration: { Status: "Enabled" } }),
    );
    env = { ...deployedEnvironment(moto.url, { bucket: aws.bucket }), DDNS_API_URL: apiUrl };
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await moto?.stop();
  });

  it("adds a host in its zone; the function then accepts its secret", async () => {
    // prepare
    const host = "home.dyn.example.com";
    // act
    const added = await ddns(["host", "add", host, "--ttl", "120", "--json"]);
    const response = await updateFromRouter(host, JSON.parse(added.stdout).secret);
    // assess
    expect(added.code, added.stderr).toBe(0);
    const result = JSON.parse(added.stdout);
    expect(result).toMatchObject({ hostname: host, zone_id: aws.zoneId, zone_name: "dyn.example.com" });
    expect(Buffer.from(result.secret, "base64url")).toHaveLength(32);
    expect(result.client_command).toContain(`-h ${host}`);
    expect(added.stderr).not.toContain(result.secret);
    expect(response.statusCode).toBe(201);
    expect(await aws.recordValues(host, "A")).toEqual({ values: [SOURCE_IP], ttl: 120 });
  });

  it("shows the secret only on add: list and show never print it", async () => {
    // prepare
    const secret = await addHost("quiet.dyn.example.com", "--types", "A", "--dyndns2");
    // act
    const list = await ddns(["host", "list", "--json"]);
    const show = await ddns(["host", "show", "quiet.dyn.example.com", "--json"]);
    // assess
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toContainEqual(
      expect.objectContaining({
        hostname: "quiet.dyn.example.com",
        record_types: ["A"],
        allow_dyndns2: true,
      }),
    );
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout).secret_bits).toBeGreaterThanOrEqual(256);
    for (const output of [list.stdout, list.stderr, show.stdout, show.stderr])
      expect(output).not.toContain(secret);
  });

  it("refuses a host outside every zone, and a host already there", async () => {
    // prepare
    await addHost("twice.dyn.example.com");
    // act
    const outside = await ddns(["host", "add", "home.example.org"]);
    const again = await ddns(["host", "add", "TWICE.dyn.example.com."]);
    // assess
    expect(outside.code).toBe(3);
    expect(outside.stderr).toContain("home.example.org. is outside every hosted zone");
    expect(again.code).toBe(3);
    expect(again.stderr).toContain("twice.dyn.example.com is already in");
  });

  it("refuses the zone apex and the API's own domain name as hosts", async () => {
    // prepare
    const deployment = env;
    // act
    const apex = await ddns(["host", "add", "Dyn.Example.com."]);
    env = { ...deployment, DDNS_API_URL: "https://ddns.dyn.example.com/" };
    const apiDomain = await ddns(["host", "add", "ddns.dyn.example.com"]);
    env = deployment;
    const list = await ddns(["host", "list", "--json"]);
    // assess
    expect(apex.code).toBe(3);
    expect(apex.stderr).toContain(
      "dyn.example.com is the apex of the zone dyn.example.com, which cannot be a dynamic host",
    );
    expect(apiDomain.code).toBe(3);
    expect(apiDomain.stderr).toContain(
      "ddns.dyn.example.com is the API's own domain name (https://ddns.dyn.example.com/), which cannot be a dynamic host",
    );
    const names = JSON.parse(list.stdout).map((host: { hostname: string }) => host.hostname);
    expect(names).not.toContain("dyn.example.com");
    expect(names).not.toContain("ddns.dyn.example.com");
  });

  it("rotates a secret: the old one is refused, the new one accepted", async () => {
    // prepare
    const host = "rotate.dyn.example.com";
    const oldSecret = await addHost(host);
    // act
    const rotated = await ddns(["host", "rotate", host, "--json"]);
    const newSecret = JSON.parse(rotated.stdout).secret;
    const withOld = await updateFromRouter(host, oldSecret);
    const withNew = await updateFromRouter(host, newSecret);
    // assess
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(newSecret).not.toBe(oldSecret);
    expect(withOld.statusCode).toBe(401);
    expect(withNew.statusCode).toBe(201);
  });

  it("refuses to overwrite an edit made between its read and its write", async () => {
    // prepare: an S3 client that lets someone else write the file just before the CLI does
    const competingEdit = {
      "other.dyn.example.com.": { route_53_zone_id: aws.zoneId, shared_secret: "x".repeat(43) },
    };
    const s3 = new S3Client({ endpoint: moto.url, region: TEST_REGION, credentials: TEST_CREDENTIALS });
    s3.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "PutObjectCommand") await aws.putConfig(competingEdit);
        return next(args);
      },
      { step: "initialize" },
    );
    // act
    const result = await ddns(["host", "add", "late.dyn.example.com"], {
      clients: { s3, route53: aws.route53 },
    });
    const list = await ddns(["host", "list", "--json"]);
    // assess
    expect(result.code).toBe(4);
    expect(result.stderr).toContain("changed while this command was running");
    expect(result.stdout).toBe("");
    expect(JSON.parse(list.stdout).map((host: { hostname: string }) => host.hostname)).toEqual([
      "other.dyn.example.com",
    ]);
  });

  it("keeps history, and restores an earlier version", async () => {
    // prepare
    await aws.putConfig({});
    await addHost("first.dyn.example.com");
    await addHost("second.dyn.example.com");
    const history = await ddns(["config", "history", "--json"]);
    const versions = JSON.parse(history.stdout) as { versionId: string; isLatest: boolean }[];
    const withFirstOnly = versions[1]?.versionId ?? "";
    // act
    const restored = await ddns(["config", "restore", withFirstOnly]);
    const list = await ddns(["host", "list", "--json"]);
    // assess
    expect(history.code, history.stderr).toBe(0);
    expect(versions[0]?.isLatest).toBe(true);
    expect(restored.code, restored.stderr).toBe(0);
    expect(JSON.parse(list.stdout).map((host: { hostname: string }) => host.hostname)).toEqual([
      "first.dyn.example.com",
    ]);
  });

  it("warns when a restored version brings back secrets rotated or hosts removed since, naming no secret", async () => {
    // prepare
    await aws.putConfig({});
    const rotatedSecret = await addHost("rotated.dyn.example.com");
    const removedSecret = await addHost("removed.dyn.example.com");
    const keptSecret = await addHost("kept.dyn.example.com");
    const history = await ddns(["config", "history", "--json"]);
    const withAll = (JSON.parse(history.stdout) as { versionId: string }[])[0]?.versionId ?? "";
    const rotated = await ddns(["host", "rotate", "rotated.dyn.example.com", "--json"]);
    await ddns(["host", "remove", "removed.dyn.example.com"]);
    // act
    const restored = await ddns(["config", "restore", withAll]);
    const again = await ddns(["config", "restore", withAll]);
    // assess
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stderr).toContain(
      `the secret of rotated.dyn.example.com was rotated since version ${withAll}: restoring brings the old one back`,
    );
    expect(restored.stderr).toContain(
      `removed.dyn.example.com was removed since version ${withAll}: restoring brings it back with its old secret`,
    );
    expect(restored.stderr).not.toContain("kept.dyn.example.com");
    expect(again.stderr).not.toContain("since version");
    for (const secret of [rotatedSecret, removedSecret, keptSecret, JSON.parse(rotated.stdout).secret]) {
      expect(restored.stdout + restored.stderr).not.toContain(secret);
    }
  });

  it("removes a host", async () => {
    // prepare
    await addHost("gone.dyn.example.com");
    // act
    const removed = await ddns(["host", "remove", "gone.dyn.example.com"]);
    const show = await ddns(["host", "show", "gone.dyn.example.com"]);
    // assess
    expect(removed.code, removed.stderr).toBe(0);
    expect(show.code).toBe(3);
  });

  it("writes client configs; the secret appears only when given on stdin", async () => {
    // prepare
    const secret = await addHost("router.dyn.example.com", "--dyndns2");
    await addHost("plain.dyn.example.com", "--types", "AAAA");
    // act
    const ddclient = await ddns(["client-config", "router.dyn.example.com", "--format", "ddclient"]);
    const openwrt = await ddns(
      ["client-config", "router.dyn.example.com", "--format", "openwrt", "--secret-stdin"],
      {
        stdin: `${secret}\n`,
      },
    );
    const sh = await ddns(["client-config", "plain.dyn.example.com", "--format", "sh"]);
    const notDyndns2 = await ddns(["client-config", "plain.dyn.example.com", "--format", "inadyn"]);
    // assess
    expect(ddclient.code, ddclient.stderr).toBe(0);
    expect(ddclient.stdout).toContain("use=web, web=https://api.example.test/checkip\n");
    expect(ddclient.stdout).toContain("server=api.example.test\n");
    expect(ddclient.stdout).toContain("login=router.dyn.example.com\n");
    expect(ddclient.stdout).not.toContain(secret);
    expect(openwrt.stdout).toContain(`option password '${secret}'`);
    expect(sh.stdout).toContain("DDNS_URL='https://api.example.test/'");
    expect(sh.stdout).toContain("DDNS_FAMILY='6'");
    expect(notDyndns2.code).toBe(3);
    expect(notDyndns2.stderr).toContain("does not accept dyndns2 clients");
  });

  it("validates a file as the function would, naming host and field, and flags weak secrets", async () => {
    // prepare
    const dir = await mkdtemp(join(tmpdir(), "ddns-validate-"));
    const broken = join(dir, "broken.json");
    const good = join(dir, "good.json");
    await writeFile(
      broken,
      JSON.stringify({
        "a.dyn.example.com.": {
          route_53_zone_id: aws.zoneId,
          route_53_record_ttl: -1,
          shared_secret: "x".repeat(43),
        },
        "b.dyn.example.com.": { route_53_zone_id: aws.zoneId, shared_secret: "hunter2" },
      }),
    );
    await writeFile(
      good,
      JSON.stringify({ "c.dyn.example.com.": { route_53_zone_id: "Z1", shared_secret: "Aa0_".repeat(11) } }),
    );
    // act
    const brokenResult = await ddns(["config", "validate", broken]);
    const goodResult = await ddns(["config", "validate", good]);
    const notJson = await ddns(["config", "validate", "-"], {
      stdin: '{"c.dyn.example.com.": {\n "shared_secret": "hunter3-part',
    });
    // assess
    expect(brokenResult.code).toBe(5);
    expect(brokenResult.stdout).toContain(
      "error: a.dyn.example.com.: route_53_record_ttl: Must be a whole number",
    );
    expect(brokenResult.stdout).toContain("warning: b.dyn.example.com.: shared_secret: Weak: about");
    expect(brokenResult.stdout).not.toContain("hunter2");
    expect(goodResult.code, goodResult.stdout).toBe(0);
    expect(notJson.code).toBe(5);
    expect(notJson.stderr).toContain("not valid JSON: syntax error at line 2, column 19.");
    expect(notJson.stderr).not.toContain("hunter3");
  });

  it("adds, lists and removes a router's LAN devices; its FRITZ!Box settings carry ip6lanprefix", async () => {
    // prepare
    const secret = await addHost("fritz.dyn.example.com", "--dyndns2", "--wildcard", "--types", "A");
    await addHost("taken.fritz.dyn.example.com");
    // act
    const byMac = await ddns([
      "host",
      "lan",
      "add",
      "fritz.dyn.example.com",
      "nas.fritz.dyn.example.com",
      "--mac",
      "00:11:32:12:34:56",
    ]);
    const bySuffix = await ddns([
      "host",
      "lan",
      "add",
      "fritz.dyn.example.com",
      "Printer.fritz.dyn.example.com.",
      "--interface-id",
      "::10",
    ]);
    const outsideZone = await ddns([
      "host",
      "lan",
      "add",
      "fritz.dyn.example.com",
      "nas.example.com",
      "--mac",
      "00:11:32:12:34:57",
    ]);
    const ownedElsewhere = await ddns([
      "host",
      "lan",
      "add",
      "fritz.dyn.example.com",
      "taken.fritz.dyn.example.com",
      "--interface-id",
      "::11",
    ]);
    const overflowing = await ddns([
      "host",
      "lan",
      "add",
      "fritz.dyn.example.com",
      "tv.fritz.dyn.example.com",
      "--interface-id",
      "::1:0:0:0:1",
    ]);
    const neither = await ddns(["host", "lan", "add", "fritz.dyn.example.com", "tv.fritz.dyn.example.com"]);
    const removed = await ddns([
      "host",
      "lan",
      "remove",
      "fritz.dyn.example.com",
      "printer.fritz.dyn.example.com",
    ]);
    const badLength = await ddns([
      "host",
      "lan",
      "add",
      "fritz.dyn.example.com",
      "tv.fritz.dyn.example.com",
      "--interface-id",
      "::12:0:0:0:7",
      "--prefix-length",
      "40",
    ]);
    const subnetted = await ddns([
      "host",
      "lan",
      "add",
      "fritz.dyn.example.com",
      "tv.fritz.dyn.example.com",
      "--interface-id",
      "::12:0:0:0:7",
      "--prefix-length",
      "56",
    ]);
    const list = await ddns(["host", "lan", "list", "fritz.dyn.example.com", "--json"]);
    const hosts = await ddns(["host", "list"]);
    const fritzbox = await ddns(["client-config", "fritz.dyn.example.com", "--format", "fritzbox"]);
    // assess
    expect(byMac.code, byMac.stderr).toBe(0);
    expect(byMac.stdout).toContain("with the interface identifier ::211:32ff:fe12:3456.");
    expect(bySuffix.code, bySuffix.stderr).toBe(0);
    expect(outsideZone.code).toBe(3);
    expect(outsideZone.stderr).toContain("nas.example.com. is not inside the zone dyn.example.com.");
    expect(ownedElsewhere.code).toBe(2);
    expect(ownedElsewhere.stderr).toContain("taken.fritz.dyn.example.com is also written by");
    expect(overflowing.code).toBe(2);
    expect(overflowing.stderr).toContain("does not fit in the 64 bits a /64 prefix leaves");
    expect(neither.code).toBe(2);
    expect(removed.code, removed.stderr).toBe(0);
    expect(badLength.code).toBe(2);
    expect(badLength.stderr).toContain("--prefix-length must be a whole number from 48 to 64, not 40.");
    expect(subnetted.code, subnetted.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual({
      router: "fritz.dyn.example.com",
      prefix_length: 56,
      prefix_from_source: false,
      devices: [
        { name: "nas.fritz.dyn.example.com", interface_id: "::211:32ff:fe12:3456" },
        { name: "tv.fritz.dyn.example.com", interface_id: "::12:0:0:0:7" },
      ],
    });
    expect(hosts.stdout).toMatch(/fritz\.dyn\.example\.com\t.*\tdyndns2,wildcard,lan:2\n/);
    expect(fritzbox.code, fritzbox.stderr).toBe(0);
    expect(fritzbox.stdout).toContain(
      "Update URL:              https://api.example.test/nic/update?hostname=<domain>&myip=<ipaddr>&ip6lanprefix=<ip6lanprefix>\n",
    );
    expect(fritzbox.stdout).toContain("User name:               fritz.dyn.example.com\n");
    expect(fritzbox.stdout).toContain(
      "# <ip6lanprefix> moves the LAN names below fritz.dyn.example.com: nas.fritz.dyn.example.com, tv.fritz.dyn.example.com",
    );
    expect(fritzbox.stdout).not.toContain(secret);
  });

  it("validates that the names a host writes lie in its zone, given the deployment's zones", async () => {
    // prepare
    const dir = await mkdtemp(join(tmpdir(), "ddns-validate-lan-"));
    const file = join(dir, "lan.json");
    const router = { route_53_zone_id: "Z1", shared_secret: "Aa0_".repeat(11), wildcard: true };
    await writeFile(
      file,
      JSON.stringify({
        "home.dyn.example.com.": {
          ...router,
          ipv6_lan_hosts: { "nas.home.dyn.example.com.": "::1", "cam.lan.home.dyn.example.com.": "::2" },
        },
        "other.example.net.": router,
      }),
    );
    // act
    const withZones = await ddns([
      "config",
      "validate",
      file,
      "--zone",
      "dyn.example.com",
      "--zone",
      "lan.home.dyn.example.com",
    ]);
    const withoutZones = await ddns(["config", "validate", file]);
    // assess
    expect(withZones.code).toBe(5);
    expect(withZones.stdout).toContain(
      "error: home.dyn.example.com.: ipv6_lan_hosts: cam.lan.home.dyn.example.com is not in the router's zone dyn.example.com;",
    );
    expect(withZones.stdout).toContain(
      "error: other.example.net.: Lies outside the zones given (dyn.example.com., lan.home.dyn.example.com.).",
    );
    expect(withZones.stdout).not.toContain("nas.home.dyn.example.com is not");
    expect(withoutZones.code, withoutZones.stdout).toBe(0);
  });

  it("reports usage errors and a missing bucket with exit code 2", async () => {
    // prepare
    const { DDNS_CONFIG_BUCKET: _bucket, ...withoutBucket } = env;
    // act
    const badTtl = await ddns(["host", "add", "x.dyn.example.com", "--ttl", "soon"]);
    const unknownOption = await ddns(["host", "list", "--colour"]);
    const noBucket = await run(["host", "list", "--terraform-dir", "/nonexistent"], {
      stdout: () => {},
      stderr: () => {},
      readStdin: async () => "",
      env: withoutBucket,
    });
    // assess
    expect(badTtl.code).toBe(2);
    expect(badTtl.stderr).toContain("--ttl must be a whole number");
    expect(unknownOption.code).toBe(2);
    expect(noBucket).toBe(1);
  });

  it("runs as `ddns` from the package's bin", async () => {
    // prepare
    await aws.putConfig({});
    await addHost("bin.dyn.example.com");
    // act
    const { stdout } = await promisify(execFile)(process.execPath, ["bin/ddns.mjs", "host", "list"], {
      env: { ...process.env, ...env, AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId }, // the operator's key
    });
    // assess
    expect(stdout).toMatch(/^bin\.dyn\.example\.com\t/);
  });

  it("takes the deployment from the Terraform outputs, and warns about a host outside its zone", async () => {
    // prepare: a root module's state with just the outputs
    const dir = await mkdtemp(join(tmpdir(), "ddns-tf-"));
    const outputs = Object.fromEntries(
      Object.entries({ config_bucket: aws.bucket, api_url: apiUrl, zone_id: aws.zoneId }).map(
        ([name, value]) => [name, { value, type: "string" }],
      ),
    );
    await writeFile(
      join(dir, "terraform.tfstate"),
      JSON.stringify({
        version: 4,
        terraform_version: "1.11.0",
        serial: 1,
        lineage: "test",
        outputs,
        resources: [],
      }),
    );
    const { DDNS_CONFIG_BUCKET: _bucket, DDNS_API_URL: _api, ...withoutTarget } = env;
    await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: "config.json", Body: "{}" }));
    let stdout = "";
    let stderr = "";
    const io = {
      stdout: (text: string) => {
        stdout += text;
      },
      stderr: (text: string) => {
        stderr += text;
      },
      readStdin: async () => "",
      env: { ...withoutTarget, AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId }, // the operator's key
    };
    // act: a name in the parent zone, which the deployment's function may not change
    const code = await run(["host", "add", "parent.example.com", "--terraform-dir", dir, "--json"], io);
    // assess
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ zone_name: "example.com", api_url: apiUrl });
    expect(stderr).toContain(`is not the deployment's zone (${aws.zoneId})`);
  });
});
