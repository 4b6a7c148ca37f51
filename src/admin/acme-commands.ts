/**
 * `ddns acme add|list|remove|rotate`: the ACME accounts of the config file (its `acme_accounts`
 * section), which the acme-dns and lego httpreq routes accept. `add` and `rotate` print the password
 * once, with what each ACME client needs; the config keeps only its SHA-256.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { ACME_ACCOUNTS_SECTION, type AcmeAccountTable } from "../config/acme-accounts.js";
import { describeProblem, parseConfigDocument } from "../config/schema.js";
import {
  type AcmeAccount,
  challengeName,
  cnameInstruction,
  delegatedChallengeName,
  isUuid,
  PASSWORD_LENGTH,
  parseAddressRange,
  passwordSha256,
} from "../core/acme.js";
import { displayHostname, isWithinZone, parseHostname } from "../core/hostname.js";
import { writeChecked } from "./checked-write.js";
import type { ConfigDocument } from "./config-object.js";
import type { CommandContext } from "./context.js";
import { RefusedError, UsageError } from "./errors.js";
import { noteServedWithin, refuseReservedName } from "./host-commands.js";
import { type Zone, zoneById, zoneForHost } from "./zones.js";

/** 40 characters of base64url (240 bits), acme-dns's password length. */
function generatePassword(): string {
  return randomBytes((PASSWORD_LENGTH * 3) / 4).toString("base64url");
}

function sectionOf(document: ConfigDocument): Record<string, unknown> {
  const section = document[ACME_ACCOUNTS_SECTION];
  return typeof section === "object" && section !== null && !Array.isArray(section)
    ? (section as Record<string, unknown>)
    : {};
}

function withSection(document: ConfigDocument, section: Record<string, unknown>): ConfigDocument {
  const { [ACME_ACCOUNTS_SECTION]: _old, ...rest } = document;
  return Object.keys(section).length === 0 ? rest : { ...rest, [ACME_ACCOUNTS_SECTION]: section };
}

async function readAccounts(context: CommandContext) {
  const config = await context.configObject();
  context.out.progress(`reading ${config.location}`);
  // No host names: a sharded config is read in its sections only, where the accounts live.
  const snapshot = await config.read([]);
  const parsed = parseConfigDocument(snapshot.document);
  return { config, snapshot, accounts: parsed.accounts, problems: parsed.problems };
}

/** The account an argument names: its user name, or the account for that certificate name. */
function findAccount(accounts: AcmeAccountTable, raw: string | undefined, location: string): AcmeAccount {
  if (raw === undefined) throw new UsageError("Name the account: its user name or its certificate name.");
  if (isUuid(raw)) {
    const account = accounts.find(raw);
    if (!account) throw new RefusedError(`No ACME account ${raw} in ${location}.`);
    return account;
  }
  const parsed = parseHostname(raw);
  if (!parsed.ok)
    throw new UsageError(`${raw} is neither a user name (UUID) nor a name: it ${parsed.problem}.`);
  // One account per name: the parser keeps only the first (src/config/acme-accounts.ts).
  const account = [...accounts].find((candidate) => candidate.name === parsed.fqdn);
  if (!account) throw new RefusedError(`No ACME account for ${displayHostname(parsed.fqdn)} in ${location}.`);
  return account;
}

/**
 * Where the account's TXT record goes. A name inside the deployment's zone gets `_acme-challenge.<name>`
 * there; any other name gets its own label under `_acme-dns.` of that zone, for a CNAME to point at.
 * Without a known deployment zone, the name's own zone in this AWS account is used.
 */
async function placeChallenge(
  context: CommandContext,
  fqdn: string,
  subdomain: string,
): Promise<{ zone: Zone; txtName: string }> {
  const zoneId = context.string("zone-id") ?? (await context.target.zoneId());
  let zone: Zone;
  if (zoneId) {
    context.out.progress(`checking the hosted zone ${zoneId}`);
    zone = await zoneById(context.clients.route53, zoneId);
  } else {
    context.out.progress(`finding the hosted zone of ${fqdn}`);
    zone = await zoneForHost(context.clients.route53, fqdn).catch((error: unknown) => {
      if (!(error instanceof RefusedError)) throw error;
      throw new UsageError(
        `${displayHostname(fqdn)} is outside every hosted zone here: pass --zone-id with the deployment's zone, under which its challenge record will live.`,
      );
    });
  }
  const inside = isWithinZone(fqdn, zone.name);
  return { zone, txtName: inside ? challengeName(fqdn) : delegatedChallengeName(subdomain, zone.name) };
}

