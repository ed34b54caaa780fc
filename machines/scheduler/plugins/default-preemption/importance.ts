/**
 * How preemption ranks pods (pkg/scheduler/util: MoreImportantPod, GetPodStartTime) and
 * which pods a PodDisruptionBudget protects (filterPodsWithPDBViolation).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { labelSelectorToSelector, matchesLabels } from '../../../../api/selectors/labels.ts';

/** corev1helpers.PodPriority: spec.priority, 0 when unset. */
export const podPriority = (p: Pod): number => p.spec?.priority ?? 0;

/** A pod's start time in ms; a pod not started yet counts as starting now, i.e. after every started one. */
export function startTime(p: Pod): number {
  const t = p.status?.startTime;
  return t ? Date.parse(t) : Number.POSITIVE_INFINITY;
}

/** MoreImportantPod: the higher priority, then the earlier start. */
export function moreImportant(a: Pod, b: Pod): boolean {
  const pa = podPriority(a);
  const pb = podPriority(b);
  return pa !== pb ? pa > pb : startTime(a) < startTime(b);
}

/** A comparator sorting the most important pod first. */
export const byImportance = (a: Pod, b: Pod): number => (moreImportant(a, b) ? -1 : moreImportant(b, a) ? 1 : 0);

/**
 * filterPodsWithPDBViolation: walking `pods` in order, each pod matched by a budget uses up
 * one of its status.disruptionsAllowed (pods already in status.disruptedPods are not counted
 * again); a pod that takes a budget below zero would violate it.
 */
export function splitByPdbViolation(pods: readonly Pod[], pdbs: readonly PodDisruptionBudget[]): { violating: Pod[]; nonViolating: Pod[] } {
  const allowed = pdbs.map((b) => b.status?.disruptionsAllowed ?? 0);
  const selectors = pdbs.map((b) => {
    const r = labelSelectorToSelector(b.spec?.selector);
    return r.ok && r.value && r.value.length > 0 ? r.value : undefined;
  });
  const violating: Pod[] = [];
  const nonViolating: Pod[] = [];
  for (const pod of pods) {
    let violates = false;
    const labels = pod.metadata?.labels;
    if (labels) {
      pdbs.forEach((pdb, i) => {
        const sel = selectors[i];
        if (pdb.metadata?.namespace !== pod.metadata?.namespace || !sel || !matchesLabels(sel, labels)) return;
        if (pdb.status?.disruptedPods?.[pod.metadata?.name ?? ''] !== undefined) return;
        allowed[i]!--;
        if (allowed[i]! < 0) violates = true;
      });
    }
    (violates ? violating : nonViolating).push(pod);
  }
  return { violating, nonViolating };
}
