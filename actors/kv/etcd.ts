import { readFileSync } from 'node:fs';
import { Etcd3, type IKeyValue, type IOptions, type IRequestOp, type ICompare, type IResponseHeader } from 'etcd3';
import {
  compactedError,
  DEFAULT_HISTORY_LIMIT,
  futureRevisionError,
  KvError,
  type KvBackend,
  type KvBackendOptions,
  type KvOp,
  type KvRangeReply,
  type KvRecord,
  type KvTxnReply,
  type RangeOptions,
  type WatchHandle,
  type WatchSink,
} from './backend.ts';
import { decodeContinue, pageReply } from './continue.ts';
import { EtcdLayout, encodeValue, etcdFailure, kvErrorOf, span } from './etcd-codec.ts';
import { EtcdWatch, type EtcdWatchHost } from './etcd-watch.ts';
import { validateOps } from './txn.ts';

export interface EtcdKvOptions extends KvBackendOptions {
  /** Client URLs of the members, `http://HOST:PORT` or `https://HOST:PORT`. */
  endpoints: string[];
  /** Where the kv's keys live in etcd: kube-apiserver's `--etcd-prefix` (default `/registry`). */
  prefix?: string;
  /** The kv key root the prefix stands for (default `/registry`, the apiserver's; every key must be under it). */
  root?: string;
  /** TLS to the members: kube-apiserver's `--etcd-cafile`, `--etcd-certfile`, `--etcd-keyfile` (PEM contents). */
  tls?: { ca: Buffer; cert?: Buffer; key?: Buffer };
  /** How long one etcd request may take before it fails as 'unavailable' (default 10 s). */
  requestTimeoutMs?: number;
}

/** kube-apiserver's etcd flags, as `kubeactor up` takes them beside `--storage etcd://…`. */
export interface EtcdFlags {
  /** `--etcd-prefix` (default /registry). */
  prefix?: string;
  /** `--etcd-cafile`: the CA that signed the members' certificates; with it the members are dialled with TLS. */
  cafile?: string;
  /** `--etcd-certfile` / `--etcd-keyfile`: the client certificate and key (both or neither). */
  certfile?: string;
  keyfile?: string;
}

/**
 * The EtcdKv options of `--storage etcd://HOST:PORT[,HOST:PORT…]` and the etcd flags: https
 * to every member when a CA is given, http otherwise. 'bad-request' on a malformed list.
 */
