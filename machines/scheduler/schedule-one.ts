/**
 * One scheduling attempt for one pod against a snapshot (schedule_one.go schedulePod):
 * PreFilter, Filter over (a sample of) the nodes starting at a rotating index, then
 * PreScore/Score/Normalize over the feasible ones, and the best node wins. Pure: the start
 * index and the tie-breaker come in, the next start index goes out.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ERR_NO_NODES_AVAILABLE, newFitError, type FitError } from './fit-error.ts';
import { CycleState, type FilterPlugin, type Status } from './framework.ts';
import { narrowedStatus, runPreFilters } from './pre-filter.ts';
import { addPodToNode, newPodInfo, podKey, type NodeInfo } from './node-info.ts';
import { podPriority } from './plugins/default-preemption/importance.ts';
import { copyNodeInfo } from './plugins/default-preemption/victims.ts';
import { defaultPlugins, type PluginSet } from './plugins/registry.ts';
import { numFeasibleNodesToFind } from './sampling.ts';
import { nodeScore, scoreNodes, selectHost, topK, type NodeScore } from './score-nodes.ts';

/** numberOfNodeScoresToIncludeInScheduleResult */
const TOP_SCORES = 3;
import type { Snapshot } from './snapshot.ts';

export interface ScheduleInput {
  snapshot: Snapshot;
  pod: Pod;
  /** Where the node search starts (the previous result's nextStartIndex). */
  startIndex: number;
  /** Chooses among equally scored nodes (any integer; e.g. from a seeded source). */
  tieBreak: number;
  plugins?: PluginSet;
  /** percentageOfNodesToScore; 0 or absent = adaptive. */
  percentageOfNodesToScore?: number;
  /**
   * For explain-schedule: record every examined node's filter verdict, and return the
   * score breakdown of every feasible node instead of the best three.
   */
  explain?: boolean;
}

/** Per node examined: the filters it passed, in order, and who rejected it (null = feasible). */
export interface FilterVerdict {
  node: string;
  passed: string[];
  status: Status | null;
}

interface Common {
  /** Nodes examined by the filters (feasible + rejected). */
  evaluatedNodes: number;
  nextStartIndex: number;
  /** With `explain`: every examined node's filter verdict, in visiting order. */
  filtered: FilterVerdict[] | undefined;
}

export type ScheduleResult =
  | (Common & {
      type: 'scheduled';
      node: string;
      feasibleNodes: number;
      /** Best first: the top three (as kube-scheduler logs), or all with `explain`; empty when only one node fit. */
      scores: NodeScore[];
    })
  | (Common & {
      type: 'unschedulable';
      error: FitError;
      /** What a PostFilter (preemption) re-runs the filters with; absent when PreFilter rejected the pod. */
      postFilter?: { state: CycleState; filters: readonly FilterPlugin[] };
    })
  | (Common & { type: 'error'; message: string });

