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

test.run();
