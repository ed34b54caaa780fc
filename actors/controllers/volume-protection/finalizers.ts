/**
 * Who uses a claim, and finalizer edits: shared by the pvc-protection and pv-protection
 * controllers (the apiserver's StorageObjectInUseProtection admission puts the finalizers on
 * new objects).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';

import { claimsOfPod } from '../../../api/volumes/claims.ts';
import { isNotFound, unwrap, type ApiClient, type Target } from '../../client/index.ts';

export { claimsOfPod, PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER } from '../../../api/volumes/claims.ts';

/** podUsesPVC: a scheduled pod that has not finished and names the claim blocks its removal. */
export function podUsesClaim(pod: Pod, namespace: string, claim: string): boolean {
  if (pod.metadata?.namespace !== namespace || !pod.spec?.nodeName) return false;
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return false;
  return claimsOfPod(pod).includes(claim);
}

/** The object's finalizers with `f` added or removed (a new list; the input is not changed). */
export function withFinalizer(finalizers: readonly string[] | undefined, f: string, present: boolean): string[] {
  const rest = (finalizers ?? []).filter((x) => x !== f);
  return present ? [...rest, f] : rest;
}

/** Writes `obj` with finalizer `f` added (present) or removed; an object gone meanwhile is fine, a conflict is retried by the caller's sync. */
export async function setFinalizer<T extends { metadata?: { finalizers?: string[] } }>(api: ApiClient, target: Target<T>, obj: T, f: string, present: boolean): Promise<void> {
  const finalizers = withFinalizer(obj.metadata?.finalizers, f, present);
  const r = await api.update(target, { ...obj, metadata: { ...obj.metadata, finalizers } });
  if (!r.ok && isNotFound(r.status)) return;
  unwrap(r);
}
