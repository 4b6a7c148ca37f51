/**
 * The local authoritative DNS server for tests: started against an emulator's Route 53, plus a raw
 * query helper that shows what resolvers hide (the AA and TC bits, NXDOMAIN against NODATA, the
 * authority section). node:dns's Resolver pointed at `server.address` serves the ordinary lookups.
 */
import { createSocket } from "node:dgram";
import { connect } from "node:net";
import { Route53Client } from "@aws-sdk/client-route-53";
import dnsPacket, { type DecodedPacket, type RecordType } from "dns-packet";
import { type DnsServer, startDnsServer } from "../../src/local/dns-server.js";
import { TEST_CREDENTIALS, TEST_REGION } from "./aws-fixture.js";

export type { DnsServer };

/** A DNS server for every zone in the emulator at `endpointUrl`; `stop()` it in afterAll. */
export function startTestDnsServer(
  endpointUrl: string,
  options: { maxAgeMs?: number } = {},
): Promise<DnsServer> {
  const route53 = new Route53Client({
    endpoint: endpointUrl,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
  });
  return startDnsServer({ route53, ...options });
}

export type DnsResponse = DecodedPacket & { rcode: string };

export interface QueryOptions {
  readonly tcp?: boolean;
  /** Adds an EDNS OPT record offering this UDP payload size. */
  readonly ednsPayloadSize?: number;
  readonly timeoutMs?: number;
}

/** One question to `server` over UDP (default) or TCP; resolves to the decoded response. */
export function queryDns(
  server: { host: string; port: number },
  name: string,
  type: RecordType,
  options: QueryOptions = {},
): Promise<DnsResponse> {
  const query = dnsPacket.encode({
    type: "query",
    id: Math.floor(Math.random() * 65_536),
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type, class: "IN" }],
    additionals: options.ednsPayloadSize
      ? [
          {
            type: "OPT",
            name: ".",
            udpPayloadSize: options.ednsPayloadSize,
            extendedRcode: 0,
            ednsVersion: 0,
            flags: 0,
            flag_do: false,
            options: [],
          },
        ]
      : [],
  });
  const timeoutMs = options.timeoutMs ?? 2000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no answer for ${name} ${type} within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (message: Buffer) => {
      cleanup();
      resolve(dnsPacket.decode(message) as DnsResponse);
    };
    let cleanup: () => void;
    if (options.tcp) {
      const socket = connect(server.port, server.host);
      let received = Buffer.alloc(0);
      cleanup = () => {
        clearTimeout(timer);
        socket.destroy();
      };
      socket.on("connect", () => {
        const length = Buffer.alloc(2);
        length.writeUInt16BE(query.length);
        socket.write(Buffer.concat([length, query]));
      });
      socket.on("data", (chunk) => {
        received = Buffer.concat([received, chunk]);
        if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
          done(received.subarray(2, 2 + received.readUInt16BE(0)));
        }
      });
      socket.on("error", (error) => {
        cleanup();
        reject(error);
      });
    } else {
      const socket = createSocket(server.host.includes(":") ? "udp6" : "udp4");
      cleanup = () => {
        clearTimeout(timer);
        socket.close();
      };
      socket.on("message", done);
      socket.send(query, server.port, server.host);
    }
  });
}

/** The TXT answers of a response as their character strings: [["first"], ["second", "part"]]. */
export function txtStrings(response: DnsResponse): string[][] {
  return (response.answers ?? []).flatMap((answer) =>
    answer.type === "TXT" ? [[answer.data].flat().map((part) => Buffer.from(part).toString())] : [],
  );
}
