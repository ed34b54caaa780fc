/**
 * Secret `stringData` is write-only, as in Kubernetes: merged into `data` (base64) on create,
 * update and patch, overwriting keys there, and never stored or returned.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { start, type Harness } from './harness.ts';
import type { ApiTarget } from '../../../bus/catalogue/api.ts';

let h: Harness;
test.before.each(async () => {
  h = await start();
});
test.after.each(async () => {
  await h.close();
});

const secrets = (name?: string): ApiTarget => ({ group: '', version: 'v1', resource: 'secrets', namespace: 'default', ...(name ? { name } : {}) });
const b64 = (s: string) => Buffer.from(s).toString('base64');

test('stringData becomes data on create and is not stored', async () => {
  const c = h.client();
  const object = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { user: b64('old'), keep: b64('k') }, stringData: { user: 'admin', password: 'p4ss' } };
  const created = (await c.must('api.create', { target: secrets(), object })).object as { data?: Record<string, string>; stringData?: unknown };
  assert.equal(created.data, { user: b64('admin'), keep: b64('k'), password: b64('p4ss') });
  assert.is(created.stringData, undefined);
  const read = (await c.must('api.get', { target: secrets('s') })) as { data?: Record<string, string>; stringData?: unknown };
  assert.equal(read.data, created.data);
  assert.is(read.stringData, undefined);
});

test('a merge patch with stringData changes data', async () => {
  const c = h.client();
  await c.must('api.create', { target: secrets(), object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'p' }, data: { a: b64('1') } } });
  const patched = (await c.must('api.patch', { target: secrets('p'), patchType: 'merge', patch: { stringData: { a: '2' } } })).object as { data?: Record<string, string>; stringData?: unknown };
  assert.equal(patched.data, { a: b64('2') });
  assert.is(patched.stringData, undefined);
});

test.run();
