/**
 * Certificates through this service with real ACME software, one stack for the file: moto (Route 53
 * and the config bucket), the local authoritative DNS server, the local API (src/handler.ts) and
 * pebble validating DNS-01 against that DNS server. Accounts are made with `ddns acme add --json`.
 *
 * - Debian's lego with `--dns httpreq` gets one certificate for the demo host and its wildcard.
 * - The acme-dns API gets certificates through acme-client, sending what lego, Caddy and
 *   cert-manager send (goacmedns), what older lego sends (`SubDomain`/`Txt`) and what acme.sh sends
 *   (and checks), including for an outside name whose `_acme-challenge` CNAME lives in another zone.
 * - `ddns acme list|rotate|remove` and `config validate` on the accounts the function then uses.
 * - Wrong key, wrong user, foreign subdomain, a source outside allow_from and a bad txt get the
 *   documented errors, and the TXT record stays as it was.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { Agent } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import acme from "acme-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTxtValue } from "../../src/dns/txt-values.js";
import { type AwsFixture, createAwsFixture } from "../support/aws-fixture.js";
import { runDdns } from "../support/ddns-cli.js";
import { deployedEnvironment } from "../support/deployment.js";
import { type DnsServer, queryDns, startTestDnsServer, txtStrings } from "../support/dns.js";
import { freePort, type MotoServer, startMoto, waitForHttp } from "../support/moto.js";
import { type Pebble, startPebble } from "../support/pebble.js";

// The zone the tests' deployment was applied for: its DDNS_RESERVED_NAMES name this apex.
const ZONE = "dyn.example.com";
const OUTSIDE_ZONE = "example.org";
const LIFETIME_SECONDS = 600;

interface AccountOutput {
  username: string;
  password: string;
  subdomain: string;
  txt_name: string;
  cname?: string;
  clients: { acme_dns_url: string; lego_httpreq: Record<string, string> };
}

/** How an ACME client sends an acme-dns update; each returns whether the client would call it a success. */
type UpdateShape = (account: AccountOutput, txt: string) => Promise<boolean>;

