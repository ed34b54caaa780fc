/**
 * The cloud-controller-manager's service controller (k8s.io/cloud-provider
 * controllers/service) with the local provider: a `type: LoadBalancer` Service gets an
 * address from a loopback pool (options.loadBalancerCIDR, default 127.0.2.0/24) in
 * status.loadBalancer.ingress — `kubectl get svc` shows it as EXTERNAL-IP — and gives it
 * back when it is deleted or changes type. Services with spec.loadBalancerClass belong to
 * another implementation and are left alone, as upstream does. Keys are "namespace/name".
 *
 * Not done: the load-balancer-cleanup finalizer (releasing is local and cannot fail, so a
 * deleted Service's address is simply freed) and traffic: the address is status only
 * until kube-proxy listens on it.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Indexable } from '../../informers/indexer.ts';
import { isNotFound, targets, unwrap } from '../../client/index.ts';
import type { Controller, ControllerContext, ControllerDefinition } from '../framework.ts';
import { AddressPool, DEFAULT_LOAD_BALANCER_CIDR } from './pool.ts';

/** When the pool is exhausted, look again this much later (a Service elsewhere may go). */
const EXHAUSTED_RETRY_MS = 60_000;

const keyOf = (o: Indexable): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
const wantsLoadBalancer = (s: Service): boolean => s.spec?.type === 'LoadBalancer' && !s.spec.loadBalancerClass && !s.metadata?.deletionTimestamp;
const ingressIPs = (s: Service): string[] => (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter(Boolean);

export function createCloudServiceController(cc: ControllerContext): Controller {
  const pool = new AddressPool((cc.options.loadBalancerCIDR as string | undefined) ?? DEFAULT_LOAD_BALANCER_CIDR);
  const enqueue = (o: Indexable) => cc.enqueue(keyOf(o));
  const services = cc.informer({ target: targets.services(), handlers: { add: enqueue, update: (_, o) => enqueue(o), delete: enqueue } });
  let seeded = false;

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
      if (current.length === 1 && current[0]?.ip === ip) return;
      void cc.events.record(svc, 'Normal', 'EnsuringLoadBalancer', 'Ensuring load balancer');
      await writeIngress(svc, [{ ip, ipMode: 'VIP' }]);
      void cc.events.record(svc, 'Normal', 'EnsuredLoadBalancer', 'Ensured load balancer');
    },
  };
}

export const cloudServiceController: ControllerDefinition = {
  name: 'cloud-service',
  aliases: ['service-lb-controller'],
  component: 'cloud-controller-manager',
  enabledByDefault: true,
  create: createCloudServiceController,
};
