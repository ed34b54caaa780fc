import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import { cluster, targets, type Cluster } from './helpers.ts';

let c: Cluster;
test.after.each(async () => {
  await c?.close();
});

const names = async (ns: string) => (await c.list(targets.serviceaccounts(ns))).map((s) => s.metadata?.name);

test('every namespace gets a default ServiceAccount, new ones included', async () => {
  c = await cluster('serviceaccount');
  await c.advance(200);
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.equal(await names(ns), ['default'], ns);
  await c.h.client().must('api.create', { target: targets.namespaces(), object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } } as KubeObject });
  await c.advance(200);
  assert.equal(await names('team-a'), ['default']);
});

test('a deleted default ServiceAccount is re-created; other accounts are not touched', async () => {
  c = await cluster('serviceaccount');
  await c.advance(200);
  const before = (await c.get(targets.serviceaccounts('default', 'default')))!;
  await c.h.client().must('api.create', { target: targets.serviceaccounts('default'), object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder' } } as KubeObject });
  await c.h.client().must('api.delete', { target: targets.serviceaccounts('default', 'default') });
  await c.advance(200);
  const after = (await c.get(targets.serviceaccounts('default', 'default')))!;
  assert.ok(after, 'it is back');
  assert.is.not(after.metadata?.uid, before.metadata?.uid);
  await c.h.client().must('api.delete', { target: targets.serviceaccounts('default', 'builder') });
  await c.advance(200);
  assert.equal(await names('default'), ['default']);
});

test.run();
