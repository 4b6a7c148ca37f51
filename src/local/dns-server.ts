/**
 * The local authoritative DNS server: answers for every hosted zone in the emulator's Route 53,
 * over UDP and TCP on one loopback port, so that ACME servers (pebble), resolvers and `dig` see what
 * Route 53 holds, as they would ask Route 53's own name servers. Wire format by dns-packet.
 *
 * Over UDP an answer larger than the client can take (512 bytes, or its EDNS payload size up to
 * 1232) is sent empty with the TC bit, and the client repeats the question over TCP. A change in
 * Route 53 is answered within `maxAgeMs` (default 250 ms; see ZoneSnapshots).
 */
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { createServer, type Server, type Socket as TcpSocket } from "node:net";
import { Route53Client } from "@aws-sdk/client-route-53";
import dnsPacket, { type Answer, type DecodedPacket, type Packet } from "dns-packet";
import { answerQuestion } from "./dns-answer.js";
import { loadZones, ZoneSnapshots } from "./dns-zones.js";

export interface DnsServerOptions {
  /** Where Route 53 is: by default a client configured by the environment (AWS_ENDPOINT_URL, credentials). */
  readonly route53?: Route53Client;
  readonly host?: string;
  /** 0 (the default) picks a port free for both UDP and TCP. */
  readonly port?: number;
  /** How old an answered snapshot of Route 53 may be. */
  readonly maxAgeMs?: number;
  /** Problems worth a line: a failed refresh (the previous snapshot is served), a broken query. */
  readonly warn?: (message: string) => void;
}

export interface DnsServer {
  readonly host: string;
  readonly port: number;
  /** `HOST:PORT`, the form stack.json, DDNS_NAME_SERVERS and `pebble -dnsserver` take. */
  readonly address: string;
  stop(): Promise<void>;
}

const CLASSIC_UDP_LIMIT = 512;
/** The EDNS buffer size DNS Flag Day 2020 settled on: no IP fragmentation. */
const EDNS_UDP_LIMIT = 1232;
const TCP_IDLE_MS = 10_000;
const PORT_ATTEMPTS = 20;

type QueryHeader = DecodedPacket & { opcode?: string };

const RCODES = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
type Rcode = keyof typeof RCODES;

