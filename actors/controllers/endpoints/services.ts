/**
 * The pod → Service mapping both endpoint controllers need (GetPodServiceMemberships): the
 * Services in a pod's namespace whose selector matches the pod's labels. Watch handlers
 * enqueue those Services for a pod's old and new labels alike.
 */
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import type { Informer } from '../../informer.ts';
import { keyOf } from '../../informer.ts';
import { selectorMatches, serviceSelector } from '../../../machines/controllers/endpoints/pods.ts';
import type { ControllerContext, ObjectHandlers } from '../framework.ts';

/** Keys of the Services selecting `pod`. */
export function servicesOf(services: Informer, pod: KubeObject): string[] {
  return services
    .list()
    .filter((s) => {
      const sel = serviceSelector(s as Service);
      return s.metadata?.namespace === pod.metadata?.namespace && sel !== undefined && selectorMatches(sel, pod.metadata?.labels);
    })
    .map(keyOf);
}

/** The pods (from the cache) a Service's selector matches. */
export function podsOf(pods: Informer, svc: Service): Pod[] {
  const sel = serviceSelector(svc);
  if (!sel) return [];
  return pods.list().filter((p) => p.metadata?.namespace === svc.metadata?.namespace && selectorMatches(sel, p.metadata?.labels)) as Pod[];
}

/** Pod handlers that enqueue every Service a pod was or is a member of, when something that matters changed. */
export function podHandlers(cc: ControllerContext, services: () => Informer): ObjectHandlers {
  const enqueueFor = (pod: KubeObject) => {
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
