/**
 * The DaemonSet status (daemon_controller.go updateDaemonSetStatus), counted per node:
 * a node that should run the daemon and has a pod is "current"; its oldest pod decides
 * ready, available and updated. Pods on nodes that should not run it are misscheduled.
 */
import type { DaemonSet, DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import { isPodAvailable, isPodReady } from '../pods.ts';
import { isUpdated, type NodeState } from './plan.ts';

export function calculateStatus(ds: DaemonSet, states: readonly NodeState[], hash: string, nowMs: number): DaemonSetStatus {
  const minReady = ds.spec?.minReadySeconds ?? 0;
  let desired = 0, current = 0, misscheduled = 0, ready = 0, available = 0, updated = 0;
  for (const { verdict, pods } of states) {
    if (verdict.shouldRun) {
      desired++;
      const pod = pods[0];
      if (!pod) continue;
      current++;
      if (isPodReady(pod)) {
        ready++;
        if (isPodAvailable(pod, minReady, nowMs)) available++;
      }
      if (isUpdated(pod, hash)) updated++;
    } else if (pods.length > 0) misscheduled++;
  }
  const status: DaemonSetStatus = {
    currentNumberScheduled: current,
    desiredNumberScheduled: desired,
    numberMisscheduled: misscheduled,
    numberReady: ready,
    numberAvailable: available,
    updatedNumberScheduled: updated,
    numberUnavailable: desired - available,
  };
  if (ds.status?.collisionCount !== undefined) status.collisionCount = ds.status.collisionCount;
  return status;
}

/** True when the stored status already says `b` (zero counts are omitted when stored). */
export function sameStatus(a: DaemonSetStatus | undefined, b: DaemonSetStatus): boolean {
  const n = (x: number | undefined) => x ?? 0;
  return (
    n(a?.currentNumberScheduled) === n(b.currentNumberScheduled) &&
    n(a?.desiredNumberScheduled) === n(b.desiredNumberScheduled) &&
    n(a?.numberMisscheduled) === n(b.numberMisscheduled) &&
    n(a?.numberReady) === n(b.numberReady) &&
    n(a?.numberAvailable) === n(b.numberAvailable) &&
    n(a?.updatedNumberScheduled) === n(b.updatedNumberScheduled) &&
    n(a?.numberUnavailable) === n(b.numberUnavailable)
  );
}
