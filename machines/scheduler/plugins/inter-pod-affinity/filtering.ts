/**
 * InterPodAffinity, filter half: required pod affinity and anti-affinity of the incoming
 * pod, and the required anti-affinity of pods already placed against it.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { CycleState, PreResult, Status } from '../../framework.ts';
import { stateKey, unresolvable, unschedulable } from '../../framework.ts';
import type { NodeInfo } from '../../node-info.ts';
import { cachedCount } from '../helpers/count-cache.ts';
import {
  addCount,
  existingTerms,
  getCount,
  termMatches,
  termsOf,
  type AffinityTerm,
  type NamespaceLabels,
  type PodTerms,
  type TopologyCounts,
} from './terms.ts';

export const NAME = 'InterPodAffinity';
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

interface FilterState {
  terms: PodTerms;
  selfMatchesAll: boolean;
  existingAnti: TopologyCounts;
  affinity: TopologyCounts;
  anti: TopologyCounts;
}

const FILTER = stateKey<FilterState>('PreFilterInterPodAffinity');

export function preFilter(state: CycleState, pod: Pod): PreResult {
  const snap = state.snapshot;
  const nsLabels = snap.namespaceLabels;
  const terms = termsOf(pod);
  const existingAnti: TopologyCounts = new Map();
  for (const ni of snap.nodesWithRequiredAntiAffinityPods) {
    // A node without labels has no topology domain for any term to count in.
    const labels = ni.labels;
    for (const pi of ni.podsWithRequiredAntiAffinity) {
      for (const t of existingTerms(pi).requiredAnti) {
        if (Object.hasOwn(labels, t.topologyKey) && termMatches(t, pod, nsLabels)) {
          addCount(existingAnti, t.topologyKey, labels[t.topologyKey] ?? '', 1);
        }
      }
    }
  }
  if (terms.requiredAffinity.length === 0 && terms.requiredAnti.length === 0 && existingAnti.size === 0) return 'skip';
  const affinity: TopologyCounts = new Map();
  const anti: TopologyCounts = new Map();
  const { requiredAffinity, requiredAnti } = terms;
  if (requiredAffinity.length > 0 || requiredAnti.length > 0) {
    const all: TermSet = { terms: requiredAffinity, nsLabels };
    const allKey = requiredAffinity.every((t) => t.cacheKey !== undefined)
      ? `affinity\0${requiredAffinity.map((t) => t.cacheKey).join('\0')}`
      : undefined;
    const antiSets: TermSet[] = requiredAnti.map((t) => ({ terms: [t], nsLabels }));
    for (const ni of snap.nodes) {
      if (ni.pods.size === 0) continue;
      const labels = ni.labels;
      // An existing pod counts for affinity only when it matches every required term.
      if (requiredAffinity.length > 0) {
        const n = allKey ? cachedCount(ni, allKey, countAll, all) : countAll(ni, all);
        for (const t of requiredAffinity) {
          if (n > 0 && Object.hasOwn(labels, t.topologyKey)) addCount(affinity, t.topologyKey, labels[t.topologyKey] ?? '', n);
        }
      }
      for (let i = 0; i < requiredAnti.length; i++) {
        const t = requiredAnti[i] as AffinityTerm;
        if (!Object.hasOwn(labels, t.topologyKey)) continue;
        const set = antiSets[i] as TermSet;
        const n = t.cacheKey ? cachedCount(ni, `term\0${t.cacheKey}`, countAll, set) : countAll(ni, set);
        if (n > 0) addCount(anti, t.topologyKey, labels[t.topologyKey] ?? '', n);
      }
    }
  }
  const selfMatchesAll = terms.requiredAffinity.every((t) => termMatches(t, pod, nsLabels));
  state.write(FILTER, { terms, selfMatchesAll, existingAnti, affinity, anti });
  return null;
}

interface TermSet {
  terms: readonly AffinityTerm[];
  nsLabels: NamespaceLabels;
}

/** Pods on the node matching every term of the set. */
function countAll(ni: NodeInfo, set: TermSet): number {
  let n = 0;
  for (const pi of ni.pods.values()) {
    let all = true;
    for (const t of set.terms) if (!termMatches(t, pi.pod, set.nsLabels)) all = false;
    if (all) n++;
  }
  return n;
}

function satisfiesAffinity(s: FilterState, labels: Readonly<Record<string, string>>): boolean {
  let podsExist = true;
  for (const t of s.terms.requiredAffinity) {
    if (!Object.hasOwn(labels, t.topologyKey)) return false;
    if (getCount(s.affinity, t.topologyKey, labels[t.topologyKey] ?? '') <= 0) podsExist = false;
  }
  // The first pod of a group with affinity to itself must be able to land somewhere.
  return podsExist || (s.affinity.size === 0 && s.selfMatchesAll);
}

export function filter(state: CycleState, _pod: Pod, ni: NodeInfo): Status | null {
  const s = state.read(FILTER);
  const labels = ni.labels;
  if (!satisfiesAffinity(s, labels)) return unresolvable(NAME, ERR_REASON_AFFINITY);
  for (const t of s.terms.requiredAnti) {
    if (Object.hasOwn(labels, t.topologyKey) && getCount(s.anti, t.topologyKey, labels[t.topologyKey] ?? '') > 0) {
      return unschedulable(NAME, ERR_REASON_ANTI_AFFINITY);
    }
  }
  for (const [key, values] of s.existingAnti) {
    if (Object.hasOwn(labels, key) && (values.get(labels[key] ?? '') ?? 0) > 0) {
      return unschedulable(NAME, ERR_REASON_EXISTING_ANTI_AFFINITY);
    }
  }
  return null;
}