export function scheduleOne(input: ScheduleInput): ScheduleResult {
  const { snapshot, pod } = input;
  const plugins = input.plugins ?? defaultPlugins;
  const nodes = snapshot.nodes;
  const n = nodes.length;
  const start = n === 0 ? 0 : ((input.startIndex % n) + n) % n;
  const base = { evaluatedNodes: 0, nextStartIndex: start, filtered: input.explain ? ([] as FilterVerdict[]) : undefined };
  if (n === 0) return { ...base, type: 'error', message: ERR_NO_NODES_AVAILABLE };

  const state = new CycleState(snapshot);
  const pre = runPreFilters(plugins, state, pod, snapshot);
  if (pre.type === 'error') return { ...base, type: 'error', message: pre.message };
  if (pre.type === 'rejected') {
    const error = newFitError(n, new Map(), { absentStatus: pre.status, preFilterMsg: pre.status.reasons.join(', '), plugins: pre.plugins });
    return { ...base, type: 'unschedulable', error };
  }
  const filters = plugins.filters.filter((p) => !pre.skipped.has(p.name));
  // A PreFilterResult narrows the search to its few nodes, which are all visited and do
  // not advance the rotation.
  const narrowed = pre.narrowedBy.length > 0;
  const candidates = pre.nodes;
  const m = candidates.length;
  const from = narrowed ? 0 : start;

  // evaluateNominatedNode: a pod whose preemption freed room on a node tries that node first.
  const nominatedTo = pod.status?.nominatedNodeName;
  const nominatedInfo = nominatedTo ? snapshot.get(nominatedTo) : undefined;
  if (nominatedInfo && !input.explain && (!narrowed || candidates.includes(nominatedInfo))
    && runFiltersWithNominatedPods(filters, state, pod, nominatedInfo, snapshot) === null) {
    return { ...base, type: 'scheduled', node: nominatedInfo.name, feasibleNodes: 1, scores: [] };
  }

  const want = numFeasibleNodesToFind(m, input.percentageOfNodesToScore);
  const feasible: NodeInfo[] = [];
  const rejected = new Map<string, Status>();
  let i = 0;
  if (base.filtered || snapshot.hasNominations) {
    for (; i < m && feasible.length < want; i++) {
      const ni = candidates[(from + i) % m] as NodeInfo;
      const passed = base.filtered ? [] : undefined;
      const status = runFiltersWithNominatedPods(filters, state, pod, ni, snapshot, passed);
      if (status) rejected.set(ni.name, status);
      else feasible.push(ni);
      base.filtered?.push({ node: ni.name, passed: passed ?? [], status });
    }
  } else {
    // The hot loop of every cycle (hundreds of nodes): no nominations to count, nothing to
    // record per node — each filter plugin called directly, in order, until one rejects.
    const nf = filters.length;
    let k = from;
    for (; i < m && feasible.length < want; i++) {
      const ni = candidates[k] as NodeInfo;
      if (++k === m) k = 0;
      let status: Status | null = null;
      for (let f = 0; f < nf && status === null; f++) status = (filters[f] as FilterPlugin).filter(state, pod, ni);
      if (status) rejected.set(ni.name, status);
      else feasible.push(ni);
    }
  }
  base.evaluatedNodes = i;
  base.nextStartIndex = narrowed ? start : (start + i) % n;
  if (feasible.length === 0) {
    const absentStatus = narrowed ? narrowedStatus(pre.narrowedBy) : undefined;
    return { ...base, type: 'unschedulable', error: newFitError(n, rejected, { absentStatus, plugins: pre.narrowedBy }), postFilter: { state, filters } };
  }
  // Upstream skips scoring a lone feasible node; explain-schedule still wants its scores.
  if (feasible.length === 1 && !input.explain) {
    return { ...base, type: 'scheduled', node: (feasible[0] as NodeInfo).name, feasibleNodes: 1, scores: [] };
  }

  const scores = scoreNodes(state, pod, plugins.scorers, feasible);
  if ('code' in scores) return { ...base, type: 'error', message: scores.reasons.join(', ') };
  const best = selectHost(scores.totals, input.tieBreak);
  const shown = topK(scores, input.explain ? feasible.length : TOP_SCORES);
  // The chosen node leads even when a tie put an equal one before it.
  const order = [best, ...shown.filter((i) => i !== best)].slice(0, shown.length);
  return {
    ...base,
    type: 'scheduled',
    node: (feasible[best] as NodeInfo).name,
    feasibleNodes: feasible.length,
    scores: order.map((i) => nodeScore(scores, i)),
  };
}

/**
 * RunFilterPluginsWithNominatedPods: the pods nominated to the node with a priority at least
 * the pod's are counted on it first (the room their victims leave is theirs), then — when
 * that passed — the filters run again without them, since a nominated pod that never comes
 * must not make the node pass either (inter-pod affinity to it, upstream's reason). Unlike
 * upstream, the PreFilter states are not told of the added pods (AddPod extensions), as in
 * preemption's victim search.
 */
function runFiltersWithNominatedPods(filters: readonly FilterPlugin[], state: CycleState, pod: Pod, ni: NodeInfo, snapshot: Snapshot, passed?: string[]): Status | null {
  const nominated = snapshot.nominatedOn(ni.name);
  if (nominated === undefined) return runFilters(filters, state, pod, ni, passed);
  const key = podKey(pod);
  const priority = podPriority(pod);
  let withNominated: NodeInfo | undefined;
  for (const [k, p] of nominated) {
    if (k === key || podPriority(p) < priority) continue;
    withNominated ??= copyNodeInfo(ni);
    addPodToNode(withNominated, newPodInfo({ ...p, spec: { ...p.spec!, nodeName: ni.name } }));
  }
  if (withNominated === undefined) return runFilters(filters, state, pod, ni, passed);
  return runFilters(filters, state, pod, withNominated, passed) ?? runFilters(filters, state, pod, ni);
}

/** RunFilterPlugins: stops at the first rejection; `passed` collects who let the node through. */
function runFilters(filters: readonly FilterPlugin[], state: CycleState, pod: Pod, ni: NodeInfo, passed?: string[]): Status | null {
  for (const p of filters) {
    const s = p.filter(state, pod, ni);
    if (s) return s;
    passed?.push(p.name);
  }
  return null;
}
