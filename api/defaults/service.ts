/**
 * Service defaulting (SetDefaults_Service) and what the REST layer needs to allocate: the
 * clusterIP and nodePort values come from the apiserver's allocators, not from here.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import { clone } from '../json.ts';

export function defaultService(svc: Service): Service {
  const o = clone(svc);
  const s = (o.spec ??= {});
  s.type ??= 'ClusterIP';
  s.sessionAffinity ??= 'None';
  if (s.sessionAffinity === 'ClientIP') {
    const cfg = ((s.sessionAffinityConfig ??= {}).clientIP ??= {});
    cfg.timeoutSeconds ??= 10800;
  }
  for (const p of s.ports ?? []) {
    p.protocol ??= 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (s.type !== 'ExternalName') {
    s.internalTrafficPolicy ??= 'Cluster';
    if (s.clusterIP !== 'None' || s.selector) {
      s.ipFamilyPolicy ??= 'SingleStack';
      s.ipFamilies ??= ['IPv4'];
    }
  }
  if (s.type === 'NodePort' || s.type === 'LoadBalancer' || (s.type === 'ClusterIP' && s.externalIPs?.length)) s.externalTrafficPolicy ??= 'Cluster';
  if (s.type === 'LoadBalancer') s.allocateLoadBalancerNodePorts ??= true;
  return o;
}

/** True when the apiserver must allocate a clusterIP (not ExternalName, not headless, not set). */
export function needsClusterIP(svc: Service): boolean {
  const s = svc.spec ?? {};
  return s.type !== 'ExternalName' && !s.clusterIP;
}

/** Indexes of spec.ports that need a nodePort allocated (NodePort, or LoadBalancer allocating them). */
export function portsNeedingNodePort(svc: Service): number[] {
  const s = svc.spec ?? {};
  const wants = s.type === 'NodePort' || (s.type === 'LoadBalancer' && s.allocateLoadBalancerNodePorts !== false);
  if (!wants) return [];
  return (s.ports ?? []).flatMap((p, i) => (p.nodePort ? [] : [i]));
}

/**
 * On update, values the allocators assigned earlier are kept when the new object omits them
 * (the registry's patchAllocatedValues), so `kubectl apply` without clusterIP is no change.
 */
export function keepAllocatedValues(svc: Service, old: Service): Service {
  const o = clone(svc);
  const s = (o.spec ??= {});
  const os = old.spec ?? {};
  if (s.type !== 'ExternalName' && os.type !== 'ExternalName') {
    if (!s.clusterIP && os.clusterIP) s.clusterIP = os.clusterIP;
    if (!s.clusterIPs && os.clusterIPs) s.clusterIPs = [...os.clusterIPs];
  }
  if (s.type === os.type) {
    for (const p of s.ports ?? []) {
      const match = (os.ports ?? []).find((q) => q.port === p.port && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
      if (!p.nodePort && match?.nodePort) p.nodePort = match.nodePort;
    }
  }
  return o;
}
