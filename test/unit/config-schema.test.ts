import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ConfigFileError,
  describeProblem,
  HOST_FIELDS,
  type HostEntry,
  parseConfigDocument,
  parseConfigText,
} from "../../src/config/schema.js";

const seedEntry = {
  aws_region: "us-west-2",
  route_53_zone_id: "Z0123456789ABC",
  route_53_record_ttl: 60,
  route_53_record_type: "A",
  shared_secret: "secret-value",
};

describe("config schema", () => {
  it("reads the seed's file unchanged", () => {
    // act
    const { hosts, problems } = parseConfigText(JSON.stringify({ "home.dyn.example.com.": seedEntry }));
    // assess
    expect(problems).toEqual([]);
    expect(hosts.find("home.dyn.example.com")).toEqual({
      fqdn: "home.dyn.example.com.",
      zoneId: "Z0123456789ABC",
      ttl: 60,
      recordTypes: ["A"],
      secret: "secret-value",
      allowDyndns2: false,
      requireTimestamp: false,
      allowClientIp: false,
      username: "home.dyn.example.com",
      wildcard: false,
    });
  });

  it("reads the extension keys and a /hostedzone/ prefixed zone id", () => {
    const { hosts, problems } = parseConfigDocument({
      "Router.Example.org": {
        route_53_zone_id: "/hostedzone/Z9",
        shared_secret: "x",
        record_types: ["A", "AAAA"],
        allow_dyndns2: true,
        require_timestamp: true,
        allow_client_ip: true,
        username: "alice",
        comment: "the office",
      },
    });
    expect(problems).toEqual([]);
    expect(hosts.find("router.example.org.")).toMatchObject({
      zoneId: "Z9",
      ttl: 60,
      recordTypes: ["A", "AAAA"],
      allowDyndns2: true,
      requireTimestamp: true,
      allowClientIp: true,
      username: "alice",
    });
  });

  it("refuses a file that is not JSON or not an object", () => {
    expect(() => parseConfigText("{not json")).toThrow(ConfigFileError);
    expect(() => parseConfigText("[]")).toThrow(
      "The config file must be a JSON object whose keys are host names.",
    );
    expect(() => parseConfigText("null")).toThrow(ConfigFileError);
  });

  it("locates malformed JSON by line and column, never quoting the text (it may be a secret)", () => {
    // prepare
    const text = '{\n  "h.example.com.": {\n    "shared_secret": "hunter2" x, "y": 1\n  }\n}';
    // act
    const act = () => parseConfigText(text);
    // assess
    expect(act).toThrow("The config file is not valid JSON: syntax error at line 3, column 32.");
  });

  it("never puts any of the file's text in a JSON syntax error", () => {
    const secret = fc.stringMatching(/^[A-Za-z][A-Za-z0-9+/=_-]{5,40}$/);
    // Broken files built around a secret: cut short, stray tokens after it, quotes dropped.
    const broken = fc.tuple(secret, fc.constantFrom(0, 1, 2, 3, 4)).map(([value, how]) => {
      const whole = JSON.stringify({ "h.example.com.": { shared_secret: value } });
      return {
        value,
        text: [
          whole.slice(0, whole.indexOf(value) + value.length),
          whole.replace(`"${value}"`, `"${value}" ${value}`),
          whole.replace(`"${value}"`, value),
          whole.replace(`"${value}"`, `"${value}\\u12"`),
          whole.replace(`"${value}"`, `"${value}\\x"`),
        ][how] as string,
      };
    });
    fc.assert(
      fc.property(broken, ({ value, text }) => {
        let message = "";
        try {
          parseConfigText(text);
        } catch (error) {
          message = (error as Error).message;
        }
        expect(message).toMatch(
          /^The config file is not valid JSON: syntax error at line \d+, column \d+\.$/,
        );
        expect(message).not.toContain(value);
      }),
    );
  });

  it("reports each bad host with its field and keeps the good ones", () => {
    // prepare
    const document = {
      "good.example.com.": seedEntry,
      "no-zone.example.com.": { ...seedEntry, route_53_zone_id: undefined },
      "bad-ttl.example.com.": { ...seedEntry, route_53_record_ttl: -1 },
      "bad-type.example.com.": { ...seedEntry, route_53_record_type: "CNAME" },
      "bad-types.example.com.": { ...seedEntry, route_53_record_type: undefined, record_types: ["A", "A"] },
      "mismatch.example.com.": { ...seedEntry, record_types: ["AAAA"] },
      "empty-secret.example.com.": { ...seedEntry, shared_secret: "" },
      "bad-flag.example.com.": { ...seedEntry, allow_dyndns2: "yes" },
      "bad-user.example.com.": { ...seedEntry, username: "a:b" },
      "bad-region.example.com.": { ...seedEntry, aws_region: "mars" },
      "not_a_name.example.com": seedEntry,
      "string.example.com": "oops",
    };
    // act
    const { hosts, problems } = parseConfigDocument(document);
    // assess
    expect([...hosts].map((host) => host.fqdn)).toEqual(["good.example.com."]);
    expect(problems.map((problem) => [problem.host, problem.field])).toEqual([
      ["no-zone.example.com.", "route_53_zone_id"],
      ["bad-ttl.example.com.", "route_53_record_ttl"],
      ["bad-type.example.com.", "route_53_record_type"],
      ["bad-types.example.com.", "record_types"],
      ["mismatch.example.com.", "route_53_record_type"],
      ["empty-secret.example.com.", "shared_secret"],
      ["bad-flag.example.com.", "allow_dyndns2"],
      ["bad-user.example.com.", "username"],
      ["bad-region.example.com.", "aws_region"],
      ["not_a_name.example.com", undefined],
      ["string.example.com", undefined],
    ]);
    expect(problems.every((problem) => problem.severity === "error")).toBe(true);
  });

  it("warns about unknown fields without dropping the host", () => {
    const { hosts, problems } = parseConfigDocument({ "a.example.com": { ...seedEntry, colour: "blue" } });
    expect(hosts.size).toBe(1);
    expect(problems).toEqual([
      {
        host: "a.example.com",
        field: "colour",
        message: "Unknown field; it is ignored.",
        severity: "warning",
      },
    ]);
  });

  it("drops every spelling of a host listed twice", () => {
    const { hosts, problems } = parseConfigDocument({
      "a.example.com": seedEntry,
      "A.example.com.": seedEntry,
      "b.example.com": seedEntry,
    });
    expect(hosts.find("a.example.com")).toBeUndefined();
    expect(hosts.find("b.example.com")).toBeDefined();
    expect(describeProblem(problems[0] ?? { host: "", message: "", severity: "error" })).toMatch(
      /^A\.example\.com\.: a\.example\.com\. is listed more than once/,
    );
  });

  it("never puts a secret into a problem description", () => {
    const { problems } = parseConfigDocument({
      "a.example.com": { ...seedEntry, route_53_record_ttl: "sixty" },
    });
    expect(problems.map(describeProblem).join("\n")).not.toContain(seedEntry.shared_secret);
  });
});

