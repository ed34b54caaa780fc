/**
 * The ephemeral-volume controller (pkg/controller/volume/ephemeral): for each generic
 * ephemeral volume of a pod, the claim `<pod>-<volume>` made from its volumeClaimTemplate and
 * owned by the pod (controller reference), so the garbage collector removes it with the pod.
 * A claim of that name that the pod does not own is left alone, with a warning event on the
 * pod. Keys: pods' `namespace/name`.
 */
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { controllerOf, newControllerRef } from '../../../machines/controllers/owners.ts';
import { keyOf } from '../../informer.ts';
import { isAlreadyExists, targets, unwrap } from '../../client/index.ts';
import type { Controller, ControllerContext, ControllerDefinition } from '../framework.ts';
import { clone } from '../../../api/json.ts';

const hasEphemeral = (pod: Pod): boolean => (pod.spec?.volumes ?? []).some((v) => v.ephemeral);

export function createEphemeralVolumeController(cc: ControllerContext): Controller {
  const enqueuePod = (p: Pod) => {
    if (hasEphemeral(p)) cc.enqueue(keyOf(p));
  };
  const pods = cc.informer({ target: targets.pods(), handlers: { add: (p) => enqueuePod(p as Pod), update: (_, p) => enqueuePod(p as Pod) } });
  const claims = cc.informer({
    target: targets.persistentvolumeclaims(),
    handlers: {
      // A claim deleted under a live pod is made again.
      delete: (c) => {
        const ref = controllerOf(c);
        if (ref?.kind === 'Pod') cc.enqueue(`${c.metadata?.namespace}/${ref.name}`);
      },
    },
  });

  return {
    async sync(key) {
      const pod = pods.get(key) as Pod | undefined;
      if (!pod || pod.metadata?.deletionTimestamp) return;
      const namespace = pod.metadata?.namespace ?? '';
      for (const v of pod.spec?.volumes ?? []) {
        const template = v.ephemeral?.volumeClaimTemplate;
        if (!template) continue;
        const name = `${pod.metadata?.name}-${v.name}`;
        const existing = claims.get(`${namespace}/${name}`);
        if (existing) {
          if (controllerOf(existing)?.uid !== pod.metadata?.uid) {
            void cc.events.record(pod, 'Warning', 'FailedBinding', `PVC ${namespace}/${name} was not created for pod ${namespace}/${pod.metadata?.name} (pod is not owner)`);
          }
          continue;
        }
        const claim: PersistentVolumeClaim = {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: {
            name,
            namespace,
            ...(template.metadata?.labels ? { labels: { ...template.metadata.labels } } : {}),
            ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
            ownerReferences: [newControllerRef(pod, 'v1', 'Pod')],
          },
          spec: clone(template.spec),
        };
        const r = await cc.api.create(targets.persistentvolumeclaims(namespace), claim);
        if (!r.ok && isAlreadyExists(r.status)) continue;
        unwrap(r);
      }
    },
  };
}

export const ephemeralVolumeController: ControllerDefinition = {
  name: 'ephemeral-volume',
  aliases: ['ephemeral-volume-controller'],
  component: 'ephemeral_volume',
  enabledByDefault: true,
  create: createEphemeralVolumeController,
};
