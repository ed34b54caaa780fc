/**
 * The writes of one DaemonSet sync: carry out a plan (daemon pods created pinned to their
 * node by required node affinity, left for the default scheduler to bind; pods deleted),
 * then the status. Expectations are raised before the writes and lowered for writes that
 * did not happen.
 */
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { keyOf } from '../../informer.ts';
import { CONTROLLER_REVISION_HASH, pinToNode, withDaemonTolerations } from '../../../machines/controllers/daemonset/nodes.ts';
import type { DaemonPlan, NodeState } from '../../../machines/controllers/daemonset/plan.ts';
import { calculateStatus, sameStatus } from '../../../machines/controllers/daemonset/status.ts';
import { isNotFound, targets, updateStatusOnConflict } from '../../client/index.ts';
import type { Expectations } from '../expectations.ts';
import type { ControllerContext, SyncResult } from '../framework.ts';
import { podFromTemplate } from '../replicaset/manage.ts';

/** BurstReplicas of the DaemonSet controller: creations and deletions per sync. */
export const DS_BURST_REPLICAS = 250;

export interface DsEnv {
  cc: ControllerContext;
  expectations: Expectations;
  key: string;
  ds: DaemonSet;
  namespace: string;
  hash: string;
}

/** The daemon pod for `nodeName`: the template, the revision hash, the daemon tolerations, pinned to the node. */
export function newDaemonPod(ds: DaemonSet, nodeName: string, hash: string): Pod {
  const pod = podFromTemplate(ds, ds.spec?.template, 'apps/v1', 'DaemonSet');
  const spec = pod.spec ?? { containers: [] };
  pod.metadata = { ...pod.metadata, labels: { ...pod.metadata?.labels, [CONTROLLER_REVISION_HASH]: hash } };
  pod.spec = pinToNode({ ...spec, tolerations: withDaemonTolerations(spec.tolerations) }, nodeName);
  return pod;
}

/** Carries out the plan; the first failure is thrown after every write was tried. */
export async function applyPlan(env: DsEnv, plan: DaemonPlan, gone: ReadonlySet<string>): Promise<void> {
  const { cc, ds, key, expectations, namespace, hash } = env;
  const owner = ds;
  const createOn = plan.createOn.slice(0, DS_BURST_REPLICAS);
  const victims = plan.deletePods.slice(0, DS_BURST_REPLICAS);
  if (createOn.length) expectations.expectCreations(key, createOn.length);
  else if (victims.length) expectations.expectDeletions(key, victims.map((p) => keyOf(p)));
  else return;
  const errors: string[] = [];
  await Promise.all(
    createOn.map(async (nodeName) => {
      const r = await cc.api.create(targets.pods(namespace), newDaemonPod(ds, nodeName, hash));
      if (r.ok) return void cc.events.record(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${r.value.object.metadata?.name}`);
      expectations.creationObserved(key);
      void cc.events.record(owner, 'Warning', 'FailedCreate', `Error creating: ${r.status.message}`);
      errors.push(r.status.message);
    }),
  );
  // Deletions wait for the next sync when creations were in flight: expectations track one kind at a time.
  if (createOn.length) {
    if (errors.length) throw new Error(errors[0]);
    return;
  }
  await Promise.all(
    victims.map(async (p) => {
      // A pod whose node is gone has no kubelet to finish it: force it, as the pod GC would.
      const force = gone.has(p.spec?.nodeName ?? '');
      const r = await cc.api.delete(targets.pods(namespace, p.metadata?.name), force ? { gracePeriodSeconds: 0 } : undefined);
      if (r.ok) return void cc.events.record(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata?.name}`);
      if (isNotFound(r.status)) return;
      expectations.deletionObserved(key, keyOf(p));
      void cc.events.record(owner, 'Warning', 'FailedDelete', `Error deleting: ${r.status.message}`);
      errors.push(r.status.message);
    }),
  );
  if (errors.length) throw new Error(errors[0]);
}

/** Writes the status when it changed (re-reading once on a conflict); asks for a later look while pods are ready but not yet available. */
export async function syncStatus(env: DsEnv, states: readonly NodeState[]): Promise<SyncResult | void> {
  const { cc, ds, namespace, hash } = env;
  const target = targets.daemonsets(namespace, ds.metadata?.name);
  const written = await updateStatusOnConflict(cc.api, target, ds, (cur) => {
    const status = calculateStatus(cur, states, hash, cc.actor.clock.now());
    const generation = cur.metadata?.generation ?? 0;
    return sameStatus(cur.status, status) && cur.status?.observedGeneration === generation ? null : { ...cur, status: { ...status, observedGeneration: generation } };
  });
  if (!written) return;
  const minReady = written.spec?.minReadySeconds ?? 0;
  if (minReady > 0 && (written.status?.numberReady ?? 0) !== (written.status?.numberAvailable ?? 0)) return { requeueAfter: minReady * 1000 };
}
