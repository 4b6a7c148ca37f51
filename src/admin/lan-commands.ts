/**
 * `ddns host lan add|list|remove`: the devices behind a router whose AAAA follow its LAN prefix
 * (`ipv6_lan_hosts`). Each device name lies below the router's own name (`nas.<router>`,
 * docs/architecture.md "Ownership"), is no reserved name and no other host, and belongs to that router
 * only: `add` reads every shard that could hold a competing claim, and the config parser refuses the rest.
 */

import { canonicalHostname, displayHostname, parseHostname } from "../core/hostname.js";
import {
  DEFAULT_LAN_PREFIX_LENGTH,
  formatInterfaceId,
  isLanPrefixLength,
  MAX_LAN_PREFIX_LENGTH,
  MIN_LAN_PREFIX_LENGTH,
  parseInterfaceId,
} from "../core/lan-prefix.js";
import { writeChecked } from "./checked-write.js";
import type { CommandContext } from "./context.js";
import { RefusedError, UsageError } from "./errors.js";
import { existingHost, refuseReservedName } from "./host-commands.js";
import { zoneById } from "./zones.js";

/** The LAN device name: the second argument. */
function deviceArgument(context: CommandContext): string {
  const raw = context.args[1];
  if (raw === undefined) throw new UsageError("Name the LAN device, e.g. nas.dyn.example.com.");
  const parsed = parseHostname(raw);
  if (!parsed.ok) throw new UsageError(`The LAN device name ${raw} ${parsed.problem}.`);
  return parsed.fqdn;
}

type Entry = Record<string, unknown>;

function devicesOf(entry: Entry): Record<string, string> {
  const devices = entry.ipv6_lan_hosts;
  return typeof devices === "object" && devices !== null ? { ...(devices as Record<string, string>) } : {};
}

/** The config's own spelling of a device name (any case, with or without the dot). */
function keyOfDevice(devices: Record<string, string>, fqdn: string): string | undefined {
  return Object.keys(devices).find((name) => canonicalHostname(name) === fqdn);
}

function prefixLengthOf(entry: Entry): number {
  const length = entry.ipv6_lan_prefix_length;
  return typeof length === "number" ? length : DEFAULT_LAN_PREFIX_LENGTH;
}

/** `--prefix-length N` (the router's setting, for every device), or undefined when not given. */
function prefixLengthOption(context: CommandContext): number | undefined {
  const raw = context.string("prefix-length");
  if (raw === undefined) return undefined;
  const length = /^\d{1,3}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!isLanPrefixLength(length)) {
    throw new UsageError(
      `--prefix-length must be a whole number from ${MIN_LAN_PREFIX_LENGTH} to ${MAX_LAN_PREFIX_LENGTH}, not ${raw}.`,
    );
  }
  return length;
}

/** `--interface-id ::…` or `--mac …`, exactly one, as the suffix form the config stores. */
function interfaceIdOption(context: CommandContext, prefixLength: number): string {
  const suffix = context.string("interface-id");
  const mac = context.string("mac");
  if ((suffix === undefined) === (mac === undefined)) {
    throw new UsageError(
      "Give the device's interface identifier: --interface-id ::211:32ff:fe12:3456 or --mac 00:11:32:12:34:56.",
    );
  }
  const raw = (suffix ?? mac) as string;
  const parsed = parseInterfaceId(raw, prefixLength);
  if (!parsed.ok) {
    throw new UsageError(
      `The interface identifier ${raw} ${parsed.problem} (ipv6_lan_prefix_length is ${prefixLength}).`,
    );
  }
  return formatInterfaceId(parsed.value);
}

export async function addLanDevice(context: CommandContext): Promise<void> {
  const device = deviceArgument(context);
  const { fqdn: router, key, config, snapshot } = await existingHost(context, [device]);
  const entry = { ...(snapshot.document[key] as Entry) };
  const newLength = prefixLengthOption(context);
  if (newLength !== undefined) entry.ipv6_lan_prefix_length = newLength;
  if (context.flag("prefix-from-source")) entry.ipv6_lan_prefix_from_source = true;
  const prefixLength = prefixLengthOf(entry);
  const interfaceId = interfaceIdOption(context, prefixLength);
  const devices = devicesOf(entry);
  if (keyOfDevice(devices, device) !== undefined) {
    throw new RefusedError(
      `${displayHostname(device)} is already on ${displayHostname(router)}'s LAN; remove it first to change its identifier.`,
    );
  }
  const zoneId = String(entry.route_53_zone_id ?? "");
  context.out.progress(`checking that ${displayHostname(device)} is in the router's zone ${zoneId}`);
  const zone = await zoneById(context.clients.route53, zoneId, device);
  await refuseReservedName(context, device, zone.name, "a LAN device");

  const document = {
    ...snapshot.document,
    [key]: { ...entry, ipv6_lan_hosts: { ...devices, [device]: interfaceId } },
  };
  await writeChecked(context, config, snapshot, document, { host: router });
  context.out.result(
    [
      `Added ${displayHostname(device)} to ${displayHostname(router)}'s LAN with the interface identifier ${interfaceId}.`,
      "Its AAAA follows the router's LAN prefix from the router's next update that carries one (ip6lanprefix=).",
    ],
    { router: displayHostname(router), name: displayHostname(device), interface_id: interfaceId },
  );
}

export async function listLanDevices(context: CommandContext): Promise<void> {
  const { fqdn: router, key, snapshot } = await existingHost(context);
  const entry = snapshot.document[key] as Entry;
  const rows = Object.entries(devicesOf(entry)).map(([name, interfaceId]) => ({
    name: displayHostname(canonicalHostname(name) ?? name),
    interface_id: interfaceId,
  }));
  const prefixLength = prefixLengthOf(entry);
  const fromSource = entry.ipv6_lan_prefix_from_source === true;
  context.out.result(
    rows.length === 0
      ? [
          `${displayHostname(router)} has no LAN devices: add one with 'ddns host lan add ${displayHostname(router)} NAME --mac …'.`,
        ]
      : [
          `# ${displayHostname(router)}: identifiers complete a /${prefixLength} prefix${fromSource ? "; taken from an IPv6 caller's address when none is sent" : ""}`,
          ...rows.map((row) => `${row.name}\t${row.interface_id}`),
        ],
    {
      router: displayHostname(router),
      prefix_length: prefixLength,
      prefix_from_source: fromSource,
      devices: rows,
    },
  );
}

export async function removeLanDevice(context: CommandContext): Promise<void> {
  const { fqdn: router, key, config, snapshot } = await existingHost(context);
  const device = deviceArgument(context);
  const entry = { ...(snapshot.document[key] as Entry) };
  const devices = devicesOf(entry);
  const name = keyOfDevice(devices, device);
  if (name === undefined) {
    throw new RefusedError(`${displayHostname(device)} is not on ${displayHostname(router)}'s LAN.`);
  }
  delete devices[name];
  if (Object.keys(devices).length > 0) entry.ipv6_lan_hosts = devices;
  else {
    // The prefix settings mean nothing without devices, and the parser says so: drop them together.
    delete entry.ipv6_lan_hosts;
    delete entry.ipv6_lan_prefix_length;
    delete entry.ipv6_lan_prefix_from_source;
  }
  await writeChecked(context, config, snapshot, { ...snapshot.document, [key]: entry }, { host: router });
  context.out.result(
    [
      `Removed ${displayHostname(device)} from ${displayHostname(router)}'s LAN. Its AAAA record is left as it is; delete it in Route 53 if needed.`,
    ],
    { router: displayHostname(router), name: displayHostname(device), removed: true },
  );
}
