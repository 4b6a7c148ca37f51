/**
 * What the zone's authoritative name servers answer for a name, asked directly (node:dns Resolver,
 * no recursion, no cache in between): the check that Route 53's change has reached them.
 * The servers are `--name-servers`, else DDNS_NAME_SERVERS, else the zone's delegation set from
 * Route 53: the function's order, read by the function's own parser (dns/name-servers.ts).
 */
import { Resolver } from "node:dns/promises";
import type { Route53Client } from "@aws-sdk/client-route-53";
import type { RecordType } from "../core/ip.js";
import { parseNameServerList, resolverAddresses } from "../dns/name-servers.js";
import { zoneNameServers } from "../dns/route53.js";
import { UsageError } from "./errors.js";

export type DnsAnswer = { readonly values: readonly string[] } | { readonly error: string };

/** A list the operator gave, and where: `--name-servers` or DDNS_NAME_SERVERS (said in a refusal). */
export interface GivenNameServers {
  readonly from: string;
  readonly list: string;
}

/** The servers' addresses with their ports; a list that names none falls back to the delegation set, as in the function. */
export async function nameServersFor(
  route53: Route53Client,
  zoneId: string,
  given: GivenNameServers | undefined,
): Promise<string[]> {
  let entries: string[] = [];
  try {
    entries = given ? parseNameServerList(given.list) : [];
  } catch (error) {
    throw new UsageError(`${given?.from}: ${(error as Error).message}`);
  }
  return resolverAddresses(entries.length > 0 ? entries : await zoneNameServers(route53, zoneId));
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
