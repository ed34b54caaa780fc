/**
 * InterPodAffinity, score half: the incoming pod's preferred (anti-)affinity toward placed
 * pods, and placed pods' affinity toward it (their required affinity counts with
 * hardPodAffinityWeight 1), summed per topology domain and scaled min–max to 0–100.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { CycleState, PreResult } from '../../framework.ts';
import { MAX_NODE_SCORE, stateKey } from '../../framework.ts';
import type { NodeInfo, PodInfo } from '../../node-info.ts';
import { addCount, existingTerms, termMatches, termsOf, type AffinityTerm, type NamespaceLabels, type TopologyCounts } from './terms.ts';

const HARD_POD_AFFINITY_WEIGHT = 1;
const SCORE = stateKey<TopologyCounts>('PreScoreInterPodAffinity');

function processTerms(
  m: TopologyCounts,
  terms: readonly AffinityTerm[],
  podToCheck: Pod,
  labels: Readonly<Record<string, string>>,
  sign: number,
  nsLabels: NamespaceLabels,
  weight?: number,
): void {
  for (const t of terms) {
    if (Object.hasOwn(labels, t.topologyKey) && termMatches(t, podToCheck, nsLabels)) {
      addCount(m, t.topologyKey, labels[t.topologyKey] ?? '', sign * (weight ?? t.weight));
    }
  }
}

export function preScore(state: CycleState, pod: Pod): PreResult {
  const snap = state.snapshot;
  const nsLabels = snap.namespaceLabels;
  const mine = termsOf(pod);
  const hasPreferred = mine.preferredAffinity.length > 0 || mine.preferredAnti.length > 0;
  if (!hasPreferred && snap.nodesWithAffinityPods.size === 0) return 'skip';
  const m: TopologyCounts = new Map();
  const visit = (ni: NodeInfo, pods: Iterable<PodInfo>): void => {
    const labels = ni.labels;
    if (Object.keys(labels).length === 0) return;
    for (const pi of pods) {
      processTerms(m, mine.preferredAffinity, pi.pod, labels, 1, nsLabels);
      processTerms(m, mine.preferredAnti, pi.pod, labels, -1, nsLabels);
      if (!pi.hasAffinity) continue;
      const theirs = existingTerms(pi);
      processTerms(m, theirs.requiredAffinity, pod, labels, 1, nsLabels, HARD_POD_AFFINITY_WEIGHT);
      processTerms(m, theirs.preferredAffinity, pod, labels, 1, nsLabels);
      processTerms(m, theirs.preferredAnti, pod, labels, -1, nsLabels);
    }
  };
  if (hasPreferred) for (const ni of snap.nodes) visit(ni, ni.pods.values());
  else for (const ni of snap.nodesWithAffinityPods) visit(ni, ni.podsWithAffinity);
  if (m.size === 0) return 'skip';
  state.write(SCORE, m);
  return null;
}

export function score(state: CycleState, _pod: Pod, ni: NodeInfo): number {
  const labels = ni.labels;
  let total = 0;
  for (const [key, values] of state.read(SCORE)) {
    if (Object.hasOwn(labels, key)) total += values.get(labels[key] ?? '') ?? 0;
  }
  return total;
}

export function normalize(_state: CycleState, _pod: Pod, _nodes: readonly NodeInfo[], scores: number[]): void {
  let min = Infinity;
  let max = -Infinity;
  for (const s of scores) {
    if (s < min) min = s;
    if (s > max) max = s;
  }
  const diff = max - min;
  for (let i = 0; i < scores.length; i++) {
    // Same float order as upstream: 100 * ((s - min) / diff), then truncation.
    scores[i] = diff > 0 ? Math.trunc(MAX_NODE_SCORE * (((scores[i] ?? 0) - min) / diff)) : 0;
  }
}
