/**
 * The resource scorers of noderesources (least_allocated.go, balanced_allocation.go) over
 * the default scoring resources: cpu and memory, weight 1 each. A resource the node has
 * none of is left out, as upstream does. Written without temporaries: they run for every
 * feasible node of every pod.
 */
import { MAX_NODE_SCORE } from '../../framework.ts';

function least(req: number, cap: number): number {
  return req > cap ? 0 : Math.trunc(((cap - req) * MAX_NODE_SCORE) / cap);
}

/**
 * leastRequestedScore averaged: ((allocatable - requested) * 100 / allocatable), integer
 * math. Plain numbers (the pod's, the node's requested, the node's allocatable), no objects.
 */
export function leastAllocatedScore(podCPU: number, podMemory: number, reqCPU: number, reqMemory: number, allocCPU: number, allocMemory: number): number {
  let total = 0;
  let weights = 0;
  if (allocCPU !== 0) {
    total += least(reqCPU + podCPU, allocCPU);
    weights++;
  }
  if (allocMemory !== 0) {
    total += least(reqMemory + podMemory, allocMemory);
    weights++;
  }
  return weights === 0 ? 0 : Math.trunc(total / weights);
}

/**
 * balancedResourceScorer: (1 - standard deviation of the requested fractions) * 100; with
 * two resources the deviation is half their difference.
 */
export function balancedAllocationScore(podCPU: number, podMemory: number, reqCPU: number, reqMemory: number, allocCPU: number, allocMemory: number): number {
  const cpu = allocCPU !== 0 ? Math.min((reqCPU + podCPU) / allocCPU, 1) : -1;
  const mem = allocMemory !== 0 ? Math.min((reqMemory + podMemory) / allocMemory, 1) : -1;
  const std = cpu >= 0 && mem >= 0 ? Math.abs((cpu - mem) / 2) : 0;
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}
