/**
 * Keeping one object as a component wants it, outside a reconcile loop (the objects a
 * component publishes about itself: the `kubernetes` Service's endpoints, kube-dns's).
 */
import { isAlreadyExists, isNotFound, type Result } from '../../base/status.ts';
import type { ApiClient } from './client.ts';
import type { ResourceTargets } from './targets.ts';

interface Named {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

/**
 * Makes `want` (by its namespace and name) stand as `same` judges it: created when missing,
 * replaced at the current resourceVersion when it differs, left alone otherwise. Resolves to
 * the object as it stands, or the failed Result.
 */
export async function ensureObject<T extends Named>(api: ApiClient, target: ResourceTargets<T>, want: T, same: (cur: T) => boolean): Promise<Result<T>> {
  const ns = want.metadata?.namespace;
  const at = target(ns, want.metadata?.name);
  const cur = await api.get(at);
  if (cur.ok) {
    if (same(cur.value)) return cur;
    const r = await api.update(at, { ...want, metadata: { ...want.metadata, resourceVersion: cur.value.metadata?.resourceVersion } });
    return r.ok ? { ok: true, value: r.value.object } : r;
  }
  if (!isNotFound(cur)) return cur;
  const r = await api.create(target(ns), want);
  if (r.ok) return { ok: true, value: r.value.object };
  // Someone created it meanwhile: what stands is theirs, judged on the next call.
  return isAlreadyExists(r) ? api.get(at) : r;
}