describe("ACME DNS-01 with real ACME software", () => {
  let work: string;
  let moto: MotoServer;
  let zone: AwsFixture;
  let outsideZone: AwsFixture;
  let dns: DnsServer;
  let pebble: Pebble;
  let api: ChildProcess;
  let apiUrl: string;
  let env: Record<string, string>;

  const txtValues = async (name: string) => (await zone.recordValues(name, "TXT")).values.map(readTxtValue);

  async function ddns(...argv: string[]): Promise<AccountOutput> {
    const { code, stdout, stderr } = await runDdns([...argv, "--json", "--quiet"], env);
    expect(code, stderr).toBe(0);
    return JSON.parse(stdout);
  }

  const update = (account: AccountOutput, body: string, headers: Record<string, string> = {}) =>
    fetch(`${account.clients.acme_dns_url}/update`, {
      method: "POST",
      headers: { "X-Api-User": account.username, "X-Api-Key": account.password, ...headers },
      body,
    });

  /** lego's, Caddy's and cert-manager's client (goacmedns): lower-case keys, JSON, a 200 is success. */
  const goacmedns: UpdateShape = async (account, txt) => {
    const response = await update(account, JSON.stringify({ subdomain: account.subdomain, txt }), {
      "Content-Type": "application/json",
    });
    return response.status === 200;
  };
  /** Older lego builds: the struct's field names as keys. */
  const olderLego: UpdateShape = async (account, txt) => {
    const response = await update(account, JSON.stringify({ SubDomain: account.subdomain, Txt: txt }));
    return response.status === 200;
  };
  /** acme.sh dns_acmedns: success when the body contains the quoted value. */
  const acmeSh: UpdateShape = async (account, txt) => {
    const response = await update(account, `{"subdomain":"${account.subdomain}","txt":"${txt}"}`, {
      "content-type": "application/json",
    });
    return (await response.text()).includes(`"${txt}"`);
  };

  /**
   * What every ACME client does before it tells the CA to look (lego's and acme.sh's propagation
   * check): waits until the zone's name servers answer the value. The writer writes it moments after
   * the API accepted it; within a client's default timeout (lego: 60 s) is the promise.
   */
  async function servedByNameServers(name: string, value: string): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const answer = await queryDns(dns, name, "TXT").catch(() => undefined);
      if (answer && txtStrings(answer).some((strings) => strings.join("") === value)) return;
      if (Date.now() > deadline) throw new Error(`${name} TXT ${value} not served within 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** An order through acme-client, each challenge written by the next update shape in turn. */
  async function orderWithAcmeDns(
    names: string[],
    account: AccountOutput,
    shapes: UpdateShape[],
  ): Promise<X509Certificate> {
    const client = new acme.Client({
      directoryUrl: pebble.directoryUrl,
      accountKey: await acme.crypto.createPrivateEcdsaKey(),
    });
    const [, csr] = await acme.crypto.createCsr({ commonName: names[0], altNames: names });
    let next = 0;
    const pem = await client.auto({
      csr,
      email: "ops@example.test",
      termsOfServiceAgreed: true,
      challengePriority: ["dns-01"],
      // acme-client's own pre-check asks the system resolver, which does not know these zones;
      // pebble asks the local DNS server.
      skipChallengeVerification: true,
      // For dns-01, acme-client hands over the record's value (base64url SHA-256 of the key authorization).
      challengeCreateFn: async (_authz, _challenge, value) => {
        const shape = shapes[next++ % shapes.length] as UpdateShape;
        if (!(await shape(account, value))) throw new Error("the acme-dns update was not accepted");
        await servedByNameServers(account.txt_name, value);
      },
      challengeRemoveFn: async () => {},
    });
    return new X509Certificate(pem);
  }

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "ddns-acme-"));
    moto = await startMoto({ maxLifetimeSeconds: LIFETIME_SECONDS });
    zone = await createAwsFixture(moto.url, { zoneName: `${ZONE}.` });
    outsideZone = await createAwsFixture(moto.url, {
      zoneName: `${OUTSIDE_ZONE}.`,
      bucket: `${zone.bucket}-x`,
    });
    await zone.putConfig({});
    dns = await startTestDnsServer(moto.url);
    pebble = await startPebble(work, dns.address, { maxLifetimeSeconds: LIFETIME_SECONDS });
    acme.axios.defaults.httpsAgent = new Agent({ ca: await readFile(pebble.caFile) });

    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}/`;
    env = {
      ...deployedEnvironment(moto.url, { bucket: zone.bucket, nameServers: dns.address }),
      DDNS_API_URL: apiUrl,
      DDNS_CONFIG_CACHE_SECONDS: "0",
    };
    api = spawn(
      "timeout",
      [String(LIFETIME_SECONDS), process.execPath, "--import", "tsx", "src/local/main.ts", "--source"].concat(
        ["--host", "127.0.0.1", "--port", String(port)],
      ),
      { stdio: "ignore", env: { ...process.env, ...env } },
    );
    await waitForHttp(`${apiUrl}health`, 30_000, () => api.exitCode !== null);
  });

  afterAll(async () => {
    api?.kill("SIGTERM");
    await pebble?.stop();
    await dns?.stop();
    await moto?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("lego --dns httpreq gets one certificate for the demo host and its wildcard", async () => {
    // prepare
    const host = `home.${ZONE}`;
    const account = await ddns("acme", "add", host, "--zone-id", zone.zoneId);

    // act
    const { stdout } = await promisify(execFile)(
      "lego",
      [
        "--server",
        pebble.directoryUrl,
        "--accept-tos",
        "--email",
        "ops@example.test",
        "--path",
        join(work, "lego"),
      ]
        .concat(["--dns", "httpreq", "--dns.resolvers", dns.address, "--dns.disable-cp"])
        .concat(["--domains", host, "--domains", `*.${host}`, "run"]),
      { env: { ...process.env, LEGO_CA_CERTIFICATES: pebble.caFile, ...account.clients.lego_httpreq } },
    ).catch((error: { stderr?: string }) => {
      throw new Error(`lego failed:\n${error.stderr}`);
    });
    const certificate = new X509Certificate(
      await readFile(join(work, "lego", "certificates", `${host}.crt`)),
    );

    // assess
    expect(account.txt_name).toBe(`_acme-challenge.${host}`);
    expect(account.cname).toBeUndefined();
    expect(certificate.subjectAltName).toContain(`DNS:${host}`);
    expect(certificate.subjectAltName).toContain(`DNS:*.${host}`);
    // lego cleans up: both values gone
    expect(await txtValues(account.txt_name)).toEqual([]);
    expect(stdout).not.toContain(account.password);
  });

  it("the acme-dns API gets a certificate with goacmedns's, older lego's and acme.sh's requests", async () => {
    // prepare
    const host = `other.${ZONE}`;
    const account = await ddns("acme", "add", host, "--zone-id", zone.zoneId, "--allow-from", "127.0.0.0/8");

    // act
    const certificate = await orderWithAcmeDns([host, `*.${host}`], account, [olderLego, acmeSh]);
    const again = await orderWithAcmeDns([host], account, [goacmedns]);

    // assess
    expect(certificate.subjectAltName).toContain(`DNS:*.${host}`);
    expect(again.subjectAltName).toBe(`DNS:${host}`);
    // no cleanup in acme-dns: the record keeps the last two values
    expect(await txtValues(account.txt_name)).toHaveLength(2);
  });

  it("an outside name gets a certificate through its _acme-challenge CNAME", async () => {
    // prepare
    const name = `nas.${OUTSIDE_ZONE}`;
    const account = await ddns("acme", "add", name, "--zone-id", zone.zoneId);
    const [cnameName, , target] = (account.cname ?? "").split(" ");
    await outsideZone.setRecord(cnameName ?? "", "CNAME", target ?? "");

    // act
    const certificate = await orderWithAcmeDns([name], account, [goacmedns]);

    // assess
    expect(account.cname).toBe(`_acme-challenge.${name}. CNAME ${account.txt_name}.`);
    expect(account.txt_name).toBe(`${account.subdomain}._acme-dns.${ZONE}`);
    expect(certificate.subjectAltName).toBe(`DNS:${name}`);
  });

  it("ddns acme list shows no password; rotate replaces it; remove ends the account", async () => {
    // prepare
    const account = await ddns("acme", "add", `rotated.${ZONE}`, "--zone-id", zone.zoneId);
    const value = "R".repeat(43);
    const accepted = (credentials: AccountOutput) => goacmedns(credentials, value);

    // act
    const listed = (await ddns("acme", "list")) as unknown as Record<string, unknown>[];
    const rotated = await ddns("acme", "rotate", `rotated.${ZONE}`);
    const oldPassword = await accepted(account);
    const newPassword = await accepted({ ...account, password: rotated.password });
    await ddns("acme", "remove", account.username);
    const afterRemove = await accepted({ ...account, password: rotated.password });
    const config = await zone.s3.send(new GetObjectCommand({ Bucket: zone.bucket, Key: "config.json" }));
    const validation = await runDdns(["config", "validate", "-"], env, {
      stdin: await config.Body?.transformToString(),
    });

    // assess
    const own = listed.find((row) => row.username === account.username);
    expect(own).toMatchObject({ name: `rotated.${ZONE}`, txt_name: account.txt_name, allow_from: [] });
    expect(JSON.stringify(listed)).not.toContain(account.password);
    expect(rotated.password).not.toBe(account.password);
    expect([oldPassword, newPassword, afterRemove]).toEqual([false, true, false]);
    expect(validation.stdout).toMatch(/\d+ ACME accounts?, 0 errors/);
  });

  it("refuses wrong credentials, foreign subdomains, outside sources and bad values, changing nothing", async () => {
    // prepare
    const own = await ddns("acme", "add", `errors.${ZONE}`, "--zone-id", zone.zoneId);
    const other = await ddns("acme", "add", `foreign.${ZONE}`, "--zone-id", zone.zoneId);
    const fenced = await ddns(
      "acme",
      "add",
      `fenced.${ZONE}`,
      "--zone-id",
      zone.zoneId,
      "--allow-from",
      "192.0.2.0/24",
    );
    const good = "A".repeat(43);
    expect(await goacmedns(own, good)).toBe(true);
    const before = await txtValues(own.txt_name);
    const body = (txt: string, subdomain = own.subdomain) => JSON.stringify({ subdomain, txt });
    const value = "B".repeat(43);

    // act
    const answers = await Promise.all(
      [
        // The last character changed: to "y" when it is "x" already (1 password in 64), else the password would still be right.
        update(
          { ...own, password: `${own.password.slice(0, -1)}${own.password.endsWith("x") ? "y" : "x"}` },
          body(value),
        ),
        update({ ...own, username: other.username }, body(value)),
        update(own, body(value, other.subdomain)),
        update(fenced, body(value, fenced.subdomain)),
        update(own, body("too-short")),
        update(own, body(`${"C".repeat(42)}=`)),
        update(own, body(value, "Not A Label")),
        update(own, "{not json"),
        fetch(`${apiUrl}acme-dns/register`, { method: "POST" }),
        fetch(`${apiUrl}acme-dns/health`),
        fetch(`${apiUrl}httpreq/present`, {
          method: "POST",
          headers: { authorization: `Basic ${Buffer.from(`${own.username}:wrong`).toString("base64")}` },
          body: JSON.stringify({ fqdn: `_acme-challenge.errors.${ZONE}.`, value }),
        }),
        fetch(`${apiUrl}httpreq/present`, {
          method: "POST",
          headers: {
            authorization: `Basic ${Buffer.from(`${own.username}:${own.password}`).toString("base64")}`,
          },
          body: JSON.stringify({ fqdn: `_acme-challenge.foreign.${ZONE}.`, value }),
        }),
      ].map(async (pending) => {
        const response = await pending;
        return `${response.status} ${(await response.text()).trim()}`;
      }),
    );
    const after = await txtValues(own.txt_name);

    // assess
    expect(answers).toEqual([
      '401 {"error":"forbidden"}',
      '401 {"error":"forbidden"}',
      '401 {"error":"forbidden"}',
      '401 {"error":"forbidden"}',
      '400 {"error":"bad_txt"}',
      '400 {"error":"bad_txt"}',
      '400 {"error":"bad_subdomain"}',
      '400 {"error":"malformed_json_payload"}',
      '403 {"error":"registration is disabled: the operator creates accounts with `ddns acme add NAME`"}',
      '200 {"status":"ok"}',
      '401 {"error":"forbidden"}',
      '403 {"error":"bad_fqdn"}',
    ]);
    expect(before).toEqual([good]);
    expect(after).toEqual(before);
    expect(await txtValues(other.txt_name)).toEqual([]);
    expect(await txtValues(fenced.txt_name)).toEqual([]);
  });
});
