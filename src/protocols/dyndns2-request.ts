/**
 * Reading a dyndns2 update request (`GET /nic/update`): the host names and the addresses to set (its
 * Basic credentials are HTTP's: protocols/http.ts). Nothing here looks a host up, so what it says about a request reveals
 * nothing about the config.
 */
import { BadRequestError } from "../core/errors.js";
import { type IpAddress, parseIp } from "../core/ip.js";
import { singleParam } from "./http.js";

/** dyndns2 allows this many host names in one request; more is answered `numhost`. */
export const MAX_HOSTNAMES = 20;

export const MYIP_MESSAGE =
  "The myip= argument must be an IPv4 or IPv6 address, or one of each separated by a comma.";
export const MYIPV6_MESSAGE = "The myipv6= argument must be an IPv6 address.";
export const ONE_PER_FAMILY_MESSAGE =
  "Pass at most one IPv4 and one IPv6 address in myip= and myipv6= together.";

export interface Dyndns2Query {
  /** The host names as sent (trimmed), in request order; empty entries stay, to be answered `notfqdn`. */
  readonly hostnames: readonly string[];
  /** The addresses asked for, IPv4 first; empty when the client left it to the caller's address. */
  readonly addresses: readonly IpAddress[];
}

function commaList(value: string | undefined): string[] {
  return (value ?? "").split(",").map((item) => item.trim());
}

/**
 * `myip` (one address, or `v4,v6` as ddclient sends for dual stack) and `myipv6`. Empty values count
 * as absent: ddclient sends `myip=` when it has no address and FritzBox leaves `<ip6addr>` empty.
 */
function readAddresses(myip: string | undefined, myipv6: string | undefined): IpAddress[] {
  const addresses: IpAddress[] = [];
  const add = (raw: string, message: string, family?: IpAddress["recordType"]) => {
    if (raw === "") return;
    const ip = parseIp(raw);
    if (!ip || (family && ip.recordType !== family)) throw new BadRequestError(message);
    const sameFamily = addresses.find((known) => known.recordType === ip.recordType);
    if (sameFamily && sameFamily.text !== ip.text) throw new BadRequestError(ONE_PER_FAMILY_MESSAGE);
    if (!sameFamily) addresses.push(ip);
  };
  for (const raw of commaList(myip)) add(raw, MYIP_MESSAGE);
  for (const raw of commaList(myipv6)) add(raw, MYIPV6_MESSAGE, "AAAA");
  return addresses.sort((a, b) => a.recordType.localeCompare(b.recordType));
}

/**
 * The query of an update. Arguments other dyndns2 services know (`system`, `wildcard`, `mx`,
 * `backmx`, `offline`) are ignored: ddclient sends some of them on every request.
 */
export function readDyndns2Query(params: URLSearchParams): Dyndns2Query {
  const hostname = singleParam(params, "hostname");
  const addresses = readAddresses(singleParam(params, "myip"), singleParam(params, "myipv6"));
  const hostnames = hostname === undefined || hostname.trim() === "" ? [] : commaList(hostname);
  return { hostnames, addresses };
}
