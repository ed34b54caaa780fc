/**
 * Deployment status and conditions (sync.go calculateStatus, progress.go syncRolloutStatus,
 * deployment_util.go DeploymentComplete / DeploymentProgressing / DeploymentTimedOut).
 */
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { canonical, maxUnavailable, sumActual, sumAvailable, sumReady, sumSpec } from './util.ts';

export const NewReplicaSetReason = 'NewReplicaSetCreated';
export const FoundNewRSReason = 'FoundNewReplicaSet';
export const ReplicaSetUpdatedReason = 'ReplicaSetUpdated';
export const NewRSAvailableReason = 'NewReplicaSetAvailable';
export const TimedOutReason = 'ProgressDeadlineExceeded';
export const PausedDeployReason = 'DeploymentPaused';
export const ResumedDeployReason = 'DeploymentResumed';
export const MinimumReplicasAvailable = 'MinimumReplicasAvailable';
export const MinimumReplicasUnavailable = 'MinimumReplicasUnavailable';

import { rfc3339 } from '../../../api/time.ts';

export function newCondition(type: string, status: 'True' | 'False' | 'Unknown', reason: string, message: string, nowMs: number): DeploymentCondition {
  const t = rfc3339(nowMs);
  return { type, status, reason, message, lastUpdateTime: t, lastTransitionTime: t };
}

export const getCondition = (s: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined => s?.conditions?.find((c) => c.type === type);

/** SetDeploymentCondition: same status and reason is no change; same status keeps the transition time. */
export function setCondition(s: DeploymentStatus, c: DeploymentCondition): void {
  const cur = getCondition(s, c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  const next = cur && cur.status === c.status ? { ...c, lastTransitionTime: cur.lastTransitionTime } : c;
  s.conditions = [...(s.conditions ?? []).filter((x) => x.type !== c.type), next];
}

export function removeCondition(s: DeploymentStatus, type: string): void {
  s.conditions = (s.conditions ?? []).filter((x) => x.type !== type);
  if (!s.conditions.length) delete s.conditions;
}

export const hasProgressDeadline = (d: Deployment): boolean => d.spec?.progressDeadlineSeconds !== undefined && d.spec.progressDeadlineSeconds !== 2147483647;

export function calculateStatus(all: readonly ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment, nowMs: number): DeploymentStatus {
  const available = sumAvailable(all);
  const s: DeploymentStatus = {
    observedGeneration: d.metadata?.generation ?? 0,
    replicas: sumActual(all),
    updatedReplicas: newRS ? sumActual([newRS]) : 0,
    readyReplicas: sumReady(all),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, sumSpec(all) - available),
    ...(d.status?.collisionCount !== undefined ? { collisionCount: d.status.collisionCount } : {}),
    ...(d.status?.conditions ? { conditions: d.status.conditions.map((c) => ({ ...c })) } : {}),
  };
  if (available >= (d.spec?.replicas ?? 1) - maxUnavailable(d)) setCondition(s, newCondition('Available', 'True', MinimumReplicasAvailable, 'Deployment has minimum availability.', nowMs));
  else setCondition(s, newCondition('Available', 'False', MinimumReplicasUnavailable, 'Deployment does not have minimum availability.', nowMs));
  return s;
}

export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const want = d.spec?.replicas ?? 1;
  return (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === want && (s.availableReplicas ?? 0) === want && (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
}

export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const o = d.status ?? {};
  const oldOld = (o.replicas ?? 0) - (o.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (o.updatedReplicas ?? 0) || newOld < oldOld || (s.readyReplicas ?? 0) > (o.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (o.availableReplicas ?? 0);
}

export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, nowMs: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, 'Progressing');
  if (!c || c.reason === NewRSAvailableReason) return false;
  if (c.reason === TimedOutReason) return true;
  return Date.parse(c.lastUpdateTime ?? '') + (d.spec?.progressDeadlineSeconds ?? 600) * 1000 < nowMs;
}

/** syncRolloutStatus' status: calculateStatus plus the Progressing condition. */
export function rolloutStatus(all: readonly ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment, nowMs: number): DeploymentStatus {
  const s = calculateStatus(all, newRS, d, nowMs);
  if (!hasProgressDeadline(d)) removeCondition(s, 'Progressing');
  const cur = getCondition(d.status, 'Progressing');
  const complete = s.replicas === s.updatedReplicas && cur?.reason === NewRSAvailableReason;
  if (hasProgressDeadline(d) && !complete) {
    const rsName = newRS?.metadata?.name;
    if (deploymentComplete(d, s)) {
      setCondition(s, newCondition('Progressing', 'True', NewRSAvailableReason, `ReplicaSet "${rsName}" has successfully progressed.`, nowMs));
    } else if (deploymentProgressing(d, s)) {
      const c = newCondition('Progressing', 'True', ReplicaSetUpdatedReason, rsName ? `ReplicaSet "${rsName}" is progressing.` : `Deployment "${d.metadata?.name}" is progressing.`, nowMs);
      if (cur?.status === 'True') c.lastTransitionTime = cur.lastTransitionTime;
      removeCondition(s, 'Progressing');
      setCondition(s, c);
    } else if (deploymentTimedOut(d, s, nowMs)) {
      setCondition(s, newCondition('Progressing', 'False', TimedOutReason, rsName ? `ReplicaSet "${rsName}" has timed out progressing.` : `Deployment "${d.metadata?.name}" has timed out progressing.`, nowMs));
    }
  }
  const failure = all.map((rs) => rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure' && c.status === 'True')).find((c) => c !== undefined);
  if (failure) setCondition(s, { type: 'ReplicaFailure', status: 'True', reason: failure.reason ?? '', message: failure.message ?? '', lastUpdateTime: failure.lastTransitionTime ?? '', lastTransitionTime: failure.lastTransitionTime ?? '' });
  else removeCondition(s, 'ReplicaFailure');
  return s;
}

/** requeueStuckDeployment: ms until the deadline would pass, or undefined when nothing is pending. */
export function stuckRequeueMs(d: Deployment, s: DeploymentStatus, nowMs: number): number | undefined {
  const c = getCondition(s, 'Progressing');
  if (!hasProgressDeadline(d) || !c || c.reason === NewRSAvailableReason || c.reason === TimedOutReason || deploymentComplete(d, s)) return undefined;
  const after = Date.parse(c.lastUpdateTime ?? '') + (d.spec?.progressDeadlineSeconds ?? 600) * 1000 - nowMs;
  // Timestamps keep whole seconds: look a second past the deadline rather than spin at it.
  return Math.max(0, after) + 1000;
}

export const sameStatus = (a: DeploymentStatus | undefined, b: DeploymentStatus): boolean => canonical(a ?? {}) === canonical(b);
