import { type Clock } from '../base/clock.ts';
import { realClock } from '../base/real-clock.ts';
import { emptyStats, type Bus, type BusState, type BusStats, type Handler, type Port, type RejectCause, type Tap } from './bus.ts';
import { REPLY, type Envelope } from '../base/envelope.ts';
import { checkSend } from './permissions.ts';
import { localReply, PendingRequests } from './pending.ts';
import { unavailable, type Result, type Status } from '../base/status.ts';
import { Listeners } from './listeners.ts';
import { LocalQueue } from './local-queue.ts';
import { Inbox, inboxFull, inboxLimitOf, type RegisterOptions } from './inbox.ts';

interface Entry {
  handler: Handler;
  topics: Set<string>;
  nextCorr: number;
  inbox: Inbox;
}

export interface InProcessBusOptions {
  clock?: Clock;
  /** Default request timeout in ms (5000). */
  requestTimeoutMs?: number;
  /** Requests an actor may hold unanswered (DEFAULT_INBOX_LIMIT); `register` may set its own. */
  inboxLimit?: number;
}

/**
 * The embedded default transport. Envelopes are delivered asynchronously, in one FIFO queue
 * for the whole bus (so per-address order holds), and never encoded: payloads pass by
 * reference and are treated as immutable by every actor.
 */
export class InProcessBus implements Bus {
  readonly transport = 'in-process';
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #inboxLimit: number | undefined;
  readonly #entries = new Map<string, Entry>();
  readonly #topics = new Map<string, Set<string>>();
  readonly #local: LocalQueue;
  readonly #pending: PendingRequests;
  readonly #taps = new Listeners<[Envelope]>();
  readonly #stateListeners = new Listeners<[BusState]>();
  readonly #rejectListeners = new Listeners<[RejectCause, Status, { to?: string; from?: string; type?: string }]>();
  readonly #stats: BusStats = emptyStats();
  #seq = 0;
  #state: BusState = 'connected';

  constructor(opts: InProcessBusOptions = {}) {
    this.#clock = opts.clock ?? realClock;
    this.#timeoutMs = opts.requestTimeoutMs ?? 5000;
    this.#inboxLimit = opts.inboxLimit;
    this.#pending = new PendingRequests(this.#clock, (corr, result) => this.#taps.emit(localReply(corr, result, this.#clock.now())));
    this.#local = new LocalQueue({ entries: this.#entries, taps: this.#taps, stats: this.#stats, pending: this.#pending });
  }

  register(address: string, handler: Handler, opts?: RegisterOptions): Port {
    if (this.#state === 'closed') throw new Error('bus is closed');
    if (this.#entries.has(address)) throw new Error(`address "${address}" is already registered`);
    const entry: Entry = { handler, topics: new Set(), nextCorr: 1, inbox: new Inbox(inboxLimitOf(opts, this.#inboxLimit), this.#timeoutMs) };
    this.#entries.set(address, entry);
    const bus = this;
    return {
      address,
      send: (to, type, payload) => bus.#emit(address, to, type, payload, undefined),
      request: (to, type, payload, opts) => {
        const corr = `${address}#${entry.nextCorr++}`;
        const p = bus.#pending.add(corr, type, to, opts?.timeoutMs ?? bus.#timeoutMs);
        bus.#emit(address, to, type, payload, corr);
        return p as Promise<Result<never>>;
      },
      reply: (req, result) => {
        if (req.corr === undefined) return;
        entry.inbox.answered(req.corr);
        bus.#emit(address, req.from, REPLY, result, req.corr);
      },
      publish: (topic, type, payload) => bus.#publish(address, topic, type, payload),
      subscribe: (topic) => {
        let subs = bus.#topics.get(topic);
        if (!subs) bus.#topics.set(topic, (subs = new Set()));
        subs.add(address);
        entry.topics.add(topic);
        return () => {
          subs.delete(address);
          entry.topics.delete(topic);
        };
      },
      close: () => bus.#unregister(address),
    };
  }

  tap(tap: Tap): () => void {
    return this.#taps.add(tap);
  }
  stats(): BusStats {
    return structuredClone(this.#stats);
  }
  state(): BusState {
    return this.#state;
  }
  onState(listener: (state: BusState) => void): () => void {
    return this.#stateListeners.add(listener);
  }
  onReject(listener: (cause: RejectCause, status: Status, detail: { to?: string; from?: string; type?: string }) => void): () => void {
    return this.#rejectListeners.add(listener);
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    // Let what is already queued arrive, then close every port.
    await this.#local.drained();
    for (const address of [...this.#entries.keys()]) this.#unregister(address);
    this.#state = 'closed';
    this.#stateListeners.emit('closed');
  }

  #unregister(address: string): void {
    const entry = this.#entries.get(address);
    if (!entry) return;
    for (const t of entry.topics) this.#topics.get(t)?.delete(address);
    this.#entries.delete(address);
    const gone = unavailable(`actor "${address}" closed`);
    // Both directions: what the closing actor asked, and what others asked of it and it will never answer.
    this.#pending.failAll(gone, `${address}#`);
    this.#pending.failTo(address, gone);
  }

  #emit(from: string, to: string, type: string, payload: unknown, corr: string | undefined): void {
    const env: Envelope = { seq: ++this.#seq, from, to, type, payload, at: this.#clock.now() };
    if (corr !== undefined) env.corr = corr;
    this.#stats.sent++;
    const denied = checkSend(from, to, type);
    if (denied) {
      this.#reject('forbidden', denied, env);
      return;
    }
    if (corr !== undefined && type !== REPLY) {
      const inbox = this.#entries.get(to)?.inbox;
      if (inbox && !inbox.admit(corr, env.at)) return this.#reject('overloaded', inboxFull(to, inbox.limit), env);
    }
    this.#local.enqueue(env, [to]);
  }

  #publish(from: string, topic: string, type: string, payload: unknown): void {
    const env: Envelope = { seq: ++this.#seq, from, to: topic, type, payload, at: this.#clock.now() };
    this.#stats.sent++;
    this.#local.enqueue(env, [...(this.#topics.get(topic) ?? [])]);
  }

  #reject(cause: RejectCause, status: Status, env: Envelope): void {
    this.#stats.rejected[cause]++;
    this.#rejectListeners.emit(cause, status, { to: env.to, from: env.from, type: env.type });
    if (env.corr !== undefined && env.type !== REPLY) this.#pending.fail(env.corr, status);
  }
}
