/**
 * The scheduling framework's contracts (k8s.io/kubernetes/pkg/scheduler/framework/interface.go),
 * reduced to what a pure, single-threaded scheduler needs: statuses, cycle state, and the
 * PreFilter / Filter / PreScore / Score extension points. One plugin object may implement
 * several extension points, as upstream plugins do.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { NodeInfo } from './node-info.ts';
import type { Snapshot } from './snapshot.ts';

/** framework.MaxNodeScore: every score plugin ends in 0..100 after normalization. */
export const MAX_NODE_SCORE = 100;

/**
 * Why a node (or the whole pod, at PreFilter) was rejected. `reasons` are the strings that
 * FitError counts; `plugin` names who said so. UnschedulableAndUnresolvable means preemption
 * would not help either.
 */
export interface Status {
  code: 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Error';
  plugin: string;
  reasons: string[];
}

export function unschedulable(plugin: string, ...reasons: string[]): Status {
  return { code: 'Unschedulable', plugin, reasons };
}

export function unresolvable(plugin: string, ...reasons: string[]): Status {
  return { code: 'UnschedulableAndUnresolvable', plugin, reasons };
}

/** A typed slot in the cycle state; the phantom `T` keeps reads and writes in step. */
export interface StateKey<T> {
  readonly name: string;
  /** The key's slot in every CycleState: plugins read their state for every node visited. */
  readonly slot: number;
  readonly _type?: T;
}

let slots = 0;

export function stateKey<T>(name: string): StateKey<T> {
  return { name, slot: slots++ };
}

/** Marks a slot never written in this cycle (a written value may itself be undefined). */
const UNSET = Symbol('unset');

/** Per-pod scratch data for one scheduling cycle (framework.CycleState): one array slot per key. */
export class CycleState {
  readonly #data: unknown[] = new Array<unknown>(slots).fill(UNSET);
  constructor(readonly snapshot: Snapshot) {}

  write<T>(key: StateKey<T>, value: T): void {
    while (this.#data.length < key.slot) this.#data.push(UNSET); // a key made after this state was
    this.#data[key.slot] = value;
  }

  /** The value a PreFilter/PreScore wrote; throws if it never ran (a wiring bug). */
  read<T>(key: StateKey<T>): T {
    const v = this.#data[key.slot];
    if (v === UNSET || key.slot >= this.#data.length) throw new Error(`cycle state has no ${key.name}`);
    return v as T;
  }
}

/**
 * PreFilterResult: only these nodes can fit, so the others are not even filtered
 * (NodeName, NodeAffinity on metadata.name). `skip` also skips the plugin's own filter.
 */
export interface NodeNamesResult {
  nodeNames: ReadonlySet<string>;
  skip?: boolean;
}

/** What PreFilter/PreScore may answer: go on (null), skip this plugin for the pod, or reject. */
export type PreResult = null | 'skip' | Status;

/** Cluster events that can make an unschedulable pod schedulable (framework.ClusterEvent). */
export type ClusterEvent =
  | 'NodeAdd'
  | 'NodeUpdate'
  | 'NodeDelete'
  | 'PodAdd'
  | 'PodUpdate'
  | 'PodDelete'
  | 'UnschedulableTimeout'
  | 'ForceActivate'
  /** A PersistentVolumeClaim, PersistentVolume or StorageClass was added or changed (VolumeBinding's events, in one). */
  | 'VolumeChange';

/**
 * A scheduler plugin. `filter` returns null when the node fits. `score` returns a raw
 * score; `normalize` rewrites the raw scores of all feasible nodes in place (same order as
 * `nodes`). `events` lists the cluster events after which a pod this plugin rejected may
 * fit (EventsToRegister); the queue uses it to decide whom to retry.
 */
export interface Plugin {
  readonly name: string;
  readonly events: readonly ClusterEvent[];
  preFilter?(state: CycleState, pod: Pod): PreResult | NodeNamesResult;
  filter?(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status | null;
  preScore?(state: CycleState, pod: Pod, nodes: readonly NodeInfo[]): PreResult;
  score?(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number;
  /**
   * `score` for every node at once, into `out` (same order, same numbers): one loop inside
   * the plugin instead of a call per node through a site that sees every plugin — the hot
   * path of a cycle on thousands of nodes. Optional; `score` is what explanations read.
   */
  scoreAll?(state: CycleState, pod: Pod, nodes: readonly NodeInfo[], out: number[]): void;
  normalize?(state: CycleState, pod: Pod, nodes: readonly NodeInfo[], scores: number[]): void;
}

/** A plugin with a filter extension point. */
export type FilterPlugin = Plugin & Required<Pick<Plugin, 'filter'>>;

/** A plugin with a score extension point, and the weight the profile gives it. */
export interface ScorePlugin extends Plugin {
  readonly weight: number;
  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number;
}

/**
 * helper.DefaultNormalizeScore: scale so the best raw score becomes 100; `reverse` makes
 * fewer better (all 100 when every score is 0).
 */
export function defaultNormalizeScore(scores: number[], reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  if (max === 0) {
    if (reverse) scores.fill(MAX_NODE_SCORE);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    const s = Math.trunc((MAX_NODE_SCORE * (scores[i] ?? 0)) / max);
    scores[i] = reverse ? MAX_NODE_SCORE - s : s;
  }
}
