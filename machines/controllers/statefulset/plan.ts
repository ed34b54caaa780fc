/**
 * What one StatefulSet sync should do (stateful_set_control.go updateStatefulSet), as pure
 * data. Ordinals in [start, start + replicas) are kept: a missing one is created, a failed
 * one deleted to be re-created. Ordinals outside are condemned, highest first. OrderedReady
 * ("monotonic") takes one step at a time and only while every lower pod is Running, Ready
 * and available; Parallel takes every step at once. RollingUpdate then deletes the highest
 * out-of-date pod at or above the partition, one at a time, once the pods above it are
 * healthy; OnDelete leaves out-of-date pods alone.
 */
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isPodAvailable, isPodReady } from '../pods.ts';
import { ordinalOf, revisionOf } from './identity.ts';

export type StsAction =
  | { kind: 'create'; ordinal: number; revision: 'current' | 'update' }
  | { kind: 'delete'; pod: Pod; why: 'failed' | 'condemned' | 'update' };

export interface SortedPods {
  /** Index i holds ordinal start + i, or undefined when it does not exist. */
  replicas: Array<Pod | undefined>;
  /** Pods of ordinals outside the range, highest ordinal first. */
  condemned: Pod[];
}

export const isTerminating = (p: Pod): boolean => p.metadata?.deletionTimestamp !== undefined;
const isFailed = (p: Pod) => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';
export const isRunningAndReady = (p: Pod): boolean => p.status?.phase === 'Running' && isPodReady(p);
/** Running, ready for minReadySeconds, and not going away. */
export const isHealthy = (p: Pod, minReady: number, nowMs: number): boolean =>
  isRunningAndReady(p) && isPodAvailable(p, minReady, nowMs) && !isTerminating(p);

export const startOrdinal = (set: StatefulSet): number => set.spec?.ordinals?.start ?? 0;

export function sortPods(set: StatefulSet, pods: readonly Pod[]): SortedPods {
  const start = startOrdinal(set);
  const replicas: Array<Pod | undefined> = Array.from({ length: set.spec?.replicas ?? 1 }, () => undefined);
  const condemned: Array<[number, Pod]> = [];
  for (const p of pods) {
    const ord = ordinalOf(set, p);
    if (ord < 0) continue;
    if (ord >= start && ord < start + replicas.length) replicas[ord - start] = p;
    else condemned.push([ord, p]);
  }
  return { replicas, condemned: condemned.sort((a, b) => b[0] - a[0]).map(([, p]) => p) };
}

export function planStatefulSet(set: StatefulSet, sorted: SortedPods, updateRevision: string, nowMs: number): StsAction[] {
  const monotonic = set.spec?.podManagementPolicy !== 'Parallel';
  const minReady = set.spec?.minReadySeconds ?? 0;
  const start = startOrdinal(set);
  const strategy = set.spec?.updateStrategy;
  const rolling = (strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const partition = rolling ? strategy?.rollingUpdate?.partition ?? 0 : 0;
  const actions: StsAction[] = [];
  const { replicas, condemned } = sorted;

  for (const [i, pod] of replicas.entries()) {
    if (!pod) {
      // Below the partition a missing pod comes back at the current revision.
      actions.push({ kind: 'create', ordinal: start + i, revision: rolling && i < partition ? 'current' : 'update' });
      if (monotonic) return actions;
      continue;
    }
    if (isFailed(pod) && !isTerminating(pod)) {
      actions.push({ kind: 'delete', pod, why: 'failed' });
      if (monotonic) return actions;
      continue;
    }
    if (monotonic && !isHealthy(pod, minReady, nowMs)) return actions;
  }

  const firstUnhealthy = [...replicas, ...condemned].find((p) => p !== undefined && !isHealthy(p, minReady, nowMs));
  for (const pod of condemned) {
    if (isTerminating(pod)) {
      if (monotonic) return actions;
      continue;
    }
    // OrderedReady removes an unhealthy pod only when no other is unhealthy before it.
    if (monotonic && !isHealthy(pod, minReady, nowMs) && pod !== firstUnhealthy) return actions;
    actions.push({ kind: 'delete', pod, why: 'condemned' });
    if (monotonic) return actions;
  }

  if (!rolling || actions.length > 0) return actions;
  for (let target = replicas.length - 1; target >= partition; target--) {
    const pod = replicas[target];
    if (!pod) continue;
    if (revisionOf(pod) !== updateRevision && !isTerminating(pod)) {
      actions.push({ kind: 'delete', pod, why: 'update' });
      return actions;
    }
    if (!isHealthy(pod, minReady, nowMs)) return actions;
  }
  return actions;
}
