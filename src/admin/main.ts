/**
 * `ddns`: the operator CLI (docs/architecture.md "Operator CLI"). `run(argv, io)` is the whole program, so
 * tests call it in-process; src/admin/cli.ts calls it with the real process (bundled into
 * dist/ddns.mjs, which bin/ddns.mjs runs).
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import packageJson from "../../package.json" with { type: "json" };
import { ConfigFileError } from "../config/schema.js";
import { addAcmeAccount, listAcmeAccounts, removeAcmeAccount, rotateAcmeAccount } from "./acme-commands.js";
import { CLIENT_FORMATS } from "./client-config.js";
import {
  clientConfig,
  configHistory,
  restoreConfig,
  shardConfig,
  unshardConfig,
  validateConfig,
} from "./config-commands.js";
import { CommandContext, type OptionValues } from "./context.js";
import { CliError, EXIT } from "./errors.js";
import { addHost, listHosts, removeHost, rotateHost, setHost, showHost } from "./host-commands.js";
import { type Io, Output } from "./io.js";
import { addLanDevice, listLanDevices, removeLanDevice } from "./lan-commands.js";
import { queueStatus, replayQueue } from "./queue-commands.js";
import { fleetStatus, hostStatus } from "./status-commands.js";
import { Target } from "./target.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

interface Command {
  /** The command's words, e.g. "host add". */
  readonly name: string;
  readonly arguments: string;
  readonly summary: string;
  /** Its own options, besides the common ones. */
  readonly options: Options;
  /** Whether it works on the deployment (and so takes --bucket, --key, --terraform-dir, --api-url). */
  readonly deployed: boolean;
  /** Resolves to the exit code, or to nothing for success. */
  readonly run: (context: CommandContext) => Promise<unknown>;
}

const QUEUE_OPTIONS: Options = { "queue-url": { type: "string" }, "dlq-url": { type: "string" } };