function allowFromOption(context: CommandContext): string[] {
  const raw = context.options["allow-from"];
  const values = Array.isArray(raw) ? (raw as string[]) : typeof raw === "string" ? [raw] : [];
  return values.map((value) => {
    const range = parseAddressRange(value);
    if (!range) throw new UsageError(`--allow-from ${value} is not an address or CIDR range.`);
    return range.text;
  });
}

export async function addAcmeAccount(context: CommandContext): Promise<void> {
  const [raw] = context.args;
  if (raw === undefined) throw new UsageError("Name the certificate's name, e.g. home.dyn.example.com.");
  const parsed = parseHostname(raw.replace(/^\*\./, ""));
  if (!parsed.ok) throw new UsageError(`The name ${raw} ${parsed.problem}.`);
  const allowFrom = allowFromOption(context);
  const username = randomUUID();
  const subdomain = randomUUID();
  const password = generatePassword();
  const { zone, txtName } = await placeChallenge(context, parsed.fqdn, subdomain);
  await refuseReservedName(context, parsed.fqdn, zone.name, "an ACME account's name");

  const { config, snapshot, accounts } = await readAccounts(context);
  // One account per name: two would share the TXT record, and each could evict the other's values.
  const first = [...accounts].find((account) => account.name === parsed.fqdn);
  if (first) {
    throw new RefusedError(
      `${displayHostname(parsed.fqdn)} already has the ACME account ${first.username}; one name has one account. Use 'ddns acme rotate ${first.username}' for a new password, or 'ddns acme remove' first.`,
    );
  }
  const entry = {
    name: parsed.fqdn,
    subdomain,
    txt_name: txtName,
    route_53_zone_id: zone.id,
    password_sha256: passwordSha256(password),
    ...(allowFrom.length > 0 ? { allow_from: allowFrom } : {}),
  };
  const section = { ...sectionOf(snapshot.document), [username]: entry };
  const document = withSection(snapshot.document, section);
  const written = await writeChecked(context, config, snapshot, document, { acmeAccount: username });
  const account = written.accounts.find(username);
  if (!account) throw new Error(`account ${username} was written but does not parse`);
  await printCredentials(context, "Added an ACME account for", account, password);
  await noteServedWithin(context, `the new ACME account for ${displayHostname(parsed.fqdn)}`);
}

export async function rotateAcmeAccount(context: CommandContext): Promise<void> {
  const { config, snapshot, accounts } = await readAccounts(context);
  const found = findAccount(accounts, context.args[0], config.location);
  const password = generatePassword();
  const section = sectionOf(snapshot.document);
  const entry = { ...(section[found.username] as object), password_sha256: passwordSha256(password) };
  const document = withSection(snapshot.document, { ...section, [found.username]: entry });
  const written = await writeChecked(context, config, snapshot, document, { acmeAccount: found.username });
  const account = written.accounts.find(found.username);
  if (!account) throw new Error(`account ${found.username} was written but does not parse`);
  await printCredentials(context, "New password for the ACME account of", account, password);
  context.out.warn(
    "the old password keeps working until the function's config cache expires (DDNS_CONFIG_CACHE_SECONDS, 60 s by default).",
  );
}

export async function removeAcmeAccount(context: CommandContext): Promise<void> {
  const { config, snapshot, accounts } = await readAccounts(context);
  const found = findAccount(accounts, context.args[0], config.location);
  const { [found.username]: _removed, ...section } = sectionOf(snapshot.document);
  const document = withSection(snapshot.document, section);
  await writeChecked(context, config, snapshot, document, { acmeAccount: found.username });
  context.out.result(
    [
      `Removed the ACME account ${found.username} (${displayHostname(found.name)}). Its TXT record ${displayHostname(found.txtName)} is left as it is.`,
    ],
    { username: found.username, name: displayHostname(found.name), removed: true },
  );
}

function describeAccount(account: AcmeAccount) {
  return {
    username: account.username,
    name: displayHostname(account.name),
    subdomain: account.subdomain,
    txt_name: displayHostname(account.txtName),
    zone_id: account.zoneId,
    allow_from: account.allowFrom.map((range) => range.text),
    ...(cnameInstruction(account) ? { cname: cnameInstruction(account) } : {}),
  };
}

