/** Bus clients need not come through the HTTPS front: the apiserver applies the front's body checks itself. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cm, start, t, type Harness } from './harness.ts';

let h: Harness;
test.before(async () => {
  h = await start();
});
test.after(async () => {
  await h.close();
});

const deep = (n: number): unknown => JSON.parse('{"a":'.repeat(n) + '1' + '}'.repeat(n));

test('create, update and patch payloads nested too deep are 400, never a stack overflow', async () => {
  const c = h.client();
  await c.must('api.create', { target: t.cm(), object: cm('kept') });
  const object = { ...cm('deep'), x: deep(1000) };
  const rows = [
    c.call('api.create', { target: t.cm(), object }),
    c.call('api.update', { target: t.cm('default', 'kept'), object: { ...object, metadata: { name: 'kept' } } }),
    c.call('api.patch', { target: t.cm('default', 'kept'), patchType: 'merge', patch: { x: deep(1000) } }),
    c.call('api.patch', { target: t.cm('default', 'kept'), patchType: 'json', patch: [{ op: 'add', path: '/x', value: deep(300) }] }),
  ];
  for (const r of await Promise.all(rows)) {
    assert.is(r.ok, false);
    if (!r.ok) {
      assert.is(r.status.code, 400);
      assert.is(r.status.message, 'the request body is invalid: exceeded max depth of 256');
    }
  }
  const kept = await c.must('api.get', { target: t.cm('default', 'kept') });
  assert.equal(kept.data, { a: '1' });
  assert.is((await c.call('api.get', { target: t.cm('default', 'deep') })).ok, false);
});

test('an update made from the stored object (sharing its parts, as a Lease renewal does) is checked in what it adds', async () => {
  const c = h.client();
  const stored = (await c.must('api.create', { target: t.cm(), object: cm('shared') })).object;
  const bad = await c.call('api.update', { target: t.cm('default', 'shared'), object: { ...stored, x: deep(1000) } });
  assert.is(bad.ok, false);
  if (!bad.ok) assert.is(bad.status.message, 'the request body is invalid: exceeded max depth of 256');
  const proto = JSON.parse('{"__proto__": {"a": "1"}}');
  const forbidden = await c.call('api.update', { target: t.cm('default', 'shared'), object: { ...stored, metadata: { ...stored.metadata, labels: proto } } });
  assert.is(forbidden.ok, false);
  if (!forbidden.ok) assert.is(forbidden.status.message, 'the request body is invalid: the key "__proto__" is not accepted');
  const renewed = await c.must('api.update', { target: t.cm('default', 'shared'), object: { ...stored, data: { a: '2' } } });
  assert.equal(renewed.object.data, { a: '2' });
});

test('a small patch that takes a large object past the body limit is 413, and one that stays under it is applied', async () => {
  const c = h.client();
  // A Lease holds any number of bytes (a ConfigMap's data stops at 1 MiB).
  const lease = (holderIdentity: string) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'large' }, spec: { holderIdentity } });
  await c.must('api.create', { target: t.leases('default'), object: lease('b'.repeat(2900 * 1024)) });
  // The patch itself is small: what it adds to the object it is applied to is what crosses 3 MiB.
  const over = await c.call('api.patch', { target: t.leases('default', 'large'), patchType: 'merge', patch: { metadata: { annotations: { more: 'm'.repeat(200 * 1024) } } } });
  assert.is(over.ok, false);
  if (!over.ok) {
    assert.is(over.status.code, 413);
    assert.is(over.status.message, 'Request entity too large: limit is 3145728');
  }
  await c.must('api.patch', { target: t.leases('default', 'large'), patchType: 'merge', patch: { metadata: { labels: { more: 'm' } } } });
  const kept = await c.must('api.get', { target: t.leases('default', 'large') });
  assert.equal(kept.metadata?.labels, { more: 'm' });
});

test.run();
