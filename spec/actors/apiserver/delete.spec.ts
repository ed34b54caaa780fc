import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { start, t, pod, cm, type Harness } from './harness.ts';

let h: Harness;
test.before.each(async () => {
  h = await start();
});
test.after.each(async () => {
  await h.close();
});

test('delete removes at once and answers the object as it was', async () => {
  const c = h.client();
  await c.must('api.create', { target: t.cm(), object: cm('gone') });
  const r = await c.must('api.delete', { target: t.cm('default', 'gone') });
  assert.is(r.object.metadata!.name, 'gone');
  const got = await c.call('api.get', { target: t.cm('default', 'gone') });
  assert.ok(!got.ok && got.status.code === 404);
  const again = await c.call('api.delete', { target: t.cm('default', 'gone') });
  assert.ok(!again.ok && again.status.code === 404);
});

test('preconditions: uid and resourceVersion mismatches are 409 Conflict', async () => {
  const c = h.client();
  const o = (await c.must('api.create', { target: t.cm(), object: cm('pre') })).object;
  const uid = await c.call('api.delete', { target: t.cm('default', 'pre'), options: { preconditions: { uid: 'other' } } });
  assert.ok(!uid.ok);
  assert.is(!uid.ok && uid.status.message, `Operation cannot be fulfilled on configmaps "pre": Precondition failed: UID in precondition: other, UID in object meta: ${o.metadata!.uid}`);
  const rv = await c.call('api.delete', { target: t.cm('default', 'pre'), options: { preconditions: { resourceVersion: '1' } } });
  assert.ok(!rv.ok && rv.status.reason === 'Conflict');
  assert.is(!rv.ok && rv.status.message, `Operation cannot be fulfilled on configmaps "pre": Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: ${o.metadata!.resourceVersion}`);
  const ok = await c.call('api.delete', { target: t.cm('default', 'pre'), options: { preconditions: { uid: o.metadata!.uid } } });
  assert.ok(ok.ok);
});

test('finalizers: delete only marks; removing the last finalizer deletes', async () => {
  const c = h.client();
  const o = (await c.must('api.create', { target: t.cm(), object: { ...cm('fin'), metadata: { name: 'fin', finalizers: ['example.com/hold'] } } })).object;
  const marked = (await c.must('api.delete', { target: t.cm('default', 'fin') })).object;
  assert.is(marked.metadata!.deletionTimestamp, '2025-01-01T00:00:00Z');
  assert.is(marked.metadata!.deletionGracePeriodSeconds, 0);
  assert.is(marked.metadata!.generation, undefined); // no generation to bump on a ConfigMap
  assert.ok((await c.call('api.get', { target: t.cm('default', 'fin') })).ok);
  // A second delete is a no-op.
  const again = (await c.must('api.delete', { target: t.cm('default', 'fin') })).object;
  assert.is(again.metadata!.resourceVersion, marked.metadata!.resourceVersion);
  const cleared = await c.must('api.patch', { target: t.cm('default', 'fin'), patchType: 'merge', patch: { metadata: { finalizers: null } } });
  assert.ok(cleared.object.metadata!.uid === o.metadata!.uid);
  const got = await c.call('api.get', { target: t.cm('default', 'fin') });
  assert.ok(!got.ok && got.status.code === 404);
});

test('propagation: Foreground adds foregroundDeletion, Orphan adds orphan, Background neither', async () => {
  const c = h.client();
  await c.must('api.create', { target: t.cm(), object: cm('fg') });
  await c.must('api.create', { target: t.cm(), object: cm('or') });
  const fg = (await c.must('api.delete', { target: t.cm('default', 'fg'), options: { propagationPolicy: 'Foreground' } })).object;
  assert.equal(fg.metadata!.finalizers, ['foregroundDeletion']);
  assert.ok(fg.metadata!.deletionTimestamp);
  const or = (await c.must('api.delete', { target: t.cm('default', 'or'), options: { propagationPolicy: 'Orphan' } })).object;
  assert.equal(or.metadata!.finalizers, ['orphan']);
  await c.must('api.create', { target: t.cm(), object: cm('bg') });
  await c.must('api.delete', { target: t.cm('default', 'bg'), options: { propagationPolicy: 'Background' } });
  assert.ok(!(await c.call('api.get', { target: t.cm('default', 'bg') })).ok);
});