describe("the host field table", () => {
  const HOST = "home.dyn.example.com.";
  /** One valid value of every field the table lists: a HostEntry, so the type and the table agree. */
  const everyField: Required<HostEntry> = {
    ...seedEntry,
    route_53_record_type: "A",
    record_types: ["A", "AAAA"],
    allow_dyndns2: true,
    require_timestamp: true,
    allow_client_ip: true,
    username: "home",
    comment: "the house",
    wildcard: true,
    ipv6_lan_hosts: { "nas.home.dyn.example.com.": "::211:32ff:fe12:3456" },
    ipv6_lan_prefix_length: 64,
    ipv6_lan_prefix_from_source: true,
    expect_check_in_minutes: 30,
  };
  const problemsOf = (entry: object) => parseConfigDocument({ [HOST]: entry }).problems.map(describeProblem);

  it("accepts an entry that uses every listed field, without a warning", () => {
    expect(Object.keys(everyField).sort()).toEqual(Object.keys(HOST_FIELDS).sort());
    expect(problemsOf(everyField)).toEqual([]);
  });

  it("warns about a field it does not list, and keeps the host", () => {
    const { hosts, problems } = parseConfigDocument({ [HOST]: { ...seedEntry, ttl: 60 } });
    expect(problems.map(describeProblem)).toEqual([`${HOST}: ttl: Unknown field; it is ignored.`]);
    expect(hosts.find(HOST)).toBeDefined();
  });

  it.each(Object.entries(HOST_FIELDS).filter(([, kind]) => kind === "boolean"))(
    "refuses %s when it is not true or false",
    (field) => {
      expect(problemsOf({ ...everyField, [field]: "yes" })).toEqual([
        `${HOST}: ${field}: Must be true or false.`,
      ]);
    },
  );

  it.each(Object.entries(HOST_FIELDS).filter(([, kind]) => kind === "text"))(
    "refuses %s when it is not a string",
    (field) => {
      expect(problemsOf({ ...everyField, [field]: 5 })).toEqual([`${HOST}: ${field}: Must be a string.`]);
    },
  );
});
