/**
 * The PersistentVolume the local-path provisioner makes for a claim (pure): named
 * `pvc-<claim uid>` as external provisioners name them, a hostPath directory under the
 * storage root, pinned by node affinity to the node the scheduler chose when the class waits
 * for the first consumer, with the class's reclaim policy and a claimRef to the claim.
 */
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { LOCAL_PATH_PROVISIONER, volumeDirectory } from '../../../api/volumes/local-path.ts';
import { PROVISIONED_BY, SELECTED_NODE, claimRefTo } from '../../../machines/controllers/volume/binding.ts';

export const volumeNameFor = (pvc: PersistentVolumeClaim): string => `pvc-${pvc.metadata?.uid ?? ''}`;

export function localPathVolume(pvc: PersistentVolumeClaim, sc: StorageClass, root: string): PersistentVolume {
  const name = volumeNameFor(pvc);
  const node = sc.volumeBindingMode === 'WaitForFirstConsumer' ? pvc.metadata?.annotations?.[SELECTED_NODE] : undefined;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, annotations: { [PROVISIONED_BY]: LOCAL_PATH_PROVISIONER } },
    spec: {
      capacity: { storage: String(pvc.spec?.resources?.requests?.storage ?? '0') },
      accessModes: [...(pvc.spec?.accessModes ?? [])],
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
      storageClassName: sc.metadata?.name ?? '',
      volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
      hostPath: { path: volumeDirectory(root, name), type: 'DirectoryOrCreate' },
      claimRef: claimRefTo(pvc),
      ...(node
        ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } } }
        : {}),
    },
  };
}
