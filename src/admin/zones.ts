/** Which Route 53 hosted zone a host name belongs to. */
import {
  GetHostedZoneCommand,
  type HostedZone,
  ListHostedZonesCommand,
  type ListHostedZonesCommandOutput,
  type Route53Client,
} from "@aws-sdk/client-route-53";
import { bareZoneId } from "../config/schema.js";
import { canonicalHostname, isWithinZone } from "../core/hostname.js";
import { RefusedError } from "./errors.js";

export interface Zone {
  readonly id: string;
  /** Canonical: lower case with the trailing dot. */
  readonly name: string;
}

function toZone(zone: HostedZone): Zone & { readonly isPrivate: boolean } {
  return {
    id: bareZoneId(zone.Id ?? ""),
    name: canonicalHostname(zone.Name ?? "") ?? (zone.Name ?? "").toLowerCase(),
    isPrivate: zone.Config?.PrivateZone === true,
  };
}

/** The zone given by id, which must contain `fqdn` when one is given. */
export async function zoneById(route53: Route53Client, zoneId: string, fqdn?: string): Promise<Zone> {
  const id = bareZoneId(zoneId);
  let zone: HostedZone | undefined;
  try {
    zone = (await route53.send(new GetHostedZoneCommand({ Id: id }))).HostedZone;
  } catch (error) {
    if ((error as Error).name === "NoSuchHostedZone")
      throw new RefusedError(`No hosted zone has the id ${id}.`);
    throw error;
  }
  if (!zone) throw new RefusedError(`No hosted zone has the id ${id}.`);
  const found = toZone(zone);
  if (fqdn !== undefined && !isWithinZone(fqdn, found.name)) {
    throw new RefusedError(`${fqdn} is not inside the zone ${found.name} (${id}).`);
  }
  return found;
}

/**
 * The zone whose name is the longest suffix of `fqdn` (so `a.dyn.example.com` goes to
 * `dyn.example.com` rather than `example.com`); a public zone wins over a private one of the same name.
 */
export async function zoneForHost(route53: Route53Client, fqdn: string): Promise<Zone> {
  const candidates: ReturnType<typeof toZone>[] = [];
  let page: ListHostedZonesCommandOutput | undefined;
  do {
    page = await route53.send(new ListHostedZonesCommand({ Marker: page?.NextMarker }));
    for (const zone of page.HostedZones ?? []) {
      const candidate = toZone(zone);
      if (isWithinZone(fqdn, candidate.name)) candidates.push(candidate);
    }
  } while (page.IsTruncated && page.NextMarker);

  const best = candidates.sort(
    (a, b) => b.name.length - a.name.length || Number(a.isPrivate) - Number(b.isPrivate),
  )[0];
  if (!best) {
    throw new RefusedError(
      `${fqdn} is outside every hosted zone of this AWS account: create the zone (Terraform's zone_name) or pass --zone-id.`,
    );
  }
  return { id: best.id, name: best.name };
}
