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

const names = (l: Record<string, unknown>) => (l.items as { metadata: { name: string } }[]).map((i) => i.metadata.name);

test('list: resourceVersion is the store revision; namespaces are separate', async () => {
  const c = h.client();
  await c.must('api.create', { target: t.ns(), object: { metadata: { name: 'other' } } });
  await c.must('api.create', { target: t.cm(), object: cm('a') });
  const last = (await c.must('api.create', { target: t.cm('other'), object: cm('b') })).object;
  const l = await c.must('api.list', { target: t.cm() });
  assert.equal(names(l), ['a']);
  assert.is(l.metadata!.resourceVersion, last.metadata!.resourceVersion);
  const all = await c.must('api.list', { target: { group: '', version: 'v1', resource: 'configmaps' } });
  assert.equal(names(all), ['a', 'b']);
});

test('label selectors: equality and set-based', async () => {
  const c = h.client();
  await c.must('api.create', { target: t.cm(), object: cm('a', {}, { app: 'web', tier: 'front' }) });
  await c.must('api.create', { target: t.cm(), object: cm('b', {}, { app: 'web', tier: 'back' }) });
  await c.must('api.create', { target: t.cm(), object: cm('c', {}, { app: 'db' }) });
  const sel = async (labelSelector: string) => names(await c.must('api.list', { target: t.cm(), options: { labelSelector } }));
  assert.equal(await sel('app=web'), ['a', 'b']);
  assert.equal(await sel('app!=web'), ['c']);
  assert.equal(await sel('tier in (front,side)'), ['a']);
  assert.equal(await sel('tier notin (front)'), ['b', 'c']);
  assert.equal(await sel('tier'), ['a', 'b']);
  assert.equal(await sel('!tier'), ['c']);
  const bad = await c.call('api.list', { target: t.cm(), options: { labelSelector: 'a in (' } });
  assert.ok(!bad.ok && bad.status.code === 400);
});

test('field selectors: pods by spec.nodeName and status.phase; unsupported label is 400', async () => {
  const c = h.client();
  await c.must('api.create', { target: t.pods(), object: pod('p1', { nodeName: 'n1' }) });
  await c.must('api.create', { target: t.pods(), object: pod('p2', { nodeName: 'n2' }) });
  await c.must('api.create', { target: t.pods(), object: pod('p3') });
  const f = async (fieldSelector: string) => names(await c.must('api.list', { target: t.pods(), options: { fieldSelector } }));
  assert.equal(await f('spec.nodeName=n1'), ['p1']);
  assert.equal(await f('spec.nodeName='), ['p3']);
  assert.equal(await f('spec.nodeName!=n1,status.phase=Pending'), ['p2', 'p3']);
  assert.equal(await f('metadata.name=p2'), ['p2']);
  const bad = await c.call('api.list', { target: t.pods(), options: { fieldSelector: 'spec.image=x' } });
  assert.ok(!bad.ok && bad.status.code === 400);
  assert.is(!bad.ok && bad.status.message, 'field label not supported: spec.image');
});

test('a field selector naming one object (metadata.name=x) lists that object alone, its other terms and labels still applied; across namespaces every namespace\'s', async () => {
  const c = h.client();
  await c.must('api.create', { target: t.ns(), object: { metadata: { name: 'other' } } });
  for (const n of ['a', 'b', 'c']) await c.must('api.create', { target: t.cm(), object: cm(n, {}, { app: n === 'b' ? 'web' : 'db' }) });
  await c.must('api.create', { target: t.cm('other'), object: cm('b') });
  const f = async (options: Record<string, string | number>, target = t.cm()) => names(await c.must('api.list', { target, options }));
  assert.equal(await f({ fieldSelector: 'metadata.name=b' }), ['b']);
  assert.equal(await f({ fieldSelector: 'metadata.name==b,metadata.namespace=default' }), ['b']);
  assert.equal(await f({ fieldSelector: 'metadata.name=b', labelSelector: 'app=web' }), ['b']);
  assert.equal(await f({ fieldSelector: 'metadata.name=b', labelSelector: 'app=db' }), []);
  assert.equal(await f({ fieldSelector: 'metadata.name=b,metadata.namespace=other' }), []);
  assert.equal(await f({ fieldSelector: 'metadata.name=z' }), []);
  assert.equal(await f({ fieldSelector: 'metadata.name=b', limit: 1 }), ['b']);
  const all = await f({ fieldSelector: 'metadata.name=b' }, { group: '', version: 'v1', resource: 'configmaps' } as ReturnType<typeof t.cm>);
  assert.equal(all, ['b', 'b']);
  // A namespaced kind listed in every namespace (namespace '') without a name selector is not a single read.
  assert.equal(names(await c.must('api.list', { target: { group: '', version: 'v1', resource: 'configmaps', namespace: '' } as ReturnType<typeof t.cm> })), ['a', 'b', 'c', 'b']);
});

