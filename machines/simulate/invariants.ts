/**
 * The simulation's invariants as small named predicates over what it observed: each returns
 * null when it holds, else what is wrong (one line). Pure; actors/simulate/checker.ts feeds
 * them the store's ground truth (every write the kv applied) and the bus's traffic.
 */
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { KubeObject } from '../../base/object.ts';
import { labelSelectorMatches } from '../../api/selectors/labels.ts';
import { controllerOf } from '../controllers/owners.ts';
import { isPodActive, isPodReady } from '../controllers/pods.ts';
import { countHealthy, expectation } from '../controllers/disruption/budget.ts';

/** The invariants by name, as `--seeds` summaries and violations name them. */
export const INVARIANTS = [
  'acknowledged-write-kept',
  'watch-rv-increases',
  'pod-bound-once',
  'one-pod-per-ordinal',
  'pdb-respected',
  'workloads-converge',
  'no-gc-orphans',
] as const;
export type InvariantName = (typeof INVARIANTS)[number];

/** A write the apiserver acknowledged: the object's storage key and the resourceVersion it was answered with. */
export interface AckedWrite {
  key: string;
  rv: number;
  /** The answered object was being deleted (its removal may be that very write). */
  terminating: boolean;
}

/**
 * acknowledged-write-kept: the store's history at the acknowledged revision holds that write
 * (modRevision = rv), or — for an object being deleted — its removal at that revision.
 * `atRv` is the key's record read at `rv` (null when absent then).
 */
export function ackedWriteKept(w: AckedWrite, atRv: { modRevision: number } | null): string | null {
  if (atRv !== null && atRv.modRevision === w.rv) return null;
  if (atRv === null && w.terminating) return null;
  return `write to ${w.key} acknowledged at resourceVersion ${w.rv} is not in the store (${atRv === null ? 'the key is absent' : `modRevision ${atRv.modRevision}`} at that revision)`;
}

/** watch-rv-increases: an event's resourceVersion after the previous one of the same watch. */
export function watchRvIncreases(watch: string, prev: number, rv: number, type: string): string | null {
  if (type === 'BOOKMARK' ? rv >= prev : rv > prev) return null;
  return `watch ${watch}: ${type} at resourceVersion ${rv} after ${prev}`;
}

/** pod-bound-once: a pod, once bound to a node, stays on it. */
export function podBoundOnce(pod: string, was: string | undefined, now: string | undefined): string | null {
  if (!was || !now || was === now) return null;
  return `pod ${pod} was bound to ${was}, now to ${now}`;
}

/** A pod instance with a running container, as the runtime sees it. */
export interface RunningPod {
  namespace: string;
  name: string;
  uid: string;
  node: string;
}

/** one-pod-per-ordinal: at most one running instance per StatefulSet pod name (`sts` holds namespace/name of StatefulSet pods). */
export function onePodPerOrdinal(running: readonly RunningPod[], isStatefulPod: (namespace: string, name: string) => boolean): string | null {
  const seen = new Map<string, RunningPod>();
  for (const r of running) {
    if (!isStatefulPod(r.namespace, r.name)) continue;
    const key = `${r.namespace}/${r.name}`;
    const other = seen.get(key);
    if (other && other.uid !== r.uid) return `StatefulSet pod ${key} runs twice: uid ${other.uid} on ${other.node} and uid ${r.uid} on ${r.node}`;
    seen.set(key, r);
  }
  return null;
}

/**
 * pdb-respected: after an eviction the apiserver granted, the budget's healthy pods (ready,
 * not being deleted, the evicted one excluded) are still at least its floor, unless the
 * budget's status had not yet seen a disruption (see below). `pdb` is the budget as the
 * eviction's grant wrote it (the status it was granted on; the stored one when the grant wrote
 * none), `pods` the namespace's pods as stored when the eviction was answered.
 */
