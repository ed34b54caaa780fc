/**
 * The resource-quota controller (pkg/controller/resourcequota): keeps each ResourceQuota's
 * status.hard equal to its spec.hard and status.used equal to what the namespace's objects
 * use (api/quota/check.ts calculateUsage). A quota is synced when it is added or its
 * spec.hard changes, when an object it counts is deleted (or a pod ends, a Service changes
 * type, a claim changes size: the quota monitor's replenishment), and on a full resync of
 * every quota each `resourceQuotaSyncPeriod` (kube-controller-manager's
 * --resource-quota-sync-period, 5m). Adds are not counted here: quota admission charged them
 * already, and a recount from a cache that has not seen a just-admitted object would lose
 * its charge. Keys are "namespace/name" of quotas.
 */
import type { Pod, PersistentVolumeClaim, ResourceQuota, Service } from 'kubernetes-types/core/v1.js';
import { kindByResource } from '../../../api/kinds.ts';
import { calculateUsage, trackedResources } from '../../../api/quota/check.ts';
import type { Counted } from '../../../api/quota/evaluators.ts';
import { holdsCompute } from '../../../api/quota/pods.ts';
import { formatList, parseList } from '../../../api/quota/resources.ts';
import { deepEqual } from '../../../api/json.ts';
import { NAMESPACE_INDEX, type Indexable } from '../../informers/indexer.ts';
import type { InformerView } from '../../informers/shared.ts';
import { isNotFound, resourceTargets, splitKey, targets, unwrap } from '../../client/index.ts';
import type { Controller, ControllerContext, ControllerDefinition } from '../framework.ts';

/** kube-controller-manager's --resource-quota-sync-period default. */
export const RESOURCE_QUOTA_SYNC_PERIOD_MS = 5 * 60_000;

const keyOf = (o: Indexable): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/** GetQuotaServiceType: what a Service is counted as. */
const serviceType = (s: Service): string => (s.spec?.type === 'NodePort' || s.spec?.type === 'LoadBalancer' ? s.spec.type : '');

export function createResourceQuotaController(cc: ControllerContext): Controller {
  const quotas = cc.informer({
    target: targets.resourcequotas(),
    handlers: {
      add: (q) => cc.enqueue(keyOf(q)),
      update: (old, cur) => {
        if (!deepEqual(old.spec?.hard ?? {}, cur.spec?.hard ?? {})) cc.enqueue(keyOf(cur));
      },
    },
  });
  // replenishQuota: the quotas of the object's namespace that count its resource.
  const replenish = (gr: string) => (o: Indexable): void => {
    for (const q of quotas.byIndex(NAMESPACE_INDEX, o.metadata?.namespace ?? '')) {
      if (trackedResources(Object.keys(q.spec?.hard ?? {})).includes(gr)) cc.enqueue(keyOf(q));
    }
  };
  const now = () => cc.actor.clock.now();
  const standing = new Map<string, InformerView<Indexable>>();
  const watch = <T extends Indexable>(gr: string, target: Parameters<ControllerContext['informer']>[0]['target'], changed?: (old: T, cur: T) => boolean) => {
    const r = replenish(gr);
    standing.set(gr, cc.informer<Indexable>({ target, handlers: { delete: r, ...(changed ? { update: (o: Indexable, c: Indexable) => (changed(o as T, c as T) ? r(c) : undefined) } : {}) } }));
  };
  watch<Pod>('pods', targets.pods(), (o, c) => holdsCompute(o, now()) && !holdsCompute(c, now()));
  watch<Service>('services', targets.services(), (o, c) => serviceType(o) !== serviceType(c));
  watch<PersistentVolumeClaim>('persistentvolumeclaims', targets.persistentvolumeclaims(), (o, c) => o.spec?.resources?.requests?.storage !== c.spec?.resources?.requests?.storage);
  for (const [gr, t] of [
    ['configmaps', targets.configmaps()], ['secrets', targets.secrets()], ['resourcequotas', targets.resourcequotas()],
    ['deployments.apps', targets.deployments()], ['replicasets.apps', targets.replicasets()], ['statefulsets.apps', targets.statefulsets()],
    ['daemonsets.apps', targets.daemonsets()], ['jobs.batch', targets.jobs()], ['cronjobs.batch', targets.cronjobs()],
  ] as const) watch(gr, t);

  // The full resync: one timer for the controller, every quota enqueued each period.
  let timer: unknown;
  const resyncAll = (): void => {
    for (const q of quotas.list()) cc.enqueue(keyOf(q));
    timer = cc.actor.clock.setTimeout(resyncAll, Number(cc.options.resourceQuotaSyncPeriodMs ?? RESOURCE_QUOTA_SYNC_PERIOD_MS));
  };
  timer = cc.actor.clock.setTimeout(resyncAll, Number(cc.options.resourceQuotaSyncPeriodMs ?? RESOURCE_QUOTA_SYNC_PERIOD_MS));

  /** The namespace's objects of each resource the quota counts: from a standing informer, else listed through the apiserver. */
  async function objectsOf(q: ResourceQuota, ns: string): Promise<(gr: string) => readonly Counted[]> {
    const listed = new Map<string, readonly Counted[]>();
    for (const gr of trackedResources(Object.keys(q.spec?.hard ?? {}))) {
      if (standing.has(gr)) continue;
      const dot = gr.indexOf('.');
      const [resource, group] = dot < 0 ? [gr, ''] : [gr.slice(0, dot), gr.slice(dot + 1)];
      const kind = kindByResource(group, resource);
      if (!kind?.namespaced) continue;
      listed.set(gr, unwrap(await cc.api.list(resourceTargets<Counted>(group, kind.version, resource)(ns))).items);
    }
    return (gr) => standing.get(gr)?.byIndex(NAMESPACE_INDEX, ns) ?? listed.get(gr) ?? [];
  }

  return {
    async sync(key) {
      const q = quotas.get(key);
      if (!q || q.metadata?.deletionTimestamp) return;
      const ns = splitKey(key).namespace ?? '';
      const used = calculateUsage(q, await objectsOf(q, ns), now());
      const status = { hard: formatList(parseList(q.spec?.hard)), used };
      if (deepEqual(q.status ?? {}, status)) return;
      // The informer's resourceVersion is the precondition: a charge admission made since is a 409, and the sync runs again.
      const r = await cc.api.updateStatus(targets.resourcequotas(ns, q.metadata?.name), { ...q, status });
      if (!r.ok && isNotFound(r.status)) return;
      unwrap(r);
    },
    stop() {
      cc.actor.clock.clearTimeout(timer);
    },
  };
}

export const resourceQuotaController: ControllerDefinition = {
  name: 'resourcequota',
  aliases: ['resourcequota-controller'],
  component: 'resourcequota-controller',
  enabledByDefault: true,
  create: createResourceQuotaController,
};
