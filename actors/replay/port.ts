import type { Port } from '../../bus/bus.ts';
import { REPLY, type Envelope } from '../../base/envelope.ts';
import { unavailable, type Result } from '../../base/status.ts';

/** What a replayed actor sent, in the shape the log records it. */
export interface SentMessage {
  to: string;
  type: string;
  payload: unknown;
  corr?: string;
}

/** How many replayed actors subscribe to each topic now, kept by their ports (shared by a replay's ports). */
export type TopicSubscribers = Map<string, number>;

/**
 * The bus port of a replayed actor: it delivers nothing. Every send, reply and publish is
 * captured as an output to compare with the log; a request resolves when the replay feeds
 * the recorded reply with its correlation id (that of the recorded request with the same
 * content); topic subscriptions are remembered so the replay feeds the
 * actor the topic messages it would have received.
 */
export class ReplayPort implements Port {
  /** The outputs the replay has not taken yet (ActorReplay moves them into its streams and empties the list). */
  readonly sent: SentMessage[] = [];
  readonly topics = new Set<string>();
  readonly #pending = new Map<string, (r: Result<never>) => void>();
  #nextCorr = 1;

  /**
   * `onSend` hears every output, as the bus would see it sent (undefined: a send to an address
   * the log shows stopped, which live still queued the bus's drain). `recordedCorr` names the
   * recorded request a request is (by its content), so the recorded reply settles it
   * whichever order concurrent requests were issued in. `gone` tells an address the log shows
   * stopped (and not started again): live, the bus had no one to hand a message sent there,
   * and a recording logs what is delivered, so such a send is no output (it still paces turns),
   * and such a request is answered 503 as the bus answers it.
   * `subscribers` counts the port's topics in with the other ports'.
   */
  constructor(
    readonly address: string,
    private readonly onSend?: (sent: SentMessage | undefined) => void,
    private readonly recordedCorr?: (to: string, type: string, payload: unknown) => string | undefined,
    private readonly gone?: (to: string) => boolean,
    private readonly subscribers?: TopicSubscribers,
  ) {}

  send(to: string, type: string, payload: unknown): void {
    if (this.gone?.(to)) return void this.onSend?.(undefined);
    this.#push({ to, type, payload });
  }

  request(to: string, type: string, payload: unknown): Promise<Result<never>> {
    if (this.gone?.(to)) {
      // Live, the bus fails it at its drain — no actor holds the address — and logs nothing: the
      // requester hears 503 (the apiserver then drops a stopped kubelet's watches).
      this.onSend?.(undefined);
      return Promise.resolve().then(() => ({ ok: false, status: unavailable(`no actor at address "${to}"`) }) as Result<never>);
    }
    // A request the log does not have gets an id no recorded reply uses.
    const corr = this.recordedCorr?.(to, type, payload) ?? `${this.address}#unrecorded-${this.#nextCorr++}`;
    this.#push({ to, type, payload, corr });
    return new Promise((resolve) => this.#pending.set(corr, resolve));
  }

  reply(req: Envelope, result: Result<unknown>): void {
    if (req.corr !== undefined) this.#push({ to: req.from, type: REPLY, payload: result, corr: req.corr });
  }

  publish(topic: string, type: string, payload: unknown): void {
    this.#push({ to: topic, type, payload });
  }

  #push(m: SentMessage): void {
    this.sent.push(m);
    this.onSend?.(m);
  }

  subscribe(topic: string): () => void {
    if (!this.topics.has(topic)) this.subscribers?.set(topic, (this.subscribers.get(topic) ?? 0) + 1);
    this.topics.add(topic);
    return () => {
      if (this.topics.delete(topic)) this.subscribers?.set(topic, this.subscribers.get(topic)! - 1);
    };
  }

  close(): void {
    this.#pending.clear();
  }

  /** Settles the request a recorded reply answers; false if this port is not waiting for it. */
  settle(corr: string, result: unknown): boolean {
    const resolve = this.#pending.get(corr);
    if (resolve === undefined) return false;
    this.#pending.delete(corr);
    resolve(result as Result<never>);
    return true;
  }
}
