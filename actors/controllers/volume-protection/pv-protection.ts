/**
 * The pv-protection controller (pkg/controller/volume/pvprotection): a volume keeps the
 * kubernetes.io/pv-protection finalizer while it exists; once it is being deleted, the
 * finalizer is removed when the volume is no longer Bound to a claim. Keys: volume names.
 */
import type { PersistentVolume } from 'kubernetes-types/core/v1.js';
import { keyOf } from '../../informer.ts';
import { isNotFound, targets, unwrap } from '../../client/index.ts';
import type { Controller, ControllerContext, ControllerDefinition } from '../framework.ts';
import { PV_PROTECTION_FINALIZER, withFinalizer } from './finalizers.ts';

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
      const finalizers = withFinalizer(pv.metadata?.finalizers, PV_PROTECTION_FINALIZER, !deleting);
      const r = await cc.api.update(targets.persistentvolumes(undefined, pv.metadata?.name), { ...pv, metadata: { ...pv.metadata, finalizers } });
      if (!r.ok && isNotFound(r.status)) return;
      unwrap(r);
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
