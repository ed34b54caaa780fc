/**
 * A backend's ready endpoints, as ingress-nginx resolves them (straight to the pods, so the
 * ingress needs no kube-proxy): the Service port the backend names (by number or name), then
 * that port's ready endpoints in the Service's EndpointSlices.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { BackendRef } from './routes.ts';
import { SERVICE_NAME_LABEL, serviceEndpoints, sliceOf } from '../service-endpoints.ts';

export { SERVICE_NAME_LABEL };

export interface Target {
  ip: string;
  port: number;
}

export type Resolved =
  | { type: 'targets'; targets: Target[] }
  /** Why there is nothing to send to, in words for the 503 body. */
  | { type: 'unavailable'; reason: string };

export function resolveBackend(b: BackendRef, service: Service | undefined, slices: readonly EndpointSlice[]): Resolved {
  const svcName = `${b.namespace}/${b.service}`;
  if (!service) return { type: 'unavailable', reason: `service "${svcName}" not found` };
  const sp = (service.spec?.ports ?? []).find((p) => (b.port.name ? p.name === b.port.name : p.port === b.port.number));
  const wanted = b.port.name ?? String(b.port.number);
  if (!sp) return { type: 'unavailable', reason: `service "${svcName}" has no port ${wanted}` };
  const mine = slices.filter((sl) => sliceOf(sl, b.namespace, b.service));
  const targets: Target[] = serviceEndpoints(mine, sp.name ?? '', sp.protocol ?? 'TCP').filter((e) => e.ready).map(({ ip, port }) => ({ ip, port }));
  if (targets.length === 0) return { type: 'unavailable', reason: `service "${svcName}" has no ready endpoints for port ${wanted}` };
  return { type: 'targets', targets };
}
