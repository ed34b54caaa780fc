/**
 * metrics-server's storage (pkg/storage): the last two samples of every node and container,
 * and the usage point computed from them. CPU is the rate of the cumulative CPU time between
 * the two samples (cores = Δ core-seconds / Δ seconds), memory the working set of the newer
 * one; the point's `timestamp` is the newer sample's and its `window` the time between them.
 * So a node or pod has a point only from its second sample on, as upstream. Pure: no clock,
 * no I/O — the actor feeds it each scrape's batch.
 */
import type { NodeStats } from '../../bus/catalogue/metrics.ts';

/** One usage point: CPU in nanocores (integer), memory in bytes, timestamp epoch ms, window ms. */
export interface UsagePoint {
  cpuNanoCores: number;
  memoryBytes: number;
  timestamp: number;
  windowMs: number;
}

/** A cumulative sample: CPU core-nanoseconds, working set and when it was taken. */
interface Sample {
  cpu: number;
  memory: number;
  timestamp: number;
}

interface Pair {
  prev?: Sample;
  last: Sample;
}

/** A pod's point: one per container, with the pod's timestamp and window (its newest container's). */
export interface PodPoint {
  namespace: string;
  name: string;
  timestamp: number;
  windowMs: number;
  containers: { name: string; usage: UsagePoint }[];
}

const sampleOf = (x: { cpuCoreNanoSeconds: number; memoryWorkingSetBytes: number; timestamp: number }): Sample => ({
  cpu: x.cpuCoreNanoSeconds,
  memory: x.memoryWorkingSetBytes,
  timestamp: x.timestamp,
});

/**
 * The pair after `next`: the old pair moves on when `next` is newer; a cumulative counter that
 * went back (the container restarted, the node rebooted) starts over with `next` alone.
 */
function advance(old: Pair | undefined, next: Sample): Pair {
  if (!old) return { last: next };
  if (next.timestamp <= old.last.timestamp) return old;
  if (next.cpu < old.last.cpu) return { last: next };
  return { prev: old.last, last: next };
}

/** The rate between a pair's two samples; null with one sample (or none in between). */
export function rateOf(pair: Pair): UsagePoint | null {
  const { prev, last } = pair;
  if (!prev) return null;
  const windowMs = last.timestamp - prev.timestamp;
  if (windowMs <= 0) return null;
  // core-ns per ms of window → nanocores: Δns / (Δms × 1e6) × 1e9 = Δns × 1000 / Δms.
  const cpuNanoCores = Math.round(((last.cpu - prev.cpu) * 1000) / windowMs);
  return { cpuNanoCores, memoryBytes: last.memory, timestamp: last.timestamp, windowMs };
}

interface PodPairs {
  namespace: string;
  name: string;
  uid: string;
  containers: Map<string, Pair>;
}

const podKey = (ns: string, name: string): string => `${ns}/${name}`;

export class MetricsStore {
  #nodes = new Map<string, Pair>();
  /** By pod key, then container name. */
  #pods = new Map<string, PodPairs>();

  /**
   * Stores one scrape: the nodes that answered. A node that did not answer keeps nothing (as
   * upstream's Store, which replaces its maps with the batch's); nor does a pod or container
   * no longer reported.
   */
  store(batch: readonly NodeStats[]): void {
    const nodes = new Map<string, Pair>();
    const pods = new Map<string, PodPairs>();
    for (const n of batch) {
      nodes.set(n.node, advance(this.#nodes.get(n.node), sampleOf(n)));
      for (const p of n.pods) {
        const key = podKey(p.namespace, p.name);
        const old = this.#pods.get(key);
        // A pod recreated under the same name is another pod: its samples start over.
        const oldContainers = old?.uid === p.uid ? old.containers : undefined;
        const containers = new Map<string, Pair>();
        for (const c of p.containers) containers.set(c.name, advance(oldContainers?.get(c.name), sampleOf(c)));
        pods.set(key, { namespace: p.namespace, name: p.name, uid: p.uid, containers });
      }
    }
    this.#nodes = nodes;
    this.#pods = pods;
  }

  /** The node's point, or null while it has fewer than two samples. */
  node(name: string): UsagePoint | null {
    const pair = this.#nodes.get(name);
    return pair ? rateOf(pair) : null;
  }

  /** The pod's point: null until every container it reports has two samples. */
  pod(namespace: string, name: string): PodPoint | null {
    const p = this.#pods.get(podKey(namespace, name));
    if (!p || p.containers.size === 0) return null;
    const containers: PodPoint['containers'] = [];
    for (const [cname, pair] of p.containers) {
      const usage = rateOf(pair);
      if (!usage) return null;
      containers.push({ name: cname, usage });
    }
    const newest = containers.reduce((a, b) => (b.usage.timestamp > a.usage.timestamp ? b : a));
    return { namespace, name, timestamp: newest.usage.timestamp, windowMs: newest.usage.windowMs, containers };
  }
}
