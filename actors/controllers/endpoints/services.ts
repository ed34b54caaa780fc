/**
 * The pod → Service mapping both endpoint controllers need (GetPodServiceMemberships): the
 * Services in a pod's namespace whose selector matches the pod's labels. Watch handlers
 * enqueue those Services for a pod's old and new labels alike.
 */
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { keyOf } from '../../informer.ts';
import { NAMESPACE_INDEX } from '../../informers/indexer.ts';
import { selectorMatches, serviceSelector } from '../../../machines/controllers/endpoints/pods.ts';
import type { ControllerContext, InformerView, ObjectHandlers } from '../framework.ts';

/** Keys of the Services selecting `pod` (those of its namespace, from the namespace index). */
export function servicesOf(services: InformerView<Service>, pod: Pod): string[] {
  return services
    .byIndex(NAMESPACE_INDEX, pod.metadata?.namespace ?? '')
    .filter((s) => {
      const sel = serviceSelector(s);
      return sel !== undefined && selectorMatches(sel, pod.metadata?.labels);
    })
    .map(keyOf);
}

/** The pods (from the cache's namespace index) a Service's selector matches. */
export function podsOf(pods: InformerView<Pod>, svc: Service): Pod[] {
  const sel = serviceSelector(svc);
  if (!sel) return [];
  return pods.byIndex(NAMESPACE_INDEX, svc.metadata?.namespace ?? '').filter((p) => selectorMatches(sel, p.metadata?.labels));
}

/** Pod handlers that enqueue every Service a pod was or is a member of, when something that matters changed. */
export function podHandlers(cc: ControllerContext, services: () => InformerView<Service>): ObjectHandlers<Pod> {
  const enqueueFor = (pod: Pod) => {
    for (const k of servicesOf(services(), pod)) cc.enqueue(k);
  };
  return {
    add: enqueueFor,
    update: (old, cur) => {
      if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
      enqueueFor(cur);
      if (JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {})) enqueueFor(old);
    },
    delete: enqueueFor,
  };
}
