/**
 * What the local servers' command-line entries (main.ts: the HTTP API, dns-main.ts: the DNS server)
 * share: they listen on loopback only, take a port the same way, and stop on Ctrl-C, TERM or
 * `--exit-after`, so tests and scripts never leave one running.
 */

/** A loopback address (127.0.0.0/8 or ::1): what the local servers may listen on. */
export const LOOPBACK_ADDRESS = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1)$/;

/** `--port`: 0 picks a free one. */
export function parsePort(raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0-65535, not ${raw}`);
  return port;
}

/** Runs `close` and exits on SIGINT, SIGTERM, or after `exitAfterSeconds` when given. */
export function stopOnSignals(close: () => Promise<unknown>, exitAfterSeconds: string | undefined): void {
  const stop = () => void close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  if (exitAfterSeconds) setTimeout(stop, Number(exitAfterSeconds) * 1000).unref();
}
