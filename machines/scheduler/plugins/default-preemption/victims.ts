/**
 * SelectVictimsOnNode (framework/plugins/defaultpreemption): on a copy of the node, remove
 * every pod of lower priority than the preemptor; if the preemptor still does not fit, the
 * node is no candidate. Otherwise put the removed pods back one at a time, most important
 * first — those whose budget would be violated first, then the others — and keep back each
 * one the preemptor still fits beside: what stays removed is a minimal set of victims.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { unresolvable, type CycleState, type FilterPlugin, type Status } from '../../framework.ts';
import { addPodToNode, newNodeInfo, removePodFromNode, type NodeInfo, type PodInfo } from '../../node-info.ts';
import { byImportance, podPriority, splitByPdbViolation } from './importance.ts';

export const NO_VICTIMS = 'No preemption victims found for incoming pod';

/** The victims on one node, most important first, and how many of them violate a budget. */
export interface Victims {
  pods: Pod[];
  numPDBViolations: number;
}

/** A copy of the node with the same pods, to remove and restore pods on without touching the Snapshot. */
export function copyNodeInfo(ni: NodeInfo): NodeInfo {
  const copy = newNodeInfo(ni.name, ni.node);
  for (const pi of ni.pods.values()) addPodToNode(copy, pi);
  return copy;
}

function runFilters(filters: readonly FilterPlugin[], state: CycleState, pod: Pod, ni: NodeInfo): Status | null {
  for (const p of filters) {
    const s = p.filter(state, pod, ni);
    if (s) return s;
  }
  return null;
}

/** The victims on `original`, or the status saying why preempting there does not help. */
export function selectVictimsOnNode(
  filters: readonly FilterPlugin[], state: CycleState, pod: Pod, original: NodeInfo, pdbs: readonly PodDisruptionBudget[],
): Victims | Status {
  const priority = podPriority(pod);
  const potential: PodInfo[] = [];
  for (const pi of original.pods.values()) if (podPriority(pi.pod) < priority) potential.push(pi);
  if (potential.length === 0) return unresolvable('DefaultPreemption', NO_VICTIMS);
  const ni = copyNodeInfo(original);
  for (const pi of potential) removePodFromNode(ni, pi.key);
  const unfit = runFilters(filters, state, pod, ni);
  if (unfit) return unfit;

  const info = new Map(potential.map((pi) => [pi.pod, pi]));
  const sorted = potential.map((pi) => pi.pod).sort(byImportance);
  const { violating, nonViolating } = splitByPdbViolation(sorted, pdbs);
  const victims: Pod[] = [];
  let numPDBViolations = 0;
  const reprieve = (p: Pod): boolean => {
    const pi = info.get(p)!;
    addPodToNode(ni, pi);
    if (runFilters(filters, state, pod, ni) === null) return true;
    removePodFromNode(ni, pi.key);
    victims.push(p);
    return false;
  };
  for (const p of violating) if (!reprieve(p)) numPDBViolations++;
  for (const p of nonViolating) reprieve(p);
  victims.sort(byImportance);
  return { pods: victims, numPDBViolations };
}
