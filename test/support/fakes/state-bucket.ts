// The state bucket in memory (fair shares and the writer's marks): the fake the queue simulations
// (bench/queue-storm.ts) hand the real S3 adapters.
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { awsError } from "./aws-error.js";
import { type Clock, wallClock } from "./clock.js";

/**
 * A bucket of small objects (the state bucket: `shares/` for fair shares, `applied/` for the writer's
 * marks), answering GetObject (404 NoSuchKey when absent) and PutObject, with `If-None-Match: *`
 * refused 412 when the key exists, as S3 does. S3's request rates per prefix (3,500 PUT and 5,500 GET
 * a second) are far above what the simulations ask and are not enforced.
 */
export class StateBucketStandIn {
  readonly calls = { get: 0, put: 0, putRefused: 0 };
  readonly #objects = new Map<string, string>();

  constructor(
    private readonly clock: Clock = wallClock,
    private readonly latencyMs = 0,
  ) {}

  get client(): S3Client {
    return { send: (command: unknown) => this.send(command) } as unknown as S3Client;
  }

  async send(command: unknown): Promise<unknown> {
    await this.clock.sleep(this.latencyMs);
    if (command instanceof GetObjectCommand) {
      this.calls.get++;
      const text = this.#objects.get(command.input.Key ?? "");
      if (text === undefined) throw awsError("NoSuchKey", 404, "The specified key does not exist.");
      return { Body: { transformToString: async () => text } };
    }
    if (command instanceof PutObjectCommand) {
      this.calls.put++;
      const key = command.input.Key ?? "";
      if (command.input.IfNoneMatch === "*" && this.#objects.has(key)) {
        this.calls.putRefused++;
        throw awsError(
          "PreconditionFailed",
          412,
          "At least one of the pre-conditions you specified did not hold",
        );
      }
      this.#objects.set(key, String(command.input.Body ?? ""));
      return {};
    }
    throw new Error("the state bucket stand-in answers GetObject and PutObject");
  }
}
