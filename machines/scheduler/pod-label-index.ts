/**
 * The snapshot's pods by namespace and label: lets a plugin count the pods a selector matches
 * by visiting those pods instead of every node. PodTopologySpread's zone constraint (one of
 * the system defaults every controller-owned pod gets) counts a workload's pods over all
 * nodes; visiting the nodes cost O(nodes) per scheduled pod — a third of the CPU of a
 * 5,000-node, 120,000-pod cluster — where visiting the workload's pods costs O(replicas).
 */
import type { Requirement } from '../../api/selectors/labels.ts';
import type { PodInfo } from './node-info.ts';

const indexKey = (namespace: string, key: string, value: string): string => `${namespace}\0${key}\0${value}`;

export class PodLabelIndex {
  readonly #pods = new Map<string, Set<PodInfo>>();

  add(pi: PodInfo): void {
    const m = pi.pod.metadata;
    const ns = m?.namespace ?? 'default';
    for (const [k, v] of Object.entries(m?.labels ?? {})) {
      const key = indexKey(ns, k, v);
      let set = this.#pods.get(key);
      if (!set) this.#pods.set(key, (set = new Set()));
      set.add(pi);
    }
  }

  remove(pi: PodInfo): void {
    const m = pi.pod.metadata;
    const ns = m?.namespace ?? 'default';
    for (const [k, v] of Object.entries(m?.labels ?? {})) {
      const key = indexKey(ns, k, v);
      const set = this.#pods.get(key);
      if (!set) continue;
      set.delete(pi);
      if (set.size === 0) this.#pods.delete(key);
    }
  }

  /**
   * A superset of the pods of `namespace` that `selector` matches — the pods carrying the
   * rarest of its equality requirements — or null when it has none (the caller visits the
   * nodes instead). The caller still applies the whole selector.
   */
  candidates(namespace: string, selector: readonly Requirement[]): ReadonlySet<PodInfo> | null {
    let best: ReadonlySet<PodInfo> | null = null;
    for (const r of selector) {
      if (!(r.operator === '=' || r.operator === '==' || r.operator === 'in') || r.values.length !== 1) continue;
      const set = this.#pods.get(indexKey(namespace, r.key, r.values[0] as string));
      if (!set) return EMPTY;
      if (!best || set.size < best.size) best = set;
    }
    return best;
  }
}

const EMPTY: ReadonlySet<PodInfo> = new Set();
