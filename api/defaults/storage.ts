/** Defaulting of PersistentVolume, PersistentVolumeClaim and StorageClass (pkg/apis/core/v1 and storage/v1 defaults.go). */
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { clone } from '../json.ts';

/** SetDefaults_PersistentVolume: reclaim policy Retain, volume mode Filesystem, phase Pending. */
export function defaultPersistentVolume(pv: PersistentVolume): PersistentVolume {
  const o = clone(pv);
  const spec = (o.spec ??= {});
  spec.persistentVolumeReclaimPolicy ??= 'Retain';
  spec.volumeMode ??= 'Filesystem';
  if (spec.hostPath) spec.hostPath.type ??= '';
  const w = o as { status?: { phase?: string } };
  (w.status ??= {}).phase ??= 'Pending';
  return o;
}

/** SetDefaults_PersistentVolumeClaim: volume mode Filesystem, phase Pending. */
export function defaultPersistentVolumeClaim(pvc: PersistentVolumeClaim): PersistentVolumeClaim {
  const o = clone(pvc);
  (o.spec ??= {}).volumeMode ??= 'Filesystem';
  const w = o as { status?: { phase?: string } };
  (w.status ??= {}).phase ??= 'Pending';
  return o;
}

/** SetDefaults_StorageClass: reclaim policy Delete, binding mode Immediate. */
export function defaultStorageClass(sc: StorageClass): StorageClass {
  const o = clone(sc);
  o.reclaimPolicy ??= 'Delete';
  o.volumeBindingMode ??= 'Immediate';
  return o;
}
