import {
  compactedError,
  DEFAULT_HISTORY_LIMIT,
  futureRevisionError,
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
import { decodeContinue, pageReply } from './continue.ts';
import { LmdbLayout } from './lmdb-layout.ts';
import { planTxn, validateOps } from './txn.ts';
import { WatchHub } from './watch-hub.ts';
import type { Transaction } from 'lmdb';

export interface LmdbKvOptions extends KvBackendOptions {
  /** The data directory (created 0700 if missing; the store's files are created 0600). */
  path: string;
}

type CompactReply = { compactRevision: number; revision: number };
type Job =
  | { kind: 'txn'; ops: KvOp[]; resolve: (r: KvTxnReply) => void; reject: (e: KvError) => void }
  | { kind: 'compact'; revision: number; resolve: (r: CompactReply) => void; reject: (e: KvError) => void };

/**
 * The embedded default backend: an LMDB data directory (layout in lmdb-layout.ts).
 *
 * Group commit: txns queue up; one LMDB write transaction (with its fsync) is in flight at
 * a time, and every job that arrived meanwhile goes into the next one. Inside it the jobs
 * run in arrival order, each txn with its own compare check and its own revision, so
 * batching changes throughput, never semantics. Replies and watch events are released
 * only after that transaction is durable; if it fails, every job in it fails with
 * 'internal' and nothing in it happened.
 */
export class LmdbKv implements KvBackend {
  readonly name = 'lmdb';
  readonly #db: LmdbLayout;
  readonly #limit: number;
  readonly #hub: WatchHub;
  #rev: number;
  #compact: number;
  #queue: Job[] = [];
  #committing: Promise<void> | null = null;
  #closed = false;

  constructor(opts: LmdbKvOptions) {
    this.#db = new LmdbLayout(opts.path);
    this.#limit = opts.historyLimit ?? DEFAULT_HISTORY_LIMIT;
    this.#rev = this.#db.revision();
    this.#compact = this.#db.compactRevision();
    this.#hub = new WatchHub({ readHistory: (after, upTo, max) => this.#readHistory(after, upTo, max) }, this.#rev);
  }

  revision(): number {
    return this.#rev;
  }
  compactRevision(): number {
    return this.#compact;
  }
  async keyCount(): Promise<number> {
    this.#open();
    return this.#db.keyCount();
  }

  async get(key: string, revision?: number): Promise<{ kv: KvRecord | null; revision: number }> {
    return this.#read((txn, now) => {
      const at = this.#readRevision(revision, now, txn);
      const kv = at === now ? (this.#db.kv.get(key, { transaction: txn }) ?? null) : this.#db.at(key, at, txn);
      return { kv, revision: now };
    });
  }

  async range(prefix: string, opts: RangeOptions = {}): Promise<KvRangeReply> {
    const point = opts.continue ? decodeContinue(opts.continue, prefix) : null;
    return this.#read((txn, now) => {
      const at = this.#readRevision(point ? point.revision : opts.revision, now, txn);
      const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
      const { items, more } = this.#db.range(prefix, point ? point.lastKey : null, at === now ? null : at, limit, txn);
      return pageReply(items, more, prefix, at);
    });
  }

  txn(ops: KvOp[]): Promise<KvTxnReply> {
    return new Promise((resolve, reject) => {
      this.#open();
      validateOps(ops);
      this.#enqueue({ kind: 'txn', ops, resolve, reject });
    });
  }

  compact(revision: number): Promise<CompactReply> {
    return new Promise((resolve, reject) => {
      this.#open();
      this.#enqueue({ kind: 'compact', revision, resolve, reject });
    });
  }

  watch(prefix: string, afterRevision: number, sink: WatchSink): WatchHandle {
    this.#open();
    if (afterRevision < this.#compact) throw compactedError(afterRevision, this.#compact);
    return this.#hub.open(prefix, afterRevision, sink);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    while (this.#committing) await this.#committing;
    this.#hub.closeAll(new KvError('closed', 'kv store closed'));
    await this.#db.root.close();
  }

  #open(): void {
    if (this.#closed) throw new KvError('closed', 'kv store closed');
  }

  /** Runs `fn` on one read snapshot, handing it that snapshot's revision. */
  #read<T>(fn: (txn: Transaction, now: number) => T): Promise<T> {
    return new Promise((resolve) => {
      this.#open();
      const txn = this.#db.root.useReadTransaction();
      try {
        resolve(fn(txn, this.#db.revision(txn)));
      } finally {
        txn.done();
      }
    });
  }

  #readRevision(revision: number | undefined, now: number, txn: Transaction): number {
    const at = revision === undefined || revision === 0 ? now : revision;
    const compact = this.#db.compactRevision(txn);
    if (at < compact) throw compactedError(at, compact);
    if (at > now) throw futureRevisionError(at, now);
    return at;
  }

  #readHistory(after: number, upTo: number, max: number): { events: KvEvent[]; through: number } {
    const { events, through, missing } = this.#db.readHistory(after, upTo, max);
    if (missing) throw compactedError(after, this.#compact);
    return { events, through };
  }

  #enqueue(job: Job): void {
    this.#queue.push(job);
    // A microtask, not setImmediate: everything the bus delivers in this drain joins the first batch.
    if (!this.#committing) this.#committing = Promise.resolve().then(() => this.#commitLoop());
  }

  async #commitLoop(): Promise<void> {
    while (this.#queue.length) await this.#commit(this.#queue.splice(0));
    this.#committing = null;
  }

  async #commit(batch: Job[]): Promise<void> {
    const db = this.#db;
    const outcomes: (KvTxnReply | CompactReply | KvError)[] = [];
    const events: KvEvent[] = [];
    let rev = 0;
    let compact = 0;
    try {
      await db.root.transaction(() => {
        rev = db.revision();
        compact = db.compactRevision();
        for (const job of batch) {
          if (job.kind === 'txn') {
            const out = planTxn((k) => db.kv.get(k), job.ops, rev + 1);
            if (out.events.length) {
              db.write(++rev, out.events);
              events.push(...out.events);
            }
            outcomes.push(out.reply);
          } else if (job.revision > rev) {
            outcomes.push(futureRevisionError(job.revision, rev));
          } else {
            if (job.revision > compact) {
              db.compact(compact, job.revision);
              compact = job.revision;
            }
            outcomes.push({ compactRevision: compact, revision: rev });
          }
        }
        if (rev - compact > this.#limit) {
          db.compact(compact, rev - this.#limit);
          compact = rev - this.#limit;
        }
        db.meta.putSync('revision', rev);
        db.meta.putSync('compactRevision', compact);
      });
      await db.root.flushed;
    } catch (err) {
      const failure = new KvError('internal', `kv store commit failed: ${err instanceof Error ? err.message : String(err)}`);
      for (const job of batch) job.reject(failure);
      return;
    }
    this.#rev = rev;
    this.#compact = compact;
    this.#hub.publish(events, rev);
    this.#hub.compacted(compact);
    batch.forEach((job, i) => {
      const out = outcomes[i]!;
      if (out instanceof KvError) job.reject(out);
      else (job.resolve as (r: typeof out) => void)(out);
    });
  }
}
