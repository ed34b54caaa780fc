/**
 * Where a bound PersistentVolume's files are on its node: what the kubelet's volume manager
 * bind-mounts for a `persistentVolumeClaim` volume. Only `local` and `hostPath` volumes have
 * a host path; every other source is null (this project attaches no network storage).
 */
import type { PersistentVolume } from 'kubernetes-types/core/v1.js';

/** The host directory (or file) of a local or hostPath PV, or null for any other source. */
export function hostPathOf(pv: PersistentVolume): string | null {
  return pv.spec?.local?.path ?? pv.spec?.hostPath?.path ?? null;
}

/**
 * The node a local PV is tied to by its required node affinity (a `kubernetes.io/hostname In
 * [node]` term, as the provisioner writes), or null when it is not tied to one node.
 */
export function pinnedNode(pv: PersistentVolume): string | null {
  for (const term of pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []) {
    for (const e of term.matchExpressions ?? []) {
      if (e.key === 'kubernetes.io/hostname' && e.operator === 'In' && e.values?.length === 1) return e.values[0] ?? null;
    }
  }
  return null;
}
