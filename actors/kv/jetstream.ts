import { headers as natsHeaders, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { DeliverPolicy, jetstream, StorageType, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Packr } from 'msgpackr';
import { randomBytes } from 'node:crypto';
import {
  KvError,
  type KvBackend,
  type KvBackendOptions,
  type KvEvent,
  type KvOp,
  type KvRangeReply,
  type KvRecord,
  type KvTxnReply,
  type RangeOptions,
  type WatchHandle,
  type WatchSink,
} from './backend.ts';
import { decodeKvKey, encodeKvKey, RESERVED_TOKEN } from './jetstream-keys.ts';
import { MemoryKv } from './memory.ts';
import { planTxn, validateOps } from './txn.ts';

export interface JetStreamKvOptions extends KvBackendOptions {
  /** The bus's NATS connection (the backend neither owns nor closes it). */
  nc: NatsConnection;
  /** KV bucket name (default `kubeactor`); its stream is `KV_<bucket>`. */
  bucket?: string;
  /** Copies of the bucket's stream: 1, or 3 on a three-server cluster (default 1). */
  replicas?: 1 | 3;
  /** Versions the bucket keeps per key (JetStream's limit is 64; default 64). */
  keyHistory?: number;
  /** How long a txn keeps retrying while JetStream cannot take writes, before it fails (default 30 s). */
  writeTimeoutMs?: number;
}

/** Headers of the backend's messages (beside JetStream's own `Nats-Msg-Id` and KV's `KV-Operation`). */
const H = { create: 'Kubeactor-Create', version: 'Kubeactor-Version', rev: 'Kubeactor-Rev' } as const;
const MSG_ID = 'Nats-Msg-Id';
/**
 * How long one publish waits for its ack. When a stream leader dies its publishes get no
 * answer; the writes are planned again after this, so it bounds the write gap a failover
 * costs beyond the election itself (a lost ack is harmless: landed messages are found by id).
 */
const PUBLISH_TIMEOUT_MS = 2000;
/** How long the index may lag a sequence the stream acknowledged before its consumer is replaced. */
const CONSUMER_STALL_MS = 3000;
/** The reserved key a multi-op txn's record is written to. */
const TXN_KEY = `${RESERVED_TOKEN}.txn`;
/** Values are self-describing msgpack: the bucket outlives any build's shared structures. */
const codec = new Packr({ useRecords: false, moreTypes: true });

/** One op of a multi-op txn's record: key, put/delete, value, createRevision, version. */
interface TxnChange {
  k: string;
  d?: 1;
  v?: unknown;
  c: number;
  n: number;
}

interface Job {
  ops: KvOp[];
  deadline: number;
  resolve: (r: KvTxnReply) => void;
  reject: (e: KvError) => void;
}

interface Outgoing {
  subject: string;
  data: Uint8Array;
  hdrs: MsgHdrs;
  id: string;
  /** The stream sequence it must get (its expected last sequence is one less). */
  seq: number;
}

/** A job's plan in one attempt: the reply it gets if its message lands at `rev` with `id`. */
interface Planned {
  job: Job;
  reply: KvTxnReply;
  /** The revision it writes at; absent when it writes nothing (a failed compare, deleting nothing). */
  rev?: number;
  /** Messages planned before it in its batch. */
  before: number;
}

/**
 * The kv actor's store on a NATS JetStream KV bucket, as k3s's kine does it: one
 * Kubernetes key = one KV key (jetstream-keys.ts), the revision = the stream sequence.
 *
 * - Index: the backend follows the bucket's stream with an ordered consumer from its first
 *   message and keeps an MVCC index of it in memory (a `MemoryKv` fed with
 *   `applyCommitted`); reads, ranges at a revision, watches from a revision and their
 *   order come from it. A txn resolves only once its own message came back through the
 *   consumer, so this kv actor reads its writes.
 * - Writes: every message is published with `Nats-Expected-Last-Sequence` (and, after the
 *   first of a batch, `Nats-Expected-Last-Msg-Id` of the one before): the server stores
 *   it only if the stream is exactly as the index planned it, so compares checked against
 *   the index hold, and several writers (several kv actors on one bucket) serialise
 *   through the stream's tail. Queued txns are planned together and pipelined (group
 *   commit); which ones landed is read back from the stream by message id, the rest are
 *   planned again — a lost ack never applies a txn twice nor reports a stored one failed.
 * - Multi-op txns: NATS 2.9 has no atomic multi-message publish. A txn of n > 1 ops is one
 *   message on the reserved key `_kubeactor.txn` carrying every change (that message is
 *   the commit, its sequence the txn's revision), followed by one message per key
 *   (`Kubeactor-Rev` says which txn) so the bucket's per-key view stays right. A writer
 *   that died between them is rolled forward by the next batch. So revisions are stream
 *   sequences with gaps: a multi-op txn uses n + 1 of them, and only the first is a
 *   revision. Kubernetes needs revisions only to grow.
 * - Compaction is emulated: the index keeps `historyLimit` sequences of history (410
 *   Expired before that) and `compact()` drops more, in memory only. On open the compact
 *   revision is where the bucket's own history ends: the oldest kept version of any key
 *   that has reached `keyHistory` versions (older ones of it are gone).
 * - Durability: a write is acknowledged once the stream leader (R1) or a quorum (R3) has
 *   it; on disk only after JetStream's fsync (see the README: "HA and distributed").
 *
 * Reads are as fresh as the consumer: another kv actor's write shows once delivered.
 */
export class JetStreamKv implements KvBackend {
  readonly name = 'jetstream';
  readonly #index: MemoryKv;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #stream: string;
  readonly #prefix: string;
  readonly #keyHistory: number;
  readonly #writeTimeoutMs: number;
  readonly #writer = randomBytes(6).toString('base64url');
  #counter = 0;
  /** Highest stream sequence the index has applied. */
  #lastSeq = 0;
  /** Message ids of recent sequences, to tell which planned messages landed. */
  readonly #ids = new Map<number, string>();
  /** The last multi-op txn record seen, and the per-key messages it still owes. */
  #txnSeq = 0;
  #owed = new Map<string, TxnChange>();
  #waiters: { seq: number; wake: () => void }[] = [];
  #messages: ConsumerMessages | null = null;
  #queue: Job[] = [];
  #committing: Promise<void> | null = null;
  #closed = false;

  private constructor(opts: JetStreamKvOptions, js: JetStreamClient, jsm: JetStreamManager, bucket: string) {
    this.#index = new MemoryKv({ historyLimit: opts.historyLimit });
    this.#js = js;
    this.#jsm = jsm;
    this.#stream = `KV_${bucket}`;
    this.#prefix = `$KV.${bucket}.`;
    this.#keyHistory = opts.keyHistory ?? 64;
    this.#writeTimeoutMs = opts.writeTimeoutMs ?? 30_000;
  }

  /** Creates the bucket if missing (file storage), replays it into the index, and follows it. */
  static async open(opts: JetStreamKvOptions): Promise<JetStreamKv> {
    const bucket = opts.bucket ?? 'kubeactor';
    if (!/^[-\w]+$/.test(bucket)) throw new KvError('bad-request', `invalid JetStream KV bucket name "${bucket}"`);
    const js = jetstream(opts.nc, { timeout: PUBLISH_TIMEOUT_MS });
    const jsm = await js.jetstreamManager();
    await new Kvm(js).create(bucket, { history: opts.keyHistory ?? 64, replicas: opts.replicas ?? 1, storage: StorageType.File });
    const kv = new JetStreamKv(opts, js, jsm, bucket);
    await kv.#follow();
    return kv;
  }

  revision(): number {
    return this.#index.revision();
  }
  compactRevision(): number {
    return this.#index.compactRevision();
  }
  keyCount(): Promise<number> {
    return this.#index.keyCount();
  }
  get(key: string, revision?: number): Promise<{ kv: KvRecord | null; revision: number }> {
    return this.#index.get(key, revision);
  }
  range(prefix: string, opts?: RangeOptions): Promise<KvRangeReply> {
    return this.#index.range(prefix, opts);
  }
  watch(prefix: string, afterRevision: number, sink: WatchSink): WatchHandle {
    return this.#index.watch(prefix, afterRevision, sink);
  }
  /** In the index only: the bucket keeps what its per-key history allows (see the class doc). */
  compact(revision: number): Promise<{ compactRevision: number; revision: number }> {
    return this.#index.compact(revision);
  }

  txn(ops: KvOp[]): Promise<KvTxnReply> {
    return new Promise((resolve, reject) => {
      if (this.#closed) throw new KvError('closed', 'kv store closed');
      validateOps(ops);
      this.#queue.push({ ops, deadline: Date.now() + this.#writeTimeoutMs, resolve, reject });
      if (!this.#committing) this.#committing = Promise.resolve().then(() => this.#commitLoop());
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    while (this.#committing) await this.#committing;
    await this.#messages?.close();
    for (const w of this.#waiters) w.wake();
    await this.#index.close();
  }

  // --- following the stream ---

  async #follow(): Promise<void> {
    const tail = (await this.#jsm.streams.info(this.#stream)).state.last_seq;
    /** Per key: versions seen while replaying, and the oldest one's sequence. */
    const kept = new Map<string, { n: number; oldest: number }>();
    const replayed = this.#caughtUp(tail, Infinity);
    void this.#consume((m) => {
      if (m.seq <= tail && m.subject !== this.#prefix + TXN_KEY) {
        const k = kept.get(m.subject);
        if (k) k.n++;
        else kept.set(m.subject, { n: 1, oldest: m.seq });
      }
    });
    await replayed;
    // The bucket dropped versions of keys that reached keyHistory: history before their oldest kept one is gone.
    let compact = 0;
    for (const k of kept.values()) if (k.n >= this.#keyHistory) compact = Math.max(compact, k.oldest);
    if (compact > this.#index.compactRevision()) await this.#index.compact(Math.min(compact, this.#index.revision()));
  }

  /**
   * Feeds the index from an ordered consumer, from the first message on. nats.js recreates
   * an ordered consumer when it misses heartbeats; when the iteration itself ends (its
   * server died with it, the stream moved) a new one starts after the last applied sequence.
   */
  async #consume(seen: (m: JsMsg) => void): Promise<void> {
    while (!this.#closed) {
      try {
        const from = this.#lastSeq ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.#lastSeq + 1 } : { deliver_policy: DeliverPolicy.All };
        const consumer = await this.#js.consumers.get(this.#stream, from);
        // Short pulls: a consumer lost with its server is noticed after two missed heartbeats (~2 s), not a minute.
        this.#messages = await consumer.consume({ max_messages: 1024, expires: 2000 });
        if (this.#closed) await this.#messages.close();
        for await (const m of this.#messages) {
          if (this.#closed) break;
          seen(m);
          this.#apply(m);
        }
      } catch {
        // The consumer could not be created or broke (no JetStream leader yet): try again shortly.
      }
      if (!this.#closed) await new Promise((r) => setTimeout(r, 100));
    }
  }

  #apply(m: JsMsg): void {
    if (m.seq <= this.#lastSeq) return;
    const h = m.headers;
    const token = m.subject.slice(this.#prefix.length);
    if (token === TXN_KEY) {
      const changes = codec.unpack(m.data) as TxnChange[];
      this.#index.applyCommitted(changes.map((c) => change(c, m.seq)), m.seq);
      this.#txnSeq = m.seq;
      this.#owed = new Map(changes.map((c) => [c.k, c]));
    } else {
      const key = decodeKvKey(token);
      const op = h?.get('KV-Operation');
      const prev = this.#index.currentRecord(key);
      const rev = Number(h?.get(H.rev) || m.seq);
      const c: TxnChange = {
        k: key,
        c: Number(h?.get(H.create) || (prev ? prev.createRevision : rev)),
        n: Number(h?.get(H.version) || (prev ? prev.version + 1 : 1)),
      };
      if (op === 'DEL' || op === 'PURGE') c.d = 1;
      else c.v = m.data.length ? codec.unpack(m.data) : null;
      if (rev === this.#txnSeq) this.#owed.delete(key);
      // A per-key message of a txn whose record the bucket no longer has (replay) applies at that txn's revision.
      else if (rev >= this.#index.revision()) this.#index.applyCommitted([change(c, rev)], rev);
    }
    this.#lastSeq = m.seq;
    const id = h?.get(MSG_ID);
    if (id) this.#ids.set(m.seq, id);
    if (this.#ids.size > 100_000) this.#ids.delete(this.#ids.keys().next().value!);
    const due = this.#waiters.filter((w) => w.seq <= m.seq);
    if (due.length) {
      this.#waiters = this.#waiters.filter((w) => w.seq > m.seq);
      for (const w of due) w.wake();
    }
  }

  /** Resolves true once the index has applied `seq`, false at `deadline` or on close. */
  #caughtUp(seq: number, deadline: number): Promise<boolean> {
    if (this.#lastSeq >= seq) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = Number.isFinite(deadline) ? setTimeout(() => resolve(this.#lastSeq >= seq), Math.max(0, deadline - Date.now())) : null;
      this.#waiters.push({
        seq,
        wake: () => {
          if (timer) clearTimeout(timer);
          resolve(this.#lastSeq >= seq);
        },
      });
    });
  }

  /**
   * Waits for the index to apply `seq`, which the stream has. A consumer that has not
   * delivered it within CONSUMER_STALL_MS is replaced (after a leader's server died,
   * nats.js 3.4's ordered consumer on nats-server 2.9 was seen to wait forever).
   */
  async #follows(seq: number, deadline: number): Promise<boolean> {
    while (!this.#closed) {
      if (await this.#caughtUp(seq, Math.min(deadline, Date.now() + CONSUMER_STALL_MS))) return true;
      if (Date.now() >= deadline) return false;
      await this.#messages?.close().catch(() => undefined);
    }
    return false;
  }

  // --- writing ---

  async #commitLoop(): Promise<void> {
    while (this.#queue.length) await this.#commit(this.#queue.splice(0));
    this.#committing = null;
  }

  async #commit(batch: Job[]): Promise<void> {
    let todo = batch;
    let lastError = '';
    while (todo.length) {
      const now = Date.now();
      const late = todo.filter((j) => j.deadline <= now || this.#closed);
      for (const j of late) j.reject(this.#closed ? new KvError('closed', 'kv store closed') : new KvError('internal', `jetstream: the write was not accepted in ${this.#writeTimeoutMs} ms: ${lastError}`));
      todo = todo.filter((j) => !late.includes(j));
      if (!todo.length) return;
      const base = this.#lastSeq;
      const { out, plans } = this.#plan(todo, base);
      const results = await Promise.allSettled(out.map((o, i) => this.#publish(o, i === 0 ? this.#ids.get(base) : out[i - 1]!.id)));
      let target = 0;
      for (const r of results) {
        if (r.status === 'fulfilled') target = Math.max(target, r.value);
        else lastError = r.reason instanceof Error ? r.reason.message : String(r.reason);
      }
      let tail = -1;
      if (!out.length || results.some((r) => r.status === 'rejected')) {
        tail = await this.#tail().catch((err: Error) => {
          lastError = err.message;
          return -1;
        });
        target = Math.max(target, tail);
      }
      const deadline = Math.min(...todo.map((j) => j.deadline));
      if (target > 0 && !(await this.#follows(target, deadline))) lastError = `the stream's sequence ${target} did not arrive`;
      // Each message after the first names the one before it: the ones that landed are a prefix.
      let landed = 0;
      while (landed < out.length && this.#ids.get(out[landed]!.seq) === out[landed]!.id) landed++;
      const retry: Job[] = [];
      for (const p of plans) {
        // A txn that wrote nothing holds if the stream was as planned up to its turn.
        const ok = p.rev !== undefined ? p.rev <= out[landed - 1]?.seq! : p.before > 0 ? p.before <= landed : landed > 0 || (!out.length && tail === base);
        if (ok) p.job.resolve(p.reply);
        else retry.push(p.job);
      }
      // Nothing landed: the servers are away or electing a leader; do not spin.
      if (retry.length === todo.length) await new Promise((r) => setTimeout(r, 50));
      todo = retry;
    }
  }

  /** Plans `jobs` on the index at stream sequence `base`: the messages to publish, in order. */
  #plan(jobs: Job[], base: number): { out: Outgoing[]; plans: Planned[] } {
    const out: Outgoing[] = [];
    const plans: Planned[] = [];
    const overlay = new Map<string, KvRecord | null>();
    const read = (k: string): KvRecord | undefined => (overlay.has(k) ? (overlay.get(k) ?? undefined) : (this.#index.currentRecord(k) ?? undefined));
    // A multi-op txn whose per-key messages a dead writer did not send: they go first.
    for (const c of this.#owed.values()) out.push(this.#message(c, base + out.length + 1, this.#txnSeq));
    let revision = this.#index.revision();
    for (const job of jobs) {
      const rev = base + out.length + 1;
      const { reply, events } = planTxn(read, job.ops, rev);
      if (!events.length) {
        // Sequences are not all revisions: the store's revision is the last write's.
        plans.push({ job, reply: { ...reply, revision }, before: out.length });
        continue;
      }
      revision = rev;
      const changes: TxnChange[] = events.map((e) =>
        e.type === 'put' ? { k: e.kv.key, v: e.kv.value, c: e.kv.createRevision, n: e.kv.version } : { k: e.kv.key, d: 1, c: 0, n: 0 },
      );
      if (changes.length === 1) out.push(this.#message(changes[0]!, rev, 0));
      else {
        out.push(this.#outgoing(this.#prefix + TXN_KEY, codec.pack(changes), natsHeaders(), rev));
        for (const c of changes) out.push(this.#message(c, base + out.length + 1, rev));
      }
      for (const e of events) overlay.set(e.kv.key, e.type === 'put' ? e.kv : null);
      plans.push({ job, reply, rev, before: out.length });
    }
    return { out, plans };
  }

  /** The message of one key's change; `txn` > 0 marks it as part of the multi-op txn at that revision. */
  #message(c: TxnChange, seq: number, txn: number): Outgoing {
    const hdrs = natsHeaders();
    if (txn) hdrs.set(H.rev, String(txn));
    if (c.d) hdrs.set('KV-Operation', 'DEL');
    else {
      hdrs.set(H.create, String(c.c));
      hdrs.set(H.version, String(c.n));
    }
    return this.#outgoing(this.#prefix + encodeKvKey(c.k), c.d ? new Uint8Array(0) : codec.pack(c.v), hdrs, seq);
  }

  #outgoing(subject: string, data: Uint8Array, hdrs: MsgHdrs, seq: number): Outgoing {
    return { subject, data, hdrs, seq, id: `${this.#writer}.${++this.#counter}` };
  }

  /** Publishes one planned message; resolves with its sequence (which is `o.seq` or the server refused it). */
  async #publish(o: Outgoing, previousId: string | undefined): Promise<number> {
    const expect = previousId ? { lastSequence: o.seq - 1, lastMsgID: previousId } : { lastSequence: o.seq - 1 };
    const ack = await this.#js.publish(o.subject, o.data, { headers: o.hdrs, msgID: o.id, expect, timeout: PUBLISH_TIMEOUT_MS });
    return ack.seq;
  }

  async #tail(): Promise<number> {
    return (await this.#jsm.streams.info(this.#stream)).state.last_seq;
  }
}

function change(c: TxnChange, rev: number): KvEvent {
  const kv: KvRecord = { key: c.k, value: c.d ? null : c.v, createRevision: c.c, modRevision: rev, version: c.n };
  return { type: c.d ? 'delete' : 'put', kv };
}
