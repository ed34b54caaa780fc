/**
 * PodTopologySpread, score half (ScheduleAnyway, and the system default constraints for pods
 * without their own): fewer matching pods in a node's domains scores higher. Each constraint's count is weighted by log(domains + 2) so small
 * topologies are not drowned by big ones; normalization flips the scale to 0–100.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { CycleState, PreResult } from '../../framework.ts';
import { MAX_NODE_SCORE, stateKey } from '../../framework.ts';
import type { NodeInfo, PodInfo } from '../../node-info.ts';
import { compileMatcher } from '../helpers/matcher.ts';
import { requiredNodeAffinity } from '../helpers/node-selector.ts';
import { LABEL_HOSTNAME, constraintsOf, countMatching, defaultConstraints, hasAllTopologyKeys, nodeIncluded, type Constraint } from './common.ts';

interface ScoreState {
  constraints: Constraint[];
  /** Feasible nodes lacking a topology key: scored 0, left out of normalization. */
  ignored: Set<string>;
  counts: Array<Map<string, number>>;
  weights: number[];
  /** Hostname constraints: matching pods per node, when the pod label index named them (score counts node by node otherwise). */
  perHost: Array<Map<NodeInfo, number> | null>;
}

const SCORE = stateKey<ScoreState>('PreScorePodTopologySpread');

export function preScore(state: CycleState, pod: Pod, feasible: readonly NodeInfo[]): PreResult {
  // A pod with constraints of its own is scored by those; one without, by the system
  // defaults, under which a node lacking a topology key still counts (requireAllTopologies).
  const own = (pod.spec?.topologySpreadConstraints?.length ?? 0) > 0;
  const constraints = own ? constraintsOf(pod, 'ScheduleAnyway') : defaultConstraints(pod, state.snapshot.spread.defaultSelector(pod));
  if (typeof constraints === 'string') return { code: 'Error', plugin: 'PodTopologySpread', reasons: [constraints] };
  if (constraints.length === 0 || state.snapshot.nodes.length === 0) return 'skip';
  const lacking = (node: Node | undefined): boolean => !node || (own && !hasAllTopologyKeys(node, constraints));
  const ignored = new Set<string>();
  const counts = constraints.map(() => new Map<string, number>());
  // Plain loops: this visits every feasible node of every cycle.
  const zoned = constraints.map((c) => c.topologyKey !== LABEL_HOSTNAME);
  for (const ni of feasible) {
    if (lacking(ni.node)) {
      ignored.add(ni.name);
      continue;
    }
    const labels = ni.labels;
    for (let i = 0; i < constraints.length; i++) {
      if (!zoned[i]) continue;
      const m = counts[i] as Map<string, number>;
      const value = labels[(constraints[i] as Constraint).topologyKey] ?? '';
      if (!m.has(value)) m.set(value, 0);
    }
  }
  const weights = constraints.map((c, i) =>
    Math.log((c.topologyKey === LABEL_HOSTNAME ? feasible.length - ignored.size : (counts[i]?.size ?? 0)) + 2),
  );
  // Domains are counted over all nodes, but only domains some feasible node is in matter.
  // Hostname domains are counted node by node in score; the others by visiting the pods the
  // selector matches when the index can name them, the nodes otherwise.
  const affinity = requiredNodeAffinity(pod);
  const byNodes: number[] = [];
  const perHost: Array<Map<NodeInfo, number> | null> = constraints.map(() => null);
  // The system defaults' two constraints share one selector: its pods are counted once.
  let last: { key: string; perNode: Map<NodeInfo, number> | null } | undefined;
  for (let i = 0; i < constraints.length; i++) {
    const c = constraints[i] as Constraint;
    if (!c.selector) continue;
    if (last?.key !== c.cacheKey) {
      const pods = state.snapshot.podsByLabel.candidates(c.namespace, c.selector);
      last = { key: c.cacheKey, perNode: pods && hostCounts(state, c, pods) };
    }
    if (c.topologyKey === LABEL_HOSTNAME) perHost[i] = last.perNode;
    else if (last.perNode) countByPods(pod, c, counts[i] as Map<string, number>, last.perNode, lacking, affinity);
    else byNodes.push(i);
  }
  if (byNodes.length > 0) {
    for (const ni of state.snapshot.nodes) {
      const node = ni.node;
      if (!node || lacking(node)) continue;
      for (const i of byNodes) {
        const c = constraints[i] as Constraint;
        const m = counts[i] as Map<string, number>;
        const value = ni.labels[c.topologyKey] ?? '';
        if (!m.has(value) || !nodeIncluded(c, pod, node, affinity)) continue;
        m.set(value, (m.get(value) ?? 0) + countMatching(ni, c));
      }
    }
  }
  state.write(SCORE, { constraints, ignored, counts, weights, perHost });
  return null;
}

