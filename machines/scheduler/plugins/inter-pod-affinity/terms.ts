/**
 * Pod affinity terms, compiled once per pod (framework.AffinityTerm): a label selector, the
 * namespaces it looks in, and the topology key that defines "together".
 */
import type { Pod, PodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { labelSelectorToSelector, matchesLabels, type Requirement } from '../../../../api/selectors/labels.ts';
import type { PodInfo } from '../../node-info.ts';
import { compileMatcher, type LabelMatcher } from '../helpers/matcher.ts';

export interface AffinityTerm {
  /** undefined: a nil labelSelector, which selects no pod. */
  selector: Requirement[] | undefined;
  /** The selector, compiled. */
  matches: LabelMatcher | undefined;
  namespaces: ReadonlySet<string>;
  /** undefined: no namespaceSelector; [] selects every namespace. */
  namespaceSelector: Requirement[] | undefined;
  topologyKey: string;
  weight: number;
  /** Identity for the per-node count cache; undefined with a namespaceSelector (namespace labels may change). */
  cacheKey: string | undefined;
}

export type NamespaceLabels = ReadonlyMap<string, Readonly<Record<string, string>>>;

const ns = (pod: Pod): string => pod.metadata?.namespace ?? 'default';

/** Compiles a term as seen from `owner` (its namespace is the default; its labels feed matchLabelKeys). */
export function compileTerm(t: PodAffinityTerm, owner: Pod, weight = 1): AffinityTerm {
  const sel = labelSelectorToSelector(t.labelSelector);
  let selector = sel.ok ? sel.value : undefined;
  const labels = owner.metadata?.labels ?? {};
  if (selector) {
    for (const k of t.matchLabelKeys ?? []) {
      if (Object.hasOwn(labels, k)) selector = [...selector, { key: k, operator: 'in', values: [labels[k] ?? ''] }];
    }
    for (const k of t.mismatchLabelKeys ?? []) {
      if (Object.hasOwn(labels, k)) selector = [...selector, { key: k, operator: 'notin', values: [labels[k] ?? ''] }];
    }
  }
  const nsSel = t.namespaceSelector ? labelSelectorToSelector(t.namespaceSelector) : undefined;
  const namespaces = new Set(t.namespaces ?? []);
  if (namespaces.size === 0 && !t.namespaceSelector) namespaces.add(ns(owner));
  return {
    selector,
    matches: selector ? compileMatcher(selector) : undefined,
    namespaces,
    namespaceSelector: nsSel?.ok ? nsSel.value : undefined,
    topologyKey: t.topologyKey,
    weight,
    cacheKey: t.namespaceSelector ? undefined : `${[...namespaces].sort().join(',')}\0${JSON.stringify(selector ?? null)}`,
  };
}

/** AffinityTerm.Matches: the pod is in one of the term's namespaces and matches its selector. */
export function termMatches(t: AffinityTerm, pod: Pod, nsLabels: NamespaceLabels): boolean {
  if (!t.matches) return false;
  const n = ns(pod);
  if (!t.namespaces.has(n)) {
    if (!t.namespaceSelector || !matchesLabels(t.namespaceSelector, nsLabels.get(n) ?? {})) return false;
  }
  return t.matches(pod.metadata?.labels);
}

/** A pod's affinity terms, by kind. */
export interface PodTerms {
  requiredAffinity: AffinityTerm[];
  requiredAnti: AffinityTerm[];
  preferredAffinity: AffinityTerm[];
  preferredAnti: AffinityTerm[];
}

export function termsOf(pod: Pod): PodTerms {
  const a = pod.spec?.affinity;
  const req = (ts: PodAffinityTerm[] | undefined): AffinityTerm[] => (ts ?? []).map((t) => compileTerm(t, pod));
  return {
    requiredAffinity: req(a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    requiredAnti: req(a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    preferredAffinity: (a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [])
      .map((w) => compileTerm(w.podAffinityTerm, pod, w.weight)),
    preferredAnti: (a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [])
      .map((w) => compileTerm(w.podAffinityTerm, pod, w.weight)),
  };
}

const cache = new WeakMap<PodInfo, PodTerms>();

/** The terms of a pod already placed, compiled on first use and kept with its PodInfo. */
export function existingTerms(pi: PodInfo): PodTerms {
  let t = cache.get(pi);
  if (!t) cache.set(pi, (t = termsOf(pi.pod)));
  return t;
}

/** Counts per topology pair: key → value → count. */
export type TopologyCounts = Map<string, Map<string, number>>;

export function addCount(m: TopologyCounts, key: string, value: string, n: number): void {
  let vs = m.get(key);
  if (!vs) m.set(key, (vs = new Map()));
  vs.set(value, (vs.get(value) ?? 0) + n);
}

export function getCount(m: TopologyCounts, key: string, value: string): number {
  return m.get(key)?.get(value) ?? 0;
}
