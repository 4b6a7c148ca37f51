/**
 * The `ddns` CLI's own words, before any AWS call: a mistyped option named with the nearest real one
 * and the command's usage (not Node's parser text), `ddns --version`, `host set` refusing bad
 * values, and the ddclient settings naming a cache file of their own (newcomer review D7, D12).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DDCLIENT_CACHE, renderClientConfig } from "../../src/admin/client-config.js";
import { parseConfigDocument } from "../../src/config/schema.js";
import type { HostConfig } from "../../src/core/hosts.js";
import { runDdns } from "../support/ddns-cli.js";

const SECRET = "s3cr3t-value-that-must-never-be-printed-in-errors-000000";

// Every run gets an empty environment: no bucket, no credentials, so anything that reached AWS would
// fail differently.
describe("ddns command line", () => {
  it("names a mistyped option, suggests the real one and shows the command's usage", async () => {
    // act
    const typo = await runDdns(["host", "add", "typo.dyn.example.test", "--wildcrad"], {});
    const unknown = await runDdns(["host", "list", "--colour"], {});
    // assess
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe(
      "ddns host add: unknown option --wildcrad (did you mean --wildcard?).\n" +
        "Usage: ddns host add HOST [--ttl N] [--types A,AAAA] [--dyndns2] [--require-timestamp] [--allow-client-ip] [--wildcard] [--zone-id Z]\n",
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^ddns host list: unknown option --colour\.\nUsage: ddns host list /);
    expect(unknown.stderr).not.toContain("did you mean");
    expect(unknown.stderr).not.toContain("positional argument");
  });

  it("says which option lacks a value, and which takes none", async () => {
    // act
    const missing = await runDdns(["host", "add", "x.dyn.example.test", "--ttl"], {});
    const extra = await runDdns(["host", "add", "x.dyn.example.test", "--dyndns2=yes"], {});
    // assess
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^ddns host add: --ttl needs a value\.\nUsage: /);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toMatch(/^ddns host add: --dyndns2 takes no value\.\nUsage: /);
  });

  it("prints the package's version with --version", async () => {
    // prepare
    const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    // act
    const result = await runDdns(["--version"], {});
    // assess
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`ddns (route53-ddns) ${version}\n`);
    expect(result.stderr).toBe("");
  });

  it("refuses host set without a setting, or with a value other than on|off, before reading anything", async () => {
    // act
    const nothing = await runDdns(["host", "set", "home.dyn.example.test"], {});
    const maybe = await runDdns(["host", "set", "home.dyn.example.test", "--allow-client-ip", "maybe"], {});
    // assess
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain("Name a setting to change: --allow-client-ip on|off");
    expect(maybe.code).toBe(2);
    expect(maybe.stderr).toBe("ddns host set: --allow-client-ip takes on or off, not maybe.\n");
  });

  it("gives ddclient a -cache file of the deployment's own in the printed command", () => {
    // prepare
    const host = parseConfigDocument({
      "home.dyn.example.test.": {
        route_53_zone_id: "ZTEST",
        route_53_record_ttl: 60,
        shared_secret: SECRET,
        allow_dyndns2: true,
      },
    }).hosts.find("home.dyn.example.test.") as HostConfig;
    // act
    const text = renderClientConfig("ddclient", host, "https://api.example.test/", "PLACEHOLDER");
    // assess
    expect(text).toContain(`\n#   ddclient -file /etc/ddclient.conf -cache ${DDCLIENT_CACHE}\n`);
    expect(DDCLIENT_CACHE).not.toBe("/var/cache/ddclient/ddclient.cache"); // ddclient's global one
    expect(text).not.toContain(SECRET);
  });
});
