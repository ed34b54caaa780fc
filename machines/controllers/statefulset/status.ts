/**
 * The StatefulSet status (stateful_set_control.go computeReplicaStatus and
 * completeRollingUpdate): counts over the set's pods, and the current revision catching up
 * with the update revision once every pod is updated and ready.
 */
import type { StatefulSet, StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isPodAvailable } from '../pods.ts';
import { revisionOf } from './identity.ts';
import { isRunningAndReady, isTerminating } from './plan.ts';

export function calculateStatus(set: StatefulSet, pods: readonly Pod[], currentRevision: string, updateRevision: string, nowMs: number): StatefulSetStatus {
  const minReady = set.spec?.minReadySeconds ?? 0;
  let replicas = 0, ready = 0, available = 0, current = 0, updated = 0;
  for (const p of pods) {
    replicas++;
    if (isRunningAndReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, nowMs)) available++;
    }
    if (isTerminating(p)) continue;
    const rev = revisionOf(p);
    if (rev === currentRevision) current++;
    if (rev === updateRevision) updated++;
  }
  const status: StatefulSetStatus = {
    replicas,
    readyReplicas: ready,
    availableReplicas: available,
    currentReplicas: current,
    updatedReplicas: updated,
    currentRevision,
    updateRevision,
  };
  if (set.status?.collisionCount !== undefined) status.collisionCount = set.status.collisionCount;
  if (updated === replicas && ready === replicas) {
    status.currentReplicas = updated;
    status.currentRevision = updateRevision;
  }
  return status;
}

/** True when the stored status already says `b` (zero counts are omitted when stored). */
export function sameStatus(a: StatefulSetStatus | undefined, b: StatefulSetStatus): boolean {
  const n = (x: number | undefined) => x ?? 0;
  return (
    n(a?.replicas) === n(b.replicas) &&
    n(a?.readyReplicas) === n(b.readyReplicas) &&
    n(a?.availableReplicas) === n(b.availableReplicas) &&
    n(a?.currentReplicas) === n(b.currentReplicas) &&
    n(a?.updatedReplicas) === n(b.updatedReplicas) &&
    a?.currentRevision === b.currentRevision &&
    a?.updateRevision === b.updateRevision
  );
}
