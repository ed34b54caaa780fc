/**
 * What one DaemonSet sync should do (daemon_controller.go manage / podsShouldBeOnNode and
 * update.go rollingUpdate), as pure data: the nodes that need a daemon pod and the pods to
 * delete. The rolling update is planned only once nothing else is to be done, so that the
 * unavailable count it budgets against is the settled one.
 */
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { isPodAvailable } from '../pods.ts';
import { scaledValue } from '../deployment/util.ts';
import { CONTROLLER_REVISION_HASH, nodeShouldRunDaemonPod, targetNodeName, type NodeVerdict } from './nodes.ts';

export interface DaemonPlan {
  /** Names of the nodes to create a daemon pod for. */
  createOn: string[];
  deletePods: Pod[];
  /** The deletions are the rolling update's (events and logs say so). */
  rolling: boolean;
}

export interface NodeState {
  node: Node;
  verdict: NodeVerdict;
  /** The daemon pods meant for the node, terminating ones included. */
  pods: Pod[];
}

const terminating = (p: Pod) => p.metadata?.deletionTimestamp !== undefined;
const created = (p: Pod) => Date.parse(p.metadata?.creationTimestamp ?? '') || 0;
const oldestFirst = (a: Pod, b: Pod) => created(a) - created(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
export const isUpdated = (p: Pod, hash: string): boolean => p.metadata?.labels?.[CONTROLLER_REVISION_HASH] === hash;

/** Nodes in name order with their verdicts and pods; `orphans` are pods meant for nodes that no longer exist. */
export function nodeStates(ds: DaemonSet, nodes: readonly Node[], pods: readonly Pod[]): { states: NodeState[]; orphans: Pod[] } {
  const byNode = new Map<string, Pod[]>();
  const orphans: Pod[] = [];
  for (const p of pods) {
    const n = targetNodeName(p);
    if (n !== undefined) byNode.set(n, [...(byNode.get(n) ?? []), p]);
  }
  const names = new Set(nodes.map((n) => n.metadata?.name ?? ''));
  for (const [n, ps] of byNode) if (!names.has(n)) orphans.push(...ps);
  const states = [...nodes]
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))
    .map((node) => ({ node, verdict: nodeShouldRunDaemonPod(node, ds), pods: (byNode.get(node.metadata?.name ?? '') ?? []).sort(oldestFirst) }));
  return { states, orphans };
}

/** manage: create where a pod should run and none is, delete failed, duplicate and misscheduled pods. */
export function planManage(states: readonly NodeState[], orphans: readonly Pod[]): DaemonPlan {
  const createOn: string[] = [];
  const deletePods: Pod[] = orphans.filter((p) => !terminating(p));
  for (const { node, verdict, pods } of states) {
    const live = pods.filter((p) => !terminating(p));
    if (verdict.shouldRun && pods.length === 0) createOn.push(node.metadata?.name ?? '');
    if (!verdict.shouldContinueRunning) {
      deletePods.push(...live);
      continue;
    }
    const failed = live.filter((p) => p.status?.phase === 'Failed');
    const running = live.filter((p) => p.status?.phase !== 'Failed');
    deletePods.push(...failed, ...running.slice(1));
  }
  return { createOn, deletePods, rolling: false };
}

/** The effective maxUnavailable for `desired` scheduled nodes (both 0 would never progress). */
export function maxUnavailableOf(ds: DaemonSet, desired: number): number {
  const ru = ds.spec?.updateStrategy?.rollingUpdate;
  const unavailable = scaledValue(ru?.maxUnavailable ?? 1, desired, true);
  const surge = scaledValue(ru?.maxSurge ?? 0, desired, true);
  return unavailable === 0 && surge === 0 ? 1 : unavailable;
}

/**
 * rollingUpdate (maxSurge 0): delete out-of-date pods while at most maxUnavailable of the
 * nodes that should run the daemon lack an available pod. Out-of-date pods that are not
 * available anyway are always replaced.
 */
export function planRollingUpdate(ds: DaemonSet, states: readonly NodeState[], hash: string, nowMs: number): DaemonPlan {
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const should = states.filter((s) => s.verdict.shouldRun);
  const maxUnavailable = maxUnavailableOf(ds, should.length);
  let numUnavailable = 0;
  const allowed: Pod[] = [];
  const candidates: Pod[] = [];
  for (const { pods } of should) {
    const live = pods.filter((p) => !terminating(p));
    const fresh = live.filter((p) => isUpdated(p, hash));
    const old = live.filter((p) => !isUpdated(p, hash));
    // A node whose pod is going or not yet there counts as unavailable, however it ends.
    if (live.length === 0 || live.length > 1) {
      numUnavailable++;
      continue;
    }
    const newPod = fresh[0], oldPod = old[0];
    if (newPod) {
      if (!isPodAvailable(newPod, minReady, nowMs)) numUnavailable++;
    } else if (oldPod) {
      if (!isPodAvailable(oldPod, minReady, nowMs)) {
        allowed.push(oldPod);
        numUnavailable++;
      } else if (numUnavailable < maxUnavailable) candidates.push(oldPod);
    }
  }
  const remaining = Math.max(0, Math.min(maxUnavailable - numUnavailable, candidates.length));
  return { createOn: [], deletePods: [...allowed, ...candidates.slice(0, remaining)], rolling: true };
}
