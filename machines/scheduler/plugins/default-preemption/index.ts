/**
 * The DefaultPreemption PostFilter plugin (framework/plugins/defaultpreemption with
 * framework/preemption's Evaluator), pure: after a cycle found no node for a pod, decide
 * whether evicting lower-priority pods would make room, and where. The effects (the
 * victims' DisruptionTarget condition, their deletion, the Preempted events, the
 * preemptor's status.nominatedNodeName) are the scheduler actor's (actors/scheduler/core.ts).
 *
 * Differences from upstream: the Filter plugins are re-run with the cycle state the
 * PreFilters computed on the whole snapshot (upstream's AddPod/RemovePod PreFilter
 * extensions, which update inter-pod affinity and topology spread counts as victims are
 * removed, are not run), and pods nominated to a node are not counted on it.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { fitErrorMessage, type FitError } from '../../fit-error.ts';
import { unresolvable, type CycleState, type FilterPlugin, type Status } from '../../framework.ts';
import type { NodeInfo } from '../../node-info.ts';
import type { Snapshot } from '../../snapshot.ts';
import { podPriority } from './importance.ts';
import { pickOneNodeForPreemption, type Candidate } from './pick.ts';
import { selectVictimsOnNode } from './victims.ts';

export const PLUGIN_NAME = 'DefaultPreemption';
/** The DisruptionTarget condition's reason on a victim (v1.PodReasonPreemptionByScheduler). */
export const PREEMPTION_BY_SCHEDULER = 'PreemptionByScheduler';
/** DefaultPreemptionArgs defaults: the dry run stops once it has max(10% of the nodes, 100) candidates. */
export const MIN_CANDIDATE_NODES_PERCENTAGE = 10;
export const MIN_CANDIDATE_NODES_ABSOLUTE = 100;

export interface PreemptInput {
  snapshot: Snapshot;
  state: CycleState;
  pod: Pod;
  error: FitError;
  filters: readonly FilterPlugin[];
  pdbs: readonly PodDisruptionBudget[];
  /** Where the dry run starts among the nodes (upstream draws it at random): any integer. */
  offset: number;
}

export type PreemptResult =
  /** Preempt `victims` (most important first) on `node`, and nominate the pod there. */
  | { type: 'preempt'; node: string; victims: Pod[] }
  /** No preemption: `message` ("preemption: …") ends the FailedScheduling message; `clearNomination` when a stale one should go. */
  | { type: 'none'; message: string; clearNomination: boolean };

/** podTerminatingByPreemption: deleted, and marked as preempted by the scheduler. */
function terminatingByPreemption(p: Pod): boolean {
  if (!p.metadata?.deletionTimestamp) return false;
  return (p.status?.conditions ?? []).some((c) => c.type === 'DisruptionTarget' && c.status === 'True' && c.reason === PREEMPTION_BY_SCHEDULER);
}

/** PodEligibleToPreemptOthers: null when the pod may preempt, else why not. */
export function notEligible(pod: Pod, snapshot: Snapshot, nominatedStatus: Status | undefined): string | null {
  if (pod.spec?.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
  const nominated = pod.status?.nominatedNodeName;
  if (!nominated || nominatedStatus?.code === 'UnschedulableAndUnresolvable') return null;
  const ni = snapshot.get(nominated);
  const priority = podPriority(pod);
  for (const pi of ni?.pods.values() ?? []) {
    if (podPriority(pi.pod) < priority && terminatingByPreemption(pi.pod)) return 'not eligible due to a terminating pod on the nominated node.';
  }
  return null;
}

/** calculateNumCandidates. */
export function numCandidates(numNodes: number): number {
  const n = Math.max(Math.trunc((numNodes * MIN_CANDIDATE_NODES_PERCENTAGE) / 100), MIN_CANDIDATE_NODES_ABSOLUTE);
  return Math.min(n, numNodes);
}

/** The node's status in the FitError: its own, or the absent nodes' one. */
const statusOf = (e: FitError, node: string): Status | undefined => e.nodeToStatus.get(node) ?? e.absentStatus;

/** Evaluator.Preempt: eligibility, candidates from a dry run, the best one. */
export function preempt(input: PreemptInput): PreemptResult {
  const { snapshot, pod, error } = input;
  const why = notEligible(pod, snapshot, pod.status?.nominatedNodeName ? statusOf(error, pod.status.nominatedNodeName) : undefined);
  if (why) return { type: 'none', message: `preemption: ${why}`, clearNomination: false };

  const all = snapshot.nodes;
  const statuses = new Map<string, Status>();
  const potential: NodeInfo[] = [];
  for (const ni of all) {
    if (statusOf(error, ni.name)?.code === 'UnschedulableAndUnresolvable') statuses.set(ni.name, unresolvable(PLUGIN_NAME, 'Preemption is not helpful for scheduling'));
    else potential.push(ni);
  }
  const candidates: Candidate[] = [];
  if (potential.length > 0) {
    const want = numCandidates(potential.length);
    const start = ((input.offset % potential.length) + potential.length) % potential.length;
    let nonViolating = 0;
    for (let i = 0; i < potential.length; i++) {
      const ni = potential[(start + i) % potential.length]!;
      const v = selectVictimsOnNode(input.filters, input.state, pod, ni, input.pdbs);
      if ('code' in v) {
        statuses.set(ni.name, v);
        continue;
      }
      candidates.push({ node: ni.name, victims: v });
      if (v.numPDBViolations === 0) nonViolating++;
      if (nonViolating > 0 && candidates.length >= want) break;
    }
  }
  const best = pickOneNodeForPreemption(candidates);
  if (!best) {
    const message = fitErrorMessage(all.length, statuses.values());
    return { type: 'none', message: `preemption: ${message}`, clearNomination: true };
  }
  return { type: 'preempt', node: best.node, victims: best.victims.pods };
}
