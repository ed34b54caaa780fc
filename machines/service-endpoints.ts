/**
 * Reading a Service's endpoints from its EndpointSlices, the way every consumer of the
 * discovery API does (kube-proxy, ingress controllers, cluster DNS, the cloud provider): the
 * slices name their Service by label, and one Service port's endpoints are the slices' port
 * of the same name with each endpoint's conditions. Pure.
 */
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';

/** The label an EndpointSlice names its Service with (discovery/v1 LabelServiceName). */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** Whether `slice` belongs to the Service `namespace/name`. */
export const sliceOf = (slice: EndpointSlice, namespace: string | undefined, name: string | undefined): boolean =>
  slice.metadata?.namespace === namespace && slice.metadata?.labels?.[SERVICE_NAME_LABEL] === name;

/** One endpoint of a Service port, with the conditions its consumers read. */
export interface ServiceEndpoint {
  ip: string;
  port: number;
  nodeName?: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

/**
 * The endpoints of one Service port (by its name, '' when unnamed) from the Service's IPv4
 * slices, one per address; a named targetPort arrives resolved as the slice port's number.
 */
export function serviceEndpoints(slices: readonly EndpointSlice[], portName: string, protocol: string): ServiceEndpoint[] {
  const byIp = new Map<string, ServiceEndpoint>();
  for (const sl of slices) {
    if (sl.addressType !== 'IPv4') continue;
    const sp = (sl.ports ?? []).find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol);
    if (!sp?.port) continue;
    for (const e of sl.endpoints ?? []) {
      const ip = e.addresses?.[0];
      if (!ip || byIp.has(ip)) continue;
      const c = e.conditions ?? {};
      // Unset conditions: ready is true, serving follows ready, terminating is false (the API's rules).
      const ready = c.ready ?? true;
      byIp.set(ip, { ip, port: sp.port, ...(e.nodeName ? { nodeName: e.nodeName } : {}), ready, serving: c.serving ?? ready, terminating: c.terminating ?? false });
    }
  }
  return [...byIp.values()];
}
