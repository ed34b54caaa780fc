import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fail, internalError, ok } from '../../../base/status.ts';
import type { KubeObject } from '../../../base/object.ts';
import { functionsConverter, pendingConversion, rewriteConverter } from '../../../api/conversion/converter.ts';

const at = (apiVersion: string, name: string, spec: Record<string, unknown> = {}) => ({ apiVersion, kind: 'Thing', metadata: { name }, spec }) as KubeObject;

test('None rewrites apiVersion only; objects already there are left as they are', async () => {
  const same = at('x.io/v2', 'b');
  const r = await rewriteConverter.convert([at('x.io/v1', 'a', { n: 1 }), same], 'x.io/v2');
  assert.ok(r.ok);
  assert.equal(r.ok && r.value, [at('x.io/v2', 'a', { n: 1 }), same]);
  assert.is(r.ok && r.value[1], same);
  assert.ok(rewriteConverter.rewritesOnly);
});

test('Functions: a built-in kind\'s pure conversion per object, in order; the first failure fails the batch', async () => {
  const c = functionsConverter((o, v) => (o.metadata?.name === 'bad' ? fail(internalError('no')) : ok({ ...o, apiVersion: v, spec: { renamed: (o as { spec: { n: number } }).spec.n } })));
  const r = await c.convert([at('x.io/v1', 'a', { n: 1 }), at('x.io/v2', 'b', { renamed: 2 })], 'x.io/v2');
  assert.equal(r.ok && r.value.map((o) => [o.apiVersion, (o as { spec: unknown }).spec]), [['x.io/v2', { renamed: 1 }], ['x.io/v2', { renamed: 2 }]]);
  const bad = await c.convert([at('x.io/v1', 'a', { n: 1 }), at('x.io/v1', 'bad')], 'x.io/v2');
  assert.is(!bad.ok && bad.status.code, 500);
  assert.not.ok(c.rewritesOnly);
  assert.equal(pendingConversion([at('x.io/v1', 'a'), at('x.io/v2', 'b'), at('x.io/v1', 'c')], 'x.io/v2'), [0, 2]);
});

test.run();
