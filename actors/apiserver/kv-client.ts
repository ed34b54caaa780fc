/**
 * The apiserver's typed view of the kv actor: etcd's calls as promises of Results. Kept
 * thin on purpose — retries and compares are decided by the callers (GuaranteedUpdate
 * style loops in the verbs), not hidden here.
 */
import type { Port } from '../../bus/bus.ts';
import type { KvOp, KvRangeReply, KvRecord, KvTxnReply } from '../../bus/catalogue/kv.ts';
import { KV_ADDRESS } from '../../bus/permissions.ts';
import type { Result } from '../../base/status.ts';

export interface KvClient {
  get(key: string): Promise<Result<{ kv: KvRecord | null; revision: number }>>;
  range(prefix: string, opts?: { limit?: number; continue?: string; revision?: number }): Promise<Result<KvRangeReply>>;
  txn(ops: KvOp[]): Promise<Result<KvTxnReply>>;
  /** The store's current revision (a consistent read's target). */
  revision(): Promise<Result<number>>;
  watch(id: string, prefix: string, afterRevision: number): Promise<Result<{ id: string; revision: number }>>;
  unwatch(id: string): void;
}

export function kvClient(port: Port, to: string = KV_ADDRESS, timeoutMs = 10_000): KvClient {
  const opts = { timeoutMs };
  return {
    get: (key) => port.request(to, 'kv.get', { key }, opts),
    range: (prefix, o = {}) => port.request(to, 'kv.range', { prefix, ...o }, opts),
    txn: (ops) => port.request(to, 'kv.txn', { ops }, opts),
    async revision() {
      const r = await port.request(to, 'kv.status', {}, opts);
      return r.ok ? { ok: true, value: r.value.revision } : r;
    },
    watch: (id, prefix, afterRevision) => port.request(to, 'kv.watch', { id, prefix, afterRevision }, opts),
    unwatch: (id) => port.send(to, 'kv.unwatch', { id }),
  };
}
