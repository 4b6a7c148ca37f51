/**
 * What the zone's authoritative name servers answer for a name, asked directly (node:dns Resolver,
 * no recursion, no cache in between): the check that Route 53's change has reached them.
 * The servers are `--name-servers`, else DDNS_NAME_SERVERS (as the function reads it), else the
 * zone's delegation set from Route 53.
 */
import { lookup, Resolver } from "node:dns/promises";
import { GetHostedZoneCommand, type Route53Client } from "@aws-sdk/client-route-53";
import type { RecordType } from "../core/ip.js";

export type DnsAnswer = { readonly values: readonly string[] } | { readonly error: string };

/** `host[:port]` (IPv6 in brackets) → what Resolver.setServers takes: an address, with its port. */
async function serverAddress(spec: string): Promise<string> {
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(spec) ?? /^([^:]+)(?::(\d+))?$/.exec(spec);
  const host = match?.[1] ?? spec;
  const port = match?.[2];
  const { address, family } = await lookup(host);
  const ip = family === 6 ? `[${address}]` : address;
  return port ? `${ip}:${port}` : address;
}

export async function nameServersFor(
  route53: Route53Client,
  zoneId: string,
  given: string | undefined,
): Promise<string[]> {
  const specs = given
    ? given
        .split(",")
        .map((spec) => spec.trim())
        .filter(Boolean)
    : ((await route53.send(new GetHostedZoneCommand({ Id: zoneId }))).DelegationSet?.NameServers ?? []);
  return Promise.all(specs.map(serverAddress));
}

/** Asks the servers for `name`/`type`; no record is an empty answer, not an error. */
export async function askNameServers(
  servers: readonly string[],
  name: string,
  type: RecordType,
): Promise<DnsAnswer> {
  if (servers.length === 0) return { error: "no name servers known" };
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers([...servers]);
  try {
    const values = type === "A" ? await resolver.resolve4(name) : await resolver.resolve6(name);
    return { values: [...values].sort() };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ENODATA" || code === "ENOTFOUND") return { values: [] };
    return { error: code ?? (error as Error).message };
  }
}
