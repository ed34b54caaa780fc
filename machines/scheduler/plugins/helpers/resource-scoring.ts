/**
 * The resource scorers of noderesources (least_allocated.go, balanced_allocation.go) over
 * the default scoring resources: cpu and memory, weight 1 each. A resource the node has
 * none of is left out, as upstream does. Written without temporaries: they run for every
 * feasible node of every pod.
 */
import { MAX_NODE_SCORE } from '../../framework.ts';
import type { Resources } from '../../resources.ts';

function least(req: number, cap: number): number {
  return req > cap ? 0 : Math.trunc(((cap - req) * MAX_NODE_SCORE) / cap);
}

/** leastRequestedScore averaged: ((allocatable - requested) * 100 / allocatable), integer math. */
export function leastAllocatedScore(pod: Resources, nodeRequested: Resources, alloc: Resources): number {
  let total = 0;
  let weights = 0;
  if (alloc.milliCPU !== 0) {
    total += least(nodeRequested.milliCPU + pod.milliCPU, alloc.milliCPU);
    weights++;
  }
  if (alloc.memory !== 0) {
    total += least(nodeRequested.memory + pod.memory, alloc.memory);
    weights++;
  }
  return weights === 0 ? 0 : Math.trunc(total / weights);
}

/**
 * balancedResourceScorer: (1 - standard deviation of the requested fractions) * 100; with
 * two resources the deviation is half their difference.
 */
export function balancedAllocationScore(pod: Resources, nodeRequested: Resources, alloc: Resources): number {
  const cpu = alloc.milliCPU !== 0 ? Math.min((nodeRequested.milliCPU + pod.milliCPU) / alloc.milliCPU, 1) : -1;
  const mem = alloc.memory !== 0 ? Math.min((nodeRequested.memory + pod.memory) / alloc.memory, 1) : -1;
  const std = cpu >= 0 && mem >= 0 ? Math.abs((cpu - mem) / 2) : 0;
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}
