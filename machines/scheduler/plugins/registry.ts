/**
 * The one table of scheduler plugins, in kube-scheduler's default order (filters run in
 * this order and a node stops at the first that rejects it). Weights are the default
 * profile's. A duplicate name fails at load time.
 */
import type { ClusterEvent, FilterPlugin, Plugin, ScorePlugin } from '../framework.ts';
import { imageLocality } from './image-locality.ts';
import { interPodAffinity } from './inter-pod-affinity/index.ts';
import { nodeAffinity } from './node-affinity.ts';
import { nodeName } from './node-name.ts';
import { nodePorts } from './node-ports.ts';
import { nodeResourcesBalancedAllocation } from './node-resources-balanced-allocation.ts';
import { nodeResourcesFit } from './node-resources-fit.ts';
import { nodeUnschedulable } from './node-unschedulable.ts';
import { podTopologySpread } from './pod-topology-spread/index.ts';
import { taintToleration } from './taint-toleration.ts';
import { volumeBinding } from './volume-binding.ts';

/** A checked, ordered set of plugins: what schedule-one runs. */
export interface PluginSet {
  readonly all: readonly Plugin[];
  readonly filters: readonly FilterPlugin[];
  readonly scorers: readonly ScorePlugin[];
  readonly byName: ReadonlyMap<string, Plugin>;
}

/** Builds a plugin set, failing fast on a duplicate name or a scorer without a weight. */
export function pluginSet(plugins: readonly Plugin[]): PluginSet {
  const byName = new Map<string, Plugin>();
  for (const p of plugins) {
    if (byName.has(p.name)) throw new Error(`scheduler plugin ${p.name} registered twice`);
    if (p.score && !(typeof (p as ScorePlugin).weight === 'number' && (p as ScorePlugin).weight > 0)) {
      throw new Error(`scheduler plugin ${p.name} scores but has no positive weight`);
    }
    byName.set(p.name, p);
  }
  return {
    all: plugins,
    filters: plugins.filter((p): p is FilterPlugin => p.filter !== undefined),
    scorers: plugins.filter((p): p is ScorePlugin => p.score !== undefined),
    byName,
  };
}

/** Plugin name → the cluster events it registers for: the plain data the scheduling queue keeps. */
export function pluginEvents(set: PluginSet): Record<string, readonly ClusterEvent[]> {
  return Object.fromEntries(set.all.map((p) => [p.name, p.events]));
}

/** kube-scheduler's default profile, without DefaultPreemption and the volume plugins other than VolumeBinding. */
export const DEFAULT_PLUGINS: readonly Plugin[] = [
  nodeUnschedulable,
  nodeName,
  taintToleration,
  nodeAffinity,
  nodePorts,
  nodeResourcesFit,
  volumeBinding,
  podTopologySpread,
  interPodAffinity,
  nodeResourcesBalancedAllocation,
  imageLocality,
];

export const defaultPlugins: PluginSet = pluginSet(DEFAULT_PLUGINS);
