/**
 * VolumeBinding's PreBind wait (volumebinding/binder.go BindPodVolumes): after the chosen
 * node is written on a pod's WaitForFirstConsumer claims, the pod is bound only once every
 * one of them is Bound (the provisioner and the persistentvolume-binder do that), and at most
 * `bindTimeoutSeconds` (600 by default) later the attempt fails and the pod goes back to
 * the queue. The waits are part of the scheduler chart's pending binds, so a checkpoint and
 * `replay --at` show what the scheduler is waiting for and until when.
 */
import type { PendingBind } from './chart.ts';
import { nextReadyAt, type QueueState } from './queue.ts';

/** kube-scheduler's VolumeBindingArgs.bindTimeoutSeconds default. */
export const DEFAULT_BIND_TIMEOUT_SECONDS = 600;

/** The FailedScheduling message of a wait that timed out (RunPreBindPlugins wrapping BindPodVolumes' error). */
export const BIND_TIMEOUT_MESSAGE = 'running PreBind plugin "VolumeBinding": binding volumes: context deadline exceeded';

/** The claims (namespace/name) a pending bind still waits for, and when it gives up. */
export interface VolumeWait {
  claims: string[];
  deadline: number;
}

/**
 * A claim became Bound: it leaves every wait. Returns the pods whose waits are now over
 * (their binds start; the wait is removed from the pending bind).
 */
export function claimBound(binding: Record<string, PendingBind>, claim: string): string[] {
  const ready: string[] = [];
  for (const [key, b] of Object.entries(binding)) {
    const w = b.volumes;
    if (!w || !w.claims.includes(claim)) continue;
    w.claims = w.claims.filter((c) => c !== claim);
    if (w.claims.length > 0) continue;
    delete b.volumes;
    ready.push(key);
  }
  return ready;
}

/** The pending binds whose volume wait has run out at `now`. */
export function expiredWaits(binding: Record<string, PendingBind>, now: number): string[] {
  return Object.keys(binding).filter((k) => {
    const w = binding[k]!.volumes;
    return w !== undefined && w.deadline <= now;
  });
}

/** When the scheduler must next act: the queue's next deadline or the earliest volume wait's. */
export function nextWakeAt(queue: QueueState, binding: Record<string, PendingBind>, now: number): number | undefined {
  let at = nextReadyAt(queue, now);
  // No wait can be due before now (a pod ready in activeQ): the binds need no look.
  if (at === now) return at;
  // Runs after every event: a walk of the keys, without copying the binds into an array.
  for (const key in binding) {
    const w = binding[key]!.volumes;
    if (w) at = Math.min(at ?? Infinity, Math.max(w.deadline, now));
  }
  return at;
}
