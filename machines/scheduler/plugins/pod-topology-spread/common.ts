/** What the PodTopologySpread filter and score share: compiled constraints and pod counting. */
import type { Node, Pod, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { labelSelectorToSelector, type Requirement } from '../../../../api/selectors/labels.ts';
import type { NodeInfo } from '../../node-info.ts';
import { cachedCount } from '../helpers/count-cache.ts';
import { compileMatcher } from '../helpers/matcher.ts';
import { matchesRequired, type RequiredNodeAffinity } from '../helpers/node-selector.ts';
import { firstUntoleratedTaint } from '../helpers/tolerations.ts';

export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_ZONE = 'topology.kubernetes.io/zone';

/**
 * The scheduler's system default constraints (defaultingType System), for pods without
 * constraints of their own: spread by node (maxSkew 3) and by zone (maxSkew 5), ScheduleAnyway.
 */
export const SYSTEM_DEFAULT_CONSTRAINTS: readonly TopologySpreadConstraint[] = Object.freeze([
  { topologyKey: LABEL_HOSTNAME, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 3 },
  { topologyKey: LABEL_ZONE, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5 },
]);

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
    out.push(compiled(pod, c, selector));
  }
  return out;
}

/**
 * buildDefaultConstraints: the system defaults with the pod's DefaultSelector (the Services
 * selecting it, the controller owning it); none when that selector is empty.
 */
export function defaultConstraints(pod: Pod, selector: Requirement[]): Constraint[] {
  return selector.length ? SYSTEM_DEFAULT_CONSTRAINTS.map((c) => compiled(pod, c, selector)) : [];
}

function compiled(pod: Pod, c: TopologySpreadConstraint, selector: Requirement[] | undefined): Constraint {
  const namespace = namespaceOf(pod);
  return {
    namespace,
    cacheKey: `spread\0${namespace}\0${JSON.stringify(selector ?? null)}`,
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    selector,
    minDomains: c.minDomains ?? 1,
    honorAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
    honorTaints: c.nodeTaintsPolicy === 'Honor',
  };
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
