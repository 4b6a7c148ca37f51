import { defineConfig } from "vitest/config";

// Five projects: `unit` runs in memory (SDK calls mocked with aws-sdk-client-mock); `integration`
// starts its own moto server on a free loopback port and uses the real SDK against it; `runtime` runs
// the built zip on Node 22 and aws-lambda-ric against moto (`make test-runtime` installs them first);
// `e2e` gets certificates from pebble with real ACME clients through a local stack; `iam` judges the
// AWS calls those suites recorded against the policies Terraform produces (test/iam).
export default defineConfig({
  test: {
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts", "test/client/**/*.test.ts"],
          setupFiles: ["test/support/vitest-setup.ts"],
          // Property tests run hundreds of cases (some through a shell); on a shared, loaded machine the
          // default 5 s fails them for load, not for a bug. A hung test still fails.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "integration",
          // The environment Terraform gives the functions, applied to moto once (test/support/deployment.ts).
          globalSetup: ["test/support/deployment-setup.ts"],
          include: ["test/integration/**/*.test.ts"],
          setupFiles: ["test/support/vitest-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Each file starts its own moto server; two at a time fits two cores.
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: "runtime",
          // The environment Terraform gives the functions, applied to moto once (test/support/deployment.ts).
          globalSetup: ["test/support/deployment-setup.ts"],
          include: ["test/runtime/**/*.test.ts"],
          setupFiles: ["test/support/vitest-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "iam",
          include: ["test/iam/**/*.test.ts"],
          // The policies of the tests' deployment (test/support/deployment.ts), applied once.
          globalSetup: ["test/support/deployment-setup.ts"],
          setupFiles: ["test/support/vitest-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "e2e",
          // The environment Terraform gives the functions, applied to moto once (test/support/deployment.ts).
          globalSetup: ["test/support/deployment-setup.ts"],
          include: ["test/e2e/**/*.test.ts"],
          setupFiles: ["test/support/vitest-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