/** Adds each node's matching pods (`perNode`, from hostCounts) to its domain in `m`: what visiting every node's countMatching adds, visiting only the nodes the pods are on. */
function countByPods(pod: Pod, c: Constraint, m: Map<string, number>, perNode: ReadonlyMap<NodeInfo, number>, lacking: (n: Node | undefined) => boolean, affinity: ReturnType<typeof requiredNodeAffinity>): void {
  for (const [ni, n] of perNode) {
    const node = ni.node;
    if (!node) continue;
    const value = ni.labels[c.topologyKey] ?? '';
    if (m.has(value) && !lacking(node) && nodeIncluded(c, pod, node, affinity)) m.set(value, (m.get(value) ?? 0) + n);
  }
}

/** countMatching for every node at once, from the candidates: matching pods in the namespace, not terminating, per node. */
function hostCounts(state: CycleState, c: Constraint, pods: ReadonlySet<PodInfo>): Map<NodeInfo, number> {
  const matches = compileMatcher(c.selector ?? []);
  const out = new Map<NodeInfo, number>();
  for (const pi of pods) {
    const meta = pi.pod.metadata;
    if (meta?.deletionTimestamp || !matches(meta?.labels)) continue;
    const ni = state.snapshot.get(pi.pod.spec?.nodeName ?? '');
    if (ni) out.set(ni, (out.get(ni) ?? 0) + 1);
  }
  return out;
}

/** Whether pre-score left the node out; most cycles leave none out, and then no node's name (a string elsewhere in memory) is hashed. */
const isIgnored = (s: ScoreState, ni: NodeInfo): boolean => s.ignored.size > 0 && s.ignored.has(ni.name);

export function score(state: CycleState, pod: Pod, ni: NodeInfo): number {
  const s = state.read(SCORE);
  if (isIgnored(s, ni)) return 0;
  if (!ni.node) return 0;
  const labels = ni.labels;
  let total = 0;
  // A plain loop: this runs for every feasible node of every cycle, and a closure over `total`
  // per node was a tenth of what a density run allocated.
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i] as Constraint;
    if (!Object.hasOwn(labels, c.topologyKey)) continue;
    const perHost = s.perHost[i];
    const cnt = c.topologyKey === LABEL_HOSTNAME
      ? (perHost ? (perHost.get(ni) ?? 0) : countMatching(ni, c))
      : (s.counts[i]?.get(labels[c.topologyKey] ?? '') ?? 0);
    total += cnt * (s.weights[i] ?? 0) + (c.maxSkew - 1);
  }
  return Math.round(total);
}

export function normalize(state: CycleState, _pod: Pod, nodes: readonly NodeInfo[], scores: number[]): void {
  const s = state.read(SCORE);
  let min = Infinity;
  let max = 0;
  for (let i = 0; i < nodes.length; i++) {
    if (isIgnored(s, nodes[i] as NodeInfo)) continue;
    const v = scores[i] ?? 0;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  for (let i = 0; i < nodes.length; i++) {
    if (isIgnored(s, nodes[i] as NodeInfo)) scores[i] = 0;
    else if (max === 0) scores[i] = MAX_NODE_SCORE;
    else scores[i] = Math.trunc((MAX_NODE_SCORE * (max + min - (scores[i] ?? 0))) / max);
  }
}
