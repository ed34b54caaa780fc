/**
 * The pure decisions of the persistentvolume-binder (pkg/controller/volume/persistentvolume:
 * pv_controller.go and index.go): which volume a claim may bind to, what a bound pair looks
 * like, and the phase a volume should have given its claim. No I/O: the controller in
 * actors/controllers/persistentvolume-binder reads caches and writes what these answer.
 */
import type { ObjectReference, PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { matchesLabels, labelSelectorToSelector } from '../../../api/selectors/labels.ts';
import { parseQuantity } from '../../../api/quantity.ts';
import { claimClass, volumeClass } from '../../../api/volumes/claims.ts';
import { pinnedNode } from '../../../api/volumes/pv-path.ts';

/** Set on both objects once the binder has written the pair (pv.kubernetes.io/bind-completed). */
export const BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
/** Set when the binder (not the user) chose the other half of the pair. */
export const BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
/** The provisioner that made a volume. */
export const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
/** The provisioner asked to make a volume for a claim (and its beta name). */
export const STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
/** The node the scheduler chose for a WaitForFirstConsumer claim's first pod. */
export const SELECTED_NODE = 'volume.kubernetes.io/selected-node';

const sizeOf = (q: unknown): bigint => {
  const r = typeof q === 'string' || typeof q === 'number' ? parseQuantity(String(q)) : undefined;
  return r?.ok ? r.value.nano : 0n;
};

/** The storage a claim asks for, and a volume's capacity, in nano-units (comparable). */
export const requestedSize = (pvc: PersistentVolumeClaim): bigint => sizeOf(pvc.spec?.resources?.requests?.storage);
export const capacityOf = (pv: PersistentVolume): bigint => sizeOf(pv.spec?.capacity?.storage);

/** The volume's claimRef names this claim (by namespace and name; by uid too when the ref has one). */
export function refersToClaim(pv: PersistentVolume, pvc: PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref || ref.namespace !== pvc.metadata?.namespace || ref.name !== pvc.metadata?.name) return false;
  return !ref.uid || ref.uid === pvc.metadata?.uid;
}

/** checkVolumeSatisfyClaim: class, access modes, size, volume mode, selector and (for a chosen node) node affinity. */
export function satisfies(pv: PersistentVolume, pvc: PersistentVolumeClaim): boolean {
  if (volumeClass(pv) !== claimClass(pvc)) return false;
  const modes = new Set(pv.spec?.accessModes ?? []);
  if (!(pvc.spec?.accessModes ?? []).every((m) => modes.has(m))) return false;
  if (capacityOf(pv) < requestedSize(pvc)) return false;
  if ((pv.spec?.volumeMode ?? 'Filesystem') !== (pvc.spec?.volumeMode ?? 'Filesystem')) return false;
  if (pvc.spec?.selector) {
    const sel = labelSelectorToSelector(pvc.spec.selector);
    if (!sel.ok || !matchesLabels(sel.value ?? [], pv.metadata?.labels)) return false;
  }
  const node = pvc.metadata?.annotations?.[SELECTED_NODE];
  const pinned = pinnedNode(pv);
  return !node || pinned === null || pinned === node;
}

/**
 * findBestMatchForClaim: a volume pre-bound to the claim wins; otherwise the smallest
 * available, unclaimed volume that satisfies it. Volumes being deleted are never chosen.
 */
export function findMatchingVolume(pvc: PersistentVolumeClaim, volumes: Iterable<PersistentVolume>): PersistentVolume | undefined {
  let best: PersistentVolume | undefined;
  for (const pv of volumes) {
    if (pv.metadata?.deletionTimestamp) continue;
    if (pv.spec?.claimRef) {
      if (refersToClaim(pv, pvc) && satisfiesPreBound(pv, pvc)) return pv;
      continue;
    }
    if (pv.status?.phase !== 'Available' && pv.status?.phase !== 'Pending') continue;
    if (!satisfies(pv, pvc)) continue;
    if (!best || capacityOf(pv) < capacityOf(best)) best = pv;
  }
  return best;
}

/** A volume pre-bound by name need not match the class or selector, but must be big enough and accessible. */
function satisfiesPreBound(pv: PersistentVolume, pvc: PersistentVolumeClaim): boolean {
  const modes = new Set(pv.spec?.accessModes ?? []);
  return (pvc.spec?.accessModes ?? []).every((m) => modes.has(m)) && capacityOf(pv) >= requestedSize(pvc);
}

/** The claimRef a volume bound to `pvc` carries (GetReference). */
export function claimRefTo(pvc: PersistentVolumeClaim): ObjectReference {
  return {
    kind: 'PersistentVolumeClaim',
    namespace: pvc.metadata?.namespace ?? '',
    name: pvc.metadata?.name ?? '',
    uid: pvc.metadata?.uid ?? '',
    apiVersion: 'v1',
    resourceVersion: pvc.metadata?.resourceVersion ?? '',
  };
}

/** The volume's claimRef points at `pvc` itself (same uid) — the pair is bound on the volume's side. */
export const volumeBoundTo = (pv: PersistentVolume, pvc: PersistentVolumeClaim): boolean =>
  pv.spec?.claimRef?.uid !== undefined && pv.spec.claimRef.uid === pvc.metadata?.uid && refersToClaim(pv, pvc);

/** The claims' key (namespace/name) a volume's claimRef names, or null. */
export function claimKeyOf(pv: PersistentVolume): string | null {
  const ref = pv.spec?.claimRef;
  return ref?.name ? `${ref.namespace ?? ''}/${ref.name}` : null;
}