export async function listAcmeAccounts(context: CommandContext): Promise<void> {
  const { accounts, problems } = await readAccounts(context);
  for (const problem of problems) context.out.warn(`config: ${describeProblem(problem)}`);
  const rows = [...accounts].map(describeAccount);
  const table = rows.map((row) =>
    [row.username, row.name, row.txt_name, row.allow_from.join(",") || "anywhere"].join("\t"),
  );
  context.out.result(
    rows.length === 0 ? ["No ACME accounts yet: add one with 'ddns acme add NAME'."] : table,
    rows,
  );
}

/** What each ACME client needs, for the one time the password is known. */
export function clientSettings(account: AcmeAccount, password: string, apiUrl: string | undefined) {
  const base = apiUrl ? apiUrl.replace(/\/?$/, "/") : "https://API_URL/";
  const acmeDnsUrl = `${base}acme-dns`;
  const name = displayHostname(account.name);
  const storageEntry = {
    fulldomain: displayHostname(account.txtName),
    subdomain: account.subdomain,
    username: account.username,
    password,
    server_url: acmeDnsUrl,
  };
  return {
    acme_dns_url: acmeDnsUrl,
    lego_storage: { [name]: storageEntry },
    lego_httpreq: {
      HTTPREQ_ENDPOINT: `${base}httpreq`,
      HTTPREQ_USERNAME: account.username,
      HTTPREQ_PASSWORD: password,
    },
    acme_sh: {
      ACMEDNS_BASE_URL: acmeDnsUrl,
      ACMEDNS_USERNAME: account.username,
      ACMEDNS_PASSWORD: password,
      ACMEDNS_SUBDOMAIN: account.subdomain,
    },
    caddy: { username: account.username, password, subdomain: account.subdomain, server_url: acmeDnsUrl },
    cert_manager: { host: acmeDnsUrl, secret_key: "acmedns.json", secret: { [name]: storageEntry } },
  };
}

async function printCredentials(
  context: CommandContext,
  verb: string,
  account: AcmeAccount,
  password: string,
): Promise<void> {
  const apiUrl = await context.target.apiUrl();
  const settings = clientSettings(account, password, apiUrl);
  const name = displayHostname(account.name);
  const cname = cnameInstruction(account);
  const shell = (variables: Record<string, string>) =>
    Object.entries(variables).map(([key, value]) => `  ${key}='${value}'`);
  const storage = JSON.stringify(settings.lego_storage, null, 2).replace(/^/gm, "  ");
  context.out.result(
    [
      `${verb} ${name} (certificates for ${name} and *.${name}).`,
      "",
      `username:   ${account.username}`,
      `password:   ${password}`,
      `subdomain:  ${account.subdomain}`,
      `TXT record: ${displayHostname(account.txtName)} (zone ${account.zoneId})`,
      "",
      "This is the only time the password is shown: store it now.",
      ...(apiUrl
        ? []
        : ["Pass --api-url (or set DDNS_API_URL) to see the real URLs instead of https://API_URL/."]),
      ...(cname
        ? ["", `${name} is outside this deployment's zone. At its DNS provider, create once:`, `  ${cname}`]
        : []),
      "",
      "lego (--dns acme-dns; Traefik's acme-dns provider reads the same): ACME_DNS_API_BASE and a",
      "file named by ACME_DNS_STORAGE_PATH holding:",
      `  ACME_DNS_API_BASE='${settings.acme_dns_url}'`,
      storage,
      "",
      "lego (--dns httpreq):",
      ...shell(settings.lego_httpreq),
      "",
      "acme.sh (--dns dns_acmedns):",
      ...shell(settings.acme_sh),
      "",
      "Caddy (caddy-dns/acmedns), in the tls block:",
      `  dns acmedns { username ${account.username} password ${password} subdomain ${account.subdomain} server_url ${settings.acme_dns_url} }`,
      "",
      `cert-manager (solver dns01.acmeDNS: host ${settings.acme_dns_url}, accountSecretRef key acmedns.json):`,
      "  the Secret's acmedns.json is the same JSON as lego's storage file above.",
      "",
      "More: docs/certificates.md",
    ],
    { ...describeAccount(account), password, clients: settings },
  );
}
