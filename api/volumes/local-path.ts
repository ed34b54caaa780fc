/**
 * The local-path storage: the default StorageClass the apiserver creates at boot and the
 * names its provisioner (actors/controllers/local-path) answers to. Like Rancher's
 * local-path-provisioner, volumes are directories on the node, bound when the first pod
 * that uses the claim is scheduled (WaitForFirstConsumer), deleted with their claim.
 */

/** The provisioner name a StorageClass gives to be served by the local-path provisioner. */
export const LOCAL_PATH_PROVISIONER = 'kubeactor.io/local-path';

/** The StorageClass `local-path`, the cluster's default. */
export const LOCAL_PATH_STORAGE_CLASS = {
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'local-path', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
  provisioner: LOCAL_PATH_PROVISIONER,
  reclaimPolicy: 'Delete',
  volumeBindingMode: 'WaitForFirstConsumer',
  allowVolumeExpansion: false,
} as const;

/** Where a provisioned volume lives: `<storage root>/<pv name>` (the root is `<data-dir>/storage`). */
export const volumeDirectory = (root: string, pvName: string): string => `${root.replace(/\/+$/, '')}/${pvName}`;
