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

test('boot creates the system namespaces and the kubernetes service', async () => {
  const c = h.client();
  const list = await c.must('api.list', { target: t.ns() });
  const names = (list.items as { metadata: { name: string } }[]).map((n) => n.metadata.name);
  assert.equal(names, ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
  assert.is(list.kind, 'NamespaceList');
  const svc = await c.must('api.get', { target: t.svc('default', 'kubernetes') });
  assert.is((svc.spec as { clusterIP: string }).clusterIP, '127.96.0.1');
});

test('create stamps uid, resourceVersion, generation (for kinds that track it), creationTimestamp', async () => {
  const c = h.client();
  const r = await c.must('api.create', { target: t.cm(), object: cm('one') });
  const m = r.object.metadata!;
  assert.ok(r.created);
  assert.match(m.uid!, /^[0-9a-f-]{36}$/);
  assert.match(m.resourceVersion!, /^\d+$/);
  assert.is(m.generation, undefined); // ConfigMaps carry no generation (generation.spec.ts)
  assert.is(m.creationTimestamp, '2025-01-01T00:00:00Z');
  assert.is(m.namespace, 'default');
  const got = await c.must('api.get', { target: t.cm('default', 'one') });
  assert.equal(got, r.object);
});

test('unknown resource is 404 the server could not find the requested resource', async () => {
  const r = await h.client().call('api.get', { target: { group: '', version: 'v1', resource: 'widgets', name: 'x' } });
  assert.not.ok(r.ok);
  if (!r.ok) {
    assert.is(r.status.code, 404);
    assert.is(r.status.message, 'the server could not find the requested resource');
  }
});

test('AlreadyExists and NotFound', async () => {
  const c = h.client();
  await c.must('api.create', { target: t.cm(), object: cm('dup') });
  const again = await c.call('api.create', { target: t.cm(), object: cm('dup') });
  assert.ok(!again.ok && again.status.reason === 'AlreadyExists' && again.status.code === 409);
  assert.is(!again.ok && again.status.message, 'configmaps "dup" already exists');
  const missing = await c.call('api.get', { target: t.cm('default', 'nope') });
  assert.is(!missing.ok && missing.status.message, 'configmaps "nope" not found');
});

test('generateName draws a suffix', async () => {
  const r = await h.client().must('api.create', { target: t.cm(), object: { ...cm(''), metadata: { generateName: 'web-' } } });
  assert.match(r.object.metadata!.name!, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
});

test('pods get default tolerations and Pending status', async () => {
  const r = await h.client().must('api.create', { target: t.pods(), object: pod('p1') });
  const spec = r.object.spec as { tolerations: { key: string; tolerationSeconds: number }[] };
  const keys = spec.tolerations.map((x) => `${x.key}:${x.tolerationSeconds}`);
  assert.ok(keys.includes('node.kubernetes.io/not-ready:300'));
  assert.ok(keys.includes('node.kubernetes.io/unreachable:300'));
  assert.is((r.object.status as { phase: string }).phase, 'Pending');
});

test('namespaced create needs an existing namespace', async () => {
  const r = await h.client().call('api.create', { target: t.cm('ghost'), object: cm('x') });
  assert.ok(!r.ok && r.status.code === 404);
  assert.is(!r.ok && r.status.message, 'namespaces "ghost" not found');
});

test('invalid object is 422 with field causes', async () => {
  const r = await h.client().call('api.create', { target: t.pods(), object: { ...pod('Bad_Name'), spec: { containers: [] } } });
  assert.ok(!r.ok);
  if (!r.ok) {
    assert.is(r.status.code, 422);
    assert.is(r.status.reason, 'Invalid');
    const fields = (r.status.details?.causes ?? []).map((x) => x.field);
    assert.ok(fields.includes('metadata.name'), JSON.stringify(r.status));
    assert.ok(fields.includes('spec.containers'), JSON.stringify(r.status));
  }
});

test('fieldValidation Strict / Warn / Ignore', async () => {
  const c = h.client();
  const obj = { ...cm('f1'), bogus: 1 } as never;
  const strict = await c.call('api.create', { target: t.cm(), object: obj, fieldValidation: 'Strict' });
  assert.ok(!strict.ok && strict.status.code === 400);
  assert.is(!strict.ok && strict.status.message, 'strict decoding error: unknown field "bogus"');
  const warn = await c.must('api.create', { target: t.cm(), object: obj, fieldValidation: 'Warn' });
  assert.equal(warn.warnings, ['unknown field "bogus"']);
  assert.is((warn.object as Record<string, unknown>).bogus, undefined);
  const ignore = await c.must('api.create', { target: t.cm(), object: { ...cm('f2'), bogus: 1 } as never, fieldValidation: 'Ignore' });
  assert.is(ignore.warnings, undefined);
});

test("an update's unknown fields are found beside the parts it shares with the stored version", async () => {
  const c = h.client();
  const stored = (await c.must('api.create', { target: t.cm(), object: cm('f3') })).object as Record<string, unknown> & { metadata: Record<string, unknown> };
  // In process the body may share objects with the watch cache's copy (a kubelet's Lease renewal shares its metadata).
  const top = await c.call('api.update', { target: t.cm('default', 'f3'), object: { ...stored, bogus: 1 } as never, fieldValidation: 'Strict' });
  assert.is(!top.ok && top.status.message, 'strict decoding error: unknown field "bogus"');
  const nested = await c.call('api.update', { target: t.cm('default', 'f3'), object: { ...stored, metadata: { ...stored.metadata, bogus: 1 } } as never, fieldValidation: 'Strict' });
  assert.is(!nested.ok && nested.status.message, 'strict decoding error: unknown field "metadata.bogus"');
  const warn = await c.must('api.update', { target: t.cm('default', 'f3'), object: { ...stored, data: { k: 'v' }, bogus: 1 } as never });
  assert.equal(warn.warnings, ['unknown field "bogus"']);
  assert.equal((warn.object as Record<string, unknown>).data, { k: 'v' });
});

test('dryRun stores nothing and answers what would be stored', async () => {
  const c = h.client();
  const r = await c.must('api.create', { target: t.cm(), object: cm('dry'), dryRun: true });
  assert.is(r.object.metadata!.name, 'dry');
  assert.ok(r.object.metadata!.uid);
  const got = await c.call('api.get', { target: t.cm('default', 'dry') });
  assert.ok(!got.ok && got.status.code === 404);
});

test('a write\'s reply is the object the cache then serves for that version: one copy for the writer, the readers and the watchers', async () => {
  const c = h.client();
  await c.must('api.watch', { target: t.cm(), id: 'w', options: { resourceVersion: '0' } });
  const created = await c.must('api.create', { target: t.cm(), object: cm('shared') });
  const updated = await c.must('api.update', { target: t.cm('default', 'shared'), object: { ...created.object, data: { a: '2' } } });
  await h.settle();
  const cached = await c.must('api.get', { target: t.cm('default', 'shared'), resourceVersion: '0' });
  assert.ok(cached === updated.object, 'the cache serves the update\'s reply object');
  assert.is((cached.data as Record<string, string>).a, '2');
  const seen = (c.events.get('w') ?? []).filter((e) => e.object.metadata?.name === 'shared').map((e) => e.object);
  assert.is(seen.length, 2);
  assert.ok(seen[0] === created.object && seen[1] === updated.object, 'the watch events carry the replies\' objects');
});

test.run();
