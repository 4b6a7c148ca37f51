/**
 * The no-change check's DNS path: asks a zone's own authoritative name servers, which have no API
 * quota, instead of the Route 53 API. Node's built-in resolver (c-ares) does the wire work: UDP, and
 * TCP when an answer comes back truncated; it costs the bundle nothing.
 *
 * Promises: a query answers within `timeoutMs` or throws; a name without such a record is an empty
 * answer, never an error; when the servers keep failing, queries fail at once for a while so that
 * checks go straight to the API path instead of waiting out a timeout each.
 */
import { lookup, Resolver } from "node:dns/promises";
import { isIP } from "node:net";
import { canonicalRecordValue, type RecordType } from "../core/ip.js";
import type { AnsweredRecord, AuthoritativeDns } from "../core/ports.js";

export interface NodeDnsReaderOptions {
  /** The zone's name servers as `host[:port]` (DDNS_NAME_SERVERS, or the zone's delegation set). */
  readonly nameServers: (zoneId: string) => Promise<readonly string[]>;
  /** Budget for one query, everything included. */
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

/** Well inside the request budget: a slow answer falls back to the API path, not to a 504. */
const DEFAULT_TIMEOUT_MS = 800;
/** How long an empty answer is reused (Route 53's SOA asks resolvers for 900 s; the record cache bounds it). */
const NEGATIVE_TTL_SECONDS = 60;
/** After this many failures in a row, DNS is skipped for PAUSE_MS; a zone whose servers are unknown is retried after PAUSE_MS. */
const FAILURES_BEFORE_PAUSE = 3;
const PAUSE_MS = 30_000;

/** The zone's name servers could not answer; the caller falls back to the Route 53 API. */
export class DnsQueryError extends Error {
  override name = "DnsQueryError";
}

export class NodeDnsReader implements AuthoritativeDns {
  readonly #options: NodeDnsReaderOptions;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  readonly #resolvers = new Map<string, { resolver?: Promise<Resolver>; failedAt?: number }>();
  #failuresInARow = 0;
  #pausedUntil = 0;

  constructor(options: NodeDnsReaderOptions) {
    this.#options = options;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#now = options.now ?? Date.now;
  }

  async query(zoneId: string, name: string, type: RecordType): Promise<AnsweredRecord> {
    if (this.#now() < this.#pausedUntil) throw new DnsQueryError("The zone's name servers failed recently.");
    try {
      const answer = await withDeadline(this.#ask(zoneId, name, type), this.#timeoutMs);
      this.#failuresInARow = 0;
      return answer;
    } catch (error) {
      if (++this.#failuresInARow >= FAILURES_BEFORE_PAUSE) this.#pausedUntil = this.#now() + PAUSE_MS;
      if (error instanceof DnsQueryError) throw error;
      throw new DnsQueryError(`The zone's name servers did not answer for ${name} ${type}.`, {
        cause: error,
      });
    }
  }

  async #ask(zoneId: string, name: string, type: RecordType): Promise<AnsweredRecord> {
    const resolver = await this.#resolverFor(zoneId);
    try {
      const answers =
        type === "A"
          ? await resolver.resolve4(name, { ttl: true })
          : await resolver.resolve6(name, { ttl: true });
      return {
        values: answers.map((answer) => canonicalRecordValue(answer.address)),
        ttlSeconds: Math.min(...answers.map((answer) => answer.ttl)),
      };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // NOERROR without that type, or NXDOMAIN: the zone has no such record.
      if (code === "ENODATA" || code === "ENOTFOUND") return { values: [], ttlSeconds: NEGATIVE_TTL_SECONDS };
      throw error;
    }
  }

  /** One resolver per zone, set up once per container; a failed setup is retried after PAUSE_MS. */
  #resolverFor(zoneId: string): Promise<Resolver> {
    const entry = this.#resolvers.get(zoneId) ?? {};
    this.#resolvers.set(zoneId, entry);
    if (entry.failedAt !== undefined && this.#now() - entry.failedAt < PAUSE_MS) {
      return Promise.reject(new DnsQueryError(`The name servers of zone ${zoneId} are not known.`));
    }
    entry.resolver ??= this.#createResolver(zoneId).catch((error: unknown) => {
      entry.resolver = undefined;
      entry.failedAt = this.#now();
      throw new DnsQueryError(`The name servers of zone ${zoneId} are not known.`, { cause: error });
    });
    return entry.resolver;
  }

  async #createResolver(zoneId: string): Promise<Resolver> {
    const addresses = await resolverAddresses(await this.#options.nameServers(zoneId));
    if (addresses.length === 0) throw new DnsQueryError(`Zone ${zoneId} has no name servers.`);
    // c-ares: each server once per try, doubling the timeout; withDeadline bounds the whole query.
    const resolver = new Resolver({ timeout: Math.max(50, Math.floor(this.#timeoutMs / 4)), tries: 2 });
    resolver.setServers(addresses);
    return resolver;
  }
}

export interface NameServer {
  readonly host: string;
  readonly port: number;
}

/**
 * `host[:port]`: an IPv4 address, a host name, `[IPv6]:port` or a bare IPv6 address. Throws a message
 * that names the entry when it is none of those.
 */
export function parseNameServer(entry: string): NameServer {
  const text = entry.trim();
  const match =
    isIP(text) === 6 ? [text, text] : /^(?:\[([0-9a-f:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/i.exec(text);
  const host = match?.[1] ?? match?.[2] ?? "";
  const port = match?.[3] === undefined ? 53 : Number(match[3]);
  const hostOk = isIP(host) !== 0 || HOST_NAME.test(host);
  if (!hostOk || port < 1 || port > 65535) {
    throw new Error(`"${entry}" is not a name server; use host[:port] or [IPv6]:port.`);
  }
  return { host, port };
}

const HOST_NAME =
  /^(?=.{1,254}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.?$/i;

/**
 * A comma-separated list of name servers, as DDNS_NAME_SERVERS (the function) and `--name-servers`
 * (`ddns host status`) give it: entries trimmed, empty ones skipped, each one parseNameServer's
 * `host[:port]`. Both read lists here, so both accept the same input and refuse it in the same words.
 */
export function parseNameServerList(raw: string): string[] {
  const entries = raw
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) parseNameServer(entry);
  return entries;
}

/** What Resolver.setServers takes for `host[:port]` entries: each address with its port. */
export async function resolverAddresses(entries: readonly string[]): Promise<string[]> {
  return (await Promise.all(entries.map((entry) => serverAddresses(parseNameServer(entry))))).flat();
}

/** The Resolver wants addresses: a host name is looked up once (IPv4 first: Lambda has no IPv6 egress by default). */
async function serverAddresses(server: NameServer): Promise<string[]> {
  const withPort = (address: string) =>
    isIP(address) === 6 ? `[${address}]:${server.port}` : `${address}:${server.port}`;
  if (isIP(server.host) !== 0) return [withPort(server.host)];
  const found = await lookup(server.host, { all: true });
  const v4 = found.filter((address) => address.family === 4);
  return (v4.length > 0 ? v4 : found).map((address) => withPort(address.address));
}

function withDeadline<T>(work: Promise<T>, milliseconds: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DnsQueryError(`No DNS answer within ${milliseconds} ms.`)),
      milliseconds,
    );
    timer.unref();
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
