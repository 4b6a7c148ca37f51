// The config bucket as the function's config store and the change budget see it, in memory: one of
// the fakes the unit tests and the benchmarks share (the others are beside it).
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { awsError } from "./aws-error.js";
import { type Clock, wallClock } from "./clock.js";

/**
 * One config object, answering GetObject (with ETag revalidation), and the change budget's slot
 * objects, answering PutObject with `If-None-Match: *` as S3 does (the first writer wins, 412 after).
 */
export class S3StandIn {
  /** GetObject calls. */
  calls = 0;
  /** PutObject calls, and the refused ones among them (412: the key existed). */
  readonly puts = { total: 0, refused: 0 };
  readonly #created = new Set<string>();
  #text = "";
  #etag = "";
  #version = 0;

  constructor(
    private readonly clock: Clock = wallClock,
    private readonly latencyMs = 0,
  ) {}

  get client(): S3Client {
    return { send: (command: unknown) => this.send(command) } as unknown as S3Client;
  }

  put(text: string): void {
    this.#text = text;
    this.#etag = `"v${++this.#version}"`;
  }

  async send(command: unknown): Promise<unknown> {
    if (command instanceof PutObjectCommand)
      return this.#create(command.input.Key ?? "", command.input.IfNoneMatch);
    if (!(command instanceof GetObjectCommand))
      throw new Error("the S3 stand-in answers GetObject and PutObject");
    this.calls++;
    await this.clock.sleep(this.latencyMs);
    if (command.input.IfNoneMatch === this.#etag) throw awsError("NotModified", 304, "Not Modified");
    const text = this.#text;
    return { ETag: this.#etag, Body: { transformToString: async () => text } };
  }

  async #create(key: string, ifNoneMatch: string | undefined): Promise<unknown> {
    if (ifNoneMatch !== "*") throw new Error("the S3 stand-in only creates objects (If-None-Match: *)");
    this.puts.total++;
    await this.clock.sleep(this.latencyMs);
    if (this.#created.has(key)) {
      this.puts.refused++;
      throw awsError(
        "PreconditionFailed",
        412,
        "At least one of the pre-conditions you specified did not hold",
      );
    }
    this.#created.add(key);
    return {};
  }
}
