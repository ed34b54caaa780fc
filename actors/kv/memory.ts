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
import { deepFreeze } from '../../api/json.ts';

const FREEZE = process.env.KUBEACTOR_FREEZE === '1';
import { decodeContinue, pageReply } from './continue.ts';
import { planTxn, touchedKeys, validateOps } from './txn.ts';
import { WatchHub } from './watch-hub.ts';

/** One retained version of a key; `kv` null marks the delete at `rev`. */
interface Version {
  rev: number;
  kv: KvRecord | null;
}

/**
 * The in-memory backend, for specs and simulations: the same contract as LMDB, nothing
 * on disk. Values are stored as given, not copied: the only writer is the apiserver, which
 * never changes an object once it sent it to be written (stored objects are shared: the watch
 * cache's are the same values with a new top). The specs hold it to that: with
 * `KUBEACTOR_FREEZE=1` every stored value is deep-frozen, so a later change throws. A copy of
 * every write cost 6 % of density's CPU, and a deep copy per kept version of each object.
 */
export class MemoryKv implements KvBackend {
  readonly name: string = 'memory';
  readonly #limit: number;
  #rev = 0;
  #compact = 0;
  #closed = false;
  readonly #current = new Map<string, KvRecord>();
  /** Every key with a retained version, current ones included (a superset of #current's keys). */
  readonly #history = new Map<string, Version[]>();
  readonly #log = new Map<number, KvEvent[]>();
  #sorted: string[] | null = null;
  readonly #hub: WatchHub;

  constructor(opts: KvBackendOptions = {}) {
    this.#limit = opts.historyLimit ?? DEFAULT_HISTORY_LIMIT;
    this.#hub = new WatchHub({ readHistory: (after, upTo, max) => this.#readHistory(after, upTo, max) }, 0);
  }

  revision(): number {
    return this.#rev;
  }
  compactRevision(): number {
    return this.#compact;
  }
  async keyCount(): Promise<number> {
    return this.#current.size;
  }

  /** The key's record now, read synchronously (a remote store's index plans its txns on it). */
  currentRecord(key: string): KvRecord | null {
    return this.#current.get(key) ?? null;
  }

