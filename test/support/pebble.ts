/**
 * pebble (Let's Encrypt's ACME test server) on loopback for end-to-end certificate tests: a
 * throwaway CA made with openssl signs pebble's own TLS certificate (clients trust it through
 * `caFile`: lego's LEGO_CA_CERTIFICATES, an https.Agent for acme-client), and pebble validates
 * DNS-01 challenges against `dnsServer` (the local authoritative DNS server). Stops with `stop()`,
 * and by itself after `maxLifetimeSeconds`.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./moto.js";

export interface Pebble {
  /** The ACME directory URL. */
  readonly directoryUrl: string;
  /** The CA certificate pebble's TLS listener chains to (PEM file). */
  readonly caFile: string;
  stop(): Promise<void>;
}

const run = promisify(execFile);

/** A CA and a certificate for 127.0.0.1 and localhost, signed by it, in `dir`. */
async function makeTlsFiles(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const ca = join(dir, "ca.pem");
  const caKey = join(dir, "ca-key.pem");
  const cert = join(dir, "pebble.pem");
  const key = join(dir, "pebble-key.pem");
  const csr = join(dir, "pebble.csr");
  const extensions = join(dir, "pebble.ext");
  const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await run("openssl", [
    "req",
    "-x509",
    ...ecKey,
    "-keyout",
    caKey,
    "-out",
    ca,
    "-days",
    "1",
    "-subj",
    "/CN=route53-ddns test CA",
  ]);
  await run("openssl", ["req", ...ecKey, "-keyout", key, "-out", csr, "-subj", "/CN=pebble"]);
  await writeFile(extensions, "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  await run("openssl", [
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    ca,
    "-CAkey",
    caKey,
    "-CAcreateserial",
    "-out",
    cert,
    "-days",
    "1",
    "-extfile",
    extensions,
  ]);
  return { ca, cert, key };
}

export async function startPebble(
  dir: string,
  dnsServer: string,
  options: { maxLifetimeSeconds?: number } = {},
): Promise<Pebble> {
  const tls = await makeTlsFiles(dir);
  const [port, managementPort] = [await freePort(), await freePort()];
  const config = join(dir, "pebble-config.json");
  await writeFile(
    config,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${port}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: tls.cert,
        privateKey: tls.key,
        // Only DNS-01 is used; these ports are never contacted.
        httpPort: 5002,
        tlsPort: 5001,
        ocspResponderURL: "",
        externalAccountBindingRequired: false,
      },
    }),
  );
  const child: ChildProcess = spawn(
    "timeout",
    [String(options.maxLifetimeSeconds ?? 600), "pebble", "-config", config, "-dnsserver", dnsServer],
    {
      stdio: ["ignore", "pipe", "pipe"],
      // No random sleeps before validation, no rejected nonces, no reused authorizations: every
      // order is validated over DNS, at once, deterministically.
      env: { ...process.env, PEBBLE_VA_NOSLEEP: "1", PEBBLE_WFE_NONCEREJECT: "0", PEBBLE_AUTHZREUSE: "0" },
    },
  );
  let output = "";
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pebble did not start:\n${output}`)), 15_000);
    const watch = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Listening on")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", watch);
    child.stderr?.on("data", watch);
    child.once("exit", () => {
      clearTimeout(timer);
      reject(new Error(`pebble exited:\n${output}`));
    });
  });
  await ready;
  return {
    directoryUrl: `https://127.0.0.1:${port}/dir`,
    caFile: tls.ca,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
