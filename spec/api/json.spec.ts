/**
 * shareUnchanged: a new version of a stored object keeps the parts that did not change as the
 * previous version's objects, and is otherwise the same value, key order included. sameJson:
 * equal exactly when JSON.stringify writes the same text.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { deepFreeze, sameJson, shareUnchanged } from '../../api/json.ts';

const old = deepFreeze({
  metadata: { name: 'p', labels: { app: 'a' }, resourceVersion: '5' },
  spec: { containers: [{ name: 'c', image: 'nginx' }], nodeName: 'n1' },
  status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] },
});

test('a status change keeps the spec and the unchanged conditions as the old objects', () => {
  const next = JSON.parse(JSON.stringify(old));
  next.status.phase = 'Running';
  next.metadata.resourceVersion = '6';
  const before = JSON.stringify(next);
  const out = shareUnchanged(next, old);
  assert.is(JSON.stringify(out), before);
  assert.is(JSON.stringify(next), before, 'next is not changed');
  assert.ok(out.spec === old.spec);
  assert.ok(out.metadata.labels === old.metadata.labels);
  assert.ok(out.status.conditions === old.status.conditions);
  assert.ok(out.status !== old.status && out.metadata !== old.metadata);
});

test('equal values in another key order are not shared: the value serializes as next does', () => {
  const next = { ...JSON.parse(JSON.stringify(old)), spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx' }] } };
  const out = shareUnchanged(next, old);
  assert.is(JSON.stringify(out.spec), '{"nodeName":"n1","containers":[{"name":"c","image":"nginx"}]}');
  assert.ok(out.spec.containers === old.spec.containers);
});

test('added, removed and retyped fields are kept as next has them', () => {
  const next = { metadata: { name: 'p', labels: { app: 'a', tier: 'web' } }, spec: { containers: [], nodeName: 'n1' }, status: 'x' };
  const out = shareUnchanged(next, old);
  assert.equal(out, next);
  assert.ok(out.metadata.labels !== old.metadata.labels);
  assert.equal(shareUnchanged([1, 2], [1, 2, 3]), [1, 2]);
  assert.equal(shareUnchanged({ a: undefined }, {}), { a: undefined });
});

test('a `__proto__` key in a value stays a plain key of the copy the sharing makes (no prototype is set)', () => {
  const next = JSON.parse('{"metadata": {"name": "p", "labels": {"app": "a"}}, "spec": {"__proto__": {"polluted": true}, "nodeName": "n2"}}');
  const stored = JSON.parse('{"metadata": {"name": "p", "labels": {"app": "a"}}, "spec": {"__proto__": {"polluted": true}, "nodeName": "n1"}}');
  const out = shareUnchanged(next, stored);
  assert.ok(out.metadata === stored.metadata);
  assert.ok(Object.hasOwn(out.spec, '__proto__') && Object.getPrototypeOf(out.spec) === Object.prototype);
  assert.is((out.spec as { polluted?: boolean }).polluted, undefined);
  assert.is(JSON.stringify(out), JSON.stringify(next));
});

test('equal values give the old value itself', () => {
  assert.ok(shareUnchanged(JSON.parse(JSON.stringify(old)), old) === old);
});

const pairs: [unknown, unknown][] = [
  [{ a: 1, b: [1, 'x', null] }, { a: 1, b: [1, 'x', null] }],
  [{ a: 1, b: 2 }, { b: 2, a: 1 }],
  [{ a: 1, b: undefined }, { a: 1 }],
  [{ a: [undefined, () => 1] }, { a: [null, null] }],
  [{ a: Infinity, b: NaN }, { a: null, b: null }],
  [{ a: { b: {} } }, { a: { b: [] } }],
  [[1, 2], [1, 2, 3]],
  ['1', 1],
  [{ t: new Date(0) }, { t: '1970-01-01T00:00:00.000Z' }],
  [{ a: 'x' }, { a: 'y' }],
];
for (const [a, b] of pairs) {
  test(`sameJson(${JSON.stringify(a)}, ${JSON.stringify(b)}) is what comparing their JSON says`, () => {
    assert.is(sameJson(a, b), JSON.stringify(a) === JSON.stringify(b));
    assert.is(sameJson(b, a), JSON.stringify(a) === JSON.stringify(b));
  });
}

test.run();
