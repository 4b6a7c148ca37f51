/**
 * How the tests' deployment becomes a test's environment (test/support/deployment.ts): Terraform's
 * values reach the function as they are, the resource pointers become the test's own, and a variable
 * naming a deployed resource nobody mapped stops the test instead of pointing at a server that is gone.
 */
import { describe, expect, it } from "vitest";
import { type Deployment, pointedEnvironment } from "../support/deployment.js";

const MOTO = "http://127.0.0.1:40000";
const TEST_MOTO = "http://127.0.0.1:50000";

function deploymentWith(variables: Record<string, string>): Deployment {
  return {
    moto_url: MOTO,
    outputs: {
      config_bucket: "ddns-config-123",
      change_queue_url: `${MOTO}/123456789012/ddns-changes`,
      zone_id: "Z1",
    },
    function: { variables, poller: null },
    writer: { variables, poller: null },
    stateFile: "/nowhere.tfstate",
  };
}

describe("the deployment's environment, pointed at a test's resources", () => {
  it("keeps Terraform's settings and points the resource variables at the test's own", () => {
    // prepare
    const applied = deploymentWith({
      DDNS_CONFIG_BUCKET: "ddns-config-123",
      DDNS_CHANGE_QUEUE_URL: `${MOTO}/123456789012/ddns-changes`,
      DDNS_SHARE_TABLE: "ddns-shares",
      DDNS_RESERVED_NAMES: "dyn.example.com",
      DDNS_CONFIG_CACHE_SECONDS: "60",
      DDNS_NAME_SERVERS: "ns-1.awsdns-1.com",
      DDNS_EVENT_BUS: "ddns-events",
    });
    // act
    const env = pointedEnvironment(
      applied,
      TEST_MOTO,
      { bucket: "b1", nameServers: "127.0.0.1:5353" },
      "function",
    );
    // assess
    expect(env).toMatchObject({
      DDNS_CONFIG_BUCKET: "b1",
      DDNS_CHANGE_QUEUE_URL: `${TEST_MOTO}/123456789012/ddns-test-changes`,
      DDNS_SHARE_TABLE: "b1-shares",
      DDNS_RESERVED_NAMES: "dyn.example.com",
      DDNS_CONFIG_CACHE_SECONDS: "60",
      DDNS_NAME_SERVERS: "127.0.0.1:5353",
      AWS_ENDPOINT_URL: TEST_MOTO,
    });
    // no bus of the test's own: none, rather than the deployment's
    expect(env).not.toHaveProperty("DDNS_EVENT_BUS");
  });

  it("refuses a variable that names a deployed resource it does not map", () => {
    const applied = deploymentWith({ DDNS_NEW_QUEUE: `${MOTO}/123456789012/ddns-other` });
    expect(() => pointedEnvironment(applied, TEST_MOTO, { bucket: "b1" }, "function")).toThrow(
      "DDNS_NEW_QUEUE names a deployed resource",
    );
    const named = deploymentWith({ DDNS_ARCHIVE: "ddns-config-123" });
    expect(() => pointedEnvironment(named, TEST_MOTO, { bucket: "b1" }, "writer")).toThrow(
      "DDNS_ARCHIVE names a deployed resource",
    );
  });
});
