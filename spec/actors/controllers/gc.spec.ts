import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { ConfigMap, Pod } from 'kubernetes-types/core/v1.js';
import type { ApiTarget, KubeObject, WatchEvent } from '../../../bus/catalogue/api.ts';
import { cluster, deployment, replicaSet, targets, type Cluster } from './helpers.ts';

let c: Cluster;
test.after.each(async () => {
  await c?.close();
});

const api = () => c.h.client();
const pods = () => c.list<Pod>(targets.pods('default'));
const rsList = () => c.list<ReplicaSet>(targets.replicasets('default'));

/** Watches `targets` from now on; returns the DELETED events so far, in revision order, as "kind/name". */
async function deletions(...ts: ApiTarget[]): Promise<() => string[]> {
  const ids = ts.map((_, i) => `gc-watch-${i}`);
  for (const [i, t] of ts.entries()) await api().must('api.watch', { target: t, id: ids[i]! });
  return () =>
    ids
      .flatMap((id) => api().events.get(id) ?? [])
      .filter((e: WatchEvent) => e.type === 'DELETED')
      .sort((a, b) => Number(a.object.metadata?.resourceVersion) - Number(b.object.metadata?.resourceVersion))
      .map((e) => `${e.object.kind}/${e.object.metadata?.name}`);
}

const configMap = (name: string, owner?: { kind: string; apiVersion: string; name: string; uid: string; blockOwnerDeletion?: boolean }): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', ...(owner ? { ownerReferences: [owner] } : {}) },
  data: { a: '1' },
});

test('foreground deletion of a Deployment removes its pods, then its ReplicaSet, then the Deployment', async () => {
  c = await cluster('replicaset,deployment,garbage-collector');
  await api().must('api.create', { target: targets.deployments('default'), object: deployment('web', 3) });
  await c.advance(2000);
  assert.is((await pods()).length, 3);
  const rsName = (await rsList())[0]!.metadata!.name!;
  const seen = await deletions(targets.pods('default'), targets.replicasets('default'), targets.deployments('default'));
  const marked = (await api().must('api.delete', { target: targets.deployments('default', 'web'), options: { propagationPolicy: 'Foreground' } })).object;
  assert.ok(marked.metadata?.deletionTimestamp, 'the Deployment is only marked at first');
  assert.equal(marked.metadata?.finalizers, ['foregroundDeletion']);
  await c.advance(3000);
  assert.is(await c.get(targets.deployments('default', 'web')), null);
  assert.is((await rsList()).length, 0);
  assert.is((await pods()).length, 0);
  const order = seen();
  assert.is(order.length, 5, order.join(' '));
  assert.ok(order.slice(0, 3).every((e) => e.startsWith('Pod/')), order.join(' '));
  assert.equal(order.slice(3), [`ReplicaSet/${rsName}`, 'Deployment/web']);
});

test('orphan deletion keeps the ReplicaSet and its pods, without the ownerReference to the Deployment', async () => {
  c = await cluster('replicaset,deployment,garbage-collector');
  await api().must('api.create', { target: targets.deployments('default'), object: deployment('web', 2) });
  await c.advance(2000);
  const dUid = (await c.get<KubeObject>(targets.deployments('default', 'web')))!.metadata!.uid;
  await api().must('api.delete', { target: targets.deployments('default', 'web'), options: { propagationPolicy: 'Orphan' } });
  await c.advance(3000);
  assert.is(await c.get(targets.deployments('default', 'web')), null);
  const rss = await rsList();
  assert.is(rss.length, 1);
  assert.not.ok(rss[0]!.metadata!.ownerReferences?.some((r) => r.uid === dUid), 'the ReplicaSet no longer names the Deployment');
  const ps = (await pods()).filter((p) => !p.metadata?.deletionTimestamp);
  assert.is(ps.length, 2);
  for (const p of ps) assert.is(p.metadata!.ownerReferences![0]!.uid, rss[0]!.metadata!.uid, 'pods keep their ReplicaSet');
});

