/**
 * The EndpointSlice controller (pkg/controller/endpointslice): for every Service with a
 * selector, discovery.k8s.io/v1 EndpointSlices (addressType IPv4) listing its pods with
 * ready/serving/terminating conditions, at most 100 endpoints a slice, labelled
 * kubernetes.io/service-name and endpointslice.kubernetes.io/managed-by, and owned by the
 * Service. It touches only the slices it manages; a deleted Service's slices are deleted
 * (the garbage collector would too, through the owner reference).
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { NAMESPACE_INDEX, type Indexable } from '../../informers/indexer.ts';
import { CONTROLLER_NAME, desiredGroups, MANAGED_BY_LABEL, MAX_ENDPOINTS_PER_SLICE, SERVICE_NAME_LABEL, sliceLabels } from '../../../machines/controllers/endpointslice/desired.ts';
import { planSlices } from '../../../machines/controllers/endpointslice/plan.ts';
import { lastChangeTriggerTime, serviceSelector, TRIGGER_TIME_ANNOTATION } from '../../../machines/controllers/endpoints/pods.ts';
import { newControllerRef } from '../../../machines/controllers/owners.ts';
import { keyOf } from '../../informer.ts';
import { isNotFound, splitKey, targets, unwrap } from '../../client/index.ts';
import type { Controller, ControllerContext, ControllerDefinition } from '../framework.ts';
import { podHandlers, podsOf } from '../endpoints/services.ts';
import { SliceTracker } from './tracker.ts';

export function createEndpointSliceController(cc: ControllerContext): Controller {
  const max = Number(cc.options['max-endpoints-per-slice'] ?? cc.options.maxEndpointsPerSlice ?? MAX_ENDPOINTS_PER_SLICE);
  const enqueue = (o: Indexable) => cc.enqueue(keyOf(o));
  const services = cc.informer({ target: targets.services(), handlers: { add: enqueue, update: (_, cur) => enqueue(cur), delete: enqueue } });
  const pods = cc.informer({ target: targets.pods(), handlers: podHandlers(cc, () => services) });
  const enqueueOwner = (s: EndpointSlice) => {
    const svc = s.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (svc && s.metadata?.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME) cc.enqueue(`${s.metadata?.namespace}/${svc}`);
  };
  const slices = cc.informer({
    target: targets.endpointslices(),
    labelSelector: `${MANAGED_BY_LABEL}=${CONTROLLER_NAME}`,
    handlers: { update: (_, cur) => enqueueOwner(cur), delete: enqueueOwner },
  });

  const tracker = new SliceTracker();
  const target = (ns: string, name?: string) => targets.endpointslices(ns, name);
  const remove = async (key: string, s: EndpointSlice) => {
    const r = await cc.api.delete(target(s.metadata?.namespace ?? '', s.metadata?.name));
    if (!r.ok && !isNotFound(r.status)) unwrap(r);
    tracker.deleted(key, s.metadata?.name ?? '');
  };
  const write = async (key: string, r: Awaited<ReturnType<typeof cc.api.create>>) => tracker.written(key, unwrap(r).object as unknown as EndpointSlice);

  return {
    async sync(key) {
      const { namespace = '', name } = splitKey(key);
      const mine = slices.byIndex(NAMESPACE_INDEX, namespace).filter((s) => s.metadata?.labels?.[SERVICE_NAME_LABEL] === name);
      // Planning from a cache that misses our own last writes would duplicate slices: look again shortly.
      if (!tracker.caughtUp(key, mine)) return { requeueAfter: 100 };
      const svc = services.get(key);
      if (!svc || svc.metadata?.deletionTimestamp) {
        for (const s of mine) await remove(key, s);
        tracker.forget(key);
        return;
      }
      if (!serviceSelector(svc)) return;
      const members = podsOf(pods, svc);
      const owned = mine.filter((s) => s.metadata?.ownerReferences?.some((r) => r.uid === svc.metadata?.uid));
      // Slices of an older Service of the same name are not ours to keep.
      for (const s of mine) if (!owned.includes(s)) await remove(key, s);
      const plan = planSlices(owned, desiredGroups(svc, members), max);
      const labels = sliceLabels(svc);
      const trigger = lastChangeTriggerTime(svc, members);
      const meta = (prev?: EndpointSlice['metadata']): EndpointSlice['metadata'] => ({
        ...prev,
        namespace,
        labels,
        annotations: { ...prev?.annotations, ...(trigger ? { [TRIGGER_TIME_ANNOTATION]: trigger } : {}) },
        ownerReferences: [newControllerRef(svc, 'v1', 'Service')],
      });
      for (const s of plan.delete) await remove(key, s);
      for (const s of plan.update) {
        const next: EndpointSlice = { ...s, metadata: meta(s.metadata) };
        await write(key, await cc.api.update(target(namespace, s.metadata?.name), next as unknown));
      }
      // Label drift (the Service's labels changed) is written even when endpoints did not move.
      const touched = new Set([...plan.update, ...plan.delete].map((s) => s.metadata?.name));
      for (const s of owned) {
        if (touched.has(s.metadata?.name) || JSON.stringify(s.metadata?.labels ?? {}) === JSON.stringify(labels)) continue;
        await write(key, await cc.api.update(target(namespace, s.metadata?.name), { ...s, metadata: { ...s.metadata, labels } } as unknown));
      }
      for (const c of plan.create) {
        const slice: EndpointSlice = {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { ...meta(), generateName: `${name}-` },
          addressType: 'IPv4',
          ports: c.ports ?? [],
          endpoints: c.endpoints ?? [],
        };
        await write(key, await cc.api.create(target(namespace), slice as unknown));
      }
    },
  };
}

export const endpointSliceController: ControllerDefinition = {
  name: 'endpointslice',
  aliases: ['endpointslice-controller'],
  component: 'endpoint-slice-controller',
  enabledByDefault: true,
  create: createEndpointSliceController,
};
