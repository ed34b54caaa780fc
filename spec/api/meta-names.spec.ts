import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nextGeneration, objectKey, specChanged, splitObjectKey } from '../../api/meta.ts';
import { generateName, NAME_ALPHABET, randomSuffix } from '../../api/names.ts';

test('object keys', () => {
  assert.is(objectKey('default', 'web'), 'default/web');
  assert.is(objectKey(undefined, 'node-1'), 'node-1');
  assert.is(objectKey('', 'node-1'), 'node-1');
  assert.equal(splitObjectKey('default/web'), { namespace: 'default', name: 'web' });
  assert.equal(splitObjectKey('node-1'), { namespace: '', name: 'node-1' });
});

const genCases: Array<[string, unknown, unknown, boolean]> = [
  ['spec change', { spec: { replicas: 1 } }, { spec: { replicas: 2 } }, true],
  ['metadata change', { metadata: { labels: { a: '1' } }, spec: {} }, { metadata: { labels: { a: '2' } }, spec: {} }, false],
  ['status change', { status: { ready: 1 } }, { status: { ready: 2 } }, false],
  ['top-level data change', { data: { a: '1' } }, { data: { a: '2' } }, true],
  ['nothing', { spec: { a: [1, { b: 2 }] } }, { spec: { a: [1, { b: 2 }] } }, false],
];
for (const [what, a, b, want] of genCases) test(`generation rule: ${what}`, () => assert.is(specChanged(a, b), want));

test('nextGeneration bumps only on spec changes', () => {
  assert.is(nextGeneration({ metadata: { generation: 4 }, spec: { a: 1 } }, { spec: { a: 2 } }), 5);
  assert.is(nextGeneration({ metadata: { generation: 4 }, spec: { a: 1 } }, { spec: { a: 1 }, status: { x: 1 } }), 4);
});

test('generated names use five characters of Kubernetes\' alphabet', () => {
  assert.is(NAME_ALPHABET, 'bcdfghjklmnpqrstvwxz2456789');
  let i = 0;
  const seq = [0, 1, 26, 3, 25];
  const random = (n: number): number => { assert.is(n, 27); return seq[i++ % seq.length] ?? 0; };
  assert.is(randomSuffix(random), 'bc9f8');
  assert.is(generateName('web-', () => 0), 'web-bbbbb');
  assert.is(generateName('x'.repeat(70), () => 0), 'x'.repeat(58) + 'bbbbb');
  assert.throws(() => randomSuffix(() => 27), /outside/);
});

test.run();
