/**
 * The garbage collector's writes (operations.go / patch.go): delete an object with a
 * propagation policy and a uid precondition, rewrite its ownerReferences, drop one of its
 * finalizers. Every write is guarded (uid precondition or resourceVersion), so a decision
 * made from a stale cache fails with a Conflict and the key is simply synced again.
 */
import type { ApiTarget, KubeObject } from '../../../bus/catalogue/api.ts';
import { ApiError } from '../../../base/status.ts';
import type { KindInfo } from '../../../api/kinds.ts';
import type { OwnerReference } from '../../../machines/controllers/owners.ts';
import type { PropagationPolicy } from '../../../machines/controllers/gc/references.ts';
import { type ApiClient, isConflict, isConflictOrExists, isNotFound } from '../../client/index.ts';

/** The target of one object of `kind` (namespace ignored for cluster-scoped kinds). */
export function targetOf(kind: KindInfo, namespace: string | undefined, name?: string): ApiTarget {
  return {
    group: kind.group,
    version: kind.version,
    resource: kind.resource,
    ...(kind.namespaced && namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
  };
}

const objectTarget = (kind: KindInfo, obj: KubeObject): ApiTarget => targetOf(kind, obj.metadata?.namespace, obj.metadata?.name);

/** Deletes `obj` (that very uid) with `policy`; gone or replaced already counts as done. */
export async function deleteObject(api: ApiClient, kind: KindInfo, obj: KubeObject, policy: PropagationPolicy): Promise<void> {
  const uid = obj.metadata?.uid;
  const r = await api.delete(objectTarget(kind, obj), { propagationPolicy: policy, ...(uid ? { preconditions: { uid } } : {}) });
  if (r.ok || isNotFound(r.status)) return;
  // A uid precondition that fails means the name now holds another object: not ours to delete.
  if (isConflictOrExists(r) && r.status.message.includes('Precondition failed: UID')) return;
  throw new ApiError(r.status);
}

/** Replaces the ownerReferences of `obj` as cached (a newer version answers Conflict: retried). */
export async function setOwnerReferences(api: ApiClient, kind: KindInfo, obj: KubeObject, refs: readonly OwnerReference[]): Promise<void> {
  const patch = { metadata: { resourceVersion: obj.metadata?.resourceVersion, ownerReferences: refs.length > 0 ? refs : null } };
  const r = await api.patch(objectTarget(kind, obj), patch, 'merge');
  if (r.ok || isNotFound(r.status)) return;
  throw new ApiError(r.status);
}

/** Removes `finalizer` from the live object, re-reading on a Conflict (retryOnConflict). */
export async function removeFinalizer(api: ApiClient, kind: KindInfo, obj: KubeObject, finalizer: string): Promise<void> {
  const target = objectTarget(kind, obj);
  for (let attempt = 0; attempt < 5; attempt++) {
    const got = await api.get(target);
    if (!got.ok) {
      if (isNotFound(got.status)) return;
      throw new ApiError(got.status);
    }
    const live = got.value;
    if (live.metadata?.uid !== obj.metadata?.uid) return;
    const finalizers = live.metadata?.finalizers ?? [];
    if (!finalizers.includes(finalizer)) return;
    const rest = finalizers.filter((f) => f !== finalizer);
    const r = await api.patch(target, { metadata: { resourceVersion: live.metadata?.resourceVersion, finalizers: rest } }, 'merge');
    if (r.ok || isNotFound(r.status)) return;
    if (!isConflict(r.status)) throw new ApiError(r.status);
  }
  throw new Error(`could not remove finalizer ${finalizer} from ${target.resource} ${obj.metadata?.name}: it kept changing`);
}
