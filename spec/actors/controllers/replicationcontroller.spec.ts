/**
 * The ReplicationController controller (the ReplicaSet controller on an equality selector),
 * in virtual time on the real apiserver: pods owned by the RC, status, scaling through
 * /scale, adoption of a matching orphan, and defaulting/validation of the kind.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Pod, ReplicationController } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import { activePods, cluster, targets, type Cluster } from './helpers.ts';

let c: Cluster;
test.after.each(async () => {
  await c?.close();
});

const rc = (name: string, replicas: number, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ReplicationController',
  metadata: { name },
  spec: { replicas, ...extra, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } },
});
const pods = async (sel: string) => activePods(await c.list<Pod>(targets.pods('default'), sel));
const getRc = async (name: string) => (await c.get<ReplicationController>(targets.replicationcontrollers('default', name)))!;

test('an RC gets its pods, owned by the ReplicationController, and its status; the selector defaults from the template', async () => {
  c = await cluster('replicationcontroller');
  await c.h.client().must('api.create', { target: targets.replicationcontrollers('default'), object: rc('web', 3) });
  await c.advance(1000);
  const ps = await pods('app=web');
  assert.is(ps.length, 3);
  for (const p of ps) {
    const ref = p.metadata!.ownerReferences![0]!;
    assert.equal([ref.apiVersion, ref.kind, ref.name, ref.controller, ref.blockOwnerDeletion], ['v1', 'ReplicationController', 'web', true, true]);
  }
  const r = await getRc('web');
  assert.equal(r.spec?.selector, { app: 'web' });
  assert.equal(r.metadata?.labels, { app: 'web' });
  assert.is(r.status?.replicas, 3);
  assert.is(r.status?.fullyLabeledReplicas, 3);
  assert.is(r.status?.observedGeneration, r.metadata?.generation);
  const events = await c.list<{ reason: string; involvedObject: { kind: string } }>(targets.events('default'));
  assert.is(events.filter((e) => e.reason === 'SuccessfulCreate' && e.involvedObject.kind === 'ReplicationController').length, 3);
});

test('scale through /scale (status.selector is the label map), down and up; a matching orphan is adopted', async () => {
  c = await cluster('replicationcontroller');
  await c.h.client().must('api.create', { target: targets.replicationcontrollers('default'), object: rc('api', 1) });
  await c.advance(1000);
  const scale = (await c.h.client().must('api.get', { target: targets.replicationcontrollers('default', 'api', 'scale') })) as KubeObject;
  assert.equal(scale.status, { replicas: 1, selector: 'app=api' });
  await c.h.client().must('api.patch', { target: targets.replicationcontrollers('default', 'api', 'scale'), patchType: 'merge', patch: { spec: { replicas: 3 } } });
  await c.advance(1000);
  assert.is((await pods('app=api')).length, 3);
  await c.h.client().must('api.patch', { target: targets.replicationcontrollers('default', 'api', 'scale'), patchType: 'merge', patch: { spec: { replicas: 1 } } });
  await c.advance(1000);
  assert.is((await pods('app=api')).length, 1);
  await c.h.client().must('api.create', { target: targets.pods('default'), object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stray', labels: { app: 'api' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } });
  await c.advance(1000);
  const left = await pods('app=api');
  assert.is(left.length, 1, 'the adopted surplus pod is deleted again');
  assert.is(left[0]!.metadata?.ownerReferences?.[0]?.kind, 'ReplicationController');
});

test('validation: a selector that does not match the template labels is refused with upstream causes', async () => {
  c = await cluster('replicationcontroller');
  const bad = rc('bad', 1, { selector: { app: 'other' } });
  const r = await c.h.client().call('api.create', { target: targets.replicationcontrollers('default'), object: bad });
  assert.not.ok(r.ok);
  if (r.ok) return;
  assert.is(r.status.code, 422);
  assert.match(r.status.message, 'ReplicationController "bad" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"bad"}: `selector` does not match template `labels`');
  const noTemplate = { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'empty' }, spec: { replicas: 1 } };
  const e = await c.h.client().call('api.create', { target: targets.replicationcontrollers('default'), object: noTemplate });
  assert.not.ok(e.ok);
  if (!e.ok) assert.match(e.status.message, 'spec.selector: Required value');
});

test.run();
