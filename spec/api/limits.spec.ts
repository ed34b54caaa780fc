import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { approxJsonSize, approxJsonSizeBeside, decodedProblem, depthOf, jsonLongerThan, jsonSize, jsonTextTooDeep, MAX_DEPTH, yamlTextTooDeep } from '../../api/limits.ts';
import { applyJsonPatch } from '../../api/patch/json.ts';

const nest = (n: number): string => '['.repeat(n) + ']'.repeat(n);

test('approxJsonSize stays within 10 % of the JSON length of Kubernetes-shaped objects', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'default', labels: { app: 'web' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'web', uid: 'u', controller: true }] }, spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'nginx', ports: [{ containerPort: 80 }] }] }, status: { phase: 'Running', podIP: '10.0.0.1' } };
  const big = { kind: 'ConfigMap', data: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`key-${i}`, 'x'.repeat(i)])) };
  for (const v of [pod, big, [pod, pod]]) {
    const exact = JSON.stringify(v).length;
    assert.ok(Math.abs(approxJsonSize(v) - exact) <= exact * 0.1, `${approxJsonSize(v)} against ${exact}`);
  }
});

test('jsonSize is the byte length of the compact JSON encoding', () => {
  const values = [{ a: 'x"é\n\u0001', b: [1, 2.5, -0, 1e21, null, true, false, { c: [] }], d: {} }, [], 'str', 12, null, { u: undefined, k: [undefined] }];
  for (const v of values) assert.is(jsonSize(v), Buffer.byteLength(JSON.stringify(v)), JSON.stringify(v));
  assert.ok(jsonSize({ a: 'x'.repeat(1000) }, 10) > 10);
});

test('jsonLongerThan answers as the byte length of JSON.stringify does, for the values that JSON makes longest per character', () => {
  let seed = 11;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
  // Characters whose JSON is longest: controls (\u00XX), lone surrogates, 3-byte UTF-8, escapes; numbers of 24 characters.
  const chars = ['a', '\u0001', '\ud800', '\udc00', '\u20ac', '"', '\\', '\n', '\u{1F600}'];
  const scalar = (): unknown => {
    const k = rand(4);
    if (k === 0) return Array.from({ length: rand(40) }, () => chars[rand(chars.length)]).join('');
    if (k === 1) return [-1.7976931348623157e308, 5e-324, 123456789.123, 0, -0.5][rand(5)];
    return [true, false, null][rand(3)];
  };
  const value = (depth: number): unknown => {
    if (depth > 3 || rand(3) === 0) return scalar();
    if (rand(2) === 0) return Array.from({ length: rand(6) }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: rand(6) }, () => [String(scalar()), value(depth + 1)]));
  };
  let near = 0;
  for (let i = 0; i < 3000; i++) {
    const v = value(0);
    const bytes = Buffer.byteLength(JSON.stringify(v));
    for (const max of [bytes - 1, bytes, bytes + 1, Math.floor(bytes / 2), bytes * 7, Math.ceil(bytes / 6)]) {
      if (max < 0) continue;
      assert.is(jsonLongerThan(v, max), bytes > max, `${JSON.stringify(v)} against ${max}`);
      if (Math.abs(max - bytes) <= 1) near++;
    }
  }
  assert.ok(near > 3000);
});

test('approxJsonSizeBeside is approxJsonSize, for a value that shares parts with the one it replaces', () => {
  let seed = 5;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), (seed >>> 8) % n);
  const scalar = (): unknown => [rand(1000), 'x'.repeat(rand(12)), true, null, -0.25][rand(5)];
  const value = (depth: number): unknown => {
    if (depth > 3 || rand(4) === 0) return scalar();
    if (rand(2) === 0) return Array.from({ length: rand(5) }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: rand(5) }, (_, i) => [`k${rand(6)}${i}`, value(depth + 1)]));
  };
  // An update as the write path makes one: a copy along some paths, the rest shared; keys and items added, removed, retyped.
  const change = (v: unknown, depth: number): unknown => {
    if (rand(3) === 0) return v;
    if (typeof v !== 'object' || v === null || rand(6) === 0) return value(depth);
    if (Array.isArray(v)) {
      const out = v.map((e) => change(e, depth + 1));
      if (rand(3) === 0) out.push(value(depth + 1));
      if (rand(3) === 0) out.splice(0, 1);
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const [k, e] of Object.entries(v)) if (rand(5) !== 0) out[k] = change(e, depth + 1);
    if (rand(3) === 0) out[`n${rand(9)}`] = value(depth + 1);
    return out;
  };
  for (let i = 0; i < 2000; i++) {
    let old = value(0);
    let size = approxJsonSize(old);
    for (let step = 0; step < 4; step++) {
      const next = change(old, 0);
      size = approxJsonSizeBeside(next, old, size);
      assert.is(size, approxJsonSize(next), JSON.stringify([old, next]));
      old = next;
    }
  }
});

