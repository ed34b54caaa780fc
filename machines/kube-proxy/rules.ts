/**
 * What one node's kube-proxy serves, computed from Services, EndpointSlices and Nodes as
 * kube-proxy's ServiceChangeTracker / EndpointsChangeTracker and its topology filter
 * (pkg/proxy/topology.go CategorizeEndpoints) do. Pure: the chart holds the result, the
 * proxier (actors/kube-proxy/) opens and closes listeners to match it.
 *
 * Decisions that follow from several nodes sharing one host network:
 * - A ClusterIP is bound once on the host, by the owner: the Ready node that sorts first by
 *   name. Every other kube-proxy is a standby and takes over when the owner's Node stops
 *   being Ready (its kubelet stopped renewing its Lease), so `internalTrafficPolicy: Local`
 *   means the owner's endpoints (its clients cannot be told apart by node on one host).
 * - A NodePort is bound by each node's kube-proxy on its own InternalIP, so
 *   `externalTrafficPolicy: Local` means that node's endpoints.
 * - An externalIP (`spec.externalIPs`) is bound like a ClusterIP, by the owner, when it is an
 *   address of this host (127.0.0.0/8); it carries external traffic, so
 *   `externalTrafficPolicy: Local` means the owner's endpoints. Any other address cannot be
 *   bound here and is reported as not served; when two Services name the same
 *   externalIP:port, the first one listed serves it and the other is reported.
 * - A listener exists only while its port has an endpoint to send to: a Service without
 *   endpoints refuses connections at once (ECONNREFUSED), as the iptables proxier's REJECT.
 */
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { SERVICE_NAME_LABEL, serviceEndpoints, type ServiceEndpoint } from '../service-endpoints.ts';

/** kube-proxy's default sessionAffinityConfig.clientIP.timeoutSeconds (3 hours). */
export const DEFAULT_AFFINITY_SECONDS = 10_800;
/** kube-proxy's --healthz-bind-address port. */
export const HEALTHZ_PORT = 10256;

export type ProxyProtocol = 'TCP' | 'UDP';

/** One endpoint of a Service port, with the conditions kube-proxy reads. */
export type ProxyEndpoint = ServiceEndpoint;

/** One listener the node should have: an address and port, and where its new connections go. */
export interface ListenerRule {
  /** `ip:PROTO/port`: a listener is replaced only when this changes. */
  key: string;
  /** `namespace/name:portName` of the Service port, for logs and affinity. */
  servicePort: string;
  ip: string;
  port: number;
  protocol: ProxyProtocol;
  /** Who gets new connections (never empty: a port without endpoints has no listener). */
  endpoints: ProxyEndpoint[];
  /** sessionAffinity ClientIP: how long a client sticks to its endpoint after its last connection. */
  affinitySeconds?: number;
  /**
   * UDP only, when there are any: endpoints still serving that take no new flows (terminating
   * while others are ready). Their flows are kept; flows to any endpoint in neither list are
   * forgotten, as kube-proxy deletes the conntrack entries of UDP endpoints not serving.
   */
  draining?: ProxyEndpoint[];
}

/** An address a Service asks for that this node does not serve, and why (logged once). */
export interface NotServed {
  /** `ip:PROTO/port`. */
  key: string;
  servicePort: string;
  reason: string;
}

/** A healthCheckNodePort this node serves (externalTrafficPolicy Local). */
export interface HealthCheckRule {
  service: { namespace: string; name: string };
  port: number;
  /** The node's ready endpoints of the Service: 0 answers 503. */
  localEndpoints: number;
}

/**
 * A ClusterIP TCP port as this node's pods reach it without a proxy (connect-time
 * translation, actors/runtime/process/connect-shim.c): where their new connections go.
 */
export interface ConnectRule {
  ip: string;
  port: number;
  /** The usable endpoints from this node's view (internalTrafficPolicy Local: its own); empty refuses. */
  endpoints: Array<{ ip: string; port: number }>;
}

export interface ProxyRules {
  /** Whether this node binds the ClusterIPs (see the decision above). */
  ownsClusterIPs: boolean;
  listeners: ListenerRule[];
  /**
   * Every proxied Service's TCP ports without session affinity (which needs kube-proxy's
   * memory of clients, so those keep the listener path), whether or not this node binds them.
   */
  connect: ConnectRule[];
  healthChecks: HealthCheckRule[];
  /** The owner's externalIPs it cannot serve (present only when there are any). */
  notServed?: NotServed[];
}

export interface ProxyInputs {
  nodeName: string;
  /** This node's InternalIP: where its NodePorts listen. */
  nodeIP: string;
  services: readonly Service[];
  slices: readonly EndpointSlice[];
  nodes: readonly Node[];
}

const isReadyNode = (n: Node): boolean => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** The node that binds the ClusterIPs: the Ready node first by name (undefined: none is Ready). */
export function clusterIPOwner(nodes: readonly Node[]): string | undefined {
  let first: string | undefined;
  for (const n of nodes) {
    const name = n.metadata?.name;
    if (name && isReadyNode(n) && !n.metadata?.deletionTimestamp && (first === undefined || name < first)) first = name;
  }
  return first;
}