export function pdbRespected(evicted: string, pdb: PodDisruptionBudget, pods: readonly Pod[]): string | null {
  // A pod the budget does not count as healthy (Pending, finished, not ready) takes nothing from
  // it by going: the apiserver lets it go without spending a disruption (canIgnorePDB,
  // IfHealthyBudget), and the healthy pods are as many after as before. (Found by
  // `simulate --seed 1 --duration 20m --nodes 3 --fault-gap 60s --faults
  // partition,watch-drop,delay,kubelet-silent`: a drain evicted a Pending pod of a budget whose
  // other pods were not ready behind a partition.)
  const pod = pods.find((p) => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}` === evicted);
  if (pod !== undefined && (pod.status?.phase !== 'Running' || !isPodReady(pod))) return null;
  const selected = pods.filter((p) => labelSelectorMatches(pdb.spec?.selector, p.metadata?.labels));
  const scale = pdb.status?.expectedPods ?? selected.length;
  const { desiredHealthy } = expectation(pdb, selected.length, scale);
  const healthy = countHealthy(selected, {});
  if (healthy >= desiredHealthy) return null;
  // An eviction decides on the budget's status, which the disruption controller computes from
  // its informer: a pod that stopped being healthy after that status was written (deleted by its
  // controller, gone not ready) is invisible to the eviction, upstream as here, and Kubernetes
  // does not promise the budget against it. The eviction broke the budget only when the status
  // it was granted on already knew every pod that is not healthy now (the evicted one counted in it).
  const known = pdb.status?.currentHealthy;
  if (known !== undefined && known - 1 > healthy) return null;
  return `eviction of ${evicted} left PodDisruptionBudget ${pdb.metadata?.name} with ${healthy} healthy pod(s), below its floor of ${desiredHealthy}`;
}

/** The store at one moment, as the convergence and orphan checks read it. */
export interface StoreView {
  byKind(resource: string): KubeObject[];
  hasUid(uid: string): boolean;
}

/** What the helpers read of any object (typed or not). */
interface Meta {
  metadata?: { name?: string; namespace?: string; generation?: number; uid?: string; ownerReferences?: readonly { uid: string; controller?: boolean }[] };
  status?: unknown;
}
const ownedBy = (o: Meta, uid: string | undefined): boolean => uid !== undefined && controllerOf(o)?.uid === uid;
const nameOf = (o: Meta): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
const observed = (o: Meta): boolean => ((o.status as { observedGeneration?: number } | undefined)?.observedGeneration ?? 0) >= (o.metadata?.generation ?? 0);

/** Active, ready pods controlled by any of `owners`. */
function readyPods(pods: readonly Pod[], owners: ReadonlySet<string>): number {
  return pods.filter((p) => owners.has(controllerOf(p)?.uid ?? '') && isPodActive(p) && isPodReady(p)).length;
}

/** workloads-converge: every Deployment, StatefulSet, DaemonSet and Job is where its spec says (status and pods). */
export function workloadsConverge(s: StoreView): string | null {
  const pods = s.byKind('pods') as Pod[];
  const nodes = s.byKind('nodes') as Node[];
  for (const d of s.byKind('deployments.apps') as Deployment[]) {
    const want = d.spec?.replicas ?? 1;
    const st = d.status ?? {};
    if (!observed(d)) return `Deployment ${nameOf(d)}: generation ${d.metadata?.generation} not observed (observedGeneration ${st.observedGeneration})`;
    if ((st.replicas ?? 0) !== want || (st.updatedReplicas ?? 0) !== want || (st.availableReplicas ?? 0) !== want || (st.readyReplicas ?? 0) !== want) {
      return `Deployment ${nameOf(d)}: wants ${want}, status replicas ${st.replicas ?? 0} updated ${st.updatedReplicas ?? 0} ready ${st.readyReplicas ?? 0} available ${st.availableReplicas ?? 0}`;
    }
    const rss = (s.byKind('replicasets.apps') as ReplicaSet[]).filter((r) => ownedBy(r, d.metadata?.uid));
    const ready = readyPods(pods, new Set(rss.map((r) => r.metadata?.uid ?? '')));
    if (ready !== want) return `Deployment ${nameOf(d)}: wants ${want}, ${ready} ready pod(s) exist`;
  }
  for (const ss of s.byKind('statefulsets.apps') as StatefulSet[]) {
    const want = ss.spec?.replicas ?? 1;
    const st = ss.status ?? { replicas: 0 };
    if (!observed(ss)) return `StatefulSet ${nameOf(ss)}: generation ${ss.metadata?.generation} not observed`;
    if (st.replicas !== want || (st.readyReplicas ?? 0) !== want || st.currentRevision !== st.updateRevision) {
      return `StatefulSet ${nameOf(ss)}: wants ${want}, status replicas ${st.replicas} ready ${st.readyReplicas ?? 0}, revision ${st.currentRevision} → ${st.updateRevision}`;
    }
    const ready = readyPods(pods, new Set([ss.metadata?.uid ?? '']));
    if (ready !== want) return `StatefulSet ${nameOf(ss)}: wants ${want}, ${ready} ready pod(s) exist`;
  }
  for (const ds of s.byKind('daemonsets.apps') as DaemonSet[]) {
    const st = ds.status ?? { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 };
    if (!observed(ds)) return `DaemonSet ${nameOf(ds)}: generation ${ds.metadata?.generation} not observed`;
    const want = nodes.length;
    if (st.desiredNumberScheduled !== want || st.numberReady !== want || (st.updatedNumberScheduled ?? 0) !== want || st.numberMisscheduled !== 0) {
      return `DaemonSet ${nameOf(ds)}: ${want} node(s), status desired ${st.desiredNumberScheduled} ready ${st.numberReady} updated ${st.updatedNumberScheduled ?? 0} misscheduled ${st.numberMisscheduled}`;
    }
    const ready = readyPods(pods, new Set([ds.metadata?.uid ?? '']));
    if (ready !== want) return `DaemonSet ${nameOf(ds)}: ${want} node(s), ${ready} ready pod(s) exist`;
  }
  for (const j of s.byKind('jobs.batch') as Job[]) {
    if (j.metadata?.deletionTimestamp) continue;
    const done = (j.status?.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
    if (done) continue;
    const completions = j.spec?.completions ?? 1;
    const parallelism = j.spec?.parallelism ?? 1;
    const succeeded = j.status?.succeeded ?? 0;
    const want = Math.min(parallelism, completions - succeeded);
    const active = pods.filter((p) => ownedBy(p, j.metadata?.uid) && isPodActive(p)).length;
    if (active !== want || (j.status?.active ?? 0) !== want) return `Job ${nameOf(j)}: not finished, wants ${want} active pod(s), ${active} exist (status.active ${j.status?.active ?? 0}, succeeded ${succeeded})`;
  }
  return null;
}

/** no-gc-orphans: no object (not itself being deleted) names an owner uid the store no longer has. */
export function noGcOrphans(s: StoreView, resources: readonly string[]): string | null {
  for (const r of resources) {
    for (const o of s.byKind(r)) {
      if (o.metadata?.deletionTimestamp) continue;
      for (const ref of o.metadata?.ownerReferences ?? []) {
        if (!s.hasUid(ref.uid)) return `${r} ${nameOf(o)} is owned by ${ref.kind} ${ref.name} (uid ${ref.uid}), which is gone`;
      }
    }
  }
  return null;
}
