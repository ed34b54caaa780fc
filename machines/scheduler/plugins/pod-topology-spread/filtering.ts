/**
 * PodTopologySpread, filter half (DoNotSchedule): placing the pod on a node must not make
 * the node's domain exceed the global minimum by more than maxSkew.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { matchesLabels } from '../../../../api/selectors/labels.ts';
import type { CycleState, PreResult, Status } from '../../framework.ts';
import { stateKey, unresolvable, unschedulable } from '../../framework.ts';
import type { NodeInfo } from '../../node-info.ts';
import { requiredNodeAffinity } from '../helpers/node-selector.ts';
import { constraintsOf, countMatching, hasAllTopologyKeys, nodeIncluded, type Constraint } from './common.ts';

export const NAME = 'PodTopologySpread';
export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;

interface FilterState {
  constraints: Constraint[];
  /** Per constraint: topology value → matching pods in that domain. */
  counts: Array<Map<string, number>>;
  /** Per constraint: the global minimum the skew is measured against. */
  minimum: number[];
  selfMatch: boolean[];
}

const FILTER = stateKey<FilterState>('PreFilterPodTopologySpread');

export function preFilter(state: CycleState, pod: Pod): PreResult {
  const constraints = constraintsOf(pod, 'DoNotSchedule');
  if (typeof constraints === 'string') return { code: 'Error', plugin: NAME, reasons: [constraints] };
  if (constraints.length === 0) return 'skip';
  const affinity = requiredNodeAffinity(pod);
  const counts = constraints.map(() => new Map<string, number>());
  for (const ni of state.snapshot.nodes) {
    const node = ni.node;
    if (!node || !hasAllTopologyKeys(node, constraints)) continue;
    for (let i = 0; i < constraints.length; i++) {
      const c = constraints[i] as Constraint;
      if (!nodeIncluded(c, pod, node, affinity)) continue;
      const value = node.metadata?.labels?.[c.topologyKey] ?? '';
      const m = counts[i] as Map<string, number>;
      m.set(value, (m.get(value) ?? 0) + countMatching(ni, c));
    }
  }
  const minimum = constraints.map((c, i) => {
    const m = counts[i] as Map<string, number>;
    if (m.size < c.minDomains) return 0;
    let min = Infinity;
    for (const v of m.values()) if (v < min) min = v;
    return min === Infinity ? 0 : min;
  });
  const labels = pod.metadata?.labels;
  const selfMatch = constraints.map((c) => c.selector !== undefined && matchesLabels(c.selector, labels));
  state.write(FILTER, { constraints, counts, minimum, selfMatch });
  return null;
}

export function filter(state: CycleState, _pod: Pod, ni: NodeInfo): Status | null {
  const s = state.read(FILTER);
  const labels = ni.labels;
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i] as Constraint;
    if (!Object.hasOwn(labels, c.topologyKey)) return unresolvable(NAME, ERR_REASON_NODE_LABEL_NOT_MATCH);
    const value = labels[c.topologyKey] ?? '';
    const skew = (s.counts[i]?.get(value) ?? 0) + (s.selfMatch[i] ? 1 : 0) - (s.minimum[i] ?? 0);
    if (skew > c.maxSkew) return unschedulable(NAME, ERR_REASON_CONSTRAINTS_NOT_MATCH);
  }
  return null;
}
