import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyJsonPatch, formatPointer, parsePointer } from '../../api/patch/json.ts';
import { applyMergePatch, createMergePatch, mergePatch } from '../../api/patch/merge.ts';

// RFC 7386 appendix A
const rfc7386: Array<[unknown, unknown, unknown]> = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [['a', 'b'], ['c', 'd'], ['c', 'd']],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];
rfc7386.forEach(([target, patch, want], i) => {
  test(`RFC 7386 example ${i + 1}`, () => assert.equal(mergePatch(target, patch), want));
});

test('merge patch round trip and object requirement', () => {
  const from = { a: 1, b: { c: 2, d: 3 }, e: [1] };
  const to = { a: 1, b: { c: 5 }, f: true, e: [2] };
  assert.equal(mergePatch(from, createMergePatch(from, to)), to);
  assert.not.ok(applyMergePatch({}, [1]).ok);
});

test('pointers escape ~ and /', () => {
  assert.equal(parsePointer('/metadata/annotations/example.com~1key~0x'), ['metadata', 'annotations', 'example.com/key~x']);
  assert.is(formatPointer(['a/b', 'c~d']), '/a~1b/c~0d');
  assert.equal(parsePointer(''), []);
  assert.is(parsePointer('a'), undefined);
});

const doc = { metadata: { labels: { a: '1' } }, spec: { replicas: 1, list: ['x', 'y'] } };
const ok: Array<[string, unknown[], unknown]> = [
  ['add a field', [{ op: 'add', path: '/metadata/labels/b', value: '2' }], { ...doc, metadata: { labels: { a: '1', b: '2' } } }],
  ['add to a list end', [{ op: 'add', path: '/spec/list/-', value: 'z' }], { ...doc, spec: { replicas: 1, list: ['x', 'y', 'z'] } }],
  ['insert into a list', [{ op: 'add', path: '/spec/list/0', value: 'w' }], { ...doc, spec: { replicas: 1, list: ['w', 'x', 'y'] } }],
  ['remove', [{ op: 'remove', path: '/spec/list/0' }], { ...doc, spec: { replicas: 1, list: ['y'] } }],
  ['replace', [{ op: 'replace', path: '/spec/replicas', value: 3 }], { ...doc, spec: { replicas: 3, list: ['x', 'y'] } }],
  ['move', [{ op: 'move', from: '/spec/replicas', path: '/spec/count' }], { ...doc, spec: { list: ['x', 'y'], count: 1 } }],
  ['copy', [{ op: 'copy', from: '/spec/list/1', path: '/spec/list/0' }], { ...doc, spec: { replicas: 1, list: ['y', 'x', 'y'] } }],
  ['test then replace', [{ op: 'test', path: '/spec/replicas', value: 1 }, { op: 'replace', path: '/spec/replicas', value: 2 }], { ...doc, spec: { replicas: 2, list: ['x', 'y'] } }],
  ['escaped key', [{ op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'w' }], { ...doc, metadata: { labels: { a: '1', 'app.kubernetes.io/name': 'w' } } }],
];
for (const [what, patch, want] of ok) {
  test(`json patch: ${what}`, () => assert.equal(applyJsonPatch(doc, patch), { ok: true, value: want }));
}

const bad: Array<[string, unknown, number, string]> = [
  ['test failure', [{ op: 'test', path: '/spec/replicas', value: 5 }], 422, 'testing value /spec/replicas failed: test failed'],
  ['remove missing', [{ op: 'remove', path: '/spec/nope' }], 422, 'Unable to remove nonexistent key: nope: missing value'],
  ['replace missing', [{ op: 'replace', path: '/spec/nope', value: 1 }], 422, 'replace operation does not apply: doc is missing key: /spec/nope: missing value'],
  ['add under a missing parent', [{ op: 'add', path: '/a/b', value: 1 }], 422, 'add operation does not apply: doc is missing path: "/a/b": missing value'],
  ['unknown op', [{ op: 'frobnicate', path: '/a' }], 400, 'Unexpected kind: frobnicate'],
  ['not a list', { op: 'add' }, 400, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch'],
];
for (const [what, patch, code, message] of bad) {
  test(`json patch error: ${what}`, () => {
    const r = applyJsonPatch(doc, patch);
    assert.not.ok(r.ok);
    if (!r.ok) {
      assert.is(r.status.code, code);
      assert.is(r.status.message, message);
    }
  });
}

test('a failed patch leaves the document untouched', () => {
  const before = JSON.stringify(doc);
  applyJsonPatch(doc, [{ op: 'remove', path: '/spec/replicas' }, { op: 'test', path: '/x', value: 1 }]);
  assert.is(JSON.stringify(doc), before);
});

test.run();
