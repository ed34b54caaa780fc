/**
 * The disruption controller (pkg/controller/disruption/disruption.go): keeps each
 * PodDisruptionBudget's status — expectedPods, desiredHealthy, currentHealthy,
 * disruptionsAllowed, disruptedPods and the DisruptionAllowed condition — true to the pods
 * its selector picks. The eviction subresource (actors/apiserver/eviction.ts) reads that
 * status and spends disruptionsAllowed; this controller gives it back as pods recover.
 * Keys are "namespace/name" of budgets.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import { NAMESPACE_INDEX, type Indexable } from '../../informers/indexer.ts';
import { labelSelectorMatches } from '../../../api/selectors/labels.ts';
import { budgetStatus, countHealthy, disruptedPods, expectation, DISRUPTION_ALLOWED } from '../../../machines/controllers/disruption/budget.ts';
import { rfc3339 } from '../../../api/time.ts';
import { isNotFound, resourceTargets, splitKey, targets, unwrap } from '../../client/index.ts';
import type { Controller, ControllerContext, ControllerDefinition } from '../framework.ts';
import { expectedScale } from './scale.ts';

export const pdbs = targets.poddisruptionbudgets;

const keyOf = (o: Indexable): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

export function createDisruptionController(cc: ControllerContext): Controller {
  const budgets = cc.informer({
    target: pdbs(),
    handlers: { add: (p) => cc.enqueue(keyOf(p)), update: (_, p) => cc.enqueue(keyOf(p)) },
  });
  // getPdbForPod: a pod change concerns every budget in its namespace that selects it.
  const budgetsOf = (pod: Pod): void => {
    for (const b of budgets.byIndex(NAMESPACE_INDEX, pod.metadata?.namespace ?? '')) {
      if (labelSelectorMatches(b.spec?.selector, pod.metadata?.labels)) cc.enqueue(keyOf(b));
    }
  };
  const pods = cc.informer({ target: targets.pods(), handlers: { add: budgetsOf, update: (old, cur) => (budgetsOf(old), budgetsOf(cur)), delete: budgetsOf } });
  // A workload's replicas are the expected scale: any change may move a budget in its namespace.
  const inNamespace = (o: Indexable): void => {
    for (const b of budgets.byIndex(NAMESPACE_INDEX, o.metadata?.namespace ?? '')) cc.enqueue(keyOf(b));
  };
  const workload = { add: inNamespace, update: (_: Indexable, o: Indexable) => inNamespace(o), delete: inNamespace };
  const sources = {
    replicasets: cc.informer({ target: targets.replicasets(), handlers: workload }),
    deployments: cc.informer({ target: targets.deployments(), handlers: workload }),
    statefulsets: cc.informer({ target: targets.statefulsets(), handlers: workload }),
  };

  async function writeStatus(pdb: PodDisruptionBudget, status: PodDisruptionBudgetStatus): Promise<void> {
    if (JSON.stringify(pdb.status ?? {}) === JSON.stringify(status)) return;
    const { namespace, name } = pdb.metadata ?? {};
    const r = await cc.api.updateStatus(pdbs(namespace, name), { ...pdb, status });
    if (!r.ok && isNotFound(r.status)) return;
    unwrap(r);
  }

  return {
    async sync(key) {
      const pdb = budgets.get(key);
      if (!pdb || pdb.metadata?.deletionTimestamp) return;
      const ns = splitKey(key).namespace ?? '';
      const selected = pods.byIndex(NAMESPACE_INDEX, ns).filter((p) => labelSelectorMatches(pdb.spec?.selector, p.metadata?.labels));
      const nowMs = cc.actor.clock.now();
      const now = rfc3339(nowMs);
      const needsScale = pdb.spec?.maxUnavailable !== undefined || typeof pdb.spec?.minAvailable === 'string';
      const scale = needsScale ? expectedScale(sources, ns, selected) : { ok: true as const, scale: 0, unmanaged: [] };
      if (!scale.ok) {
        // failSafe: without a trustworthy count no disruption is allowed until the next sync.
        const generation = pdb.metadata?.generation ?? 0;
        const cond = { type: DISRUPTION_ALLOWED, status: 'False', reason: 'SyncFailed', message: scale.message, observedGeneration: generation, lastTransitionTime: now };
        await writeStatus(pdb, { ...pdb.status, disruptionsAllowed: 0, currentHealthy: pdb.status?.currentHealthy ?? 0, desiredHealthy: pdb.status?.desiredHealthy ?? 0, expectedPods: pdb.status?.expectedPods ?? 0, observedGeneration: generation, conditions: [cond] });
        void cc.events.record(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${scale.message}`);
        throw new Error(scale.message);
      }
      if (needsScale && scale.unmanaged.length) {
        void cc.events.record(pdb, 'Warning', 'UnmanagedPods', `Pods selected by this PodDisruptionBudget (selector: ${JSON.stringify(pdb.spec?.selector ?? {})}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`);
      }
      if (selected.length === 0) void cc.events.record(pdb, 'Normal', 'NoPods', 'No matching pods found');
      const e = expectation(pdb, selected.length, scale.scale);
      const disrupted = disruptedPods(pdb, selected, nowMs);
      await writeStatus(pdb, budgetStatus(pdb, e, countHealthy(selected, disrupted.map), disrupted.map, now));
      if (disrupted.recheckAt !== undefined) return { requeueAfter: Math.max(1, disrupted.recheckAt - nowMs) };
    },
  };
}

export const disruptionController: ControllerDefinition = {
  name: 'disruption',
  aliases: ['disruption-controller'],
  component: 'controllermanager',
  enabledByDefault: true,
  create: createDisruptionController,
};