/** Whether kube-proxy proxies the Service at all: headless and ExternalName Services are not. */
export function isProxied(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return svc.spec?.type !== 'ExternalName' && !!ip && ip !== 'None';
}

/**
 * kube-proxy's endpoint choice for new connections: the ready endpoints; when none is ready,
 * the ones still serving while terminating (ProxyTerminatingEndpoints), so a rollout's last
 * pod still answers; terminating endpoints otherwise take no new connections and drain.
 */
export function usableEndpoints(eps: readonly ProxyEndpoint[]): ProxyEndpoint[] {
  const ready = eps.filter((e) => e.ready);
  return ready.length ? ready : eps.filter((e) => e.serving && e.terminating);
}

const slicesKey = (ns: string, name: string) => `${ns}/${name}`;

/** Whether `ip` is an IPv4 address of this host's loopback range, the only ones a listener can bind here. */
export const isHostAddress = (ip: string): boolean => {
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  return !!m && m.slice(1).every((o) => Number(o) <= 255);
};

/** The listeners and health checks of `nodeName`'s kube-proxy. */
export function proxyRules(i: ProxyInputs): ProxyRules {
  const owns = clusterIPOwner(i.nodes) === i.nodeName;
  const slicesBySvc = new Map<string, EndpointSlice[]>();
  for (const sl of i.slices) {
    const svc = sl.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!svc || sl.metadata?.deletionTimestamp) continue;
    const k = slicesKey(sl.metadata?.namespace ?? '', svc);
    slicesBySvc.set(k, [...(slicesBySvc.get(k) ?? []), sl]);
  }
  const listeners: ListenerRule[] = [];
  const healthChecks: HealthCheckRule[] = [];
  const notServed: NotServed[] = [];
  const connect: ConnectRule[] = [];
  const taken = new Map<string, string>();
  for (const svc of i.services) {
    if (!isProxied(svc) || svc.metadata?.deletionTimestamp) continue;
    const ns = svc.metadata?.namespace ?? '';
    const name = svc.metadata?.name ?? '';
    const slices = slicesBySvc.get(slicesKey(ns, name)) ?? [];
    const spec = svc.spec!;
    const affinity = spec.sessionAffinity === 'ClientIP' ? { affinitySeconds: spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS } : {};
    const externalIPs = spec.externalIPs ?? [];
    const externalLocal = spec.externalTrafficPolicy === 'Local' && (spec.type === 'NodePort' || spec.type === 'LoadBalancer' || externalIPs.length > 0);
    let localReady = 0;
    for (const p of spec.ports ?? []) {
      const protocol = (p.protocol ?? 'TCP') as ProxyProtocol;
      if (protocol !== 'TCP' && protocol !== 'UDP') continue;
      const portName = p.name ?? '';
      const all = serviceEndpoints(slices, portName, protocol);
      const local = all.filter((e) => e.nodeName === i.nodeName);
      localReady = Math.max(localReady, local.filter((e) => e.ready).length);
      const servicePort = `${ns}/${name}:${portName}`;
      const add = (ip: string, port: number, eps: ProxyEndpoint[]) => {
        const endpoints = usableEndpoints(eps);
        if (!endpoints.length) return;
        const key = `${ip}:${protocol}/${port}`;
        const first = taken.get(key);
        if (first !== undefined) return void notServed.push({ key, servicePort, reason: `${key} is already served for ${first}` });
        taken.set(key, servicePort);
        const draining = protocol === 'UDP' ? eps.filter((e) => e.serving && !endpoints.includes(e)) : [];
        listeners.push({ key, servicePort, ip, port, protocol, endpoints, ...affinity, ...(draining.length ? { draining } : {}) });
      };
      const internal = spec.internalTrafficPolicy === 'Local' ? local : all;
      if (owns) add(spec.clusterIP!, p.port, internal);
      if (protocol === 'TCP' && !affinity.affinitySeconds) connect.push({ ip: spec.clusterIP!, port: p.port, endpoints: usableEndpoints(internal).map((e) => ({ ip: e.ip, port: e.port })) });
      if (p.nodePort) add(i.nodeIP, p.nodePort, externalLocal ? local : all);
      for (const ip of owns ? externalIPs : []) {
        if (isHostAddress(ip)) add(ip, p.port, externalLocal ? local : all);
        else notServed.push({ key: `${ip}:${protocol}/${p.port}`, servicePort, reason: `externalIP ${ip} is not an address of this host (127.0.0.0/8): not served` });
      }
    }
    if (externalLocal && spec.healthCheckNodePort) healthChecks.push({ service: { namespace: ns, name }, port: spec.healthCheckNodePort, localEndpoints: localReady });
  }
  return { ownsClusterIPs: owns, listeners, connect, healthChecks, ...(notServed.length ? { notServed } : {}) };
}
