/**
 * What a newcomer missed in the CLI against moto (newcomer review D9, D12): `host add` and `acme add`
 * say how long the function takes to serve a new entry (the deployment's config cache, read from its
 * Terraform outputs when at hand), and `host set` changes an existing host's allow_client_ip (and
 * friends) in place, its secret kept.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsFixture, createAwsFixture } from "../support/aws-fixture.js";
import { runDdns } from "../support/ddns-cli.js";
import { deployedEnvironment } from "../support/deployment.js";
import { type MotoServer, startMoto } from "../support/moto.js";

describe("ddns host add / acme add / host set against moto", () => {
  let moto: MotoServer;
  let aws: AwsFixture;
  let env: Record<string, string>;
  const ddns = (argv: string[]) => runDdns(argv, env);
  const config = async (): Promise<Record<string, unknown>> => {
    const object = await aws.s3.send(new GetObjectCommand({ Bucket: aws.bucket, Key: "config.json" }));
    return JSON.parse((await object.Body?.transformToString()) ?? "{}");
  };

  beforeAll(async () => {
    moto = await startMoto();
    aws = await createAwsFixture(moto.url);
    env = {
      ...deployedEnvironment(moto.url, { bucket: aws.bucket }),
      DDNS_API_URL: "https://api.example.test/",
    };
  });

  afterAll(async () => {
    await moto?.stop();
  });

  it("host add and acme add say the new entry is served within the config cache's 60 s default", async () => {
    // act
    const host = await ddns(["host", "add", "soon.dyn.example.com"]);
    const acme = await ddns(["acme", "add", "soon.dyn.example.com", "--json"]);
    // assess
    expect(host.code, host.stderr).toBe(0);
    expect(host.stderr).toContain(
      "note: the function serves the new host soon.dyn.example.com within 60 s, once its config cache expires (DDNS_CONFIG_CACHE_SECONDS, 60 s by default); until then its requests get 401.",
    );
    expect(acme.code, acme.stderr).toBe(0);
    expect(acme.stderr).toContain(
      "note: the function serves the new ACME account for soon.dyn.example.com within 60 s",
    );
    // --json keeps stdout clean JSON; the secret and password stay out of stderr.
    const { password } = JSON.parse(acme.stdout) as { password: string };
    expect(acme.stderr).not.toContain(password);
    expect(host.stderr).not.toMatch(/secret: /);
  });

  it("takes the cache seconds from the deployment's Terraform outputs when they are at hand", async () => {
    // prepare: a root module's state whose function runs with a 300 s config cache
    const dir = await mkdtemp(join(tmpdir(), "ddns-tf-"));
    const outputs = {
      config_bucket: { value: aws.bucket, type: "string" },
      function_environment: {
        value: { DDNS_CONFIG_BUCKET: aws.bucket, DDNS_CONFIG_CACHE_SECONDS: "300" },
        type: ["map", "string"],
      },
    };
    await writeFile(
      join(dir, "terraform.tfstate"),
      JSON.stringify({
        version: 4,
        terraform_version: "1.11.0",
        serial: 1,
        lineage: "t",
        outputs,
        resources: [],
      }),
    );
    // act
    const added = await ddns(["host", "add", "later.dyn.example.com", "--terraform-dir", dir]);
    // assess
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).toContain(
      "note: the function serves the new host later.dyn.example.com within 300 s, once its config cache expires (DDNS_CONFIG_CACHE_SECONDS); until then",
    );
  });

  it("host set turns allow_client_ip on and off again, keeping the secret; host add takes it too", async () => {
    // prepare
    const added = await ddns(["host", "add", "relay.dyn.example.com", "--json"]);
    const { secret } = JSON.parse(added.stdout) as { secret: string };
    const before = await config();
    // act
    const on = await ddns([
      "host",
      "set",
      "relay.dyn.example.com",
      "--allow-client-ip",
      "on",
      "--ttl",
      "120",
    ]);
    const afterOn = await config();
    const off = await ddns(["host", "set", "relay.dyn.example.com", "--allow-client-ip", "off"]);
    const afterOff = await config();
    const withFlag = await ddns(["host", "add", "fritz.dyn.example.com", "--allow-client-ip", "--json"]);
    const missing = await ddns(["host", "set", "nobody.dyn.example.com", "--dyndns2", "on"]);
    // assess
    expect(on.code, on.stderr).toBe(0);
    expect(on.stdout).toBe("Changed relay.dyn.example.com: allow_client_ip true, route_53_record_ttl 120.\n");
    expect(afterOn["relay.dyn.example.com."]).toEqual({
      ...(before["relay.dyn.example.com."] as object),
      allow_client_ip: true,
      route_53_record_ttl: 120,
    });
    expect(off.code, off.stderr).toBe(0);
    expect(afterOff["relay.dyn.example.com."]).not.toHaveProperty("allow_client_ip");
    expect((afterOff["relay.dyn.example.com."] as { shared_secret: string }).shared_secret).toBe(secret);
    for (const output of [on.stdout, on.stderr, off.stdout, off.stderr]) expect(output).not.toContain(secret);
    expect(withFlag.code, withFlag.stderr).toBe(0);
    expect((await config())["fritz.dyn.example.com."]).toMatchObject({ allow_client_ip: true });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("nobody.dyn.example.com is not in");
  });
});
