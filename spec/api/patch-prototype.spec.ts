import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ensureObject, getPath } from '../../api/json.ts';
import { fromLeaves, leaves, valueAt } from '../../api/patch/fieldset.ts';
import { applyJsonPatch } from '../../api/patch/json.ts';
import { createMergePatch, mergePatch } from '../../api/patch/merge.ts';
import { strategicMergePatch } from '../../api/patch/strategic.ts';
import { podKind } from '../../api/kinds/core/pod.ts';

const pristine = Object.getOwnPropertyNames(Object.prototype).sort();
const unharmed = (what: string): void => {
  assert.equal(Object.getOwnPropertyNames(Object.prototype).sort(), pristine, what);
  assert.is(({} as any).polluted, undefined, what);
};

test('field sets: "constructor" and "prototype" are tokens like any other', () => {
  const set = fromLeaves([['constructor', 'prototype', 'polluted']]);
  unharmed('fromLeaves');
  assert.equal(leaves(set), [['constructor', 'prototype', 'polluted']]);
  assert.equal(valueAt({ a: 1 }, ['f:constructor']), { found: false });
  assert.equal(valueAt([{ name: 'x' }], ['k:{"constructor":1}']), { found: false });
  assert.equal(valueAt([{ name: 'x' }], ['k:not json']), { found: false });
});

test('paths walk own members only', () => {
  const o: Record<string, unknown> = {};
  ensureObject(o, ['__proto__', 'polluted']);
  ensureObject(o, ['constructor', 'prototype', 'polluted']);
  unharmed('ensureObject');
  assert.is(Object.getPrototypeOf(o), Object.prototype);
  assert.ok(Object.hasOwn(o, '__proto__'));
  assert.is(getPath({}, ['constructor', 'prototype']), undefined);
  assert.is(getPath({}, ['__proto__']), undefined);
});

test('merge, strategic and JSON patch never reach a prototype', () => {
  const patch = JSON.parse('{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}');
  const merged = mergePatch({}, patch) as Record<string, unknown>;
  assert.is(Object.getPrototypeOf(merged), Object.prototype);
  assert.ok(Object.hasOwn(merged, '__proto__'));
  const smp = strategicMergePatch({}, patch, podKind);
  assert.ok(smp.ok && Object.getPrototypeOf(smp.value) === Object.prototype);
  const diff = createMergePatch({ constructor: 1 }, {}) as Record<string, unknown>;
  assert.equal(diff, { constructor: null });
  for (const path of ['/__proto__/polluted', '/constructor/prototype/polluted', '/a/__proto__/polluted']) {
    const r = applyJsonPatch({ a: {} }, [{ op: 'add', path, value: 1 }]);
    assert.is(r.ok, false, path);
  }
  const own = applyJsonPatch({}, [{ op: 'add', path: '/__proto__', value: { polluted: 1 } }]);
  assert.ok(own.ok && Object.getPrototypeOf(own.value) === Object.prototype && Object.hasOwn(own.value, '__proto__'));
  unharmed('patches');
});

test.run();
