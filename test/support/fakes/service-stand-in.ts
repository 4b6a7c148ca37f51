// What the in-memory AWS services share: an SDK-shaped client and a virtual latency per request.
import { type Clock, wallClock } from "./clock.js";

/**
 * A service answering the commands an adapter sends through `client` (typed as the SDK client it
 * stands in for), each after `latencyMs` of the clock's time. Subclasses answer in `answer()`.
 */
export abstract class ServiceStandIn<Client> {
  constructor(
    protected readonly clock: Clock = wallClock,
    protected readonly latencyMs = 0,
  ) {}

  get client(): Client {
    return { send: (command: unknown) => this.send(command) } as unknown as Client;
  }

  async send(command: unknown): Promise<unknown> {
    await this.clock.sleep(this.latencyMs);
    return this.answer(command);
  }

  protected abstract answer(command: unknown): unknown;
}
