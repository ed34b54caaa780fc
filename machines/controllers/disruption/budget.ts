/**
 * The arithmetic of pkg/controller/disruption/disruption.go, as pure functions: how many
 * pods a PodDisruptionBudget expects, how many must stay healthy, how many are, and the
 * status that follows (disruptionsAllowed and the DisruptionAllowed condition).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import type { Condition } from 'kubernetes-types/meta/v1.js';
import { isPodReady } from '../pods.ts';
import { scaledValue } from '../deployment/util.ts';

/** DeletionTimeout: an eviction not seen by the controller after this long no longer counts. */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

export const DISRUPTION_ALLOWED = 'DisruptionAllowed';

/** The expected count and the healthy floor (getExpectedPodCount). */
export interface Expectation {
  expectedCount: number;
  desiredHealthy: number;
}

/**
 * `scale` is the summed desired replicas of the pods' controllers (getExpectedScale); only
 * an integer minAvailable does without it, counting the selected pods instead.
 */
export function expectation(pdb: PodDisruptionBudget, podCount: number, scale: number): Expectation {
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable !== undefined) {
    const maxUnavailable = scaledValue(spec.maxUnavailable, scale, true);
    return { expectedCount: scale, desiredHealthy: Math.max(0, scale - maxUnavailable) };
  }
  if (typeof spec.minAvailable === 'number') return { expectedCount: podCount, desiredHealthy: spec.minAvailable };
  if (typeof spec.minAvailable === 'string') return { expectedCount: scale, desiredHealthy: scaledValue(spec.minAvailable, scale, true) };
  // Validation requires one of the two; a budget without either protects nothing.
  return { expectedCount: podCount, desiredHealthy: 0 };
}

/**
 * buildDisruptedPodMap: evictions still in flight (the pod is not yet being deleted and the
 * entry is younger than DELETION_TIMEOUT_MS), and when the oldest of them expires.
 */
export function disruptedPods(pdb: PodDisruptionBudget, pods: readonly Pod[], nowMs: number): { map: Record<string, string>; recheckAt?: number } {
  const given = pdb.status?.disruptedPods ?? {};
  const map: Record<string, string> = {};
  let recheckAt: number | undefined;
  for (const p of pods) {
    const name = p.metadata?.name ?? '';
    const at = given[name];
    if (at === undefined || p.metadata?.deletionTimestamp) continue;
    const expires = Date.parse(at) + DELETION_TIMEOUT_MS;
    if (!(expires > nowMs)) continue;
    map[name] = at;
    recheckAt = recheckAt === undefined ? expires : Math.min(recheckAt, expires);
  }
  return recheckAt === undefined ? { map } : { map, recheckAt };
}

/** countHealthyPods: ready, not being deleted, not already evicted. */
export function countHealthy(pods: readonly Pod[], disrupted: Record<string, string>): number {
  let n = 0;
  for (const p of pods) {
    if (p.metadata?.deletionTimestamp) continue;
    if (disrupted[p.metadata?.name ?? ''] !== undefined) continue;
    if (isPodReady(p)) n++;
  }
  return n;
}

/** The DisruptionAllowed condition for a count (UpdateDisruptionAllowedCondition). */
export function allowedCondition(allowed: number, previous: readonly Condition[] | undefined, now: string, generation: number): Condition {
  const status = allowed > 0 ? 'True' : 'False';
  const reason = allowed > 0 ? 'SufficientPods' : 'InsufficientPods';
  const old = previous?.find((c) => c.type === DISRUPTION_ALLOWED);
  // lastTransitionTime moves only when the status does, as meta.SetStatusCondition keeps it.
  const lastTransitionTime = old && old.status === status ? old.lastTransitionTime : now;
  return { type: DISRUPTION_ALLOWED, status, reason, message: '', observedGeneration: generation, lastTransitionTime };
}

/** The whole status the controller writes (updatePdbStatus). */
export function budgetStatus(pdb: PodDisruptionBudget, e: Expectation, currentHealthy: number, disrupted: Record<string, string>, now: string): PodDisruptionBudgetStatus {
  const allowed = e.expectedCount <= 0 ? 0 : Math.max(0, currentHealthy - e.desiredHealthy);
  const generation = pdb.metadata?.generation ?? 0;
  const others = (pdb.status?.conditions ?? []).filter((c) => c.type !== DISRUPTION_ALLOWED);
  return {
    currentHealthy,
    desiredHealthy: e.desiredHealthy,
    expectedPods: e.expectedCount,
    disruptionsAllowed: allowed,
    observedGeneration: generation,
    ...(Object.keys(disrupted).length ? { disruptedPods: disrupted } : {}),
    conditions: [...others, allowedCondition(allowed, pdb.status?.conditions, now, generation)],
  };
}
