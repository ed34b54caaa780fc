/**
 * resourceVersion semantics of reads served from the watch cache: which snapshot a get,
 * list or watch sees. "" is a consistent read (the cache first catches up with the store's
 * current revision), "0" is whatever the cache holds, N is "not older than N" (or exactly
 * N with resourceVersionMatch=Exact, rebuilt from the event window).
 */
import type { ListOptions } from './types.ts';
import { badRequest, expired, fail, ok, status, type Result } from '../../base/status.ts';
import type { ServerContext } from './context.ts';
import { storageError } from './store.ts';

/** The revision a read is served at and whether it must be exactly that one. */
export interface Snapshot {
  rv: number;
  exact: boolean;
}

export function parseRv(text: string | undefined): Result<number | null> {
  if (text === undefined || text === '') return ok(null);
  if (!/^\d+$/.test(text)) return fail(badRequest(`invalid resource version "${text}"`));
  return ok(Number(text));
}

/** Waits until the cache has reached `rv`; Kubernetes' 504 "Too large resource version" when it does not in time. */
export async function awaitCache(s: ServerContext, rv: number): Promise<Result<number>> {
  if (await s.cache.waitFor(rv, s.cacheWaitMs)) return ok(s.cache.rv);
  return fail({ ...status(504, 'Timeout', `Too large resource version: ${rv}, current: ${s.cache.rv}`), details: { retryAfterSeconds: 1 } });
}

/** A consistent read: the cache catches up with the store's revision now. */
export async function consistent(s: ServerContext): Promise<Result<number>> {
  const rev = await s.kv.revision();
  if (!rev.ok) return fail(storageError(rev.status));
  const r = await awaitCache(s, rev.value);
  // Storage is past a revision the cache never reached: its watch stalled (a lost tail of events).
  if (!r.ok) s.cacheStale();
  return r;
}

/** Picks the snapshot of a list from its options. */
export async function listSnapshot(s: ServerContext, opts: ListOptions | undefined): Promise<Result<Snapshot>> {
  const parsed = parseRv(opts?.resourceVersion);
  if (!parsed.ok) return parsed;
  const n = parsed.value;
  if (opts?.resourceVersionMatch && n === null) {
    return fail(badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided'));
  }
  if (n === null) {
    const c = await consistent(s);
    return c.ok ? ok({ rv: c.value, exact: false }) : c;
  }
  if (n === 0) {
    if (opts?.resourceVersionMatch === 'Exact') return fail(badRequest('resourceVersionMatch "Exact" is forbidden for resourceVersion "0"'));
    return ok({ rv: s.cache.rv, exact: false });
  }
  // A paged list at N without a match keeps Kubernetes' legacy meaning: exactly N.
  const exact = opts?.resourceVersionMatch === 'Exact' || (opts?.resourceVersionMatch === undefined && (opts?.limit ?? 0) > 0);
  const w = await awaitCache(s, n);
  if (!w.ok) return w;
  return ok(exact ? { rv: n, exact: true } : { rv: s.cache.rv, exact: false });
}

export const tooOldVersion = (rv: number, oldest: number) => expired(`too old resource version: ${rv} (${oldest})`);
