import type { MessagePort } from 'node:worker_threads';
import type { Clock } from '../../base/clock.ts';
import { realClock } from '../../base/real-clock.ts';
import { REPLY, type Envelope } from '../../base/envelope.ts';
import { fail, forbidden, unavailable, badRequest, type Result, type Status } from '../../base/status.ts';
import { emptyStats, type Bus, type BusState, type BusStats, type Handler, type Port, type RejectCause, type Tap } from '../bus.ts';
import { createCodec, type Codec } from '../codec.ts';
import { deliver, LocalQueue } from '../local-queue.ts';
import { defaultIdentities, mayClaim, type IdentityTable } from '../identities.ts';
import { Listeners } from '../listeners.ts';
import { localReply, PendingRequests } from '../pending.ts';
import { checkSend } from '../permissions.ts';
import { admitMessage, admitReply, type Header } from './admit.ts';
import { Link, type Frame } from './link.ts';
import { Inbox, inboxFull, inboxLimitOf, type RegisterOptions } from '../inbox.ts';

interface Entry {
  handler: Handler;
  topics: Set<string>;
  /** Requests from other threads delivered and not yet answered; answered 503 when the port closes. */
  unanswered: Set<Envelope>;
  /** Every request to it not answered yet, from any thread; past its limit a request is answered 429 (bus/inbox.ts). */
  inbox: Inbox;
}

/** A thread connected to the main thread's bus: what it holds, as the main thread routes to it. */
interface Peer {
  link: Link;
  identity: string;
  addresses: Set<string>;
  topics: Set<string>;
}

type RejectDetail = { to?: string; from?: string; type?: string };


export interface WorkersBusOptions {
  clock?: Clock;
  /** Default request timeout in ms (5000). */
  requestTimeoutMs?: number;
  /** Requests an actor may hold unanswered (DEFAULT_INBOX_LIMIT); `register` may set its own. */
  inboxLimit?: number;
}

/**
 * The worker-threads transport: one bus per thread of a process, joined over MessagePorts.
 *
 * Topology: a star with the main thread as router — each worker has one MessageChannel to
 * the main thread (`WorkersBus.main()` + `attach`, `WorkersBus.worker(port, identity)`).
 * Chosen over a BroadcastChannel mesh because the control plane (the apiserver and its
 * watches: most of the traffic) lives on the main thread anyway, a BroadcastChannel would
 * hand every envelope to every thread, and a single router knows every address (so a
 * request to nobody gets its 503 at once, as over NATS) and is the one place that checks
 * a worker's `from` against the addresses that worker registered (a forged one is counted
 * `forged`, as NATS does with identities). Worker-to-worker envelopes take two hops.
 *
 * Inside a thread, envelopes never leave memory: they are delivered as the in-process bus
 * delivers them (one FIFO, drains on microtasks). Crossing threads they are msgpackr bytes
 * (bus/codec.ts) in transferred ArrayBuffers, checked at the receiving thread against the
 * catalogue (bus/check.ts) as NATS messages are; a request that fails a check is answered
 * with the Status. Per-address order holds per sender: each path (local queue, port) is FIFO.
 *
 * A worker claims addresses as a NATS identity does (bus/identities.ts: `nodes` holds
 * kubelet.*, proxy.*, pod.*): `register` fails fast outside them, and the main thread
 * refuses a registration outside them (counted `forbidden`). Request timeouts run on each
 * bus's own clock; threads of one process share the wall clock, so `realClock` in every
 * thread is one clock (see bus/workers/thread.ts for virtual time).
 */
export class WorkersBus implements Bus {
  readonly transport = 'workers';
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #inboxLimit: number | undefined;
  readonly #codec: Codec = createCodec();
  readonly #entries = new Map<string, Entry>();
  readonly #topics = new Map<string, Set<string>>();
  readonly #local: LocalQueue;
  readonly #pending: PendingRequests;
  readonly #taps = new Listeners<[Envelope]>();
  readonly #outbound = new Listeners<[Envelope]>();
  readonly #stateListeners = new Listeners<[BusState]>();
  readonly #rejectListeners = new Listeners<[RejectCause, Status, RejectDetail]>();
  readonly #stats: BusStats = emptyStats();
  /** Main thread: the workers, and which holds each address or subscribes to each topic. */
  readonly #peers = new Set<Peer>();
  readonly #routes = new Map<string, Peer>();
  readonly #topicPeers = new Map<string, Set<Peer>>();
  /** Worker thread: the link to the main thread, and the identity whose claims bound `register`. */
  readonly #up: Peer | undefined;
  readonly #identities: IdentityTable;
  readonly #pongs = new Map<number, () => void>();
  #pingId = 0;
  #seq = 0;
  #corr = 0;
  #state: BusState = 'connected';