export function etcdOptionsFrom(storage: string, flags: EtcdFlags = {}): EtcdKvOptions {
  const m = /^etcd:\/\/(.+)$/.exec(storage);
  if (!m) throw new KvError('bad-request', `--storage ${storage}: expected etcd://HOST:PORT[,HOST:PORT…]`);
  const scheme = flags.cafile ? 'https' : 'http';
  const endpoints = m[1]!.split(',').map((hp) => {
    if (!/^[A-Za-z0-9.\-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(hp)) throw new KvError('bad-request', `--storage: "${hp}" is not HOST:PORT`);
    return `${scheme}://${hp}`;
  });
  if (!flags.certfile !== !flags.keyfile) throw new KvError('bad-request', '--etcd-certfile and --etcd-keyfile go together');
  if (flags.certfile && !flags.cafile) throw new KvError('bad-request', '--etcd-certfile needs --etcd-cafile (the client certificate is sent over TLS only)');
  const prefix = flags.prefix ?? DEFAULT_ETCD_PREFIX;
  if (!prefix.startsWith('/')) throw new KvError('bad-request', `--etcd-prefix must start with "/", got "${prefix}"`);
  const read = (f: string): Buffer => readFileSync(f);
  return {
    endpoints,
    prefix: prefix.replace(/\/+$/, ''),
    ...(flags.cafile ? { tls: { ca: read(flags.cafile), ...(flags.certfile ? { cert: read(flags.certfile), key: read(flags.keyfile!) } : {}) } } : {}),
  };
}

/** The defaults of kube-apiserver's `--etcd-prefix` and of the apiserver's own key root. */
export const DEFAULT_ETCD_PREFIX = '/registry';
const KV_ROOT = '/registry';

/**
 * The kv contract on a real etcd v3 cluster, through the `etcd3` client (gRPC). The kv actor
 * stays the one gate to storage; etcd does the rest:
 *
 * - revisions are etcd's own: `revision()` is the newest revision seen in any etcd answer
 *   (replies, watch events), so it also moves when another apiserver writes to the same etcd;
 * - a txn is one etcd Txn: every `ifModRevision` becomes a compare on the key's mod revision
 *   (0: create revision 0, i.e. create-only), the ops are the success branch with their
 *   previous values, and the failure branch reads the compared keys to say which one failed;
 * - a range reads one revision (the first page's, carried in the continue token), paged with
 *   etcd's limit; `remaining` is etcd's count minus the page;
 * - a watch is an etcd watch stream (see etcd-watch.ts), resumed after a member failure;
 * - compaction is etcd's: etcd's "required revision has been compacted" becomes
 *   `KvError('compacted')` (410 Expired at the edge). The backend compacts by itself to keep
 *   `historyLimit` revisions, in steps of a tenth of it so etcd is not asked on every write.
 *
 * Writes are retried only when the request cannot have reached etcd (no connection to that
 * member); any other failure is answered as 'unavailable' (503), since a write whose reply
 * was lost may or may not have been applied — as etcd's own client does. etcd applies
 * concurrent txns in the order it receives them, which for requests in flight at the same
 * moment is not necessarily the order they were called.
 */
export class EtcdKv implements KvBackend {
  readonly name = 'etcd';
  readonly #client: Etcd3;
  readonly #layout: EtcdLayout;
  readonly #limit: number;
  readonly #step: number;
  readonly #timeoutMs: number;
  #rev = 0;
  #compact = 0;
  #closed = false;
  #compacting: Promise<unknown> | null = null;
  readonly #inflight = new Set<Promise<unknown>>();
  readonly #watches = new Set<EtcdWatch>();
  readonly #watchHost: EtcdWatchHost;

  private constructor(opts: EtcdKvOptions) {
    if (opts.endpoints.length === 0) throw new KvError('bad-request', 'etcd: at least one endpoint is required');
    this.#layout = new EtcdLayout(opts.root ?? KV_ROOT, opts.prefix ?? DEFAULT_ETCD_PREFIX);
    this.#limit = opts.historyLimit ?? DEFAULT_HISTORY_LIMIT;
    this.#step = Math.max(1, Math.ceil(this.#limit / 10));
    this.#timeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.#client = new Etcd3({
      hosts: opts.endpoints,
      ...(opts.tls ? { credentials: { rootCertificate: opts.tls.ca, ...(opts.tls.cert ? { certChain: opts.tls.cert } : {}), ...(opts.tls.key ? { privateKey: opts.tls.key } : {}) } } : {}),
      // A first page of a big list is many MB; gRPC's default cap is 4 MB.
      grpcOptions: { 'grpc.max_receive_message_length': 512 * 1024 * 1024, 'grpc.max_send_message_length': 16 * 1024 * 1024 },
      faultHandling: {
        // Only what cannot have been applied is retried (see the class comment); the per-member circuit breaker stays etcd3's.
        global: retryNeverSent,
      },
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + this.#timeoutMs }),
    });
    this.#watchHost = {
      client: this.#client.watchClient,
      layout: this.#layout,
      saw: (r) => this.#saw(r),
      compacted: (r) => {
        this.#compact = Math.max(this.#compact, r);
      },
      done: (w) => this.#watches.delete(w),
    };
  }

  /** Connects, reads etcd's revision and finds its compact revision. */
  static async open(opts: EtcdKvOptions): Promise<EtcdKv> {
    const kv = new EtcdKv(opts);
    try {
      await kv.#learnCompact();
    } catch (err) {
      await kv.close();
      throw kvErrorOf(err, 0, { compact: 0, current: 0 });
    }
    return kv;
  }

  revision(): number {
    return this.#rev;
  }
  compactRevision(): number {
    return this.#compact;
  }

  async keyCount(): Promise<number> {
    return this.#run(0, async () => {
      const r = await this.#client.kv.range({ ...span(this.#layout.all), count_only: true });
      this.#header(r.header);
      return Number(r.count);
    });
  }

  async get(key: string, revision?: number): Promise<{ kv: KvRecord | null; revision: number }> {
    const at = this.#check(revision);
    return this.#run(at, async () => {
      const r = await this.#client.kv.range({ key: this.#layout.key(key), ...(at ? { revision: at } : {}) });
      this.#header(r.header);
      return { kv: r.kvs[0] ? this.#layout.record(r.kvs[0]) : null, revision: Number(r.header.revision) };
    });
  }

  async range(prefix: string, opts: RangeOptions = {}): Promise<KvRangeReply> {
    this.#open();
    const point = opts.continue ? decodeContinue(opts.continue, prefix) : null;
    const at = this.#check(point ? point.revision : opts.revision);
    return this.#run(at, async () => {
      const whole = span(this.#layout.key(prefix));
      // After a continue token: from just past its last key (the key followed by a 0 byte).
      const key = point ? Buffer.concat([this.#layout.key(point.lastKey), Buffer.from([0])]) : whole.key;
      const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
      const r = await this.#client.kv.range({ key, range_end: whole.range_end, limit, ...(at ? { revision: at } : {}) });
      this.#header(r.header);
      const items = r.kvs.map((kv) => this.#layout.record(kv));
      return pageReply(items, r.more ? Number(r.count) - items.length : 0, prefix, at || Number(r.header.revision));
    });
  }

  async txn(ops: KvOp[]): Promise<KvTxnReply> {
    this.#open();
    validateOps(ops);
    const keys = ops.map((op) => this.#layout.key(op.key));
    const values = ops.map((op) => (op.op === 'put' ? encodeValue(op.value) : null));
    const compared = ops.flatMap((op, i) => (op.ifModRevision === undefined ? [] : [i]));
    const compare: ICompare[] = compared.map((i) =>
      ops[i]!.ifModRevision === 0
        ? { key: keys[i], target: 'Create', result: 'Equal', create_revision: 0 }
        : { key: keys[i], target: 'Mod', result: 'Equal', mod_revision: ops[i]!.ifModRevision },
    );
    const success: IRequestOp[] = ops.map((op, i) =>
      op.op === 'put' ? { request_put: { key: keys[i], value: values[i]!, prev_kv: true } } : { request_delete_range: { key: keys[i], prev_kv: true } },
    );
    const failure: IRequestOp[] = compared.map((i) => ({ request_range: { key: keys[i] } }));
    return this.#run(0, async () => {
      const r = await this.#client.kv.txn({ compare, success, failure });
      const revision = Number(r.header.revision);
      this.#header(r.header);
      if (!r.succeeded) {
        const current = r.responses.map((res) => res.response_range.kvs[0] ?? null);
        // etcd says only that some compare failed: the first op whose compare does not hold on what it read is the one.
        for (let j = 0; j < compared.length; j++) {
          const op = ops[compared[j]!]!;
          const cur = current[j] ? this.#layout.record(current[j]!) : null;
          const holds = op.ifModRevision === 0 ? cur === null : cur !== null && cur.modRevision === op.ifModRevision;
          if (!holds) return { succeeded: false, revision, key: op.key, current: cur };
        }
        throw new KvError('internal', 'etcd: the txn failed but every compare holds on the values read');
      }
      const prev = r.responses.map((res, i): KvRecord | null => {
        const kv: IKeyValue | undefined = ops[i]!.op === 'put' ? res.response_put.prev_kv : res.response_delete_range.prev_kvs[0];
        return kv ? this.#layout.record(kv) : null;
      });
      this.#autoCompact();
      return { succeeded: true, revision, prev };
    });
  }

  watch(prefix: string, afterRevision: number, sink: WatchSink): WatchHandle {
    this.#open();
    this.#layout.key(prefix);
    if (afterRevision < this.#compact) throw compactedError(afterRevision, this.#compact);
    const w = new EtcdWatch(this.#watchHost, prefix, afterRevision, sink);
    this.#watches.add(w);
    return w;
  }

  async compact(revision: number): Promise<{ compactRevision: number; revision: number }> {
    this.#open();
    return this.#run(revision, async () => {
      if (revision <= this.#compact) return { compactRevision: this.#compact, revision: this.#rev };
      if (revision > this.#rev) await this.keyCount(); // another writer may have moved etcd on: ask before refusing
      if (revision > this.#rev) throw futureRevisionError(revision, this.#rev);
      try {
        // physical: etcd answers once the compaction is on disk ("durable when it resolves").
        const r = await this.#client.kv.compact({ revision, physical: true });
        this.#header(r.header);
      } catch (err) {
        // Another client compacted past it already: learn how far, then it is a no-op.
        if (etcdFailure(err) !== 'compacted') throw err;
        await this.#learnCompact();
      }
      this.#compact = Math.max(this.#compact, revision);
      return { compactRevision: this.#compact, revision: this.#rev };
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of [...this.#watches]) w.end(new KvError('closed', 'kv store closed'));
    await Promise.allSettled([...this.#inflight, this.#compacting]);
    this.#client.close();
  }

  #open(): void {
    if (this.#closed) throw new KvError('closed', 'kv store closed');
  }

  /** The revision to read at (0: now), refused early when it is known to be compacted. */
  #check(revision: number | undefined): number {
    this.#open();
    const at = revision ?? 0;
    if (at !== 0 && at < this.#compact) throw compactedError(at, this.#compact);
    return at;
  }

  /** Runs one etcd call, tracked for close, with etcd's failures as KvErrors. */
  #run<T>(revision: number, call: () => Promise<T>): Promise<T> {
    const p = (async () => {
      this.#open();
      try {
        return await call();
      } catch (err) {
        if (etcdFailure(err) === 'compacted') void this.#learnCompact().catch(() => {});
        throw kvErrorOf(err, revision, { compact: this.#compact, current: this.#rev });
      }
    })();
    this.#inflight.add(p);
    void p.finally(() => this.#inflight.delete(p)).catch(() => {});
    return p;
  }

  #header(h: IResponseHeader): void {
    this.#saw(Number(h.revision));
  }

  #saw(revision: number): void {
    if (revision > this.#rev) this.#rev = revision;
  }

  /** Keeps `historyLimit` revisions: once a step more has piled up, compact (in the background, one etcd call at a time). */
  #autoCompact(): void {
    if (this.#rev - this.#compact < this.#limit + this.#step) return;
    // Reads and watches before it are refused from now on, whether or not etcd has compacted yet.
    this.#compact = this.#rev - this.#limit;
    if (this.#compacting) return; // the running loop picks the new target up
    this.#compacting = (async () => {
      let done = 0;
      while (done < this.#compact && !this.#closed) {
        const to = this.#compact;
        // Already compacted further by another client, or etcd unreachable: the next step tries again.
        if (!(await this.#client.kv.compact({ revision: to }).then(() => true, () => false))) break;
        done = to;
      }
    })().finally(() => (this.#compacting = null));
  }

  /**
   * etcd does not say its compact revision; a read at a compacted revision fails, one at or
   * after it does not. So: etcd's revision, then a binary search for the oldest readable one
   * (a count-only read of one key per step: some twenty reads for a million revisions).
   */
  async #learnCompact(): Promise<void> {
    const key = span(this.#layout.all).key;
    const head = await this.#client.kv.range({ key, count_only: true });
    this.#header(head.header);
    const readable = (rev: number) =>
      this.#client.kv.range({ key, count_only: true, revision: rev }).then(
        () => true,
        (err: unknown) => {
          if (etcdFailure(err) === 'compacted') return false;
          throw err;
        },
      );
    let lo = 1;
    let hi = Number(head.header.revision);
    if (await readable(lo)) {
      this.#compact = Math.max(this.#compact, 0);
      return;
    }
    // Invariant: lo is not readable, hi is.
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await readable(mid)) hi = mid;
      else lo = mid;
    }
    this.#compact = Math.max(this.#compact, hi);
  }
}

/** No connection to that member, or its circuit is open: the request was never sent, so it is safe to send again. */
function neverSent(err: unknown): boolean {
  return etcdFailure(err) === 'unavailable' && /No connection established|ECONNREFUSED|connect ECONN|failed to connect|circuit breaker is open/i.test((err as Error).message);
}

type Policy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;

/**
 * etcd3's global fault policy (it calls only `execute`; each attempt picks a member, skipping
 * those whose circuit is open): up to 8 attempts, 25 ms doubling to 500 ms, for never-sent requests only.
 */
const retryNeverSent = {
  async execute<T>(fn: (ctx: { attempt: number; signal: AbortSignal }) => PromiseLike<T> | T): Promise<T> {
    const signal = new AbortController().signal;
    for (let attempt = 1, delay = 25; ; attempt++, delay = Math.min(500, delay * 2)) {
      try {
        return await fn({ attempt, signal });
      } catch (err) {
        if (attempt >= 8 || !neverSent(err)) throw err;
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  },
} as unknown as Policy;
