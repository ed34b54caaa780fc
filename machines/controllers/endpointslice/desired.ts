/**
 * The endpoints a Service should have in EndpointSlices (endpointslice reconciler's
 * desired state): one IPv4 endpoint per pod that should be in endpoints — terminating pods
 * included, flagged by conditions — grouped by the port list the pod resolves. Pure.
 */
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { isPodReady } from '../pods.ts';
import { HEADLESS_LABEL, podRef, portsKey, resolvePorts, shouldPodBeInEndpoints } from '../endpoints/pods.ts';

/** maxEndpointsPerSlice (--max-endpoints-per-slice, default 100). */
export const MAX_ENDPOINTS_PER_SLICE = 100;
export { SERVICE_NAME_LABEL } from '../../service-endpoints.ts';
import { SERVICE_NAME_LABEL } from '../../service-endpoints.ts';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';

export interface PortGroup {
  ports: EndpointPort[];
  endpoints: Endpoint[];
}

const isIPv4 = (ip: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(ip);

/** podToEndpoint: address, conditions (ready/serving/terminating), nodeName, targetRef. */
export function podToEndpoint(pod: Pod, svc: Service): Endpoint {
  const terminating = pod.metadata?.deletionTimestamp !== undefined && pod.metadata?.deletionTimestamp !== null;
  const serving = svc.spec?.publishNotReadyAddresses === true || isPodReady(pod);
  const hostname = pod.spec?.hostname && pod.spec.subdomain === svc.metadata?.name ? pod.spec.hostname : undefined;
  return {
    addresses: [pod.status?.podIP ?? ''],
    conditions: { ready: serving && !terminating, serving, terminating },
    ...(hostname ? { hostname } : {}),
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    targetRef: podRef(pod),
  };
}

/** Desired endpoints by port-list key, each list sorted by address. */
export function desiredGroups(svc: Service, pods: readonly Pod[]): Map<string, PortGroup> {
  const groups = new Map<string, PortGroup>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true) || !isIPv4(pod.status?.podIP ?? '')) continue;
    const resolved = resolvePorts(pod, svc);
    const key = portsKey(resolved);
    // getEndpointPorts names every port, "" for an unnamed one (kubectl describe dereferences the name).
    const ports: EndpointPort[] = resolved.map((p) => ({ ...p, name: p.name ?? '' }));
    const g = groups.get(key) ?? { ports, endpoints: [] };
    groups.set(key, g);
    g.endpoints.push(podToEndpoint(pod, svc));
  }
  for (const g of groups.values()) g.endpoints.sort((a, b) => endpointKey(a).localeCompare(endpointKey(b)));
  return groups;
}

/** An endpoint's identity across syncs: its pod (or its first address). */
export const endpointKey = (e: Endpoint): string => e.targetRef?.uid || e.addresses[0] || '';

/** The labels a managed slice carries: the Service's, plus service-name, managed-by and headless. */
export function sliceLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...svc.metadata?.labels };
  labels[SERVICE_NAME_LABEL] = svc.metadata?.name ?? '';
  labels[MANAGED_BY_LABEL] = CONTROLLER_NAME;
  if (svc.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  return labels;
}

/** The port-list key of an existing slice (as desiredGroups computes it). */
export function slicePortsKey(s: EndpointSlice): string {
  return portsKey((s.ports ?? []).map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.port ?? 0, protocol: p.protocol ?? 'TCP', ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) })));
}