function reply(
  query: Partial<QueryHeader>,
  rcode: Rcode,
  extra: Partial<Packet> = {},
  authoritative = false,
) {
  const recursionDesired = (query.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
  return {
    type: "response",
    id: query.id ?? 0,
    flags: (authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0) | recursionDesired | RCODES[rcode],
    questions: query.questions ?? [],
    answers: [],
    authorities: [],
    additionals: [],
    ...extra,
  } satisfies Packet;
}

function ednsOf(query: DecodedPacket): (Answer & { udpPayloadSize?: number }) | undefined {
  return query.additionals?.find((record) => record.type === "OPT") as
    | (Answer & { udpPayloadSize?: number })
    | undefined;
}

/** The response to one query, before any size limit. */
async function respond(query: QueryHeader, snapshots: ZoneSnapshots): Promise<Packet> {
  const edns = ednsOf(query);
  const additionals: Answer[] = edns
    ? [{ type: "OPT", name: ".", udpPayloadSize: EDNS_UDP_LIMIT, extendedRcode: 0, flags: 0 } as Answer]
    : [];
  if (query.type !== "query") return reply(query, "FORMERR", { additionals });
  if (query.opcode !== "QUERY") return reply(query, "NOTIMP", { additionals });
  const question = query.questions?.[0];
  if (!question || query.questions?.length !== 1) return reply(query, "FORMERR", { additionals });
  if ((question.class ?? "IN") !== "IN" || question.type === "AXFR" || question.type === "IXFR") {
    return reply(query, "REFUSED", { additionals });
  }
  const answer = answerQuestion(await snapshots.current(), question.name, question.type);
  return reply(
    query,
    answer.rcode,
    { answers: answer.answers, authorities: answer.authorities, additionals },
    answer.authoritative,
  );
}

/** Encodes `response`; when it exceeds `limit`, the same header and question with TC set and no records. */
function encodeWithin(response: Packet, limit: number): Buffer {
  const full = dnsPacket.encode(response);
  if (full.length <= limit) return full;
  return dnsPacket.encode({
    ...response,
    flags: (response.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE,
    answers: [],
    authorities: [],
  });
}

function udpLimitOf(query: DecodedPacket): number {
  const size = ednsOf(query)?.udpPayloadSize ?? CLASSIC_UDP_LIMIT;
  return Math.min(Math.max(size, CLASSIC_UDP_LIMIT), EDNS_UDP_LIMIT);
}

/** Answers one message; undefined when it is not worth an answer (too short to carry an id). */
async function handleMessage(
  message: Buffer,
  snapshots: ZoneSnapshots,
  limitOf: (query: DecodedPacket) => number,
  warn: (message: string) => void,
): Promise<Buffer | undefined> {
  let query: QueryHeader;
  try {
    query = dnsPacket.decode(message) as QueryHeader;
  } catch {
    if (message.length < 2) return undefined;
    return dnsPacket.encode(reply({ id: message.readUInt16BE(0) }, "FORMERR"));
  }
  // dns-packet decodes labels as UTF-8: bytes that are not become U+FFFD, and encoding that back
  // would send a corrupted question (another length, even a reserved label type). Refuse instead.
  if (query.questions?.some((question) => question.name.includes("\uFFFD"))) {
    return dnsPacket.encode(reply({ id: query.id, flags: query.flags }, "FORMERR"));
  }
  try {
    return encodeWithin(await respond(query, snapshots), limitOf(query));
  } catch (error) {
    warn(`answering ${query.questions?.[0]?.name ?? "?"}: ${(error as Error).message}`);
    return dnsPacket.encode(reply(query, "SERVFAIL"));
  }
}

function serveTcpConnection(
  socket: TcpSocket,
  snapshots: ZoneSnapshots,
  warn: (message: string) => void,
): void {
  let pending = Buffer.alloc(0);
  socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
  socket.on("error", () => socket.destroy());
  socket.on("data", (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
      const message = pending.subarray(2, 2 + pending.readUInt16BE(0));
      pending = pending.subarray(2 + message.length);
      void handleMessage(message, snapshots, () => 65_535, warn).then((answer) => {
        if (!answer || socket.destroyed) return;
        const length = Buffer.alloc(2);
        length.writeUInt16BE(answer.length);
        socket.write(Buffer.concat([length, answer]));
      });
    }
  });
}

function listenTcp(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port }, () => {
      server.off("error", reject);
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
}

function bindUdp(socket: Socket, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off("error", reject);
      resolve();
    });
  });
}

/** TCP first on the asked (or a free) port, then UDP on the same number; a taken UDP port means another try. */
async function listenBoth(host: string, port: number): Promise<{ udp: Socket; tcp: Server; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const tcp = createServer();
    const chosen = await listenTcp(tcp, host, port);
    const udp = createSocket(host.includes(":") ? "udp6" : "udp4");
    try {
      await bindUdp(udp, host, chosen);
      return { udp, tcp, port: chosen };
    } catch (error) {
      udp.close();
      await new Promise((resolve) => tcp.close(resolve));
      if (port !== 0 || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

export async function startDnsServer(options: DnsServerOptions = {}): Promise<DnsServer> {
  const host = options.host ?? "127.0.0.1";
  const warn = options.warn ?? ((message: string) => console.error(`dns-server: ${message}`));
  const route53 = options.route53 ?? new Route53Client({ region: "us-east-1" });
  const snapshots = new ZoneSnapshots(
    () => loadZones(route53),
    options.maxAgeMs ?? 250,
    (error) =>
      warn(`reading Route 53 failed, answering from the previous snapshot: ${(error as Error).message}`),
  );
  await snapshots.current(); // fail now, not on the first query, when Route 53 cannot be read

  const { udp, tcp, port } = await listenBoth(host, options.port ?? 0);
  let stopped = false;
  udp.on("message", (message: Buffer, peer: RemoteInfo) => {
    void handleMessage(message, snapshots, udpLimitOf, warn).then((answer) => {
      if (answer && !stopped) udp.send(answer, peer.port, peer.address);
    });
  });
  const connections = new Set<TcpSocket>();
  tcp.on("connection", (socket) => {
    connections.add(socket);
    socket.once("close", () => connections.delete(socket));
    serveTcpConnection(socket, snapshots, warn);
  });

  return {
    host,
    port,
    address: `${host.includes(":") ? `[${host}]` : host}:${port}`,
    stop: async () => {
      stopped = true;
      for (const socket of connections) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}
