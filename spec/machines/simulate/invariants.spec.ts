import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject } from '../../../base/object.ts';
import {
  ackedWriteKept,
  noGcOrphans,
  onePodPerOrdinal,
  pdbRespected,
  podBoundOnce,
  watchRvIncreases,
  workloadsConverge,
  type StoreView,
} from '../../../machines/simulate/invariants.ts';

const ready = (name: string, owner?: string, labels: Record<string, string> = { app: 'web' }): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, labels, ...(owner ? { ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: owner, uid: owner, controller: true }] } : {}) },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
});

function store(objects: Record<string, KubeObject[]>): StoreView {
  const uids = new Set(Object.values(objects).flat().map((o) => o.metadata?.uid));
  return { byKind: (r) => objects[r] ?? [], hasUid: (u) => uids.has(u) };
}

test('acknowledged-write-kept: the write is in the history at its revision', () => {
  assert.is(ackedWriteKept({ key: '/registry/pods/default/a', rv: 7, terminating: false }, { modRevision: 7 }), null);
  assert.match(ackedWriteKept({ key: '/registry/pods/default/a', rv: 7, terminating: false }, null)!, /acknowledged at resourceVersion 7 is not in the store/);
  assert.match(ackedWriteKept({ key: 'k', rv: 7, terminating: false }, { modRevision: 6 })!, /modRevision 6/);
  // The last finalizer removed: the answered object is gone at that very revision.
  assert.is(ackedWriteKept({ key: 'k', rv: 7, terminating: true }, null), null);
});

test('watch-rv-increases, pod-bound-once', () => {
  assert.is(watchRvIncreases('w', 5, 6, 'MODIFIED'), null);
  assert.is(watchRvIncreases('w', 6, 6, 'BOOKMARK'), null);
  assert.match(watchRvIncreases('w', 6, 6, 'ADDED')!, /ADDED at resourceVersion 6 after 6/);
  assert.is(podBoundOnce('p', undefined, 'node-1'), null);
  assert.is(podBoundOnce('p', 'node-1', 'node-1'), null);
  assert.match(podBoundOnce('p', 'node-1', 'node-2')!, /bound to node-1, now to node-2/);
});

test('one-pod-per-ordinal: two running instances of one StatefulSet pod name', () => {
  const sts = (_: string, name: string) => name.startsWith('db-');
  const a = { namespace: 'default', name: 'db-0', uid: 'a', node: 'node-1' };
  assert.is(onePodPerOrdinal([a, { ...a, name: 'db-1', uid: 'b' }], sts), null);
  assert.match(onePodPerOrdinal([a, { ...a, uid: 'b', node: 'node-2' }], sts)!, /db-0 runs twice: uid a on node-1 and uid b on node-2/);
  assert.is(onePodPerOrdinal([{ ...a, name: 'web-0' }, { ...a, name: 'web-0', uid: 'b' }], sts), null);
});

test('pdb-respected: healthy pods left after a granted eviction against the floor', () => {
  const pdb = { metadata: { name: 'web' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } } };
  const gone = { ...ready('c'), metadata: { ...ready('c').metadata, deletionTimestamp: '2025-01-01T00:00:00Z' } };
  assert.is(pdbRespected('default/c', pdb, [ready('a'), ready('b'), gone] as never), null);
  assert.match(pdbRespected('default/b', pdb, [ready('a'), gone, ready('x', undefined, { app: 'other' })] as never)!, /with 1 healthy pod\(s\), below its floor of 2/);
  // The budget's status counted 3 healthy (c's deletion not yet seen by the disruption controller): the eviction of b was
  // granted on what the budget knew, as upstream grants it; with the status up to date (2 healthy), the same grant breaks it.
  const stale = { ...pdb, status: { currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1 } };
  assert.is(pdbRespected('default/b', stale, [ready('a'), gone] as never), null);
  const fresh = { ...pdb, status: { currentHealthy: 2, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 0 } };
  assert.match(pdbRespected('default/b', fresh, [ready('a'), gone] as never)!, /below its floor of 2/);
  // A Pending pod counts for nothing: evicting it (drain lets it go without a disruption) leaves
  // the healthy pods as they were, even where the others are not ready behind a partition.
  const deleting = (p: KubeObject, status: unknown): KubeObject => ({ ...p, metadata: { ...p.metadata, deletionTimestamp: '2025-01-01T00:08:53Z' }, status } as KubeObject);
  const unready = { ...ready('u'), status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] } };
  const pending = deleting(ready('p'), { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] });
  assert.is(pdbRespected('default/p', fresh, [pending, unready] as never), null);
  // The same eviction of a ready pod, on a status that knew u was not ready, broke the budget.
  const evictedReady = deleting(ready('r'), ready('r').status);
  const knewUnready = { ...pdb, status: { currentHealthy: 1, desiredHealthy: 2, expectedPods: 2, disruptionsAllowed: 0 } };
  assert.match(pdbRespected('default/r', knewUnready, [evictedReady, unready] as never)!, /with 0 healthy pod\(s\), below its floor of 2/);
});

test('workloads-converge: status and pods as the spec says', () => {
  const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', uid: 'd', generation: 2 }, spec: { replicas: 2 }, status: { observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 } };
  const rs = { metadata: { name: 'web-1', namespace: 'default', uid: 'rs', ownerReferences: [{ uid: 'd', controller: true, kind: 'Deployment', name: 'web' }] } };
  const ok = store({ 'deployments.apps': [dep as KubeObject], 'replicasets.apps': [rs as KubeObject], pods: [ready('a', 'rs'), ready('b', 'rs')] });
  assert.is(workloadsConverge(ok), null);
  const short = store({ 'deployments.apps': [dep as KubeObject], 'replicasets.apps': [rs as KubeObject], pods: [ready('a', 'rs')] });
  assert.match(workloadsConverge(short)!, /Deployment default\/web: wants 2, 1 ready pod\(s\) exist/);
  const stale = store({ 'deployments.apps': [{ ...dep, status: { ...dep.status, observedGeneration: 1 } } as KubeObject] });
  assert.match(workloadsConverge(stale)!, /generation 2 not observed/);
  const job = { metadata: { name: 'batch', namespace: 'default', uid: 'j' }, spec: { completions: 4, parallelism: 2 }, status: { active: 1, succeeded: 3 } };
  assert.is(workloadsConverge(store({ 'jobs.batch': [job as KubeObject], pods: [ready('p', 'j')] })), null);
  assert.match(workloadsConverge(store({ 'jobs.batch': [job as KubeObject], pods: [] }))!, /Job default\/batch: not finished, wants 1 active pod\(s\), 0 exist/);
});

test('no-gc-orphans: a dependent whose owner uid is gone', () => {
  assert.is(noGcOrphans(store({ 'replicasets.apps': [{ metadata: { uid: 'rs' } } as KubeObject], pods: [ready('a', 'rs')] }), ['pods']), null);
  assert.match(noGcOrphans(store({ pods: [ready('a', 'rs')] }), ['pods'])!, /pods default\/a is owned by X rs \(uid rs\), which is gone/);
});

test.run();
