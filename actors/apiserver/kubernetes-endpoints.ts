/**
 * kube-apiserver's endpoint reconciler: the `kubernetes` Service in default has no selector,
 * so the apiserver itself keeps its Endpoints and EndpointSlice naming where it serves
 * (address and port of the HTTPS front). kube-proxy then forwards the Service's ClusterIP to
 * it, and a pod reaches the API at `kubernetes.default` / $KUBERNETES_SERVICE_HOST as in any
 * cluster. Like the real reconciler, it re-checks every 10 s and restores what was changed or
 * deleted.
 */
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { ApiClient, ensureObject, targets } from '../client/index.ts';
import type { Bus, Port } from '../../bus/bus.ts';

/** kube-apiserver's --endpoint-reconciler-type=lease interval. */
export const ENDPOINT_RECONCILE_MS = 10_000;

export function kubernetesEndpoints(ip: string, port: number): { endpoints: Endpoints; slice: EndpointSlice } {
  const ports = [{ name: 'https', port, protocol: 'TCP' }];
  return {
    endpoints: {
      apiVersion: 'v1', kind: 'Endpoints',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: [{ ip }], ports }],
    },
    slice: {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [ip], conditions: { ready: true } }],
      ports,
    },
  };
}

/** Creates or corrects the two objects; resolves to the messages of what failed (empty when all is well). */
export async function ensureKubernetesEndpoints(port: Port, ip: string, servingPort: number): Promise<string[]> {
  const api = new ApiClient(port);
  const want = kubernetesEndpoints(ip, servingPort);
  const wantSlice = JSON.stringify([want.slice.endpoints.map((e) => e.addresses), want.slice.ports]);
  const results = await Promise.all([
    ensureObject(api, targets.endpoints, want.endpoints, (cur) => JSON.stringify(cur.subsets) === JSON.stringify(want.endpoints.subsets)),
    ensureObject(api, targets.endpointslices, want.slice, (cur) => JSON.stringify([cur.endpoints?.map((e) => e.addresses), cur.ports]) === wantSlice),
  ]);
  return results.flatMap((r, i) => (r.ok ? [] : [`${i === 0 ? 'Endpoints' : 'EndpointSlice'} default/kubernetes: ${r.status.message}`]));
}

/**
 * Keeps the `kubernetes` Service's Endpoints and EndpointSlice naming the front at `url`
 * (checked now, then every ENDPOINT_RECONCILE_MS) until `stop`; `warn` hears what failed.
 */
export function publishApiEndpoints(bus: Bus, url: URL, warn: (line: string) => void): { stop(): void } {
  const port = bus.register('edge.apiserver-endpoints', () => {});
  let stopped = false;
  // A check still in flight at stop fails with the closed port: that is the stop, not a fault to warn about.
  const ensure = () => void ensureKubernetesEndpoints(port, url.hostname, Number(url.port)).then((failures) => stopped || failures.forEach((f) => warn(`kubernetes endpoints: ${f}`)));
  ensure();
  const timer = setInterval(ensure, ENDPOINT_RECONCILE_MS);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
      port.close();
    },
  };
}
