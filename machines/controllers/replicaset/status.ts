/**
 * The ReplicaSet status from its pods (replica_set_utils.go calculateStatus): replicas,
 * fullyLabeledReplicas, readyReplicas, availableReplicas, and the ReplicaFailure condition
 * while creating or deleting pods fails.
 */
import type { ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isPodAvailable, isPodReady } from '../pods.ts';

export interface ManageError {
  reason: 'FailedCreate' | 'FailedDelete';
  message: string;
}

import { rfc3339 } from '../../../api/time.ts';

export function calculateStatus(rs: ReplicaSet, pods: readonly Pod[], err: ManageError | null, nowMs: number): ReplicaSetStatus {
  const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0, ready = 0, available = 0;
  for (const p of pods) {
    const labels = p.metadata?.labels ?? {};
    if (Object.entries(templateLabels).every(([k, v]) => labels[k] === v)) fullyLabeled++;
    if (isPodReady(p)) ready++;
    if (isPodAvailable(p, minReady, nowMs)) available++;
  }
  const prev = rs.status?.conditions ?? [];
  const others = prev.filter((c) => c.type !== 'ReplicaFailure');
  const old = prev.find((c) => c.type === 'ReplicaFailure');
  const conditions: ReplicaSetCondition[] = [...others];
  // As calculateStatus upstream: a failure already recorded is kept as it is. Its message names a
  // generated pod, so rewriting it on every failed sync would be a status write (and a resync) each time.
  if (err) conditions.push(old ?? { type: 'ReplicaFailure', status: 'True', lastTransitionTime: rfc3339(nowMs), reason: err.reason, message: err.message });
  const status: ReplicaSetStatus = {
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.status?.observedGeneration ?? 0,
  };
  if (conditions.length) status.conditions = conditions;
  return status;
}

/** Kubernetes omits zero counts (omitempty); compare the way the stored object reads. */
export function sameStatus(a: ReplicaSetStatus | undefined, b: ReplicaSetStatus): boolean {
  const n = (x: number | undefined) => x ?? 0;
  return (
    n(a?.replicas) === n(b.replicas) &&
    n(a?.fullyLabeledReplicas) === n(b.fullyLabeledReplicas) &&
    n(a?.readyReplicas) === n(b.readyReplicas) &&
    n(a?.availableReplicas) === n(b.availableReplicas) &&
    JSON.stringify(a?.conditions ?? []) === JSON.stringify(b.conditions ?? [])
  );
}
