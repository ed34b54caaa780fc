/**
 * The few apiserver targets a kubelet writes, and a helper that turns an error Result into
 * a thrown StatusError for the chart's invoked effects (their rejection is the chart's
 * onError, which backs off).
 */
import type { ApiTarget } from '../../bus/catalogue/api.ts';
import { StatusError, type Result } from '../../base/status.ts';
import { NODE_LEASE_NAMESPACE } from '../../machines/kubelet/node.ts';

export const targets = {
  node: (name?: string, subresource?: string): ApiTarget => ({
    group: '', version: 'v1', resource: 'nodes', ...(name ? { name } : {}), ...(subresource ? { subresource } : {}),
  }),
  lease: (name?: string): ApiTarget => ({
    group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: NODE_LEASE_NAMESPACE, ...(name ? { name } : {}),
  }),
  pod: (namespace: string, name?: string, subresource?: string): ApiTarget => ({
    group: '', version: 'v1', resource: 'pods', namespace, ...(name ? { name } : {}), ...(subresource ? { subresource } : {}),
  }),
  /** Every pod in every namespace (the kubelet's watch narrows it with a field selector). */
  allPods: (): ApiTarget => ({ group: '', version: 'v1', resource: 'pods' }),
};

/** The value, or a thrown StatusError carrying the apiserver's Status. */
export function must<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  throw new StatusError(r.status);
}
