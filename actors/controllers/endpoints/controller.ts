/**
 * The Endpoints controller (pkg/controller/endpoint/endpoints_controller.go): every Service
 * with a selector gets an Endpoints object of the same name listing its pods — ready ones
 * under `addresses`, the others under `notReadyAddresses` — with named targetPorts resolved
 * per pod. Services without a selector are left alone (their Endpoints are user-managed);
 * a deleted Service's Endpoints are deleted.
 */
import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import type { Indexable } from '../../informers/indexer.ts';
import { desiredSubsets, endpointsLabels, endpointsUpToDate } from '../../../machines/controllers/endpoints/subsets.ts';
import { lastChangeTriggerTime, serviceSelector, TRIGGER_TIME_ANNOTATION } from '../../../machines/controllers/endpoints/pods.ts';
import { keyOf } from '../../informer.ts';
import { isAlreadyExists, isNotFound, splitKey, targets, unwrap } from '../../client/index.ts';
import type { Controller, ControllerContext, ControllerDefinition } from '../framework.ts';
import { podHandlers, podsOf } from './services.ts';

export function createEndpointsController(cc: ControllerContext): Controller {
  const enqueue = (o: Indexable) => cc.enqueue(keyOf(o));
  const services = cc.informer({ target: targets.services(), handlers: { add: enqueue, update: (_, cur) => enqueue(cur), delete: enqueue } });
  const pods = cc.informer({ target: targets.pods(), handlers: podHandlers(cc, () => services) });
  // A deleted or edited Endpoints object is put back (onEndpointsDelete).
  const endpoints = cc.informer({ target: targets.endpoints(), handlers: { update: (_, cur) => enqueue(cur), delete: enqueue } });

  return {
    async sync(key) {
      const { namespace = '', name } = splitKey(key);
      const svc = services.get(key);
      if (!svc) {
        const r = await cc.api.delete(targets.endpoints(namespace, name));
        if (!r.ok && !isNotFound(r.status)) unwrap(r);
        return;
      }
      if (!serviceSelector(svc)) return;
      const members = podsOf(pods, svc);
      const subsets = desiredSubsets(svc, members);
      const labels = endpointsLabels(svc);
      const cur = endpoints.get(key);
      if (cur && endpointsUpToDate(cur, subsets, labels)) return;
      const trigger = lastChangeTriggerTime(svc, members);
      const annotations = { ...cur?.metadata?.annotations, ...(trigger ? { [TRIGGER_TIME_ANNOTATION]: trigger } : {}) };
      const next: Endpoints = {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: {
          ...(cur?.metadata ?? {}),
          name,
          namespace,
          labels,
          annotations,
        },
        subsets,
      };
      if (!cur) {
        const r = await cc.api.create(targets.endpoints(namespace), next);
        // The cache lags a write made a moment ago: look again once it has caught up.
        if (!r.ok && isAlreadyExists(r.status)) throw new Error(`endpoints ${key} exist but are not in the cache yet`);
        unwrap(r);
        return;
      }
      unwrap(await cc.api.update(targets.endpoints(namespace, name), next));
    },
  };
}

export const endpointsController: ControllerDefinition = {
  name: 'endpoint',
  aliases: ['endpoints-controller'],
  component: 'endpoint-controller',
  enabledByDefault: true,
  create: createEndpointsController,
};
