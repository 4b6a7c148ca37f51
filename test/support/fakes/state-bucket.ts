// The state bucket in memory (the writer's applied marks): the fake the queue simulations
// (bench/queue-storm.ts) hand the real S3 adapters.
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { awsError } from "./aws-error.js";
import { ServiceStandIn } from "./service-stand-in.js";

/**
 * A bucket of small objects (the state bucket: `applied/` for the writer's marks), answering GetObject
 * (404 NoSuchKey when absent; an ETag) and PutObject, with `If-None-Match: *` and `If-Match` refused
 * 412 when they do not hold, as S3 does. S3's request rates per prefix (3,500
 * PUT and 5,500 GET a second) are far above what the simulations ask and are not enforced.
 */
export class StateBucketStandIn extends ServiceStandIn<S3Client> {
  readonly calls = { get: 0, put: 0, putRefused: 0 };
  readonly #objects = new Map<string, { text: string; etag: string }>();
  #versions = 0;

  protected answer(command: unknown): unknown {
    if (command instanceof GetObjectCommand) {
      this.calls.get++;
      const object = this.#objects.get(command.input.Key ?? "");
      if (object === undefined) throw awsError("NoSuchKey", 404, "The specified key does not exist.");
      return { ETag: object.etag, Body: { transformToString: async () => object.text } };
    }
    if (command instanceof PutObjectCommand) {
      this.calls.put++;
      const key = command.input.Key ?? "";
      const existing = this.#objects.get(key);
      const refused =
        (command.input.IfNoneMatch === "*" && existing !== undefined) ||
        (command.input.IfMatch !== undefined && existing?.etag !== command.input.IfMatch);
      if (refused) {
        this.calls.putRefused++;
        throw awsError(
          "PreconditionFailed",
          412,
          "At least one of the pre-conditions you specified did not hold",
        );
      }
      const etag = `"v${++this.#versions}"`;
      this.#objects.set(key, { text: String(command.input.Body ?? ""), etag });
      return { ETag: etag };
    }
    throw new Error("the state bucket stand-in answers GetObject and PutObject");
  }
}
