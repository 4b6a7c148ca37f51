/**
 * The CLI's one config write (src/admin/checked-write.ts), shared by `ddns host`, `ddns lan` and
 * `ddns acme`: a problem in the entry being written refuses the write; problems elsewhere are warned
 * about and the write goes ahead; what comes back is the document as the function parses it.
 */
import { describe, expect, it } from "vitest";
import { writeChecked } from "../../src/admin/checked-write.js";
import type { ConfigDocument, ConfigObject, ConfigSnapshot } from "../../src/admin/config-object.js";
import type { CommandContext } from "../../src/admin/context.js";
import { UsageError } from "../../src/admin/errors.js";

const ZONE = "Z0123456789ABC";
const HASH = "a".repeat(64);
const USER = "0b2c6f3e-4f9a-4a43-9c1e-2b8a7d5e6f10";

/** A context whose output is recorded, and a config object that records what it was asked to write. */
function fakes() {
  const warnings: string[] = [];
  const writes: ConfigDocument[] = [];
  const context = { out: { warn: (line: string) => warnings.push(line), progress: () => {} } };
  const config = {
    location: "s3://bucket/config.json",
    write: async (document: ConfigDocument) => {
      writes.push(document);
      return { versionId: "v2", layout: { kind: "single" } };
    },
  };
  const snapshot: ConfigSnapshot = { document: {}, etag: '"e1"' };
  return {
    warnings,
    writes,
    snapshot,
    write: (document: ConfigDocument, entry: Parameters<typeof writeChecked>[4]) =>
      writeChecked(
        context as unknown as CommandContext,
        config as unknown as ConfigObject,
        snapshot,
        document,
        entry,
      ),
  };
}

const host = (secret = "a-secret") => ({ route_53_zone_id: ZONE, shared_secret: secret });
const account = (name: string) => ({
  name,
  subdomain: USER,
  txt_name: `_acme-challenge.${name}`,
  route_53_zone_id: ZONE,
  password_sha256: HASH,
});

describe("writeChecked", () => {
  it("refuses a host entry that does not parse, naming it, and writes nothing", async () => {
    // prepare
    const { write, writes } = fakes();
    // act
    const result = write(
      { "Home.Dyn.Example.com": { route_53_zone_id: ZONE } },
      { host: "home.dyn.example.com." },
    );
    // assess
    await expect(result).rejects.toBeInstanceOf(UsageError);
    await expect(result).rejects.toThrow(
      "Home.Dyn.Example.com: shared_secret: Required: a non-empty string.",
    );
    expect(writes).toHaveLength(0);
  });

  it("writes past another host's problem, warning about it, and returns the host as the function sees it", async () => {
    // prepare
    const { write, writes, warnings } = fakes();
    const document = { "home.dyn.example.com.": host(), "broken.dyn.example.com.": { shared_secret: "x" } };
    // act
    const parsed = await write(document, { host: "home.dyn.example.com." });
    // assess
    expect(writes).toEqual([document]);
    expect(warnings).toEqual([
      "config: broken.dyn.example.com.: route_53_zone_id: Required: the Route 53 hosted zone id.",
    ]);
    expect(parsed.hosts.find("home.dyn.example.com.")?.secret).toBe("a-secret");
  });

  it("writes a document whose entry was removed", async () => {
    const { write, writes } = fakes();
    await write({}, { host: "gone.dyn.example.com." });
    expect(writes).toEqual([{}]);
  });

  it("refuses an ACME account that does not parse, and only that account's problems", async () => {
    // prepare
    const { write, writes } = fakes();
    const bad = {
      acme_accounts: { [USER]: { ...account("www.dyn.example.com."), password_sha256: "short" } },
    };
    const good = {
      "broken.dyn.example.com.": {},
      acme_accounts: { [USER]: account("www.dyn.example.com.") },
    };
    // act
    const refused = write(bad, { acmeAccount: USER });
    const written = await write(good, { acmeAccount: USER });
    // assess
    await expect(refused).rejects.toThrow(`acme_accounts.${USER}: password_sha256`);
    expect(writes).toEqual([good]);
    expect(written.accounts.find(USER)?.name).toBe("www.dyn.example.com.");
  });
});
