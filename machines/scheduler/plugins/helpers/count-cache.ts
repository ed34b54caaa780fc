/**
 * Per-node memo of "how many pods here match X" (X: a spread selector or an affinity
 * term, as a string key). A node's entry is valid while its generation is unchanged, so
 * scheduling the next replica of a workload recounts only the nodes that changed since,
 * instead of every pod in the cluster. The counter is a plain function plus an argument,
 * not a closure: this runs for every node of every cycle.
 */
import type { NodeInfo } from '../../node-info.ts';

const MAX_KEYS_PER_NODE = 64;

export function cachedCount<A>(ni: NodeInfo, key: string, count: (ni: NodeInfo, arg: A) => number, arg: A): number {
  const e = ni.counts.get(key);
  if (e !== undefined) {
    if (e.generation !== ni.generation) {
      e.count = count(ni, arg);
      e.generation = ni.generation;
    }
    return e.count;
  }
  if (ni.counts.size >= MAX_KEYS_PER_NODE) ni.counts.clear(); // many distinct workloads: start over
  const n = count(ni, arg);
  ni.counts.set(key, { generation: ni.generation, count: n });
  return n;
}
