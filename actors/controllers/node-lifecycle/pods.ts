/**
 * The node lifecycle controller's writes to pods: MarkPodsNotReady (a node gone silent or
 * not ready cannot vouch for its pods, so their Ready condition turns False and Services
 * stop sending them traffic) and the taint eviction controller's deletion of a pod whose
 * toleration of a NoExecute taint ran out (DisruptionTarget condition, then delete).
 */
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../../../api/time.ts';
import { isConflictOrExists, isNotFound, targets, unwrap } from '../../client/index.ts';
import type { ControllerContext } from '../framework.ts';

const podTarget = (p: Pod) => targets.pods(p.metadata?.namespace, p.metadata?.name);

/** Sets Ready=False on each pod that still says otherwise; a pod gone meanwhile is skipped. */
export async function markPodsNotReady(cc: ControllerContext, pods: readonly Pod[]): Promise<void> {
  const at = rfc3339(cc.actor.clock.now());
  for (const pod of pods) {
    const conds = pod.status?.conditions ?? [];
    const i = conds.findIndex((c) => c.type === 'Ready');
    if (i < 0 || conds[i]?.status === 'False' || pod.metadata?.deletionTimestamp) continue;
    const next = conds.map((c, j): PodCondition => (j === i ? { ...c, status: 'False', lastTransitionTime: at } : c));
    const r = await cc.api.updateStatus(podTarget(pod), { ...pod, status: { ...pod.status, conditions: next } });
    if (!r.ok && isNotFound(r.status)) continue;
    unwrap(r);
    void cc.events.record(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
  }
}

/** Deletes `pod` for a NoExecute taint (tainteviction's deletePodHandler); NotFound is done. */
export async function evictPod(cc: ControllerContext, pod: Pod): Promise<void> {
  const name = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
  void cc.events.record(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${name}`);
  const conds = (pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
  const disruption: PodCondition = {
    type: 'DisruptionTarget',
    status: 'True',
    reason: 'DeletionByTaintManager',
    message: 'Taint manager: deleting due to NoExecute taint',
    lastTransitionTime: rfc3339(cc.actor.clock.now()),
  };
  // The condition is best effort: the deletion is what matters.
  await cc.api.updateStatus(podTarget(pod), { ...pod, status: { ...pod.status, conditions: [...conds, disruption] } });
  const r = await cc.api.delete(podTarget(pod), { preconditions: { uid: pod.metadata?.uid ?? '' } });
  if (!r.ok && (isNotFound(r) || isConflictOrExists(r))) return;
  unwrap(r);
}
