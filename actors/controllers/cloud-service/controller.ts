/**
 * The cloud-controller-manager's service controller (k8s.io/cloud-provider
 * controllers/service) with the local provider: a `type: LoadBalancer` Service gets an
 * address from a loopback pool (options.loadBalancerCIDR, default 127.0.2.0/24) in
 * status.loadBalancer.ingress — `kubectl get svc` shows it as EXTERNAL-IP — and gives it
 * back when it is deleted or changes type. Services with spec.loadBalancerClass belong to
 * another implementation and are left alone, as upstream does. Keys are "namespace/name".
 *
 * With the option `serve-traffic` (on in `kubeactor up`, off in a replay and in library
 * clusters that want no sockets) the address carries traffic: listeners on it forward to the
 * nodes' NodePorts (balancer.ts) — every Ready node, or with externalTrafficPolicy Local only
 * the nodes with a ready endpoint of the Service.
 *
 * Not done: the load-balancer-cleanup finalizer (releasing is local and cannot fail, so a
 * deleted Service's address is simply freed).
 */
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Indexable } from '../../informers/indexer.ts';
import { isNotFound, targets, unwrap } from '../../client/index.ts';
import type { Controller, ControllerContext, ControllerDefinition } from '../framework.ts';
import { sliceOf } from '../../../machines/service-endpoints.ts';
import { LoadBalancers, type BalancedPort, type BalancerSpec } from './balancer.ts';
import { AddressPool, DEFAULT_LOAD_BALANCER_CIDR } from './pool.ts';

/** When the pool is exhausted, look again this much later (a Service elsewhere may go). */
const EXHAUSTED_RETRY_MS = 60_000;

