/**
 * Reads and conditional writes of single objects, in the kv actor's terms. What is stored is
 * the object without metadata.resourceVersion: like etcd3's storage, the version is the
 * key's modRevision and is stamped on read.
 */
import type { KubeObject } from '../../bus/catalogue/api.ts';
import { fail, internalError, isServiceUnavailable, isTimeout, isTooManyRequests, ok, unavailable, type Result, type Status } from '../../base/status.ts';
import type { ServerContext } from './context.ts';
import { decorate } from './watch-cache.ts';
import { Unreadable, type DecodedRecord } from './encryption/storage.ts';

export interface Current {
  obj: KubeObject;
  modRevision: number;
  /** Stored with an encryption provider or key other than the first: a write must happen even when nothing changed. */
  stale?: boolean;
}

/** The object as it is in storage now (a quorum read), or null. */
export async function readCurrent(s: ServerContext, key: string): Promise<Result<Current | null>> {
  const r = await s.kv.get(key);
  if (!r.ok) return fail(storageError(r.status));
  if (!r.value.kv) return ok(null);
  const rec: DecodedRecord = s.codec.decode(r.value.kv);
  if (rec.value instanceof Unreadable) return fail(rec.value.status);
  const cur: Current = { obj: decorate(rec.value, rec.modRevision), modRevision: rec.modRevision };
  if (rec.stale) cur.stale = true;
  return ok(cur);
}

/** What goes into storage: a copy without the served resourceVersion. */
export function storable(obj: KubeObject): KubeObject {
  const { resourceVersion: _rv, ...metadata } = obj.metadata ?? {};
  return { ...obj, metadata };
}

/** Outcome of a compare-and-write: written (at `rv`), or the compare failed. */
export type WriteOutcome = { written: true; rv: number; obj: KubeObject } | { written: false };

/** Puts `obj` if the key's modRevision is `ifModRevision` (0: must not exist). */
export async function putIf(s: ServerContext, key: string, obj: KubeObject, ifModRevision: number): Promise<Result<WriteOutcome>> {
  const value = storable(obj);
  const r = await s.kv.txn([{ op: 'put', key, value: s.codec.encode(key, value), ifModRevision }]);
  if (!r.ok) return fail(storageError(r.status));
  if (!r.value.succeeded) return ok({ written: false });
  return ok({ written: true, rv: r.value.revision, obj: s.cache.served(key, value, r.value.revision) });
}

/** Deletes the key if its modRevision is `ifModRevision`. */
export async function deleteIf(s: ServerContext, key: string, ifModRevision: number): Promise<Result<WriteOutcome>> {
  const r = await s.kv.txn([{ op: 'delete', key, ifModRevision }]);
  if (!r.ok) return fail(storageError(r.status));
  if (!r.value.succeeded) return ok({ written: false });
  const prev = r.value.prev[0];
  const last = prev ? s.codec.decode(prev).value : undefined;
  return ok({ written: true, rv: r.value.revision, obj: decorate(last instanceof Unreadable ? undefined : last, r.value.revision) });
}

/** A kv failure as the client should see it: unreachable store → 503, a full kv inbox → 503 with Retry-After, anything else → 500. */
export function storageError(st: Status): Status {
  if (isServiceUnavailable(st) || isTimeout(st)) return unavailable(`storage is unavailable: ${st.message}`);
  if (isTooManyRequests(st)) return { ...unavailable(`storage is unavailable: ${st.message}`), details: { retryAfterSeconds: 1 } };
  return st.code >= 500 ? internalError(st.message) : st;
}

/** How many times a write retries after losing a compare: Kubernetes' GuaranteedUpdate loops until it wins; each loss means another write won, so this bound is only a guard against a livelock bug. */
export const MAX_WRITE_ATTEMPTS = 1000;
