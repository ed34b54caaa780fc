import { errors, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { Clock } from '../../base/clock.ts';
import { emptyStats, type Bus, type BusState, type BusStats, type Handler, type Port, type RejectCause, type Tap } from '../bus.ts';
import { checkReply } from '../check.ts';
import { createCodec } from '../codec.ts';
import { REPLY, type Envelope } from '../../base/envelope.ts';
import { ClaimChecker, isAddress, mayClaim, type IdentityTable } from '../identities.ts';
import { Listeners } from '../listeners.ts';
import { localReply, PendingRequests } from '../pending.ts';
import { checkSend } from '../permissions.ts';
import { badRequest, fail, forbidden, tooLarge, unavailable, type Result, type Status } from '../../base/status.ts';
import { admitMessage, admitReply, type AdmitContext } from './inbound.ts';
import type { Subjects } from './subjects.ts';
import { Inbox, inboxFull, inboxLimitOf, type RegisterOptions } from '../inbox.ts';

interface Entry {
  handler: Handler;
  topics: Set<string>;
  sub: Subscription;
  /** Requests delivered and not yet answered, with their reply inbox; answered 503 when the port closes. */
  unanswered: Map<Envelope, string>;
  /** Bounds `unanswered`: past it a request is answered 429 (bus/inbox.ts). */
  inbox: Inbox;
}

export interface NatsBusConfig {
  identity: string;
  subjects: Subjects;
  identities: IdentityTable;
  clock: Clock;
  requestTimeoutMs: number;
  maxMessageBytes: number;
  /** Requests an actor may hold unanswered (DEFAULT_INBOX_LIMIT); `register` may set its own. */
  inboxLimit?: number;
}

type RejectDetail = { to?: string; from?: string; type?: string };

/**
 * The NATS transport. Every envelope crosses NATS, even between two ports of this
 * instance: one path means one set of semantics (encoding, checks, order), and NATS keeps
 * per-publisher order per subject. Outbound publishes are batched by nats.js into one
 * socket write per microtask.
 *
 * Requests carry a NATS reply subject on this connection's inbox (bus/nats/subjects.ts).
 * Replies go there as REPLY envelopes rather than to the requester's address subject,
 * because: a request to an address nobody holds gets the server's no-responders 503 at
 * once instead of a timeout; `allow_responses` lets a user publish a reply only to a
 * request it received, so replies cannot be forged; and an error reply to a malformed
 * message needs neither a parseable `from` nor `corr`. Replies stay on the bus: they are
 * REPLY envelopes under the cluster prefix, delivered and tapped like any other.
 */
export class NatsBus implements Bus {
  readonly transport = 'nats';
  readonly #nc: NatsConnection;
  readonly #cfg: NatsBusConfig;
  readonly #subj: Subjects;
  readonly #admit: AdmitContext;
  readonly #entries = new Map<string, Entry>();
  readonly #topics = new Map<string, { sub: Subscription; members: Set<string> }>();
  readonly #pending: PendingRequests;
  readonly #taps = new Listeners<[Envelope]>();
  readonly #stateListeners = new Listeners<[BusState]>();
  readonly #rejectListeners = new Listeners<[RejectCause, Status, RejectDetail]>();
  readonly #stats: BusStats = emptyStats();
  #seq = 0;
  #corr = 0;
  #state: BusState = 'connected';
  #closing: Promise<void> | undefined;

  constructor(nc: NatsConnection, cfg: NatsBusConfig) {
    this.#nc = nc;
    this.#cfg = cfg;
    this.#subj = cfg.subjects;
    this.#admit = { codec: createCodec(), maxBytes: cfg.maxMessageBytes, claims: new ClaimChecker(cfg.identities) };
    this.#pending = new PendingRequests(cfg.clock, (corr, result) => this.#taps.emit(localReply(corr, result, cfg.clock.now())));
    nc.subscribe(this.#subj.inboxInterest, { callback: (err, msg) => void (err || this.#onReply(msg)) });
    void this.#watchStatus();
  }

  /** The NATS connection under the bus, for a store on the same servers (the jetstream kv backend); the bus owns it. */
  get connection(): NatsConnection {
    return this.#nc;
  }

  /** The NATS identity this process connected as. */
  get identity(): string {
    return this.#cfg.identity;
  }

  register(address: string, handler: Handler, opts?: RegisterOptions): Port {
    if (this.#state === 'closed' || this.#closing) throw new Error('bus is closed');
    if (!isAddress(address)) throw new Error(`invalid address "${address}"`);
    if (this.#entries.has(address)) throw new Error(`address "${address}" is already registered`);
    if (!mayClaim(this.#cfg.identities, this.#cfg.identity, address)) {
      throw new Error(`identity "${this.#cfg.identity}" may not hold address "${address}" (bus/identities.ts)`);
    }
    const sub = this.#nc.subscribe(this.#subj.addressInterest(address), {
      ...(opts?.queue ? { queue: opts.queue } : {}),
      // An error here is the server refusing the subscription; #onViolation counts it.
      callback: (err, msg) => void (err || this.#onMessage(address, entry, msg)),
    });
    const entry: Entry = { handler, topics: new Set(), sub, unanswered: new Map(), inbox: new Inbox(inboxLimitOf(opts, this.#cfg.inboxLimit), this.#cfg.requestTimeoutMs) };
    this.#entries.set(address, entry);
    const bus = this;
    return {
      address,
      send: (to, type, payload) => bus.#emit(address, to, type, payload, undefined, undefined),
      request: (to, type, payload, opts) => {
        const n = ++bus.#corr;
        const corr = `${address}#${n}`;
        const p = bus.#pending.add(corr, type, to, opts?.timeoutMs ?? bus.#cfg.requestTimeoutMs);
        // While the server is away a request could only wait out its timeout (and its reply may be lost): fail it now.
        if (bus.#state === 'reconnecting') bus.#pending.fail(corr, unavailable(`the bus is disconnected from NATS: "${type}" to "${to}" was not sent`));
        else bus.#emit(address, to, type, payload, corr, `${bus.#subj.inboxPrefix}${n}.${address}`);
        return p as Promise<Result<never>>;
      },
      reply: (req, result) => bus.#reply(address, entry, req, result),
      publish: (topic, type, payload) => bus.#publishTopic(address, topic, type, payload),
      subscribe: (topic) => bus.#subscribe(address, entry, topic),
      close: () => bus.#unregister(address, entry),
    };
  }

  /**
   * Resolves once the server has processed everything this bus sent so far, subscriptions
   * included. A host awaits it after registering actors that others will address at once
   * (otherwise an early request can meet the server's no-responders 503).
   */
  async flush(): Promise<void> {
    if (!this.#nc.isClosed()) await this.#nc.flush();
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
  onReject(listener: (cause: RejectCause, status: Status, detail: RejectDetail) => void): () => void {
    return this.#rejectListeners.add(listener);
  }

  close(): Promise<void> {
    return (this.#closing ??= this.#close());
  }

  async #close(): Promise<void> {
    if (!this.#nc.isClosed()) {
      // Drain delivers what already arrived and flushes what was sent; a server that is
      // down cannot acknowledge, so drain is bounded before falling back to a hard close.
      const drained = this.#nc.drain().catch(() => undefined);
      const t = setTimeout(() => void this.#nc.close().catch(() => undefined), 2000);
      await drained;
      clearTimeout(t);
      await this.#nc.closed();
    }
    this.#shutdown();
  }

  #shutdown(): void {
    for (const [address, entry] of [...this.#entries]) this.#unregister(address, entry);
    this.#pending.failAll(unavailable('bus closed'));
    this.#setState('closed');
  }

  #setState(s: BusState): void {
    if (this.#state === s || this.#state === 'closed') return;
    this.#state = s;
    this.#stateListeners.emit(s);
  }

  async #watchStatus(): Promise<void> {
    void this.#nc.closed().then(() => {
      if (!this.#closing) this.#shutdown();
    });
    for await (const s of this.#nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnecting') this.#setState('reconnecting');
      else if (s.type === 'reconnect') this.#setState('connected');
      else if (s.type === 'error' && s.error instanceof errors.PermissionViolationError) this.#onViolation(s.error);
    }
  }

  /** The server refused a publish or a subscription: the identity is not allowed there. */
  #onViolation(err: InstanceType<typeof errors.PermissionViolationError>): void {
    const mine = `${this.#subj.prefix}.a.${this.#cfg.identity}.`;
    const to = err.operation === 'publish' && err.subject.startsWith(mine) ? err.subject.slice(mine.length) : undefined;
    const status = forbidden(`the NATS server refused to let identity "${this.#cfg.identity}" ${err.operation === 'publish' ? 'publish to' : 'subscribe to'} ${err.subject}`);
    this.#stats.rejected.forbidden++;
    this.#rejectListeners.emit('forbidden', status, to === undefined ? {} : { to });
    if (to !== undefined) this.#pending.failTo(to, status);
  }

  #subscribe(address: string, entry: Entry, topic: string): () => void {
    if (!isAddress(topic)) throw new Error(`invalid topic "${topic}"`);
    let t = this.#topics.get(topic);
    if (!t) {
      const sub = this.#nc.subscribe(this.#subj.topicInterest(topic), { callback: (err, msg) => void (err || this.#onTopic(topic, msg)) });
      this.#topics.set(topic, (t = { sub, members: new Set() }));
    }
    t.members.add(address);
    entry.topics.add(topic);
    return () => this.#unsubscribe(address, entry, topic);
  }

  #unsubscribe(address: string, entry: Entry, topic: string): void {
    entry.topics.delete(topic);
    const t = this.#topics.get(topic);
    if (!t || !t.members.delete(address) || t.members.size) return;
    this.#topics.delete(topic);
    if (!t.sub.isClosed()) t.sub.unsubscribe();
  }

  #unregister(address: string, entry: Entry): void {
    if (this.#entries.get(address) !== entry) return;
    for (const topic of [...entry.topics]) this.#unsubscribe(address, entry, topic);
    this.#entries.delete(address);
    const gone = unavailable(`actor "${address}" closed`);
    if (!this.#nc.isClosed()) {
      if (!entry.sub.isClosed()) entry.sub.unsubscribe();
      // Both directions, as in-process: what others asked of it and it will never answer...
      for (const [req, inbox] of entry.unanswered) this.#answer(inbox, address, req, gone);
    }
    entry.unanswered.clear();
    // ...and what it asked of others.
    this.#pending.failAll(gone, `${address}#`);
    this.#pending.failTo(address, gone);
  }

  #envelope(from: string, to: string, type: string, payload: unknown, corr: string | undefined): Envelope {
    const env: Envelope = { seq: ++this.#seq, from, to, type, payload, at: this.#cfg.clock.now() };
    if (corr !== undefined) env.corr = corr;
    this.#stats.sent++;
    return env;
  }

  #emit(from: string, to: string, type: string, payload: unknown, corr: string | undefined, inbox: string | undefined): void {
    const env = this.#envelope(from, to, type, payload, corr);
    const denied = checkSend(from, to, type);
    if (denied) return this.#rejectLocal('forbidden', denied, env);
    if (!isAddress(to)) return this.#rejectLocal('undeliverable', unavailable(`no actor at address "${to}"`), env);
    this.#publish(this.#subj.toAddress(to), env, inbox);
  }

  #publishTopic(from: string, topic: string, type: string, payload: unknown): void {
    const env = this.#envelope(from, topic, type, payload, undefined);
    if (!isAddress(topic)) throw new Error(`invalid topic "${topic}"`);
    this.#publish(this.#subj.toTopic(topic), env, undefined);
  }

  #publish(subject: string, env: Envelope, inbox: string | undefined): void {
    let frame: Uint8Array;
    try {
      frame = this.#admit.codec.encode(env);
    } catch (err) {
      return this.#rejectLocal('badPayload', badRequest(`cannot encode "${env.type}": ${(err as Error).message}`), env);
    }
    if (frame.length > this.#cfg.maxMessageBytes) {
      return this.#rejectLocal('oversized', tooLarge(`"${env.type}" of ${frame.length} bytes exceeds the bus limit of ${this.#cfg.maxMessageBytes} bytes`), env);
    }
    try {
      this.#nc.publish(subject, frame, inbox === undefined ? undefined : { reply: inbox });
    } catch (err) {
      if (env.corr !== undefined && env.type !== REPLY) this.#pending.fail(env.corr, unavailable(`bus cannot publish: ${(err as Error).message}`));
    }
  }

  /** A message this process refused to send; a request resolves with the Status at once. */
  #rejectLocal(cause: RejectCause | 'undeliverable', status: Status, env: Envelope): void {
    if (cause === 'undeliverable') this.#stats.undeliverable++;
    else {
      this.#stats.rejected[cause]++;
      this.#rejectListeners.emit(cause, status, { to: env.to, from: env.from, type: env.type });
    }
    if (env.corr !== undefined && env.type !== REPLY) this.#pending.fail(env.corr, status);
  }

  #reply(from: string, entry: Entry, req: Envelope, result: Result<unknown>): void {
    const inbox = entry.unanswered.get(req);
    if (req.corr === undefined || inbox === undefined) return;
    entry.unanswered.delete(req);
    entry.inbox.answered(req.corr);
    this.#publish(inbox, this.#envelope(from, req.from, REPLY, result, req.corr), undefined);
  }

  #onMessage(address: string, entry: Entry, msg: Msg): void {
    const r = admitMessage(this.#admit, msg.data, this.#subj.senderOf(msg.subject), address, false);
    if (!r.ok) return this.#rejectInbound(r.cause, r.status, r.env, address, msg.reply);
    const env = r.env;
    if (this.#entries.get(address) !== entry) {
      this.#stats.undeliverable++;
      if (msg.reply) this.#answer(msg.reply, address, env, unavailable(`no actor at address "${address}"`));
      return;
    }
    if (env.corr !== undefined && msg.reply) {
      if (!entry.inbox.admit(env.corr, this.#cfg.clock.now())) {
        const full = inboxFull(address, entry.inbox.limit);
        this.#countReject('overloaded', full, env);
        return this.#answer(msg.reply, address, env, full);
      }
      entry.unanswered.set(env, msg.reply);
    }
    this.#stats.delivered++;
    this.#taps.emit(env);
    deliver(entry.handler, env, address);
  }

  #onTopic(topic: string, msg: Msg): void {
    const r = admitMessage(this.#admit, msg.data, this.#subj.senderOf(msg.subject), topic, true);
    if (!r.ok) return this.#rejectInbound(r.cause, r.status, r.env, topic, undefined);
    const members = this.#topics.get(topic)?.members;
    if (!members?.size) return;
    this.#taps.emit(r.env);
    for (const address of members) {
      const entry = this.#entries.get(address);
      if (!entry) continue;
      this.#stats.delivered++;
      deliver(entry.handler, r.env, address);
    }
  }

  #onReply(msg: Msg): void {
    const rest = msg.subject.slice(this.#subj.inboxPrefix.length);
    const dot = rest.indexOf('.');
    const corr = `${rest.slice(dot + 1)}#${rest.slice(0, dot)}`;
    const type = this.#pending.typeOf(corr);
    const target = this.#pending.targetOf(corr);
    // A late reply (the request timed out or its port closed) has nobody to go to.
    if (type === undefined || target === undefined) return;
    if (msg.data.length === 0 && msg.headers?.code === 503) {
      this.#stats.undeliverable++;
      this.#pending.fail(corr, unavailable(`no actor at address "${target}"`));
      return;
    }
    const r = admitReply(this.#admit, msg.data, target);
    if (!r.ok) {
      this.#countReject(r.cause, r.status, r.env ?? { to: target });
      // A reply claiming the wrong sender is ignored, so the true reply can still arrive.
      if (r.cause !== 'forged') this.#pending.fail(corr, r.status);
      return;
    }
    const result = r.value;
    const bad = result.ok ? checkReply(type, result.value) : null;
    if (bad) {
      this.#countReject('badPayload', bad, r.env);
      this.#pending.fail(corr, bad);
      return;
    }
    this.#stats.delivered++;
    this.#taps.emit(r.env);
    this.#pending.settle(corr, result);
  }

  #countReject(cause: RejectCause, status: Status, env: Partial<Envelope>): void {
    this.#stats.rejected[cause]++;
    const detail: RejectDetail = {};
    if (env.to !== undefined) detail.to = env.to;
    if (env.from !== undefined) detail.from = env.from;
    if (env.type !== undefined) detail.type = env.type;
    this.#rejectListeners.emit(cause, status, detail);
  }

  #rejectInbound(cause: RejectCause, status: Status, env: Envelope | undefined, to: string, replyTo: string | undefined): void {
    this.#countReject(cause, status, env ?? { to });
    // The reply goes to the publisher's own inbox, never to the (possibly forged) `from`.
    if (replyTo) this.#answer(replyTo, to, env, status);
  }

  #answer(inbox: string, from: string, req: Envelope | undefined, status: Status): void {
    const env = this.#envelope(from, typeof req?.from === 'string' ? req.from : '', REPLY, fail(status), req?.corr);
    this.#publish(inbox, env, undefined);
  }
}

function deliver(handler: Handler, env: Envelope, address: string): void {
  try {
    handler(env);
  } catch (err) {
    // The actor host supervises actors; a handler that still throws is a host bug, not a reason to stop the bus.
    console.error(`bus: handler of "${address}" threw on "${env.type}" (seq ${env.seq}):`, err);
  }
}