test('JSON text: brackets count only outside strings', () => {
  assert.is(jsonTextTooDeep(nest(MAX_DEPTH)), false);
  assert.is(jsonTextTooDeep(nest(MAX_DEPTH + 1)), true);
  assert.is(jsonTextTooDeep(`{"a":"${'['.repeat(1000)}\\"${'{'.repeat(1000)}"}`), false);
});

test('YAML text: flow nesting is exact, block nesting bounded by columns; real manifests pass', () => {
  assert.is(yamlTextTooDeep(nest(MAX_DEPTH - 2)), false);
  assert.is(yamlTextTooDeep(nest(MAX_DEPTH + 1)), true);
  assert.is(yamlTextTooDeep('- '.repeat(5000) + '1'), true);
  const block = (n: number) => Array.from({ length: n }, (_, i) => ' '.repeat(i) + 'a:').join('\n') + '\n' + ' '.repeat(n) + 'b: 1\n';
  assert.is(yamlTextTooDeep(block(100)), false);
  assert.is(yamlTextTooDeep(block(300)), true);
  const manifest = [
    'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: web', '  labels: {app: "[[[[", tier: x}', 'spec:', '  template:', '    spec:',
    '      containers:', '      - name: c', '        command: ["sh", "-c", "echo {{{{"]', '        args:', '        - |', ' '.repeat(300) + '[[[[{{{{ in a block scalar', '        env:', '        - {name: A, value: "]]]"}',
    'x:' + ' '.repeat(600) + 'value far to the right',
  ].join('\n');
  assert.is(yamlTextTooDeep(manifest), false);
  assert.ok(parse(manifest));
});

test('decoded values: depth counted through shared (aliased) nodes; __proto__ refused', () => {
  const shared: unknown[] = JSON.parse(nest(200));
  assert.is(decodedProblem([shared, [[shared]]]), undefined);
  assert.is(decodedProblem([[[[[[[[shared]]]]]]]]), undefined);
  assert.is(decodedProblem(JSON.parse(nest(MAX_DEPTH + 1))), `exceeded max depth of ${MAX_DEPTH}`);
  const assigned: Record<string, unknown> = {};
  assigned['__proto__'] = { authorization: 'x' }; // what a decoder writing keys by assignment does
  assert.is(decodedProblem({ labels: assigned }), 'the key "__proto__" is not accepted');
  assert.is(decodedProblem({ a: [new Uint8Array(1), new Date(0), Object.create(null)] }), undefined);
  const aliased = parse(`a: &a ${nest(200)}\nb: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[*a]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n`);
  assert.is(decodedProblem(aliased), `exceeded max depth of ${MAX_DEPTH}`);
  assert.is(depthOf(aliased), MAX_DEPTH + 1);
});

test('JSON patch: move moves without copying; copies count towards the limit before copying', () => {
  const big = 'x'.repeat(1024 * 1024);
  const moves = applyJsonPatch({ a: big }, Array.from({ length: 1000 }, (_, i) => ({ op: 'move', from: i % 2 ? '/b' : '/a', path: i % 2 ? '/a' : '/b' })));
  assert.ok(moves.ok);
  const copies = applyJsonPatch({ a: big }, [{ op: 'copy', from: '/a', path: '/b' }, { op: 'copy', from: '/a', path: '/c' }, { op: 'copy', from: '/a', path: '/d' }]);
  assert.is(copies.ok, false);
  if (!copies.ok) assert.match(copies.status.message, /^Unable to complete the copy, the accumulated size increase of copy is \d+, exceeding the limit 3145728$/);
  const many = applyJsonPatch({}, Array.from({ length: 10001 }, () => ({ op: 'test', path: '', value: {} })));
  assert.is(many.ok, false);
  if (!many.ok) assert.is(many.status.code, 413);
});

test('JSON patch: inserts and removals may shift a bounded number of list items; replace overwrites in place', () => {
  const doc = { a: Array.from({ length: 700000 }, () => 'a') };
  const ops = Array.from({ length: 10000 }, (_, i) => (i % 2 ? { op: 'remove', path: '/a/0' } : { op: 'add', path: '/a/0', value: 'b' }));
  const r = applyJsonPatch(doc, ops);
  assert.is(r.ok, false);
  if (!r.ok) assert.is(r.status.message, 'Unable to complete the patch, its inserts and removals shift more than 33554432 list items');
  const replaced = applyJsonPatch({ a: [1, 2, 3], b: 1, c: 2 }, [{ op: 'replace', path: '/a/1', value: 9 }, { op: 'replace', path: '/b', value: 3 }]);
  assert.ok(replaced.ok);
  if (replaced.ok) assert.is(JSON.stringify(replaced.value), '{"a":[1,9,3],"b":3,"c":2}');
});

test.run();