test('limit/continue pages at one snapshot', async () => {
  const c = h.client();
  for (const n of ['a', 'b', 'c', 'd', 'e']) await c.must('api.create', { target: t.cm(), object: cm(n) });
  const p1 = await c.must('api.list', { target: t.cm(), options: { limit: 2 } });
  assert.equal(names(p1), ['a', 'b']);
  assert.is(p1.metadata!.remainingItemCount, 3);
  const rv = p1.metadata!.resourceVersion;
  // A change after the first page is not seen by the following pages.
  await c.must('api.delete', { target: t.cm('default', 'c') });
  await c.must('api.create', { target: t.cm(), object: cm('bb') });
  const p2 = await c.must('api.list', { target: t.cm(), options: { limit: 2, continue: p1.metadata!.continue as string } });
  assert.equal(names(p2), ['c', 'd']);
  assert.is(p2.metadata!.resourceVersion, rv);
  const p3 = await c.must('api.list', { target: t.cm(), options: { limit: 2, continue: p2.metadata!.continue as string } });
  assert.equal(names(p3), ['e']);
  assert.is(p3.metadata!.continue, undefined);
});

test('resourceVersion semantics: "0", NotOlderThan, Exact, too old', async () => {
  const c = h.client();
  const a = (await c.must('api.create', { target: t.cm(), object: cm('a') })).object;
  await c.must('api.create', { target: t.cm(), object: cm('b') });
  const zero = await c.must('api.list', { target: t.cm(), options: { resourceVersion: '0' } });
  assert.equal(names(zero), ['a', 'b']);
  const exact = await c.must('api.list', { target: t.cm(), options: { resourceVersion: a.metadata!.resourceVersion, resourceVersionMatch: 'Exact' } });
  assert.equal(names(exact), ['a']);
  assert.is(exact.metadata!.resourceVersion, a.metadata!.resourceVersion);
  const nlt = await c.must('api.list', { target: t.cm(), options: { resourceVersion: a.metadata!.resourceVersion, resourceVersionMatch: 'NotOlderThan' } });
  assert.equal(names(nlt), ['a', 'b']);
  const g0 = await c.must('api.get', { target: t.cm('default', 'a'), resourceVersion: '0' });
  assert.is(g0.metadata!.name, 'a');
  const bad = await c.call('api.list', { target: t.cm(), options: { resourceVersionMatch: 'Exact' } });
  assert.ok(!bad.ok && bad.status.code === 400);
});

test('Exact list older than the cache window is 410 Expired', async () => {
  await h.close();
  h = await start({ watchWindow: 2 });
  const c = h.client();
  const first = (await c.must('api.create', { target: t.cm(), object: cm('a') })).object;
  for (const n of ['b', 'c', 'd']) await c.must('api.create', { target: t.cm(), object: cm(n) });
  const r = await c.call('api.list', { target: t.cm(), options: { resourceVersion: first.metadata!.resourceVersion, resourceVersionMatch: 'Exact' } });
  assert.ok(!r.ok && r.status.code === 410 && r.status.reason === 'Expired');
  assert.match(!r.ok ? r.status.message : '', /^too old resource version: \d+ \(\d+\)$/);
});

test('lists come from the cache, not a storage scan', async () => {
  const c = h.client();
  await c.must('api.create', { target: t.cm(), object: cm('a') });
  let ranges = 0;
  const off = h.bus.tap((env) => {
    if (env.type === 'kv.range') ranges++;
  });
  for (let i = 0; i < 5; i++) await c.must('api.list', { target: t.cm() });
  off();
  assert.is(ranges, 0);
});

test.run();
