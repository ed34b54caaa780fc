/**
 * The Endpoints object a Service should have (endpoints_controller.go syncService): one
 * address per pod that should be in endpoints — under `addresses` when it serves traffic,
 * `notReadyAddresses` otherwise — grouped into subsets by the ports the pod resolves
 * (RepackSubsets), everything sorted so that an unchanged cluster yields an equal object.
 */
import type { EndpointAddress, EndpointPort, EndpointSubset, Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import { HEADLESS_LABEL, podRef, podServesTraffic, portsKey, resolvePorts, shouldPodBeInEndpoints, type ResolvedPort } from './pods.ts';

interface Group {
  ports: ResolvedPort[];
  ready: EndpointAddress[];
  notReady: EndpointAddress[];
}

function address(pod: Pod, svc: Service): EndpointAddress {
  const hostname = pod.spec?.hostname && pod.spec.subdomain === svc.metadata?.name && svc.metadata?.namespace === pod.metadata?.namespace ? pod.spec.hostname : undefined;
  return {
    ip: pod.status?.podIP ?? '',
    ...(hostname ? { hostname } : {}),
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    targetRef: podRef(pod),
  };
}

const byIP = (a: EndpointAddress, b: EndpointAddress) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : (a.targetRef?.uid ?? '') < (b.targetRef?.uid ?? '') ? -1 : 1);

/** The desired subsets for `svc` from the pods its selector matches (already filtered by selector). */
export function desiredSubsets(svc: Service, pods: readonly Pod[]): EndpointSubset[] {
  const groups = new Map<string, Group>();
  const headlessNoPorts = svc.spec?.clusterIP === 'None' && (svc.spec?.ports ?? []).length === 0;
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, false)) continue;
    const ports = resolvePorts(pod, svc);
    // A pod that resolves none of the ports backs nothing, except for a port-less headless Service.
    if (ports.length === 0 && !headlessNoPorts) continue;
    const key = portsKey(ports);
    const g = groups.get(key) ?? { ports, ready: [], notReady: [] };
    groups.set(key, g);
    (podServesTraffic(pod, svc) ? g.ready : g.notReady).push(address(pod, svc));
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, g]) => {
      const ports: EndpointPort[] = [...g.ports].sort((a, b) => ((a.name ?? '') < (b.name ?? '') ? -1 : 1));
      return {
        ...(g.ready.length ? { addresses: g.ready.sort(byIP) } : {}),
        ...(g.notReady.length ? { notReadyAddresses: g.notReady.sort(byIP) } : {}),
        ...(ports.length ? { ports } : {}),
      };
    });
}

/** The labels of a Service's Endpoints: the Service's, plus the headless marker. */
export function endpointsLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...svc.metadata?.labels };
  if (svc.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  return labels;
}

/** True when `cur` already says what `subsets` and `labels` say (the controller then writes nothing). */
export function endpointsUpToDate(cur: Endpoints, subsets: readonly EndpointSubset[], labels: Record<string, string>): boolean {
  return canonical(cur.subsets ?? []) === canonical(subsets) && canonical(sortKeys(cur.metadata?.labels ?? {})) === canonical(sortKeys(labels));
}

const canonical = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? sortKeys(x as Record<string, unknown>) : x));
function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}
