/** What the PodTopologySpread filter and score share: compiled constraints and pod counting. */
import type { Node, Pod, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { labelSelectorToSelector, type Requirement } from '../../../../api/selectors/labels.ts';
import type { NodeInfo } from '../../node-info.ts';
import { cachedCount } from '../helpers/count-cache.ts';
import { compileMatcher } from '../helpers/matcher.ts';
import { matchesRequired, type RequiredNodeAffinity } from '../helpers/node-selector.ts';
import { firstUntoleratedTaint } from '../helpers/tolerations.ts';

export const LABEL_HOSTNAME = 'kubernetes.io/hostname';

export interface Constraint {
  maxSkew: number;
  topologyKey: string;
  /** undefined: a nil labelSelector, which selects no pod. */
  selector: Requirement[] | undefined;
  minDomains: number;
  honorAffinity: boolean;
  honorTaints: boolean;
  /** The pod's namespace: only pods there are counted. */
  namespace: string;
  /** Identity of (namespace, selector) for the per-node count cache. */
  cacheKey: string;
}

/**
 * filterTopologySpreadConstraints: the pod's constraints with the given whenUnsatisfiable,
 * matchLabelKeys merged into the selector as `key in (value)`. A string is an error.
 */
export function constraintsOf(pod: Pod, when: 'DoNotSchedule' | 'ScheduleAnyway'): Constraint[] | string {
  const out: Constraint[] = [];
  for (const c of pod.spec?.topologySpreadConstraints ?? []) {
    if (c.whenUnsatisfiable !== when) continue;
    const r = labelSelectorToSelector(c.labelSelector);
    if (!r.ok) return r.status.message;
    let selector = r.value;
    if (selector && c.matchLabelKeys?.length) selector = [...selector, ...labelKeyRequirements(c, pod)];
    const namespace = namespaceOf(pod);
    out.push({
      namespace,
      cacheKey: `spread\0${namespace}\0${JSON.stringify(selector ?? null)}`,
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector,
      minDomains: c.minDomains ?? 1,
      honorAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
      honorTaints: c.nodeTaintsPolicy === 'Honor',
    });
  }
  return out;
}

function labelKeyRequirements(c: TopologySpreadConstraint, pod: Pod): Requirement[] {
  const labels = pod.metadata?.labels ?? {};
  return (c.matchLabelKeys ?? [])
    .filter((k) => Object.hasOwn(labels, k))
    .map((k) => ({ key: k, operator: 'in' as const, values: [labels[k] ?? ''] }));
}

/** nodeLabelsMatchSpreadConstraints: the node carries every constraint's topology key. */
export function hasAllTopologyKeys(node: Node, constraints: readonly Constraint[]): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const c of constraints) if (!Object.hasOwn(labels, c.topologyKey)) return false;
  return true;
}

/** matchNodeInclusionPolicies: whether the node's domain counts toward this constraint. */
export function nodeIncluded(c: Constraint, pod: Pod, node: Node, affinity: RequiredNodeAffinity | undefined): boolean {
  if (c.honorAffinity && !matchesRequired(affinity, node)) return false;
  if (c.honorTaints) {
    const hard = (t: { effect: string }): boolean => t.effect === 'NoSchedule' || t.effect === 'NoExecute';
    if (firstUntoleratedTaint(node.spec?.taints, pod.spec?.tolerations, hard)) return false;
  }
  return true;
}

/** countPodsMatchSelector: pods on the node in the pod's namespace, not terminating, that match. */
export function countMatching(ni: NodeInfo, c: Constraint): number {
  if (!c.selector || ni.pods.size === 0) return 0;
  return cachedCount(ni, c.cacheKey, count, c);
}

function count(ni: NodeInfo, c: Constraint): number {
  const matches = compileMatcher(c.selector ?? []);
  let n = 0;
  for (const pi of ni.pods.values()) {
    const m = pi.pod.metadata;
    if (m?.deletionTimestamp || (m?.namespace ?? 'default') !== c.namespace) continue;
    if (matches(m?.labels)) n++;
  }
  return n;
}

export const namespaceOf = (pod: Pod): string => pod.metadata?.namespace ?? 'default';
