/**
 * The pvc-protection controller (pkg/controller/volume/pvcprotection): a claim keeps the
 * kubernetes.io/pvc-protection finalizer while it exists; once it is being deleted, the
 * finalizer is removed only when no scheduled, unfinished pod uses it — so a claim in use
 * stays (Terminating) until its pods are gone. Keys: claims' `namespace/name`.
 */
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { keyOf } from '../../informer.ts';
import { targets } from '../../client/index.ts';
import type { Controller, ControllerContext, ControllerDefinition } from '../framework.ts';
import { claimsOfPod, podUsesClaim, PVC_PROTECTION_FINALIZER, setFinalizer } from './finalizers.ts';

export function createPvcProtectionController(cc: ControllerContext): Controller {
  const claims = cc.informer({
    target: targets.persistentvolumeclaims(),
    handlers: { add: (o) => cc.enqueue(keyOf(o)), update: (_, o) => cc.enqueue(keyOf(o)) },
  });
  // A pod that finishes or goes may free the claims it named.
  const podClaims = (pod: Pod) => {
    for (const c of claimsOfPod(pod)) cc.enqueue(`${pod.metadata?.namespace}/${c}`);
  };
  const pods = cc.informer({
    target: targets.pods(),
    handlers: { update: (_, p) => podClaims(p as Pod), delete: (p) => podClaims(p as Pod) },
  });

  return {
    async sync(key) {
      const pvc = claims.get(key) as PersistentVolumeClaim | undefined;
      if (!pvc) return;
      const has = (pvc.metadata?.finalizers ?? []).includes(PVC_PROTECTION_FINALIZER);
      const deleting = Boolean(pvc.metadata?.deletionTimestamp);
      if (deleting === !has) return;
      if (deleting) {
        const ns = pvc.metadata?.namespace ?? '';
        const name = pvc.metadata?.name ?? '';
        if ((pods.list() as Pod[]).some((p) => podUsesClaim(p, ns, name))) return;
      }
      await setFinalizer(cc.api, targets.persistentvolumeclaims(pvc.metadata?.namespace, pvc.metadata?.name), pvc, PVC_PROTECTION_FINALIZER, !deleting);
    },
  };
}

export const pvcProtectionController: ControllerDefinition = {
  name: 'pvc-protection',
  aliases: ['persistentvolumeclaim-protection-controller'],
  component: 'pvc-protection-controller',
  enabledByDefault: true,
  create: createPvcProtectionController,
};
