/**
 * A backend's ready endpoints, as ingress-nginx resolves them (straight to the pods, so the
 * ingress needs no kube-proxy): the Service port the backend names (by number or name), then
 * the EndpointSlices labelled with the Service's name, their port of that Service port's name,
 * and their endpoints whose `ready` condition is not false.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { BackendRef } from './routes.ts';

/** The label an EndpointSlice names its Service with (discovery/v1 LabelServiceName). */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

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
  const portName = sp.name ?? '';
  const targets: Target[] = [];
  const seen = new Set<string>();
  for (const slice of slices) {
    if (slice.metadata?.labels?.[SERVICE_NAME_LABEL] !== b.service || slice.metadata?.namespace !== b.namespace) continue;
    if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') continue;
    const port = (slice.ports ?? []).find((p) => (p.name ?? '') === portName)?.port;
    if (port === undefined) continue;
    for (const ep of slice.endpoints ?? []) {
      if (ep.conditions?.ready === false) continue;
      const ip = ep.addresses[0];
      if (!ip || seen.has(`${ip}:${port}`)) continue;
      seen.add(`${ip}:${port}`);
      targets.push({ ip, port });
    }
  }
  if (targets.length === 0) return { type: 'unavailable', reason: `service "${svcName}" has no ready endpoints for port ${wanted}` };
  return { type: 'targets', targets };
}
