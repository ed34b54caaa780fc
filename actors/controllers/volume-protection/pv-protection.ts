/**
 * The pv-protection controller (pkg/controller/volume/pvprotection): a volume keeps the
 * kubernetes.io/pv-protection finalizer while it exists; once it is being deleted, the
 * finalizer is removed when the volume is no longer Bound to a claim. Keys: volume names.
 */
import type { PersistentVolume } from 'kubernetes-types/core/v1.js';
import { keyOf } from '../../informer.ts';
import { targets } from '../../client/index.ts';
import type { Controller, ControllerContext, ControllerDefinition } from '../framework.ts';
import { PV_PROTECTION_FINALIZER, setFinalizer } from './finalizers.ts';

export function createPvProtectionController(cc: ControllerContext): Controller {
  const volumes = cc.informer({
    target: targets.persistentvolumes(),
    handlers: { add: (o) => cc.enqueue(keyOf(o)), update: (_, o) => cc.enqueue(keyOf(o)) },
  });
  return {
    async sync(key) {
      const pv = volumes.get(key) as PersistentVolume | undefined;
      if (!pv) return;
      const has = (pv.metadata?.finalizers ?? []).includes(PV_PROTECTION_FINALIZER);
      const deleting = Boolean(pv.metadata?.deletionTimestamp);
      if (deleting === !has) return;
      if (deleting && pv.status?.phase === 'Bound') return;
      await setFinalizer(cc.api, targets.persistentvolumes(undefined, pv.metadata?.name), pv, PV_PROTECTION_FINALIZER, !deleting);
    },
  };
}

export const pvProtectionController: ControllerDefinition = {
  name: 'pv-protection',
  aliases: ['persistentvolume-protection-controller'],
  component: 'pv-protection-controller',
  enabledByDefault: true,
  create: createPvProtectionController,
};
