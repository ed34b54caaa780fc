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
import { planTxn, validateOps } from './txn.ts';
import { WatchHub } from './watch-hub.ts';

/**
 * The in-memory backend, for specs and simulations: the same contract as LMDB, nothing
 * on disk. Values are stored as given, not copied: the only writer is the apiserver, which
 * never changes an object once it sent it to be written (stored objects are shared: the watch
 * cache's are the same values with a new top). The specs hold it to that: with
 * `KUBEACTOR_FREEZE=1` every stored value is deep-frozen, so a later change throws. A copy of
 * every write cost 6 % of density's CPU, and a deep copy per kept version of each object.
 *
 * History is the log alone: a change's event carries the record it replaced (`prev`), so a
 * key's record as of an older revision is the `prev` of its first change after it, or its
 * current record when nothing changed it since. A per-key list of versions beside the log
 * held the same records again and cost 1.6 KB of heap per pod at density's 100 x 3000
 * (10,000 revisions); only reads at an older revision (a paged list's later pages) pay
 * for a scan of the log instead.
 */
export class MemoryKv implements KvBackend {
  readonly name: string = 'memory';
  readonly #limit: number;
  #rev = 0;
  #compact = 0;
  #closed = false;
  readonly #current = new Map<string, KvRecord>();
  /**
   * The retained revisions' changes, oldest first, from #head on (a put's and a delete's `prev`
   * is the record it replaced), with each one's revision in #revs: two flat arrays cost 16 bytes
   * a change where a Map of per-revision arrays cost 100 more.
   */
  #log: KvEvent[] = [];
  #revs: number[] = [];
  /** Entries before it are compacted ones awaiting a splice. */
  #head = 0;
  /** #current's keys, sorted; null after a key came or went. */
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
    const past = at === this.#rev ? null : this.#changedSince(at);
    const keys = past ? this.#keysAt(past) : this.#sortedKeys();
    let i = lowerBound(keys, point ? point.lastKey : prefix);
    if (point && keys[i] === point.lastKey) i++;
    const items: KvRecord[] = [];
    let more = 0;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    for (; i < keys.length && keys[i]!.startsWith(prefix); i++) {
      const key = keys[i]!;
      const kv = past?.has(key) ? past.get(key)! : (this.#current.get(key) ?? null);
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
    this.#append(events, this.#rev);
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
    this.#append(events, revision);
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
    for (let i = this.#after(at); i < this.#log.length; i++) {
      const e = this.#log[i]!;
      if (e.kv.key === key) return e.prev ?? null;
    }
    return this.#current.get(key) ?? null;
  }

  /** Every key changed after revision `at`, with its record as of `at` (null: it did not exist then). */
  #changedSince(at: number): Map<string, KvRecord | null> {
    const past = new Map<string, KvRecord | null>();
    for (let i = this.#after(at); i < this.#log.length; i++) {
      const e = this.#log[i]!;
      if (!past.has(e.kv.key)) past.set(e.kv.key, e.prev ?? null);
    }
    return past;
  }

  /** The keys to scan for a read at an older revision: the current ones and those deleted since (sorted). */
  #keysAt(past: Map<string, KvRecord | null>): string[] {
    const gone: string[] = [];
    for (const [key, kv] of past) if (kv && !this.#current.has(key)) gone.push(key);
    const keys = this.#sortedKeys();
    if (gone.length === 0) return keys;
    // A merge, not a sort of every key: a paged list's later pages come here once per page.
    gone.sort();
    const all: string[] = [];
    let i = 0;
    let j = 0;
    while (i < keys.length || j < gone.length) all.push(j >= gone.length || (i < keys.length && keys[i]! < gone[j]!) ? keys[i++]! : gone[j++]!);
    return all;
  }

  #apply(e: KvEvent): void {
    const key = e.kv.key;
    if (e.type === 'put') {
      if (!this.#current.has(key)) this.#sorted = null;
      this.#current.set(key, e.kv);
    } else if (this.#current.delete(key)) {
      this.#sorted = null;
    }
  }

  /** etcd's compaction: revisions at or before `to` can no longer be read or watched from, so their changes go. */
  #compactTo(to: number): void {
    this.#head = this.#after(to);
    // Splice in chunks: one shift per compacted change would copy the whole log each time.
    if (this.#head > 1024 && this.#head * 2 > this.#log.length) {
      this.#log = this.#log.slice(this.#head);
      this.#revs = this.#revs.slice(this.#head);
      this.#head = 0;
    }
    this.#compact = to;
  }

  #append(events: KvEvent[], revision: number): void {
    for (const e of events) {
      this.#log.push(e);
      this.#revs.push(revision);
    }
  }

  /** The index of the first retained change after revision `rev`. */
  #after(rev: number): number {
    let lo = this.#head;
    let hi = this.#revs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#revs[mid]! <= rev) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #readHistory(after: number, upTo: number, max: number): { events: KvEvent[]; through: number } {
    if (after < upTo && after < this.#compact) throw compactedError(after + 1, this.#compact);
    const events: KvEvent[] = [];
    let i = this.#after(after);
    // Whole revisions only: stop at the first revision boundary once `max` is reached.
    while (i < this.#log.length && this.#revs[i]! <= upTo) {
      const r = this.#revs[i]!;
      if (events.length >= max) return { events, through: this.#revs[i - 1]! };
      for (; i < this.#log.length && this.#revs[i] === r; i++) events.push(this.#log[i]!);
    }
    return { events, through: events.length >= max && events.length > 0 ? this.#revs[i - 1]! : upTo };
  }

  #sortedKeys(): string[] {
    return (this.#sorted ??= [...this.#current.keys()].sort());
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
