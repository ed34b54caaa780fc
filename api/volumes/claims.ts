/**
 * Small readers of PersistentVolumes, claims and StorageClasses that the printers,
 * validation, admission, the controllers and the scheduler share (component-helpers'
 * storage/volume and pkg/api/v1/persistentvolume helpers).
 */
import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';

/** The annotation that marks a StorageClass as the cluster's default. */
export const IS_DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
/** The annotation a claim's class was named by before spec.storageClassName existed. */
export const BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';

export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'] as const;
const SHORT: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };

/** GetAccessModesAsString: the modes kubectl prints ("RWO,ROX"), in Kubernetes' fixed order, each once. */
export function accessModesString(modes: readonly string[] | undefined): string {
  const have = new Set(modes ?? []);
  return ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'].filter((m) => have.has(m)).map((m) => SHORT[m]).join(',');
}

/** GetPersistentVolumeClaimClass: the beta annotation wins, then spec.storageClassName; '' for none. */
export function claimClass(pvc: PersistentVolumeClaim): string {
  return pvc.metadata?.annotations?.[BETA_STORAGE_CLASS] ?? pvc.spec?.storageClassName ?? '';
}

/** GetPersistentVolumeClass: the beta annotation wins, then spec.storageClassName; '' for none. */
export function volumeClass(pv: PersistentVolume): string {
  return pv.metadata?.annotations?.[BETA_STORAGE_CLASS] ?? pv.spec?.storageClassName ?? '';
}

/** IsDefaultAnnotation: the class says it is the default. */
export const isDefaultClass = (sc: Pick<StorageClass, 'metadata'>): boolean => sc.metadata?.annotations?.[IS_DEFAULT_CLASS] === 'true';

/**
 * GetDefaultClass: the default class among `classes` — of several, the newest (then the
 * first by name), as the DefaultStorageClass admission plugin picks since 1.28. The
 * DefaultIngressClass plugin picks the same way, by its own `annotation`.
 */
export function defaultClass<T extends Pick<StorageClass, 'metadata'>>(classes: Iterable<T>, annotation = IS_DEFAULT_CLASS): T | undefined {
  let best: T | undefined;
  for (const sc of classes) {
    if (sc.metadata?.annotations?.[annotation] !== 'true') continue;
    if (!best) {
      best = sc;
      continue;
    }
    const a = sc.metadata?.creationTimestamp ?? '';
    const b = best.metadata?.creationTimestamp ?? '';
    if (a > b || (a === b && (sc.metadata?.name ?? '') < (best.metadata?.name ?? ''))) best = sc;
  }
  return best;
}

/** Storage object in-use protection: the finalizers a claim and a volume carry while they may be in use. */
export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

/** The claims a pod's volumes name: persistentVolumeClaim volumes and the `<pod>-<volume>` claims of generic ephemeral volumes. */
export function claimsOfPod(pod: Pod): string[] {
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim?.claimName) out.push(v.persistentVolumeClaim.claimName);
    else if (v.ephemeral) out.push(`${pod.metadata?.name}-${v.name}`);
  }
  return out;
}