const keyOf = (o: Indexable): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
const wantsLoadBalancer = (s: Service): boolean => s.spec?.type === 'LoadBalancer' && !s.spec.loadBalancerClass && !s.metadata?.deletionTimestamp;
const ingressIPs = (s: Service): string[] => (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter(Boolean);
const SOURCE_RANGES_ANNOTATION = 'service.beta.kubernetes.io/load-balancer-source-ranges';
const EXCLUDE_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

const isReady = (n: Node): boolean => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const internalIP = (n: Node): string | undefined => n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;

/** spec.loadBalancerSourceRanges, else the annotation's comma-separated list, as the cloud provider reads them. */
function sourceRanges(svc: Service): string[] {
  const fromSpec = svc.spec?.loadBalancerSourceRanges ?? [];
  if (fromSpec.length) return fromSpec;
  return (svc.metadata?.annotations?.[SOURCE_RANGES_ANNOTATION] ?? '').split(',').map((r) => r.trim()).filter(Boolean);
}

function balancedPorts(svc: Service): BalancedPort[] {
  return (svc.spec?.ports ?? []).filter((p) => p.nodePort && (p.protocol ?? 'TCP') !== 'SCTP').map((p) => ({ protocol: (p.protocol ?? 'TCP') as 'TCP' | 'UDP', port: p.port, nodePort: p.nodePort! }));
}

export function createCloudServiceController(cc: ControllerContext): Controller {
  const pool = new AddressPool((cc.options.loadBalancerCIDR as string | undefined) ?? DEFAULT_LOAD_BALANCER_CIDR, (cc.options.reserved as string[] | undefined) ?? []);
  const enqueue = (o: Indexable) => cc.enqueue(keyOf(o));
  const services = cc.informer({ target: targets.services(), handlers: { add: enqueue, update: (_, o) => enqueue(o), delete: enqueue } });
  const balancers = cc.options['serve-traffic'] ? new LoadBalancers() : undefined;
  // Subscribed with or without traffic: a replay (which serves none) must follow the same informers.
  const nodes = cc.informer({ target: targets.nodes() });
  const slices = cc.informer({ target: targets.endpointslices() });
  let seeded = false;

  /** Ready nodes' InternalIPs; for externalTrafficPolicy Local only those with a ready endpoint of the Service. */
  function backends(key: string): string[] {
    const svc = services.get(key);
    if (!svc) return [];
    let eligible = nodes.list().filter((n) => isReady(n) && n.metadata?.labels?.[EXCLUDE_LABEL] === undefined && !n.spec?.unschedulable);
    if (svc.spec?.externalTrafficPolicy === 'Local') {
      const local = new Set<string>();
      for (const sl of slices.list()) {
        if (!sliceOf(sl, svc.metadata?.namespace, svc.metadata?.name)) continue;
        for (const e of (sl as EndpointSlice).endpoints ?? []) if (e.nodeName && e.conditions?.ready !== false) local.add(e.nodeName);
      }
      eligible = eligible.filter((n) => local.has(n.metadata?.name ?? ''));
    }
    return eligible.map(internalIP).filter((ip): ip is string => ip !== undefined);
  }

  /** Opens the Service's listeners on `ip`; a port that cannot listen is a SyncLoadBalancerFailed event and a retry. */
  async function serve(key: string, svc: Service, ip: string): Promise<{ requeueAfter: number } | undefined> {
    if (!balancers) return undefined;
    const spec: BalancerSpec = { ip, ports: balancedPorts(svc), sourceRanges: sourceRanges(svc), backends: () => backends(key) };
    let failures: string[];
    try {
      failures = await balancers.ensure(key, spec);
    } catch (err) {
      failures = [(err as Error).message];
    }
    if (!failures.length) return undefined;
    void cc.events.record(svc, 'Warning', 'SyncLoadBalancerFailed', `Error syncing load balancer: failed to ensure load balancer: ${failures.join('; ')}`);
    return { requeueAfter: EXHAUSTED_RETRY_MS };
  }

  // The pool lives in memory: on (re)start, addresses already in Services' status are taken first.
  function seed(): void {
    if (seeded) return;
    seeded = true;
    for (const s of services.list()) {
      if (!wantsLoadBalancer(s)) continue;
      for (const ip of ingressIPs(s)) if (pool.hold(keyOf(s), ip)) break;
    }
  }

  async function writeIngress(svc: Service, ingress: { ip: string; ipMode: string }[]): Promise<void> {
    const status = { ...svc.status, loadBalancer: ingress.length ? { ingress } : {} };
    const r = await cc.api.updateStatus(targets.services(svc.metadata?.namespace, svc.metadata?.name), { ...svc, status });
    if (!r.ok && isNotFound(r.status)) return;
    unwrap(r);
  }

  return {
    async sync(key) {
      seed();
      const svc = services.get(key);
      if (!svc || !wantsLoadBalancer(svc)) {
        balancers?.remove(key);
        pool.release(key);
        // A Service that stopped being a load balancer loses its address (ours or stale).
        if (svc && !svc.spec?.loadBalancerClass && ingressIPs(svc).some((ip) => pool.contains(ip))) {
          void cc.events.record(svc, 'Normal', 'DeletingLoadBalancer', 'Deleting load balancer');
          await writeIngress(svc, []);
          void cc.events.record(svc, 'Normal', 'DeletedLoadBalancer', 'Deleted load balancer');
        }
        return;
      }
      const requested = svc.spec?.loadBalancerIP || undefined;
      const ip = pool.allocate(key, requested);
      if (ip === null) {
        const why = requested ? `requested address ${requested} is not free in ${pool.cidr}` : `no free address in ${pool.cidr}`;
        void cc.events.record(svc, 'Warning', 'SyncLoadBalancerFailed', `Error syncing load balancer: failed to ensure load balancer: ${why}`);
        return { requeueAfter: EXHAUSTED_RETRY_MS };
      }
      const current = svc.status?.loadBalancer?.ingress ?? [];
      if (current.length === 1 && current[0]?.ip === ip) return serve(key, svc, ip);
      void cc.events.record(svc, 'Normal', 'EnsuringLoadBalancer', 'Ensuring load balancer');
      const failed = await serve(key, svc, ip);
      if (failed) return failed;
      await writeIngress(svc, [{ ip, ipMode: 'VIP' }]);
      void cc.events.record(svc, 'Normal', 'EnsuredLoadBalancer', 'Ensured load balancer');
    },
    stop() {
      balancers?.close();
    },
  };
}

export const cloudServiceController: ControllerDefinition = {
  name: 'cloud-service',
  aliases: ['service-lb-controller'],
  component: 'cloud-controller-manager',
  enabledByDefault: true,
  create: createCloudServiceController,
  // A replay must not open the recorded run's listeners again.
  replayOptions: (recorded) => ({ ...recorded, 'serve-traffic': false }),
};
