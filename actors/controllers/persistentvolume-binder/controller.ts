/**
 * The persistentvolume-binder controller (pkg/controller/volume/persistentvolume/pv_controller.go):
 * binds each PersistentVolumeClaim to a PersistentVolume and keeps the two phases true.
 *
 * Keys: a claim's `namespace/name`, a volume's `name` (a volume name has no slash).
 * - An unbound claim takes a volume pre-bound to it, else the smallest available one that
 *   satisfies it; with none, a class with a provisioner is asked for one (the
 *   volume.kubernetes.io/storage-provisioner annotation) — for WaitForFirstConsumer only once
 *   the scheduler has chosen a node (volume.kubernetes.io/selected-node).
 * - Binding writes the volume's claimRef and phase Bound, then the claim's volumeName with the
 *   pv.kubernetes.io/bind-completed annotation and phase Bound, as Kubernetes orders them.
 * - A volume whose claim is gone becomes Released (its reclaim policy is then its
 *   provisioner's business: the local-path provisioner deletes Delete volumes); a volume with
 *   no claimRef is Available; a bound claim whose volume is gone is Lost.
 */
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { claimClass } from '../../../api/volumes/claims.ts';
import { claimKeyOf, volumeBoundTo } from '../../../machines/controllers/volume/binding.ts';
import { keyOf } from '../../informer.ts';
import { targets } from '../../client/index.ts';
import type { Controller, ControllerContext, ControllerDefinition } from '../framework.ts';
import { syncUnboundClaim, syncBoundClaim, setVolumePhase } from './sync.ts';

export function createBinderController(cc: ControllerContext): Controller {
  const enqueueKey = (o: { metadata?: { namespace?: string; name?: string } }) => cc.enqueue(keyOf(o));
  const claims = cc.informer({
    target: targets.persistentvolumeclaims(),
    handlers: {
      add: enqueueKey,
      update: (_, cur) => enqueueKey(cur),
      delete: (pvc) => {
        const volume = (pvc as PersistentVolumeClaim).spec?.volumeName;
        if (volume) cc.enqueue(volume);
      },
    },
  });
  const volumes = cc.informer({
    target: targets.persistentvolumes(),
    handlers: {
      add: enqueueKey,
      update: (_, cur) => enqueueKey(cur),
      // A claim bound to a deleted volume is Lost.
      delete: (pv) => {
        const claim = claimKeyOf(pv as PersistentVolume);
        if (claim) cc.enqueue(claim);
      },
    },
  });
  const classes = cc.informer({ target: targets.storageclasses() });
  const env = {
    cc,
    volumes: () => volumes.list() as PersistentVolume[],
    classOf: (pvc: PersistentVolumeClaim) => classes.get(claimClass(pvc)) as StorageClass | undefined,
  };

  async function syncVolume(pv: PersistentVolume): Promise<unknown> {
    const claimKey = claimKeyOf(pv);
    if (!claimKey) return setVolumePhase(cc, pv, 'Available');
    const pvc = claims.get(claimKey) as PersistentVolumeClaim | undefined;
    const ref = pv.spec?.claimRef;
    if (!ref?.uid) {
      // Pre-bound to a claim by name: the claim's sync binds it; until then it waits, Available.
      if (pvc && !pvc.spec?.volumeName) cc.enqueue(claimKey);
      return setVolumePhase(cc, pv, 'Available');
    }
    if (!pvc || pvc.metadata?.uid !== ref.uid) {
      if (pv.status?.phase === 'Released' || pv.status?.phase === 'Failed') return;
      return setVolumePhase(cc, pv, 'Released');
    }
    if (!pvc.spec?.volumeName) return cc.enqueue(claimKey);
    if (pvc.spec.volumeName === pv.metadata?.name && volumeBoundTo(pv, pvc)) return setVolumePhase(cc, pv, 'Bound');
  }

  return {
    async sync(key) {
      if (!key.includes('/')) {
        const pv = volumes.get(key) as PersistentVolume | undefined;
        if (pv) await syncVolume(pv);
        return;
      }
      const pvc = claims.get(key) as PersistentVolumeClaim | undefined;
      if (!pvc || pvc.metadata?.deletionTimestamp) return;
      if (!pvc.spec?.volumeName) return syncUnboundClaim(env, pvc);
      return syncBoundClaim(env, pvc, volumes.get(pvc.spec.volumeName) as PersistentVolume | undefined);
    },
  };
}

export const persistentVolumeBinderController: ControllerDefinition = {
  name: 'persistentvolume-binder',
  aliases: ['persistentvolume-binder-controller'],
  component: 'persistentvolume-controller',
  enabledByDefault: true,
  create: createBinderController,
};
