import { KvError, type KvEvent, type KvOp, type KvRecord, type KvTxnReply } from './backend.ts';

/** What a txn did: the reply to send and the events to store (empty when nothing changed). */
export interface TxnOutcome {
  reply: KvTxnReply;
  events: KvEvent[];
}

/** The longest key a txn may write, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

/** Rejects txns no store state could make valid; checked before a txn joins a commit batch. */
export function validateOps(ops: KvOp[]): void {
  if (!Array.isArray(ops) || ops.length === 0) throw new KvError('bad-request', 'kv txn: at least one op is required');
  const seen = new Set<string>();
  for (const op of ops) {
    if (typeof op.key !== 'string' || op.key === '') throw new KvError('bad-request', 'kv txn: every op needs a non-empty key');
    // LMDB keys are capped near 2 KB and history keys add a revision; one limit keeps both backends alike.
    if (Buffer.byteLength(op.key) > MAX_KEY_BYTES) throw new KvError('bad-request', `kv txn: key longer than ${MAX_KEY_BYTES} bytes`);
    // etcd refuses this too ("duplicate key given in txn request"): the result would depend on op order.
    if (seen.has(op.key)) throw new KvError('bad-request', `kv txn: duplicate key "${op.key}" in one txn`);
    seen.add(op.key);
  }
}

/**
 * Evaluates one txn against the store as `read` shows it, as the write at `revision`.
 * Pure given `read`: the backend applies `events` afterwards (or not, on a failed
 * compare). Every compare is checked before any op applies, as etcd does.
 */
export function planTxn(read: (key: string) => KvRecord | undefined, ops: KvOp[], revision: number): TxnOutcome {
  const before = ops.map((op) => read(op.key) ?? null);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const cur = before[i] ?? null;
    if (op.ifModRevision === undefined) continue;
    const holds = op.ifModRevision === 0 ? cur === null : cur !== null && cur.modRevision === op.ifModRevision;
    if (!holds) return { reply: { succeeded: false, revision: revision - 1, key: op.key, current: cur }, events: [] };
  }
  const events: KvEvent[] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const prev = before[i] ?? null;
    if (op.op === 'put') {
      const kv: KvRecord = {
        key: op.key,
        value: op.value,
        createRevision: prev ? prev.createRevision : revision,
        modRevision: revision,
        version: prev ? prev.version + 1 : 1,
      };
      events.push(prev ? { type: 'put', kv, prev } : { type: 'put', kv });
    } else if (prev) {
      // A delete's record is etcd's tombstone: the key at the delete's revision, version 0; we keep the last value for watchers.
      events.push({ type: 'delete', kv: { key: op.key, value: prev.value, createRevision: 0, modRevision: revision, version: 0 }, prev });
    }
  }
  const applied = events.length > 0 ? revision : revision - 1;
  return { reply: { succeeded: true, revision: applied, prev: before }, events };
}
