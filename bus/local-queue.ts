import { REPLY, type Envelope } from '../base/envelope.ts';
import { unavailable, type Result } from '../base/status.ts';
import type { BusStats, Handler } from './bus.ts';
import { Fifo } from './fifo.ts';
import type { Listeners } from './listeners.ts';
import type { PendingRequests } from './pending.ts';

/**
 * How many envelopes are delivered between two turns of the event loop. Drains run on
 * microtasks, and handlers' promises enqueue more from microtasks, so without this budget a
 * busy cluster would chain drains forever and timers (leases, request timeouts) and I/O
 * would wait tens of seconds.
 */
const DRAIN_BATCH = 4096;

/** Hands an envelope to an actor's handler; a throw is logged, never the bus's end. */
export function deliver(handler: Handler, env: Envelope, address: string): void {
  try {
    handler(env);
  } catch (err) {
    // The actor host supervises actors; a handler that still throws is a host bug, not a reason to stop the bus.
    console.error(`bus: handler of "${address}" threw on "${env.type}" (seq ${env.seq}):`, err);
  }
}

/** What a bus lends its local queue: its actors, taps, counters and pending requests. */
export interface LocalQueueHost {
  readonly entries: ReadonlyMap<string, { handler: Handler }>;
  readonly taps: Listeners<[Envelope]>;
  readonly stats: BusStats;
  readonly pending: PendingRequests;
}

/**
 * Delivery within one thread, shared by the in-process bus and each worker thread's bus: one
 * FIFO queue for the whole bus (so per-address order holds), drained asynchronously within
 * DRAIN_BATCH per turn; a reply settles its pending request, any other envelope goes to the
 * handler of each target, and a message to an address no actor holds fails its request (503).
 */
export class LocalQueue {
  readonly #queue = new Fifo<{ env: Envelope; targets: string[] }>();
  readonly #entries: LocalQueueHost['entries'];
  readonly #taps: LocalQueueHost['taps'];
  readonly #stats: BusStats;
  readonly #pending: PendingRequests;
  #scheduled = false;
  /** Envelopes delivered since the event loop last had a turn (see DRAIN_BATCH). */
  #sinceYield = 0;

  constructor(host: LocalQueueHost) {
    this.#entries = host.entries;
    this.#taps = host.taps;
    this.#stats = host.stats;
    this.#pending = host.pending;
  }

  enqueue(env: Envelope, targets: string[]): void {
    this.#queue.push({ env, targets });
    if (!this.#scheduled) {
      this.#scheduled = true;
      if (this.#sinceYield < DRAIN_BATCH) queueMicrotask(() => this.#drain());
      else this.#yieldThenDrain();
    }
  }

  /** Resolves once everything queued so far has been delivered. */
  async drained(): Promise<void> {
    while (this.#queue.length) await new Promise((r) => setImmediate(r));
  }

  #yieldThenDrain(): void {
    setImmediate(() => {
      this.#sinceYield = 0;
      this.#drain();
    });
  }

  #drain(): void {
    while (this.#queue.length) {
      if (++this.#sinceYield > DRAIN_BATCH) return this.#yieldThenDrain();
      const { env, targets } = this.#queue.shift()!;
      this.#deliver(env, targets);
    }
    this.#scheduled = false;
  }

  #deliver(env: Envelope, targets: string[]): void {
    if (env.type === REPLY && env.corr !== undefined) {
      this.#taps.emit(env);
      this.#stats.delivered++;
      this.#pending.settle(env.corr, env.payload as Result<unknown>);
      return;
    }
    const isTopic = targets.length !== 1 || targets[0] !== env.to;
    let delivered = false;
    for (const address of targets) {
      const entry = this.#entries.get(address);
      if (!entry) continue;
      if (!delivered) this.#taps.emit(env);
      delivered = true;
      this.#stats.delivered++;
      deliver(entry.handler, env, address);
    }
    if (!delivered && !isTopic) {
      this.#stats.undeliverable++;
      if (env.corr !== undefined) this.#pending.fail(env.corr, unavailable(`no actor at address "${env.to}"`));
    }
  }
}
