import type { KvEvent, KvOp, KvRangeReply, KvRecord, KvTxnReply } from '../../bus/catalogue/kv.ts';

export type { KvEvent, KvOp, KvRangeReply, KvRecord, KvTxnReply };

/**
 * The storage behind the kv actor: etcd's contract, kept. The implementations pass one
 * contract suite (spec/actors/kv/contract.ts): `MemoryKv` (actors/kv/memory.ts), `LmdbKv`
 * (actors/kv/lmdb.ts), `EtcdKv` (actors/kv/etcd.ts, a real etcd cluster: its revisions
 * are etcd's, so an empty etcd is at revision 1, not 0, and other writers to the same etcd
 * move it too) and `JetStreamKv` (actors/kv/jetstream.ts).
 *
 * - Revision: one global counter, 0 for an empty store, +1 per successful txn that
 *   changes something (a txn whose ops change nothing, e.g. deleting a missing key, does
 *   not bump it). Every change a txn makes carries that one revision. JetStream's
 *   revisions are stream sequences and skip the extra ones a multi-op txn uses: callers
 *   may rely on revisions growing, not on them being consecutive.
 * - Per key: `createRevision` (the write that created it since its last deletion),
 *   `modRevision` (the last write), `version` (writes since creation, 1 on create; a
 *   delete resets it, so a re-created key starts at 1 again).
 * - History: every revision after `compactRevision()` is retained, so reads at any
 *   revision in `[compactRevision(), revision()]` see the store exactly as it was, and
 *   watches may resume after any such revision. Older ones fail with `KvError('compacted')`
 *   (410 Expired at the edge). The backend compacts by itself to keep at most
 *   `historyLimit` revisions (see `KvBackendOptions`); `compact()` may drop more.
 * - Keys are compared as strings (UTF-8 byte order; for the ASCII keys Kubernetes uses
 *   this is plain string order).
 *
 * Failures are `KvError`s: reads and writes reject with one, `watch` throws one.
 */
export interface KvBackend {
  /** "memory", "lmdb", "etcd" or "jetstream" (reported by kv.status). */
  readonly name: string;
  /** The store's revision: the last acknowledged write. */
  revision(): number;
  /** The oldest revision still readable; history at or before it is gone. */
  compactRevision(): number;
  /** Number of keys that exist now. */
  keyCount(): Promise<number>;
  /** The key's record at `revision` (default: now), or null when it did not exist then. */
  get(key: string, revision?: number): Promise<{ kv: KvRecord | null; revision: number }>;
  /**
   * Keys starting with `prefix`, in key order. `limit` (> 0) caps a page; when more keys
   * follow, the reply carries an opaque `continue` token and the `remaining` count. A
   * token reads its later pages at the first page's revision (so a paged list is one
   * consistent snapshot) and fails with 'compacted' once that revision is compacted, or
   * with 'bad-continue' when it is not a token of this prefix.
   */
  range(prefix: string, opts?: RangeOptions): Promise<KvRangeReply>;
  /**
   * Applies `ops` all-or-nothing at one new revision, after checking every op's
   * `ifModRevision` against the store as it is when the txn is applied (txns apply in the
   * order they were called). Resolves only after the write is durable; a failed compare
   * resolves `succeeded: false` and changes nothing. Rejects with 'bad-request' when two
   * ops name one key or `ops` is empty.
   */
  txn(ops: KvOp[]): Promise<KvTxnReply>;
  /**
   * Delivers every change under `prefix` with revision > `afterRevision` to `sink`: first
   * the retained history (replayed asynchronously, after `watch` returned), then live
   * changes as they are acknowledged — in revision order, with no gap and no duplicate.
   * Throws 'compacted' when `afterRevision` < `compactRevision()`. If compaction later
   * overtakes a watch still replaying, or the store closes, `sink.end` is called once and
   * nothing more is delivered.
   */
  watch(prefix: string, afterRevision: number, sink: WatchSink): WatchHandle;
  /**
   * Drops history at or before `revision` (reads at `revision` itself stay valid).
   * A revision at or below the current compact revision is a no-op; one above the store
   * revision fails with 'future-revision'. Durable when it resolves.
   */
  compact(revision: number): Promise<{ compactRevision: number; revision: number }>;
  /** Waits for acknowledged-in-flight writes, ends every watch with 'closed', releases the store. */
  close(): Promise<void>;
}

export interface RangeOptions {
  limit?: number;
  continue?: string;
  revision?: number;
}

/** Receives one watch's events. Calls never overlap and always come from a fresh task. */
export interface WatchSink {
  /** A batch in revision order (never empty). */
  events(batch: KvEvent[]): void;
  end(error: KvError): void;
}

export interface WatchHandle {
  /** Stops delivery at once; `sink.end` is not called. Idempotent. */
  cancel(): void;
}

export interface KvBackendOptions {
  /** Revisions of history kept by automatic compaction (default 10 000). */
  historyLimit?: number;
}

export const DEFAULT_HISTORY_LIMIT = 10_000;

export type KvErrorCode = 'compacted' | 'future-revision' | 'bad-continue' | 'bad-request' | 'closed' | 'unavailable' | 'internal';

/** A backend failure ('unavailable': a remote store cannot answer now, e.g. etcd during an election). `code` decides the Status the actor answers with (see actors/kv/errors.ts). */
export class KvError extends Error {
  constructor(
    readonly code: KvErrorCode,
    message: string,
  ) {
    super(message);
    this.name = `KvError(${code})`;
  }
}

/** etcd's own wording, so operators recognise it. */
export const compactedError = (revision: number, compactRevision: number): KvError =>
  new KvError('compacted', `mvcc: required revision has been compacted (required ${revision}, compacted ${compactRevision})`);

export const futureRevisionError = (revision: number, current: number): KvError =>
  new KvError('future-revision', `mvcc: required revision is a future revision (required ${revision}, current ${current})`);
