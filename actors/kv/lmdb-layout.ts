import { open, type Database, type RootDatabase, type RootDatabaseOptionsWithPath, type Transaction } from 'lmdb';
import type { KvEvent, KvRecord } from './backend.ts';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../data-dir.ts';

/**
 * The kv store's layout in one LMDB environment (a data directory), four named databases:
 *
 * - `kv`      key → KvRecord: the current value of every existing key.
 * - `history` [key, revision] → KvRecord | null: every retained version (null = the key
 *             was deleted at that revision). Serves reads at past revisions and rebuilds
 *             watch events; compaction keeps, per key, the newest version at or before
 *             the compact revision (unless it is a delete), as etcd does.
 * - `log`     revision → string[]: the keys a revision changed, in op order. Replayed
 *             watches walk it; the events themselves are rebuilt from `history`.
 * - `meta`    'revision' | 'compactRevision' | 'format' → number.
 *
 * All four change in the same LMDB write transaction, so a reopened store is exactly the
 * last committed one. Values are msgpack (lmdb's default encoding).
 */
export class LmdbLayout {
  readonly root: RootDatabase;
  readonly kv: Database<KvRecord, string>;
  readonly history: Database<KvRecord | null, [string, number]>;
  readonly log: Database<string[], number>;
  readonly meta: Database<number, string>;

  constructor(path: string) {
    // The store holds every Secret: its directory 0700 and its files 0600 (LMDB's default is 0664 less the umask).
    ensurePrivateDir(path);
    // overlappingSync off: LMDB's plain commit fsyncs before it returns, so a resolved commit is durable.
    this.root = open({ path, overlappingSync: false, noSync: false, maxDbs: 8, permissionsMode: PRIVATE_FILE_MODE } as RootDatabaseOptionsWithPath);
    this.kv = this.root.openDB('kv', {});
    this.history = this.root.openDB('history', {});
    this.log = this.root.openDB('log', {});
    this.meta = this.root.openDB('meta', {});
    const format = this.meta.get('format');
    if (format === undefined) this.meta.putSync('format', FORMAT);
    else if (format !== FORMAT) throw new Error(`kv store at ${path} has format ${format}, this build reads ${FORMAT}`);
  }

  revision(txn?: Transaction): number {
    return this.meta.get('revision', txn && { transaction: txn }) ?? 0;
  }
  compactRevision(txn?: Transaction): number {
    return this.meta.get('compactRevision', txn && { transaction: txn }) ?? 0;
  }

  /** The key's record as of revision `at` (which must be retained). */
  at(key: string, at: number, txn?: Transaction): KvRecord | null {
    for (const { value } of this.history.getRange({ start: [key, at], end: [key] as unknown as [string, number], reverse: true, limit: 1, transaction: txn })) {
      return value;
    }
    return null;
  }

  /**
   * Records under `prefix` after key `after` (exclusive; null: from the start), as of
   * revision `at` (null: now), at most `limit` of them; `more` counts the matches left.
   */
  range(prefix: string, after: string | null, at: number | null, limit: number, txn: Transaction): { items: KvRecord[]; more: number } {
    const items: KvRecord[] = [];
    let more = 0;
    const take = (kv: KvRecord | null): void => {
      if (!kv) return;
      if (items.length < limit) items.push(kv);
      else more++;
    };
    if (at === null) {
      for (const key of this.kv.getKeys({ start: after ?? prefix, transaction: txn })) {
        if (!key.startsWith(prefix)) break;
        if (key === after) continue;
        // Past the page only the count matters, so the value is not even read.
        if (items.length < limit) take(this.kv.get(key, { transaction: txn }) ?? null);
        else more++;
      }
      return { items, more };
    }
    // A past snapshot: walk every retained version in key order, keeping each key's newest at or before `at`.
    let key: string | null = null;
    let best: KvRecord | null = null;
    const start: [string, number] = after === null ? [prefix, 0] : [after, Number.MAX_SAFE_INTEGER];
    for (const { key: [k, rev], value } of this.history.getRange({ start, transaction: txn })) {
      if (!k.startsWith(prefix)) break;
      if (k !== key) {
        if (key !== null) take(best);
        key = k;
        best = null;
      }
      if (rev <= at && k !== after) best = value;
    }
    if (key !== null) take(best);
    return { items, more };
  }

  /** Writes one revision's events (inside a write transaction). */
  write(revision: number, events: KvEvent[]): void {
    for (const e of events) {
      if (e.type === 'put') {
        this.kv.putSync(e.kv.key, e.kv);
        this.history.putSync([e.kv.key, revision], e.kv);
      } else {
        this.kv.removeSync(e.kv.key);
        this.history.putSync([e.kv.key, revision], null);
      }
    }
    this.log.putSync(revision, events.map((e) => e.kv.key));
  }

  /** etcd's compaction of (`from`, `to`] (inside a write transaction). */
  compact(from: number, to: number): void {
    const touched = new Set<string>();
    for (const { key, value } of this.log.getRange({ start: from + 1, end: to + 1 })) {
      for (const k of value) touched.add(k);
      this.log.removeSync(key);
    }
    for (const key of touched) {
      const versions = [...this.history.getRange({ start: [key, 0], end: [key, to + 1] })];
      const newest = versions.pop();
      for (const v of versions) this.history.removeSync(v.key);
      if (newest && newest.value === null) this.history.removeSync(newest.key);
    }
  }

  /** Rebuilds the event of `key` at `revision` from the retained versions. */
  event(key: string, revision: number, txn?: Transaction): KvEvent {
    const [cur, before] = [...this.history.getRange({ start: [key, revision], end: [key] as unknown as [string, number], reverse: true, limit: 2, transaction: txn })];
    if (!cur || cur.key[1] !== revision) throw new Error(`kv store: no version of "${key}" at revision ${revision}`);
    const prev = before?.value ?? null;
    if (cur.value) return prev ? { type: 'put', kv: cur.value, prev } : { type: 'put', kv: cur.value };
    if (!prev) throw new Error(`kv store: delete of "${key}" at revision ${revision} has no previous version`);
    return { type: 'delete', kv: { key, value: prev.value, createRevision: 0, modRevision: revision, version: 0 }, prev };
  }

  /** Whole revisions in (`after`, `upTo`], stopping at a revision boundary once `max` events are read. */
  readHistory(after: number, upTo: number, max: number): { events: KvEvent[]; through: number; missing: boolean } {
    const events: KvEvent[] = [];
    let through = after;
    for (const { key: rev, value: keys } of this.log.getRange({ start: after + 1, end: upTo + 1 })) {
      if (rev !== through + 1) return { events, through, missing: true };
      for (const k of keys) events.push(this.event(k, rev));
      through = rev;
      if (events.length >= max) break;
    }
    return { events, through, missing: through < upTo && events.length < max };
  }

  keyCount(): number {
    return (this.kv.getStats() as { entryCount?: number }).entryCount ?? 0;
  }
}

const FORMAT = 1;
