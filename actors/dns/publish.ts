/**
 * The kube-dns Service and its EndpointSlice, as kubeadm's CoreDNS addon names them: the
 * Service `kube-system/kube-dns` at the Service range's 10th address (ports dns 53/UDP,
 * dns-tcp 53/TCP, metrics 9153/TCP), without a selector — no pod serves it — and an
 * EndpointSlice this server manages that points at its own listen address, so kube-proxy
 * forwards the ClusterIP's port 53 to it. The endpoint is ready only while the server listens.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { ApiClient, ensureObject, targets } from '../client/index.ts';
import type { Port } from '../../bus/bus.ts';

export const KUBE_DNS = { namespace: 'kube-system', name: 'kube-dns' } as const;
/** The EndpointSlice this server keeps (not the endpointslice controller's: the Service has no selector). */
export const KUBE_DNS_SLICE = 'kube-dns-kubeactor';
export const DNS_SLICE_MANAGER = 'dns.kubeactor.io';
export const DNS_METRICS_PORT = 9153;

const PORTS = [
  { name: 'dns', port: 53, protocol: 'UDP' },
  { name: 'dns-tcp', port: 53, protocol: 'TCP' },
  { name: 'metrics', port: DNS_METRICS_PORT, protocol: 'TCP' },
] as const;

export interface Publication {
  clusterIP: string;
  /** The server's own address (its EndpointSlice endpoint). */
  address: string;
  /** The port it listens on (53, unless a test chose another). */
  dnsPort: number;
  /** Its metrics port (9153, unless a test chose another). */
  metricsPort: number;
  ready: boolean;
}

/** Creates what is missing and repairs a slice that says otherwise; throws on an apiserver error. */
export async function publishKubeDns(port: Port, p: Publication): Promise<{ serviceIP: string }> {
  const api = new ApiClient(port);
  // The Service is only created: its ClusterIP, once allocated, is what it is.
  const svc = await ensureObject(api, targets.services, kubeDnsService(p.clusterIP), () => true);
  if (!svc.ok) throw new Error(`Service kube-system/kube-dns: ${svc.status.message}`);
  const want = kubeDnsSlice(p);
  const slice = await ensureObject(api, targets.endpointslices, want, (cur) => JSON.stringify([cur.endpoints, cur.ports]) === JSON.stringify([want.endpoints, want.ports]));
  if (!slice.ok) throw new Error(`EndpointSlice kube-system/${KUBE_DNS_SLICE}: ${slice.status.message}`);
  return { serviceIP: svc.value.spec?.clusterIP ?? '' };
}

export function kubeDnsService(clusterIP: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: KUBE_DNS.name,
      namespace: KUBE_DNS.namespace,
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
      annotations: { 'prometheus.io/port': String(DNS_METRICS_PORT), 'prometheus.io/scrape': 'true' },
    },
    spec: {
      type: 'ClusterIP',
      clusterIP,
      clusterIPs: [clusterIP],
      ports: PORTS.map((x) => ({ ...x, targetPort: x.port })),
      sessionAffinity: 'None',
    },
  };
}

export function kubeDnsSlice(p: Publication): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: KUBE_DNS_SLICE,
      namespace: KUBE_DNS.namespace,
      labels: { 'kubernetes.io/service-name': KUBE_DNS.name, 'endpointslice.kubernetes.io/managed-by': DNS_SLICE_MANAGER, 'k8s-app': 'kube-dns' },
    },
    addressType: 'IPv4',
    endpoints: [{ addresses: [p.address], conditions: { ready: p.ready, serving: p.ready, terminating: false } }],
    ports: PORTS.map((x) => ({ name: x.name, port: x.name === 'metrics' ? p.metricsPort : p.dnsPort, protocol: x.protocol })),
  };
}