const COMMANDS: readonly Command[] = [
  {
    name: "host add",
    arguments:
      "HOST [--ttl N] [--types A,AAAA] [--dyndns2] [--require-timestamp] [--allow-client-ip] [--wildcard] [--zone-id Z]",
    summary: "add a host with a new 256-bit secret; prints the secret once (--wildcard: *.HOST follows it)",
    options: {
      ttl: { type: "string" },
      types: { type: "string" },
      dyndns2: { type: "boolean" },
      "require-timestamp": { type: "boolean" },
      wildcard: { type: "boolean" },
      "allow-client-ip": { type: "boolean" },
      "zone-id": { type: "string" },
    },
    deployed: true,
    run: addHost,
  },
  {
    name: "host set",
    arguments: "HOST [--allow-client-ip on|off] [--dyndns2 on|off] [--require-timestamp on|off] [--ttl N]",
    summary:
      "change an existing host's settings, its secret kept (--allow-client-ip: myip may name another address than the caller's)",
    options: {
      "allow-client-ip": { type: "string" },
      dyndns2: { type: "string" },
      "require-timestamp": { type: "string" },
      ttl: { type: "string" },
    },
    deployed: true,
    run: setHost,
  },
  {
    name: "host rotate",
    arguments: "HOST",
    summary: "give a host a new secret; prints it once",
    options: {},
    deployed: true,
    run: rotateHost,
  },
  {
    name: "host remove",
    arguments: "HOST",
    summary: "remove a host",
    options: {},
    deployed: true,
    run: removeHost,
  },
  {
    name: "host list",
    arguments: "[--status [--since 7d] [--log-group NAME]]",
    summary:
      "list the hosts (never their secrets); --status adds what Route 53 holds, the last check-in and the last change, from one Logs Insights query",
    options: { status: { type: "boolean" }, since: { type: "string" }, "log-group": { type: "string" } },
    deployed: true,
    run: (context) => (context.flag("status") ? fleetStatus(context) : listHosts(context)),
  },
  {
    name: "host status",
    arguments: "HOST [--since 7d] [--log-group NAME] [--name-servers HOST[:PORT],...]",
    summary:
      "what Route 53 holds, what the zone's name servers answer, the last check-in and change, and previous addresses (from the function's log lines)",
    options: {
      since: { type: "string" },
      "log-group": { type: "string" },
      "name-servers": { type: "string" },
    },
    deployed: true,
    run: hostStatus,
  },
  {
    name: "host show",
    arguments: "HOST",
    summary: "one host's settings (never its secret)",
    options: {},
    deployed: true,
    run: showHost,
  },
  {
    name: "host lan add",
    arguments: "ROUTER NAME --interface-id ::…|--mac MAC [--prefix-length 48-64] [--prefix-from-source]",
    summary:
      "a device behind ROUTER whose AAAA follows the router's LAN prefix (the prefix options apply to all of ROUTER's devices)",
    options: {
      "interface-id": { type: "string" },
      mac: { type: "string" },
      "prefix-length": { type: "string" },
      "prefix-from-source": { type: "boolean" },
    },
    deployed: true,
    run: addLanDevice,
  },
  {
    name: "host lan list",
    arguments: "ROUTER",
    summary: "the devices whose AAAA follow ROUTER's LAN prefix",
    options: {},
    deployed: true,
    run: listLanDevices,
  },
  {
    name: "host lan remove",
    arguments: "ROUTER NAME",
    summary: "stop a device's AAAA following ROUTER (the record itself stays)",
    options: {},
    deployed: true,
    run: removeLanDevice,
  },
  {
    name: "acme add",
    arguments: "NAME [--allow-from CIDR]... [--zone-id Z]",
    summary:
      "an ACME DNS-01 account (acme-dns, lego httpreq) for NAME and *.NAME; prints its password and client settings once",
    options: { "allow-from": { type: "string", multiple: true }, "zone-id": { type: "string" } },
    deployed: true,
    run: addAcmeAccount,
  },
  {
    name: "acme list",
    arguments: "",
    summary: "list the ACME accounts (never their passwords)",
    options: {},
    deployed: true,
    run: listAcmeAccounts,
  },
  {
    name: "acme rotate",
    arguments: "USER|NAME",
    summary: "give an ACME account a new password; prints it and the client settings once",
    options: {},
    deployed: true,
    run: rotateAcmeAccount,
  },
  {
    name: "acme remove",
    arguments: "USER|NAME",
    summary: "remove an ACME account",
    options: {},
    deployed: true,
    run: removeAcmeAccount,
  },
  {
    name: "config validate",
    arguments: "FILE|DIRECTORY [--zone NAME]…",
    summary:
      "check a config as the function would, and flag weak secrets: a config.json ('-' reads stdin), or a sharded config's manifest (or its directory) with its shards; with the deployment's zones (--zone), also that every name a host writes lies in its zone",
    options: { zone: { type: "string", multiple: true } },
    deployed: false,
    run: validateConfig,
  },
  {
    name: "config history",
    arguments: "",
    summary: "the versions of the config file",
    options: {},
    deployed: true,
    run: configHistory,
  },
  {
    name: "config restore",
    arguments: "VERSION",
    summary: "make an earlier version the current config",
    options: {},
    deployed: true,
    run: restoreConfig,
  },
  {
    name: "config shard",
    arguments: "[--shards N]",
    summary: "store the hosts in N shard objects under a small manifest (large fleets; also re-shards)",
    options: { shards: { type: "string" } },
    deployed: true,
    run: shardConfig,
  },
  {
    name: "config unshard",
    arguments: "",
    summary: "store the whole config in one config.json again",
    options: {},
    deployed: true,
    run: unshardConfig,
  },
  {
    name: "queue status",
    arguments: "[--queue-url URL] [--dlq-url URL]",
    summary:
      "how many changes wait in the change queue and its dead-letter queue, and what the first dead-letter messages wanted (zone, name, type, value, when sent)",
    options: QUEUE_OPTIONS,
    deployed: true,
    run: queueStatus,
  },
  {
    name: "queue replay",
    arguments: "[--dry-run] [--max N] [--queue-url URL] [--dlq-url URL]",
    summary:
      "send the dead-letter queue's changes back to the change queue, each once (after Route 53 answers again); --dry-run only counts them",
    options: { ...QUEUE_OPTIONS, "dry-run": { type: "boolean" }, max: { type: "string" } },
    deployed: true,
    run: replayQueue,
  },
  {
    name: "client-config",
    arguments: `HOST --format ${CLIENT_FORMATS.join("|")} [--secret-stdin]`,
    summary: "settings for a router's client; the secret is a placeholder unless given on stdin",
    options: { format: { type: "string" }, "secret-stdin": { type: "boolean" } },
    deployed: true,
    run: clientConfig,
  },
];

const COMMON_OPTIONS: Options = {
  json: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
};

const DEPLOYMENT_OPTIONS: Options = {
  bucket: { type: "string" },
  key: { type: "string" },
  "terraform-dir": { type: "string" },
  "api-url": { type: "string" },
};

