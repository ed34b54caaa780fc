/**
 * What the scheduler needs to spread a workload's pods by default: the Services, ReplicaSets
 * and StatefulSets it follows (kept by the actor's informers, by "namespace/name"), and
 * upstream's DefaultSelector over them (pkg/scheduler/framework/plugins/helper/spread.go):
 * the labels of every Service that selects the pod, plus the selector of the ReplicaSet or
 * StatefulSet that controls it. (ReplicationControllers, which upstream also reads, are not
 * a kind this apiserver serves.)
 */
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import { labelSelectorToSelector, type Selector } from '../../api/selectors/labels.ts';

export class SpreadSelectors {
  readonly services = new Map<string, Service>();
  readonly replicaSets = new Map<string, ReplicaSet>();
  readonly statefulSets = new Map<string, StatefulSet>();

  /** DefaultSelector: empty when nothing selects or controls the pod (then nothing is spread). */
  defaultSelector(pod: Pod): Selector {
    const ns = pod.metadata?.namespace ?? 'default';
    const labels = pod.metadata?.labels ?? {};
    // Services and controllers that match the pod cannot disagree on a label: merging is safe.
    const set: Record<string, string> = {};
    for (const svc of this.services.values()) {
      const sel = svc.spec?.selector;
      if ((svc.metadata?.namespace ?? 'default') !== ns || !sel || Object.keys(sel).length === 0) continue;
      if (Object.entries(sel).every(([k, v]) => labels[k] === v)) Object.assign(set, sel);
    }
    const owner = pod.metadata?.ownerReferences?.find((r) => r.controller === true);
    const key = `${ns}/${owner?.name ?? ''}`;
    const selector: Selector = Object.entries(set).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => ({ key: k, operator: 'in', values: [v] }));
    if (owner?.apiVersion === 'apps/v1' && (owner.kind === 'ReplicaSet' || owner.kind === 'StatefulSet')) {
      const workload = owner.kind === 'ReplicaSet' ? this.replicaSets.get(key) : this.statefulSets.get(key);
      const r = labelSelectorToSelector(workload?.spec?.selector);
      if (r.ok && r.value) selector.push(...r.value);
    }
    return selector;
  }
}