  private constructor(opts: WorkersBusOptions, up?: { port: MessagePort; identity: string }, identities: IdentityTable = defaultIdentities) {
    this.#clock = opts.clock ?? realClock;
    this.#timeoutMs = opts.requestTimeoutMs ?? 5000;
    this.#inboxLimit = opts.inboxLimit;
    this.#identities = identities;
    this.#pending = new PendingRequests(this.#clock, (corr, result) => this.#taps.emit(localReply(corr, result, this.#clock.now())));
    this.#local = new LocalQueue({ entries: this.#entries, taps: this.#taps, stats: this.#stats, pending: this.#pending });
    if (up) {
      const peer: Peer = { link: undefined as unknown as Link, identity: up.identity, addresses: new Set(), topics: new Set() };
      peer.link = new Link(up.port, (frames) => this.#onFrames(peer, frames));
      peer.link.onClose(() => this.#lostMain());
      this.#up = peer;
    }
  }

  /** The main thread's bus: it holds the control plane and routes between the workers `attach`ed to it. */
  static main(opts: WorkersBusOptions & { identities?: IdentityTable } = {}): WorkersBus {
    return new WorkersBus(opts, undefined, opts.identities);
  }

  /** A worker thread's bus, on its end of the channel whose other end the main thread `attach`ed as `identity`. */
  static worker(port: MessagePort, identity: string, opts: WorkersBusOptions & { identities?: IdentityTable } = {}): WorkersBus {
    return new WorkersBus(opts, { port, identity }, opts.identities);
  }

  /** Main thread: connects a worker's channel; the worker may hold the addresses `identity` claims. */
  attach(port: MessagePort, identity: string): void {
    if (this.#up) throw new Error('only the main thread\'s bus routes between workers');
    if (this.#state === 'closed') throw new Error('bus is closed');
    const peer: Peer = { link: undefined as unknown as Link, identity, addresses: new Set(), topics: new Set() };
    peer.link = new Link(port, (frames) => this.#onFrames(peer, frames));
    peer.link.onClose(() => this.#dropPeer(peer));
    this.#peers.add(peer);
  }

  register(address: string, handler: Handler, opts?: RegisterOptions): Port {
    if (this.#state === 'closed') throw new Error('bus is closed');
    if (this.#entries.has(address) || this.#routes.has(address)) throw new Error(`address "${address}" is already registered`);
    if (this.#up && !mayClaim(this.#identities, this.#up.identity, address)) {
      throw new Error(`identity "${this.#up.identity}" may not hold address "${address}" (bus/identities.ts)`);
    }
    const entry: Entry = { handler, topics: new Set(), unanswered: new Set(), inbox: new Inbox(inboxLimitOf(opts, this.#inboxLimit), this.#timeoutMs) };
    this.#entries.set(address, entry);
    this.#up?.link.post({ k: 'reg', a: address });
    const bus = this;
    return {
      address,
      send: (to, type, payload) => bus.#emit(address, to, type, payload, undefined),
      request: (to, type, payload, opts) => {
        const corr = `${address}#${++bus.#corr}`;
        const p = bus.#pending.add(corr, type, to, opts?.timeoutMs ?? bus.#timeoutMs);
        bus.#emit(address, to, type, payload, corr);
        return p as Promise<Result<never>>;
      },
      reply: (req, result) => {
        if (req.corr === undefined) return;
        if (bus.#entries.get(address) === entry) entry.unanswered.delete(req);
        entry.inbox.answered(req.corr);
        bus.#emit(address, req.from, REPLY, result, req.corr);
      },
      publish: (topic, type, payload) => bus.#publish(address, topic, type, payload),
      subscribe: (topic) => bus.#subscribe(address, entry, topic),
      close: () => bus.#unregister(address, entry),
    };
  }

  /**
   * Resolves once every thread this bus is linked to has processed what it sent so far,
   * registrations and subscriptions included (as NatsBus.flush does with the server).
   */
  async flush(): Promise<void> {
    const peers = this.#up ? [this.#up] : [...this.#peers];
    await Promise.all(
      peers.filter((p) => !p.link.closed).map((p) => new Promise<void>((resolve) => {
        const id = ++this.#pingId;
        this.#pongs.set(id, resolve);
        p.link.post({ k: 'ping', id });
        p.link.onClose(resolve);
      })),
    );
  }

  tap(tap: Tap): () => void {
    return this.#taps.add(tap);
  }
  /**
   * Observes every envelope this bus sends to another thread, as it leaves (a tap sees it
   * only where it is delivered): with it, a main-thread observer sees the replies the
   * control plane sends to actors in workers. Returns the function that removes it.
   */
  tapOutbound(tap: Tap): () => void {
    return this.#outbound.add(tap);
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
  onReject(listener: (cause: RejectCause, status: Status, detail: RejectDetail) => void): () => void {
    return this.#rejectListeners.add(listener);
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    await this.#local.drained();
    for (const [address, entry] of [...this.#entries]) this.#unregister(address, entry);
    this.#pending.failAll(unavailable('bus closed'));
    this.#up?.link.close();
    for (const p of this.#peers) p.link.close();
    this.#setState('closed');
  }

  #setState(s: BusState): void {
    if (this.#state === s || this.#state === 'closed') return;
    this.#state = s;
    this.#stateListeners.emit(s);
  }

  #subscribe(address: string, entry: Entry, topic: string): () => void {
    let subs = this.#topics.get(topic);
    if (!subs) this.#topics.set(topic, (subs = new Set()));
    if (subs.size === 0) this.#up?.link.post({ k: 'sub', t: topic });
    subs.add(address);
    entry.topics.add(topic);
    return () => this.#unsubscribe(address, entry, topic);
  }

  #unsubscribe(address: string, entry: Entry, topic: string): void {
    entry.topics.delete(topic);
    const subs = this.#topics.get(topic);
    if (!subs?.delete(address) || subs.size) return;
    this.#topics.delete(topic);
    this.#up?.link.post({ k: 'unsub', t: topic });
  }

  #unregister(address: string, entry: Entry): void {
    if (this.#entries.get(address) !== entry) return;
    for (const topic of [...entry.topics]) this.#unsubscribe(address, entry, topic);
    const gone = unavailable(`actor "${address}" closed`);
    // Both directions, as in-process: what others asked of it and it will never answer (sent
    // before the unregistration, so the main thread still takes it as this thread's)...
    for (const req of entry.unanswered) this.#emit(address, req.from, REPLY, fail(gone), req.corr);
    entry.unanswered.clear();
    this.#entries.delete(address);
    this.#up?.link.post({ k: 'unreg', a: address });
    // ...and what it asked of others.
    this.#pending.failAll(gone, `${address}#`);
    this.#pending.failTo(address, gone);
  }

  /** Where an envelope for `to` leaves this thread; undefined when it stays (held here, or by nobody). */
  #routeOf(to: string): Peer | undefined {
    if (this.#entries.has(to)) return undefined;
    if (this.#up) return this.#up.link.closed ? undefined : this.#up;
    return this.#routes.get(to);
  }

  #emit(from: string, to: string, type: string, payload: unknown, corr: string | undefined): void {
    const env: Envelope = { seq: ++this.#seq, from, to, type, payload, at: this.#clock.now() };
    if (corr !== undefined) env.corr = corr;
    this.#stats.sent++;
    const denied = checkSend(from, to, type);
    if (denied) return this.#rejectLocal('forbidden', denied, env);
    const peer = this.#routeOf(to);
    if (peer === undefined) {
      if (corr !== undefined && type !== REPLY) {
        const inbox = this.#entries.get(to)?.inbox;
        if (inbox && !inbox.admit(corr, env.at)) return this.#rejectLocal('overloaded', inboxFull(to, inbox.limit), env);
      }
      return this.#local.enqueue(env, [to]);
    }
    const buf = this.#encode(env);
    if (buf === undefined) return;
    if (this.#outbound.size) this.#outbound.emit(env);
    const m = type === REPLY ? 'reply' : corr === undefined ? 'msg' : 'req';
    peer.link.post(corr === undefined ? { k: 'env', m, to, from, buf } : { k: 'env', m, to, from, corr, buf });
  }

  #publish(from: string, topic: string, type: string, payload: unknown): void {
    const env: Envelope = { seq: ++this.#seq, from, to: topic, type, payload, at: this.#clock.now() };
    this.#stats.sent++;
    const local = this.#topics.get(topic);
    if (local?.size) this.#local.enqueue(env, [...local]);
    const peers = this.#up ? [this.#up] : [...(this.#topicPeers.get(topic) ?? [])];
    if (peers.length === 0) return;
    const buf = this.#encode(env);
    if (buf === undefined) return;
    peers.forEach((p, i) => p.link.post({ k: 'pub', to: topic, from, buf: i === 0 ? buf : buf.slice(0) }));
  }

  #encode(env: Envelope): ArrayBuffer | undefined {
    try {
      return this.#codec.encode(env).buffer as ArrayBuffer;
    } catch (err) {
      this.#rejectLocal('badPayload', badRequest(`cannot encode "${env.type}": ${(err as Error).message}`), env);
      return undefined;
    }
  }

  #rejectLocal(cause: RejectCause, status: Status, env: Envelope): void {
    this.#countReject(cause, status, env);
    if (env.corr !== undefined && env.type !== REPLY) this.#pending.fail(env.corr, status);
  }

  #countReject(cause: RejectCause, status: Status, env: Partial<Envelope>): void {
    this.#stats.rejected[cause]++;
    const detail: RejectDetail = {};
    if (env.to !== undefined) detail.to = env.to;
    if (env.from !== undefined) detail.from = env.from;
    if (env.type !== undefined) detail.type = env.type;
    this.#rejectListeners.emit(cause, status, detail);
  }

  #onFrames(from: Peer, frames: Frame[]): void {
    for (const f of frames) {
      try {
        this.#onFrame(from, f);
      } catch (err) {
        console.error(`bus: frame "${f.k}" from thread "${from.identity}" failed:`, err);
      }
    }
  }

  #onFrame(peer: Peer, f: Frame): void {
    switch (f.k) {
      case 'env':
        return this.#onEnvelope(peer, f);
      case 'pub':
        return this.#onPublish(peer, f);
      case 'fail':
        if (this.#up) return this.#onFail(f);
        // Only the main thread answers with failures (a worker's actors answer with reply envelopes,
        // which are checked): a worker's fail frame would end a request it was never asked.
        this.#countReject('forged', forbidden(`thread "${peer.identity}" may not answer request "${f.corr}" with a failure`), { to: f.to });
        return;
      case 'reg':
        return this.#onRegister(peer, f.a);
      case 'unreg':
        peer.addresses.delete(f.a);
        if (this.#routes.get(f.a) === peer) this.#routes.delete(f.a);
        return;
      case 'sub':
      case 'unsub': {
        let set = this.#topicPeers.get(f.t);
        if (!set) this.#topicPeers.set(f.t, (set = new Set()));
        if (f.k === 'sub') (set.add(peer), peer.topics.add(f.t));
        else (set.delete(peer), peer.topics.delete(f.t));
        return;
      }
      case 'refused':
        this.#countReject('forbidden', forbidden(f.why), { to: f.a });
        console.error(`bus: the main thread refused address "${f.a}": ${f.why}`);
        return;
      case 'ping':
        return peer.link.post({ k: 'pong', id: f.id });
      case 'pong': {
        const done = this.#pongs.get(f.id);
        this.#pongs.delete(f.id);
        return done?.();
      }
    }
  }

  /** Main thread: a worker asks to hold an address. */
  #onRegister(peer: Peer, address: string): void {
    const why = !mayClaim(this.#identities, peer.identity, address)
      ? `identity "${peer.identity}" may not hold address "${address}"`
      : this.#entries.has(address) || (this.#routes.has(address) && this.#routes.get(address) !== peer)
        ? `address "${address}" is already held in this process`
        : undefined;
    if (why === undefined) {
      peer.addresses.add(address);
      this.#routes.set(address, peer);
      return;
    }
    this.#countReject('forbidden', forbidden(why), { to: address });
    peer.link.post({ k: 'refused', a: address, why });
  }

  /** Main thread: a worker may send only as an address it registered (replies included). */
  #forged(peer: Peer, f: { from: string; to: string; corr?: string }): boolean {
    if (this.#up || peer.addresses.has(f.from)) return false;
    const status = forbidden(`thread "${peer.identity}" may not send as "${f.from}": it does not hold that address`);
    this.#countReject('forged', status, { from: f.from, to: f.to });
    if (f.corr !== undefined && 'm' in f && f.m === 'req') this.#failBack(peer, f.corr, status, false);
    return true;
  }

  #failBack(peer: Peer, corr: string, status: Status, nores: boolean): void {
    peer.link.post({ k: 'fail', to: corr.slice(0, corr.lastIndexOf('#')), corr, status, nores });
  }

  #onEnvelope(peer: Peer, f: Extract<Frame, { k: 'env' }>): void {
    if (this.#forged(peer, f)) return;
    if (f.m === 'reply') {
      if (this.#pending.typeOf(f.corr ?? '') !== undefined) return this.#onReply(f);
      // Main thread: a reply to a requester in another worker.
      if (!this.#up) this.#routes.get(f.to)?.link.post(f);
      return;
    }
    const entry = this.#entries.get(f.to);
    if (entry === undefined) {
      const next = this.#up ? undefined : this.#routes.get(f.to);
      if (next) return next.link.post(f);
      this.#stats.undeliverable++;
      if (f.m === 'req' && f.corr !== undefined) this.#failBack(peer, f.corr, unavailable(`no actor at address "${f.to}"`), true);
      return;
    }
    const r = admitMessage(this.#codec, f.buf, f as Header, false);
    if (!r.ok) {
      this.#countReject(r.cause, r.status, r.env ?? { to: f.to, from: f.from });
      if (f.m === 'req' && f.corr !== undefined) this.#failBack(peer, f.corr, r.status, false);
      return;
    }
    if (f.m === 'req' && f.corr !== undefined) {
      if (!entry.inbox.admit(f.corr, this.#clock.now())) {
        const full = inboxFull(f.to, entry.inbox.limit);
        this.#countReject('overloaded', full, r.env);
        // Answered as the full actor's reply (a worker may not send failure frames, see #onFrame).
        return this.#emit(f.to, r.env.from, REPLY, fail(full), f.corr);
      }
      entry.unanswered.add(r.env);
    }
    this.#stats.delivered++;
    this.#taps.emit(r.env);
    deliver(entry.handler, r.env, f.to);
  }

  #onReply(f: Extract<Frame, { k: 'env' }>): void {
    const corr = f.corr!;
    const r = admitReply(this.#codec, f.buf, f as Header, this.#pending.typeOf(corr)!, this.#pending.targetOf(corr)!);
    if (!r.ok) {
      this.#countReject(r.cause, r.status, r.env ?? { to: f.to, from: f.from });
      // A reply claiming the wrong sender is ignored, so the true reply can still arrive.
      if (r.cause !== 'forged') this.#pending.fail(corr, r.status);
      return;
    }
    this.#stats.delivered++;
    this.#taps.emit(r.env);
    this.#pending.settle(corr, r.value);
  }

  #onPublish(peer: Peer, f: Extract<Frame, { k: 'pub' }>): void {
    if (this.#forged(peer, f)) return;
    // Main thread: on to the other workers that subscribe (each gets its own copy of the bytes).
    if (!this.#up) for (const p of this.#topicPeers.get(f.to) ?? []) if (p !== peer) p.link.post({ ...f, buf: f.buf.slice(0) });
    const members = this.#topics.get(f.to);
    if (!members?.size) return;
    const r = admitMessage(this.#codec, f.buf, f, true);
    if (!r.ok) return this.#countReject(r.cause, r.status, r.env ?? { to: f.to, from: f.from });
    this.#taps.emit(r.env);
    for (const address of members) {
      const entry = this.#entries.get(address);
      if (!entry) continue;
      this.#stats.delivered++;
      deliver(entry.handler, r.env, address);
    }
  }

  #onFail(f: Extract<Frame, { k: 'fail' }>): void {
    if (f.nores) this.#stats.undeliverable++;
    this.#pending.fail(f.corr, f.status);
  }

  /** Main thread: a worker's channel closed (it stopped or died); what it held is gone. */
  #dropPeer(peer: Peer): void {
    this.#peers.delete(peer);
    for (const t of peer.topics) this.#topicPeers.get(t)?.delete(peer);
    for (const a of peer.addresses) {
      if (this.#routes.get(a) === peer) this.#routes.delete(a);
      this.#pending.failTo(a, unavailable(`actor "${a}" is gone: its worker thread stopped`));
    }
  }

  /** Worker thread: the main thread closed the channel; nothing here can reach the cluster any more. */
  #lostMain(): void {
    this.#pending.failAll(unavailable('the main thread closed the bus'));
    for (const done of this.#pongs.values()) done();
    this.#pongs.clear();
  }
}