  async get(key: string, revision?: number): Promise<{ kv: KvRecord | null; revision: number }> {
    const at = this.#readRevision(revision);
    return { kv: this.#at(key, at), revision: this.#rev };
  }

  async range(prefix: string, opts: RangeOptions = {}): Promise<KvRangeReply> {
    const point = opts.continue ? decodeContinue(opts.continue, prefix) : null;
    const at = this.#readRevision(point ? point.revision : opts.revision);
    const keys = this.#sortedKeys();
    let i = lowerBound(keys, point ? point.lastKey : prefix);
    if (point && keys[i] === point.lastKey) i++;
    const items: KvRecord[] = [];
    let more = 0;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    for (; i < keys.length && keys[i]!.startsWith(prefix); i++) {
      const kv = this.#at(keys[i]!, at);
      if (!kv) continue;
      if (items.length < limit) items.push(kv);
      else more++;
    }
    return pageReply(items, more, prefix, at);
  }

  async txn(ops: KvOp[]): Promise<KvTxnReply> {
    this.#open();
    validateOps(ops);
    const { reply, events } = planTxn((k) => this.#current.get(k), FREEZE ? deepFreeze(ops) : ops, this.#rev + 1);
    if (events.length === 0) return reply;
    this.#rev++;
    this.#log.set(this.#rev, events);
    for (const e of events) this.#apply(e);
    if (this.#rev - this.#compact > this.#limit) this.#compactTo(this.#rev - this.#limit);
    this.#hub.publish(events, this.#rev);
    this.#hub.compacted(this.#compact);
    return reply;
  }

  /**
   * Applies changes another store already committed at `revision` (> `revision()`; gaps
   * allowed), as the index of a remote store (actors/kv/jetstream.ts) does. A change may
   * leave `prev` and a delete's value out: they are filled in from the current records.
   * Called again with the same revision while replaying, it adds to that revision.
   */
  applyCommitted(changes: KvEvent[], revision: number): void {
    this.#open();
    if (revision < this.#rev) throw new KvError('internal', `kv index: revision ${revision} after ${this.#rev}`);
    const events: KvEvent[] = [];
    for (const c of changes) {
      const prev = this.#current.get(c.kv.key);
      if (c.type === 'delete' && !prev) continue;
      const kv = c.type === 'delete' ? { ...c.kv, value: prev!.value, createRevision: 0, version: 0 } : c.kv;
      events.push(prev ? { type: c.type, kv, prev } : { type: c.type, kv });
    }
    this.#rev = revision;
    const logged = this.#log.get(revision);
    this.#log.set(revision, logged ? [...logged, ...events] : events);
    for (const e of events) this.#apply(e);
    if (this.#rev - this.#compact > this.#limit) this.#compactTo(this.#rev - this.#limit);
    this.#hub.publish(events, this.#rev);
    this.#hub.compacted(this.#compact);
  }

  watch(prefix: string, afterRevision: number, sink: WatchSink): WatchHandle {
    this.#open();
    if (afterRevision < this.#compact) throw compactedError(afterRevision, this.#compact);
    return this.#hub.open(prefix, afterRevision, sink);
  }

  async compact(revision: number): Promise<{ compactRevision: number; revision: number }> {
    this.#open();
    if (revision > this.#rev) throw futureRevisionError(revision, this.#rev);
    if (revision > this.#compact) {
      this.#compactTo(revision);
      this.#hub.compacted(this.#compact);
    }
    return { compactRevision: this.#compact, revision: this.#rev };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#hub.closeAll(new KvError('closed', 'kv store closed'));
  }

  #open(): void {
    if (this.#closed) throw new KvError('closed', 'kv store closed');
  }

  #readRevision(revision: number | undefined): number {
    this.#open();
    const at = revision === undefined || revision === 0 ? this.#rev : revision;
    if (at < this.#compact) throw compactedError(at, this.#compact);
    if (at > this.#rev) throw futureRevisionError(at, this.#rev);
    return at;
  }

  /** The key's record as of revision `at` (within retained history). */
  #at(key: string, at: number): KvRecord | null {
    if (at === this.#rev) return this.#current.get(key) ?? null;
    const versions = this.#history.get(key);
    if (!versions) return null;
    for (let i = versions.length - 1; i >= 0; i--) if (versions[i]!.rev <= at) return versions[i]!.kv;
    return null;
  }

  #apply(e: KvEvent): void {
    const key = e.kv.key;
    let versions = this.#history.get(key);
    if (!versions) {
      this.#history.set(key, (versions = []));
      this.#sorted = null;
    }
    if (e.type === 'put') {
      this.#current.set(key, e.kv);
      versions.push({ rev: e.kv.modRevision, kv: e.kv });
    } else {
      this.#current.delete(key);
      versions.push({ rev: e.kv.modRevision, kv: null });
    }
  }

  /** etcd's compaction: per touched key keep only the newest version at or before `to`, unless it is a delete. */
  #compactTo(to: number): void {
    const touched: KvEvent[] = [];
    for (let r = this.#compact + 1; r <= to; r++) {
      touched.push(...(this.#log.get(r) ?? []));
      this.#log.delete(r);
    }
    for (const key of touchedKeys(touched)) {
      const versions = this.#history.get(key);
      if (!versions) continue;
      let keep = -1;
      for (let i = 0; i < versions.length && versions[i]!.rev <= to; i++) keep = i;
      const drop = keep >= 0 && versions[keep]!.kv === null ? keep + 1 : keep;
      if (drop > 0) versions.splice(0, drop);
      if (versions.length === 0) {
        this.#history.delete(key);
        this.#sorted = null;
      }
    }
    this.#compact = to;
  }

  #readHistory(after: number, upTo: number, max: number): { events: KvEvent[]; through: number } {
    const events: KvEvent[] = [];
    let r = after;
    while (r < upTo && events.length < max) {
      r++;
      const batch = this.#log.get(r);
      // A revision with no entry above the compact revision is one no txn used (applyCommitted skips some).
      if (!batch && r <= this.#compact) throw compactedError(r, this.#compact);
      if (batch) events.push(...batch);
    }
    return { events, through: r };
  }

  #sortedKeys(): string[] {
    return (this.#sorted ??= [...this.#history.keys()].sort());
  }
}

/** First index whose key is >= `key`. */
function lowerBound(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
