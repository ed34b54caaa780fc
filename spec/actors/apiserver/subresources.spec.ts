import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { start, t, pod, type Harness, deployment } from './harness.ts';

let h: Harness;
test.before.each(async () => {
  h = await start();
});
test.after.each(async () => {
  await h.close();
});

test('GET scale returns autoscaling/v1 Scale', async () => {
  const c = h.client();
  const d = (await c.must('api.create', { target: t.deploy(), object: deployment('web', 2) })).object;
  await c.must('api.update', { target: t.deploy('default', 'web', 'status'), object: { ...d, status: { replicas: 1 } } });
  const s = await c.must('api.get', { target: t.deploy('default', 'web', 'scale') });
  assert.is(s.kind, 'Scale');
  assert.is(s.apiVersion, 'autoscaling/v1');
  assert.equal(s.spec, { replicas: 2 });
  assert.equal(s.status, { replicas: 1, selector: 'app=web' });
});

test('update and patch of scale change spec.replicas', async () => {
  const c = h.client();
  await c.must('api.create', { target: t.deploy(), object: deployment('web', 2) });
  const s = await c.must('api.get', { target: t.deploy('default', 'web', 'scale') });
  const u = await c.must('api.update', { target: t.deploy('default', 'web', 'scale'), object: { ...s, spec: { replicas: 5 } } });
  assert.is(u.object.kind, 'Scale');
  assert.equal(u.object.spec, { replicas: 5 });
  const stale = await c.call('api.update', { target: t.deploy('default', 'web', 'scale'), object: { ...s, spec: { replicas: 6 } } });
  assert.ok(!stale.ok && stale.status.code === 409);
  await c.must('api.patch', { target: t.deploy('default', 'web', 'scale'), patchType: 'merge', patch: { spec: { replicas: 7 } } });
  const d = await c.must('api.get', { target: t.deploy('default', 'web') });
  assert.is((d.spec as { replicas: number }).replicas, 7);
  assert.is(d.metadata!.generation, 3);
  const neg = await c.call('api.patch', { target: t.deploy('default', 'web', 'scale'), patchType: 'merge', patch: { spec: { replicas: -1 } } });
  assert.ok(!neg.ok && neg.status.code === 422);
});

test('scale of a kind without it is 404', async () => {
  const r = await h.client().call('api.get', { target: t.pods('default', 'x', 'scale') });
  assert.ok(!r.ok && r.status.code === 404);
});

test('binding sets spec.nodeName once; a second binding is 409', async () => {
  const c = h.client('scheduler');
  await h.client().must('api.create', { target: t.pods(), object: pod('p') });
  const binding = (node: string) => ({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { apiVersion: 'v1', kind: 'Node', name: node } });
  const r = await c.must('api.create', { target: t.pods('default', 'p', 'binding'), object: binding('n1') });
  assert.is((r.object as { status: string }).status, 'Success');
  const p = await c.must('api.get', { target: t.pods('default', 'p') });
  assert.is((p.spec as { nodeName: string }).nodeName, 'n1');
  const conds = (p.status as { conditions: { type: string; status: string }[] }).conditions;
  assert.ok(conds.some((x) => x.type === 'PodScheduled' && x.status === 'True'));
  // As upstream's BindingREST, which writes storage without a field manager: the scheduler owns no field of the pod.
  const managers = (p.metadata as { managedFields?: { manager: string }[] }).managedFields?.map((m) => m.manager);
  assert.is(managers?.length, 1, `the creator's entry only: ${managers?.join(', ')}`);
  const again = await c.call('api.create', { target: t.pods('default', 'p', 'binding'), object: binding('n2') });
  assert.ok(!again.ok);
  if (!again.ok) {
    assert.is(again.status.code, 409);
    assert.is(again.status.message, 'Operation cannot be fulfilled on pods/binding "p": pod p is already assigned to node "n1"');
  }
});

test('pod status update through /status', async () => {
  const c = h.client();
  const p = (await c.must('api.create', { target: t.pods(), object: pod('s', { nodeName: 'n1' }) })).object;
  const r = await c.must('api.update', { target: t.pods('default', 's', 'status'), object: { ...p, status: { phase: 'Running' } } });
  assert.is((r.object.status as { phase: string }).phase, 'Running');
  const patched = await c.must('api.patch', { target: t.pods('default', 's', 'status'), patchType: 'merge', patch: { status: { podIP: '10.0.0.5' } } });
  assert.equal(patched.object.status, { phase: 'Running', podIP: '10.0.0.5' });
});

test.run();