test('background deletion removes the owner first, then its dependents', async () => {
  c = await cluster('replicaset,garbage-collector');
  await api().must('api.create', { target: targets.replicasets('default'), object: replicaSet('web', 2) });
  await c.advance(1000);
  assert.is((await pods()).length, 2);
  const seen = await deletions(targets.pods('default'), targets.replicasets('default'));
  await api().must('api.delete', { target: targets.replicasets('default', 'web'), options: { propagationPolicy: 'Background' } });
  await c.advance(2000);
  assert.is((await pods()).length, 0);
  const order = seen();
  assert.is(order[0], 'ReplicaSet/web');
  assert.equal(order.slice(1).map((e) => e.split('/')[0]), ['Pod', 'Pod']);
});

test('dangling references: an owner uid that does not exist, or that is not the current owner of that name', async () => {
  c = await cluster('replicaset,garbage-collector');
  await api().must('api.create', { target: targets.replicasets('default'), object: replicaSet('web', 0) });
  await c.advance(500);
  const rsUid = (await c.get<KubeObject>(targets.replicasets('default', 'web')))!.metadata!.uid!;
  const ref = (name: string, uid: string) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid });
  await api().must('api.create', {
    target: targets.pods('default'),
    object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'lost', ownerReferences: [ref('gone', 'no-such-uid')] }, spec: { containers: [{ name: 'a', image: 'x' }] } },
  });
  await api().must('api.create', { target: { group: '', version: 'v1', resource: 'configmaps', namespace: 'default' }, object: configMap('stale', ref('web', 'old-uid')) });
  await api().must('api.create', { target: { group: '', version: 'v1', resource: 'configmaps', namespace: 'default' }, object: configMap('kept', ref('web', rsUid)) });
  const both = { ...configMap('both'), metadata: { name: 'both', namespace: 'default', ownerReferences: [ref('web', rsUid), ref('gone', 'no-such-uid')] } };
  await api().must('api.create', { target: { group: '', version: 'v1', resource: 'configmaps', namespace: 'default' }, object: both });
  await c.advance(1000);
  const cm = (name: string) => c.get<ConfigMap>({ group: '', version: 'v1', resource: 'configmaps', namespace: 'default', name });
  assert.is(await c.get(targets.pods('default', 'lost')), null, 'a pod whose owner uid is gone is collected');
  assert.is(await cm('stale'), null, 'a reference whose uid is not the current owner of that name is dangling');
  assert.ok(await cm('kept'), 'a dependent of a live owner stays');
  const kept = await cm('both');
  assert.ok(kept, 'a dependent with one solid owner stays');
  assert.equal(kept!.metadata!.ownerReferences!.map((r) => r.uid), [rsUid], 'its dangling reference is dropped');
});

test('foreground deletion waits only for blockOwnerDeletion dependents; the others are collected after the owner', async () => {
  c = await cluster('garbage-collector');
  const cms = { group: '', version: 'v1', resource: 'configmaps', namespace: 'default' };
  const owner = (await api().must('api.create', { target: cms, object: configMap('owner') })).object;
  const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid! };
  await api().must('api.create', { target: cms, object: configMap('loose', ref) });
  await api().must('api.create', { target: cms, object: configMap('blocking', { ...ref, blockOwnerDeletion: true }) });
  await c.advance(500);
  const seen = await deletions(cms);
  await api().must('api.delete', { target: { ...cms, name: 'owner' }, options: { propagationPolicy: 'Foreground' } });
  await c.advance(2000);
  const order = seen();
  assert.is(order.length, 3, order.join(' '));
  assert.ok(order.indexOf('ConfigMap/blocking') < order.indexOf('ConfigMap/owner'), order.join(' '));
});

test('a freshly created owner is not mistaken for a missing one', async () => {
  c = await cluster('garbage-collector');
  const made = await api().must('api.create', { target: { group: '', version: 'v1', resource: 'configmaps', namespace: 'default' }, object: configMap('owner') });
  const uid = made.object.metadata!.uid!;
  await api().must('api.create', { target: { group: '', version: 'v1', resource: 'configmaps', namespace: 'default' }, object: configMap('child', { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid }) });
  await c.advance(1000);
  assert.ok(await c.get({ group: '', version: 'v1', resource: 'configmaps', namespace: 'default', name: 'child' }));
  await api().must('api.delete', { target: { group: '', version: 'v1', resource: 'configmaps', namespace: 'default', name: 'owner' } });
  await c.advance(1000);
  assert.is(await c.get({ group: '', version: 'v1', resource: 'configmaps', namespace: 'default', name: 'child' }), null);
});

test.run();