test('ownerReferences are kept', async () => {
  const c = h.client();
  const owner = (await c.must('api.create', { target: t.cm(), object: cm('owner') })).object;
  const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid!, controller: true, blockOwnerDeletion: true };
  const child = (await c.must('api.create', { target: t.cm(), object: { ...cm('child'), metadata: { name: 'child', ownerReferences: [ref] } } })).object;
  assert.equal(child.metadata!.ownerReferences, [ref]);
});

test('a bound pod is deleted gracefully; the kubelet finishes with grace 0', async () => {
  const c = h.client();
  await c.must('api.create', { target: t.pods(), object: pod('g', { nodeName: 'n1' }) });
  const marked = (await c.must('api.delete', { target: t.pods('default', 'g') })).object;
  assert.is(marked.metadata!.deletionGracePeriodSeconds, 30);
  assert.is(marked.metadata!.deletionTimestamp, '2025-01-01T00:00:30Z');
  await c.must('api.delete', { target: t.pods('default', 'g'), options: { gracePeriodSeconds: 0 } });
  assert.ok(!(await c.call('api.get', { target: t.pods('default', 'g') })).ok);
  // An unbound pod goes at once.
  await c.must('api.create', { target: t.pods(), object: pod('u') });
  await c.must('api.delete', { target: t.pods('default', 'u') });
  assert.ok(!(await c.call('api.get', { target: t.pods('default', 'u') })).ok);
});

test('terminating namespace: marked, content creation forbidden, system namespaces protected', async () => {
  const c = h.client();
  await c.must('api.create', { target: t.ns(), object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } } });
  const ns = (await c.must('api.delete', { target: t.ns('team') })).object;
  assert.is((ns.status as { phase: string }).phase, 'Terminating');
  const r = await c.call('api.create', { target: t.cm('team'), object: cm('late') });
  assert.ok(!r.ok && r.status.code === 403 && r.status.reason === 'Forbidden');
  assert.is(!r.ok && r.status.message, 'configmaps "late" is forbidden: unable to create new content in namespace team because it is being terminated');
  const sys = await c.call('api.delete', { target: t.ns('kube-system') });
  assert.ok(!sys.ok && sys.status.code === 403);
  // The namespace controller's last step: /finalize empties spec.finalizers and the namespace goes.
  await c.must('api.update', { target: t.ns('team', 'finalize'), object: { ...ns, spec: { finalizers: [] } } });
  assert.ok(!(await c.call('api.get', { target: t.ns('team') })).ok);
});

test('deletecollection deletes what the selector picks', async () => {
  const c = h.client();
  await c.must('api.create', { target: t.cm(), object: cm('x1', {}, { tier: 'a' }) });
  await c.must('api.create', { target: t.cm(), object: cm('x2', {}, { tier: 'a' }) });
  await c.must('api.create', { target: t.cm(), object: cm('x3', {}, { tier: 'b' }) });
  const r = await c.must('api.deletecollection', { target: t.cm(), listOptions: { labelSelector: 'tier=a' } });
  assert.equal((r.items as { metadata: { name: string } }[]).map((i) => i.metadata.name), ['x1', 'x2']);
  const left = await c.must('api.list', { target: t.cm() });
  assert.equal((left.items as { metadata: { name: string } }[]).map((i) => i.metadata.name), ['x3']);
});

test('dryRun delete keeps the object', async () => {
  const c = h.client();
  await c.must('api.create', { target: t.cm(), object: cm('keep') });
  await c.must('api.delete', { target: t.cm('default', 'keep'), dryRun: true });
  assert.ok((await c.call('api.get', { target: t.cm('default', 'keep') })).ok);
});

test.run();