const HELP = `Usage: ddns COMMAND [ARGUMENTS] [OPTIONS]

Manages a route53-ddns deployment: the hosts in the config file in its S3 bucket, and the change queue.

Commands:
${COMMANDS.map((command) => `  ${usageLine(command).replace(/^ddns /, "")}\n      ${command.summary}`).join("\n")}

Options:
  --bucket NAME          the config bucket (else DDNS_CONFIG_BUCKET, else the Terraform outputs)
  --key KEY              the config object's key (else DDNS_CONFIG_KEY, the Terraform outputs, config.json)
  --terraform-dir DIR    the deployed Terraform root module, read with 'terraform output -json'
                         (default: terraform/, when it has been initialised)
  --api-url URL          the API's URL for client commands (else DDNS_API_URL, the Terraform outputs)
  --log-group NAME       the function's log group for status (else DDNS_LOG_GROUP, the Terraform outputs)
  --queue-url URL        the change queue for 'queue' (else DDNS_CHANGE_QUEUE_URL, the Terraform outputs)
  --dlq-url URL          its dead-letter queue (else DDNS_CHANGE_DLQ_URL, the Terraform outputs, its redrive policy)
  --json                 machine-readable output on stdout
  -q, --quiet            no progress messages on stderr
  -h, --help             this text
  --version              the version of this CLI (ddns --version)

AWS credentials and region come from the usual places (environment, profile, SSO).
Secrets are shown only by 'host add' and 'host rotate'; ACME passwords only by 'acme add' and 'acme rotate'.

Exit codes:
  ${EXIT.ok}  success
  ${EXIT.failed}  failure: AWS, network or Terraform error
  ${EXIT.usage}  usage: bad arguments or option values, or no config bucket known
  ${EXIT.refused}  refused: unknown host or account, host already present, host outside every zone, wrong format for the host, a queue that is not the change queue's dead-letter queue
  ${EXIT.conflict}  conflict: the config file changed while the command ran; nothing was written
  ${EXIT.invalidConfig}  invalid config: the file has errors (validate), or the file in S3 is unusable
`;

function usageLine(command: Command): string {
  return `ddns ${command.name} ${command.arguments}`.trimEnd();
}

function findCommand(argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  for (const command of COMMANDS) {
    const words = command.name.split(" ");
    if (words.every((word, index) => argv[index] === word))
      return { command, rest: argv.slice(words.length) };
  }
  return undefined;
}

export async function run(argv: readonly string[], io: Io): Promise<number> {
  if (argv.length === 1 && argv[0] === "--version") {
    io.stdout(`ddns (${packageJson.name}) ${packageJson.version}\n`);
    return EXIT.ok;
  }
  const found = findCommand(argv);
  if (!found) {
    const asked = argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help";
    if (asked) io.stdout(HELP);
    else io.stderr(`ddns: unknown command '${argv.join(" ")}' (see 'ddns --help')\n`);
    return asked ? EXIT.ok : EXIT.usage;
  }
  const { command, rest } = found;
  let values: OptionValues;
  let positionals: string[];
  const options = { ...COMMON_OPTIONS, ...(command.deployed ? DEPLOYMENT_OPTIONS : {}), ...command.options };
  try {
    ({ values, positionals } = parseArgs({ args: rest, options, allowPositionals: true, strict: true }) as {
      values: OptionValues;
      positionals: string[];
    });
  } catch (error) {
    io.stderr(
      `ddns ${command.name}: ${parseProblem(error as Error & { code?: string }, options)}\nUsage: ${usageLine(command)}\n`,
    );
    return EXIT.usage;
  }
  if (values.help) {
    io.stdout(
      `Usage: ${usageLine(command)}\n  ${command.summary}\n\nSee 'ddns --help' for the common options and exit codes.\n`,
    );
    return EXIT.ok;
  }

  const out = new Output(io, values.json === true, values.quiet === true);
  const target = new Target(
    {
      bucket: values.bucket as string | undefined,
      key: values.key as string | undefined,
      apiUrl: values["api-url"] as string | undefined,
      terraformDir: values["terraform-dir"] as string | undefined,
    },
    io.env,
    out,
  );
  try {
    const exitCode = await command.run(new CommandContext(io, out, positionals, values, target));
    return typeof exitCode === "number" ? exitCode : EXIT.ok;
  } catch (error) {
    io.stderr(`ddns ${command.name}: ${describeError(error)}\n`);
    return error instanceof CliError ? error.exitCode : EXIT.failed;
  }
}

/**
 * util.parseArgs's complaint in the operator's words: the option named as typed, the nearest one the
 * command takes when it is a likely typo, and no advice about `--` that does not apply.
 */
export function parseProblem(error: Error & { code?: string }, options: Options): string {
  const named = /'(-{1,2}[^' ]+)/.exec(error.message)?.[1];
  if (error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && named) {
    const typed = named.replace(/^-+/, "");
    const nearest = Object.keys(options)
      .map((name) => ({ name, distance: editDistance(typed, name) }))
      .sort((a, b) => a.distance - b.distance)[0];
    const hint =
      nearest && nearest.distance <= Math.max(1, Math.floor(typed.length / 3))
        ? ` (did you mean --${nearest.name}?)`
        : "";
    return `unknown option ${named}${hint}.`;
  }
  if (error.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && named) {
    const option = options[named.replace(/^-+/, "")];
    return option?.type === "boolean" ? `${named} takes no value.` : `${named} needs a value.`;
  }
  return error.message;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The operator's view of a failure: our own messages as they are, AWS errors with their code. */
function describeError(error: unknown): string {
  if (error instanceof CliError || error instanceof ConfigFileError) return error.message;
  const failure = error as { name?: string; message?: string; code?: string };
  if (failure.code === "ENOENT") return failure.message ?? "file not found";
  const name = failure.name && failure.name !== "Error" ? ` (${failure.name})` : "";
  return `${failure.message || "unknown error"}${name}`;
}
