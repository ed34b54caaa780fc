/**
 * One of several apiservers on NATS: its private addresses stay in the process, the rest
 * is NATS.
 *
 * Every address registers on both transports (the kv actor only in-process). A message goes
 * in-process when its destination is registered here, otherwise over NATS: the apiserver and
 * its kv actor talk only to each other (the kv's watch events reach this process's watch
 * cache, never another apiserver's), and this process's HTTPS front is pinned to its own
 * apiserver, so its clients and their watches live as long as this process does, whatever
 * happens to the others. `apiserver` joins a NATS queue group, so a component's request
 * reaches one apiserver of the group; a reply goes back the way its request came.
 */
import type { Envelope } from '../base/envelope.ts';
import type { Status } from '../base/status.ts';
import type { Bus, BusState, BusStats, Handler, Port, RejectCause, Tap } from './bus.ts';
import type { RegisterOptions } from './inbox.ts';
import { KV_ADDRESS, APISERVER_ADDRESS } from './permissions.ts';

/** The queue group of every apiserver of a cluster. */
export const APISERVER_QUEUE = 'apiservers';

export class SplitBus implements Bus {
  readonly transport = 'nats';
  readonly #local: Bus;
  readonly #remote: Bus;
  readonly #here = new Set<string>();

  constructor(local: Bus, remote: Bus) {
    this.#local = local;
    this.#remote = remote;
  }

  register(address: string, handler: Handler, opts?: RegisterOptions): Port {
    // Envelopes delivered in-process, so a reply takes the same way back.
    const viaLocal = new WeakSet<Envelope>();
    const local = this.#local.register(address, (env) => {
      viaLocal.add(env);
      handler(env);
    }, opts);
    let remote: Port | undefined;
    try {
      remote = address === KV_ADDRESS ? undefined : this.#remote.register(address, handler, { ...opts, ...(address === APISERVER_ADDRESS ? { queue: APISERVER_QUEUE } : {}) });
    } catch (err) {
      local.close();
      throw err;
    }
    this.#here.add(address);
    const to = (dest: string): Port => (this.#here.has(dest) || !remote ? local : remote);
    return {
      address,
      send: (dest, type, payload) => to(dest).send(dest, type, payload),
      request: (dest, type, payload, o) => to(dest).request(dest, type, payload, o),
      reply: (req, result) => (viaLocal.has(req) || !remote ? local : remote).reply(req, result),
      publish: (topic, type, payload) => (remote ?? local).publish(topic, type, payload),
      subscribe: (topic) => (remote ?? local).subscribe(topic),
      close: () => {
        this.#here.delete(address);
        local.close();
        remote?.close();
      },
    };
  }

  /** The NATS side (the jetstream kv backend stores over its connection). */
  get remote(): Bus {
    return this.#remote;
  }

  tap(tap: Tap): () => void {
    const a = this.#local.tap(tap);
    const b = this.#remote.tap(tap);
    return () => (a(), b());
  }
  stats(): BusStats {
    return this.#remote.stats();
  }
  state(): BusState {
    return this.#remote.state();
  }
  onState(listener: (state: BusState) => void): () => void {
    return this.#remote.onState(listener);
  }
  onReject(listener: (cause: RejectCause, status: Status, detail: { to?: string; from?: string; type?: string }) => void): () => void {
    const a = this.#local.onReject(listener);
    const b = this.#remote.onReject(listener);
    return () => (a(), b());
  }
  async close(): Promise<void> {
    await this.#local.close();
    await this.#remote.close();
  }
}
