/** A pod as the scheduling queue holds it, and what the queue asks of a pod's changes. */
import type { Pod } from 'kubernetes-types/core/v1.js';

/** A pod in the queue with its scheduling history (framework.QueuedPodInfo); plain data. */
export interface QueuedPod {
  readonly key: string;
  pod: Pod;
  /** When it was (re-)queued: orders activeQ and starts the backoff clock. */
  timestamp: number;
  /** When it was first queued (for the scheduling-latency metric). */
  readonly initialTimestamp: number;
  /** Scheduling attempts so far; incremented by pop. */
  attempts: number;
  /** Plugins that rejected it last time (empty: an error, retried after backoff). */
  unschedulablePlugins: string[];
  readonly seq: number;
}

/** Pods with spec.schedulingGates wait outside the queue (SchedulingGates PreEnqueue). */
export const gated = (pod: Pod): boolean => (pod.spec?.schedulingGates?.length ?? 0) > 0;

/** isPodUpdated: a change other than status, resourceVersion, generation or managedFields. */
export function changedForScheduling(a: Pod, b: Pod): boolean {
  const strip = (p: Pod): string =>
    JSON.stringify([p.spec, p.metadata?.labels, p.metadata?.annotations, p.metadata?.finalizers, p.metadata?.ownerReferences]);
  return strip(a) !== strip(b);
}
