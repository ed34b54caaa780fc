import { Type, type Static } from '@sinclair/typebox';
import { message, request } from './define.ts';

/**
 * The kv actor's protocol: etcd's contract. Only the apiserver may send these (see
 * bus/permissions.ts). Values are plain data (Kubernetes objects as JSON-able values).
 */
export const KvRecord = Type.Object({
  key: Type.String(),
  value: Type.Unknown(),
  /** Revision of the write that created the key (since its last deletion). */
  createRevision: Type.Number(),
  /** Revision of the last write to the key. */
  modRevision: Type.Number(),
  /** Writes to the key since it was created (1 on create). */
  version: Type.Number(),
});
export type KvRecord = Static<typeof KvRecord>;

/**
 * One write in a transaction. `ifModRevision` is the compare: 0 means the key must not
 * exist (create-only); n > 0 means its modRevision must be n (update-if / delete-if);
 * absent means unconditional.
 */
export const KvOp = Type.Union([
  Type.Object({ op: Type.Literal('put'), key: Type.String(), value: Type.Unknown(), ifModRevision: Type.Optional(Type.Number()) }),
  Type.Object({ op: Type.Literal('delete'), key: Type.String(), ifModRevision: Type.Optional(Type.Number()) }),
]);
export type KvOp = Static<typeof KvOp>;

export const KvEvent = Type.Object({
  type: Type.Union([Type.Literal('put'), Type.Literal('delete')]),
  /** For put: the new record; for delete: etcd's tombstone — the deleted key, modRevision = the delete's revision, createRevision = version = 0 — carrying the last value. */
  kv: KvRecord,
  /** The record before this event, if any. */
  prev: Type.Optional(KvRecord),
});
export type KvEvent = Static<typeof KvEvent>;

export const KvTxnReply = Type.Union([
  /** All compares held; every op applied at one new revision. `prev[i]` is the record op i replaced or deleted. */
  Type.Object({ succeeded: Type.Literal(true), revision: Type.Number(), prev: Type.Array(Type.Union([KvRecord, Type.Null()])) }),
  /** A compare failed; nothing changed. `current` is the failing key's record now (null if absent). */
  Type.Object({ succeeded: Type.Literal(false), revision: Type.Number(), key: Type.String(), current: Type.Union([KvRecord, Type.Null()]) }),
]);
export type KvTxnReply = Static<typeof KvTxnReply>;

export const KvRangeReply = Type.Object({
  items: Type.Array(KvRecord),
  /** The store revision the range was read at. */
  revision: Type.Number(),
  /** Set when more items follow; pass back as `continue`. */
  continue: Type.Optional(Type.String()),
  /** Items left after this page (etcd's remainingItemCount), when more follow. */
  remaining: Type.Optional(Type.Number()),
});
export type KvRangeReply = Static<typeof KvRangeReply>;

export const kvMessages = {
  /** The key's record at `revision` (absent or 0: now); the reply's `revision` is the store's current revision. */
  'kv.get': request(
    Type.Object({ key: Type.String(), revision: Type.Optional(Type.Number()) }),
    Type.Object({ kv: Type.Union([KvRecord, Type.Null()]), revision: Type.Number() }),
  ),
  /**
   * Keys starting with `prefix`, in key order; `revision` reads the past (410 Expired once compacted, 400 when in the
   * future). A `continue` token reads its later pages at the first page's revision (400 when it is not this prefix's).
   */
  'kv.range': request(
    Type.Object({
      prefix: Type.String(),
      limit: Type.Optional(Type.Number()),
      continue: Type.Optional(Type.String()),
      revision: Type.Optional(Type.Number()),
    }),
    KvRangeReply,
  ),
  /** All-or-nothing writes at one new revision (none when nothing changed); acknowledged only once durable. Two ops on one key: 400. */
  'kv.txn': request(Type.Object({ ops: Type.Array(KvOp, { minItems: 1 }) }), KvTxnReply),
  /**
   * Starts a watch: every change under `prefix` with revision > `afterRevision`, delivered
   * in order, gap- and duplicate-free, as `kv.events` to the sender's address. An
   * `afterRevision` below the compact revision is answered with a 410 Expired Status; a watch id
   * the sender already uses, with 400. The reply's `revision` is the store's revision when the watch began.
   */
  'kv.watch': request(
    Type.Object({ id: Type.String(), prefix: Type.String(), afterRevision: Type.Number() }),
    Type.Object({ id: Type.String(), revision: Type.Number() }),
  ),
  'kv.unwatch': message(Type.Object({ id: Type.String() })),
  /** A batch of watch events, in revision order. */
  'kv.events': message(Type.Object({ id: Type.String(), events: Type.Array(KvEvent) })),
  /** Sent to a watcher whose watch the store had to end (compacted past it, or the store closes). */
  'kv.watch-ended': message(Type.Object({ id: Type.String(), reason: Type.String(), code: Type.Number() })),
  /** Drops history older than `revision` (reads at `revision` stay valid; at or below the current compact revision it is a no-op; above the store revision, 400). */
  'kv.compact': request(Type.Object({ revision: Type.Number() }), Type.Object({ compactRevision: Type.Number(), revision: Type.Number() })),
  'kv.status': request(Type.Object({}), Type.Object({ revision: Type.Number(), compactRevision: Type.Number(), keys: Type.Number(), backend: Type.String() })),
};
