import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { activePods, cluster, replicaSet, targets, type Cluster } from './helpers.ts';

let c: Cluster;
test.after.each(async () => {
  await c?.close();
});

const pods = async (sel = 'app=web') => activePods(await c.list<Pod>(targets.pods('default'), sel));

test('a ReplicaSet gets its pods, owned with controller and blockOwnerDeletion, and its status', async () => {
  c = await cluster('replicaset');
  await c.h.client().must('api.create', { target: targets.replicasets('default'), object: replicaSet('web', 3) });
  await c.advance(1000);
  const ps = await pods();
  assert.is(ps.length, 3);
  for (const p of ps) {
    assert.match(p.metadata!.name!, /^web-[a-z0-9]{5}$/);
    const ref = p.metadata!.ownerReferences![0]!;
    assert.equal([ref.kind, ref.name, ref.controller, ref.blockOwnerDeletion], ['ReplicaSet', 'web', true, true]);
  }
  const rs = (await c.get<ReplicaSet>(targets.replicasets('default', 'web')))!;
  assert.is(rs.status?.replicas, 3);
  assert.is(rs.status?.fullyLabeledReplicas, 3);
  assert.is(rs.status?.observedGeneration, rs.metadata?.generation);
  const events = await c.list<{ reason: string; message: string }>(targets.events('default'));
  const created = events.filter((e) => e.reason === 'SuccessfulCreate');
  assert.is(created.length, 3);
  assert.match(created[0]!.message, /^Created pod: web-[a-z0-9]{5}$/);
});

test('scaling down deletes the surplus; scaling up creates; a deleted pod is replaced', async () => {
  c = await cluster('replicaset');
  await c.h.client().must('api.create', { target: targets.replicasets('default'), object: replicaSet('web', 4) });
  await c.advance(1000);
  await c.h.client().must('api.patch', { target: targets.replicasets('default', 'web'), patchType: 'merge', patch: { spec: { replicas: 2 } } });
  await c.advance(1000);
  assert.is((await pods()).length, 2);
  const victim = (await pods())[0]!;
  await c.h.client().must('api.delete', { target: targets.pods('default', victim.metadata!.name), options: { gracePeriodSeconds: 0 } });
  await c.advance(1000);
  const now = await pods();
  assert.is(now.length, 2);
  assert.not.ok(now.some((p) => p.metadata!.uid === victim.metadata!.uid));
  const rs = (await c.get<ReplicaSet>(targets.replicasets('default', 'web')))!;
  assert.is(rs.status?.replicas, 2);
});

test('expectations: a lagging pod watch does not cause double creation', async () => {
  c = await cluster('replicaset');
  await c.h.client().must('api.create', { target: targets.replicasets('default'), object: replicaSet('web', 3) });
  await c.advance(20);
  // Poke the ReplicaSet repeatedly (each poke is a sync) before pod events can be applied.
  for (let i = 0; i < 5; i++) {
    await c.h.client().must('api.patch', { target: targets.replicasets('default', 'web'), patchType: 'merge', patch: { metadata: { annotations: { poke: String(i) } } } });
  }
  await c.advance(2000);
  assert.is((await pods()).length, 3);
});

test('adoption of a matching orphan and release of a pod whose labels stop matching', async () => {
  c = await cluster('replicaset');
  await c.h.client().must('api.create', {
    target: targets.pods('default'),
    object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', labels: { app: 'web' } }, spec: { containers: [{ name: 'a', image: 'x' }] } },
  });
  await c.h.client().must('api.create', { target: targets.replicasets('default'), object: replicaSet('web', 2) });
  await c.advance(1000);
  const ps = await pods();
  assert.is(ps.length, 2);
  const orphan = ps.find((p) => p.metadata!.name === 'orphan');
  assert.ok(orphan, 'the orphan is counted');
  assert.is(orphan!.metadata!.ownerReferences?.[0]?.name, 'web');
  await c.h.client().must('api.patch', { target: targets.pods('default', 'orphan'), patchType: 'merge', patch: { metadata: { labels: { app: 'other' } } } });
  await c.advance(1000);
  const released = (await c.get<Pod>(targets.pods('default', 'orphan')))!;
  assert.is(released.metadata!.ownerReferences, undefined);
  assert.is((await pods()).length, 2);
});

test.run();
