/**
 * Components on the bus act as their Kubernetes identities and get exactly their bootstrap
 * roles: the scheduler may bind pods but not delete a Node; a controller may do its own work
 * but not read Secrets; the shared informers may list anything but write nothing.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ApiTarget, KubeObject } from '../../../bus/catalogue/api.ts';
import type { Result } from '../../../base/status.ts';
import { start, t, type Harness } from './harness.ts';

const node = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
const secrets = (namespace?: string): ApiTarget => ({ group: '', version: 'v1', resource: 'secrets', ...(namespace ? { namespace } : {}) });

function refusal(r: Result<unknown>): string {
  assert.ok(!r.ok, `expected a refusal, got ${JSON.stringify(r).slice(0, 200)}`);
  assert.is(r.status.code, 403);
  return r.status.message;
}

let h: Harness;
test.before.each(async () => {
  h = await start();
  await h.client().must('api.create', { target: t.nodes(), object: node('n1') });
});
test.after.each(async () => {
  await h.close();
});

test('the scheduler (system:kube-scheduler) cannot delete a Node, but reads nodes', async () => {
  const s = h.client('scheduler');
  assert.is(refusal(await s.call('api.delete', { target: t.nodes('n1') })), 'nodes "n1" is forbidden: User "system:kube-scheduler" cannot delete resource "nodes" in API group "" at the cluster scope');
  assert.ok((await s.call('api.list', { target: t.nodes() })).ok);
  assert.match(refusal(await s.call('api.list', { target: secrets() })), 'User "system:kube-scheduler" cannot list resource "secrets"');
});

test('a controller acts as its kube-system ServiceAccount: the ReplicaSet controller may not read Secrets or delete Nodes', async () => {
  const rs = h.client('controller.replicaset');
  assert.is(
    refusal(await rs.call('api.list', { target: secrets('default') })),
    'secrets is forbidden: User "system:serviceaccount:kube-system:replicaset-controller" cannot list resource "secrets" in API group "" in the namespace "default"',
  );
  assert.match(refusal(await rs.call('api.delete', { target: t.nodes('n1') })), 'cannot delete resource "nodes"');
  assert.ok((await rs.call('api.list', { target: t.pods('default') })).ok);
});

test('the shared informers (system:kube-controller-manager) list everything and write nothing', async () => {
  const inf = h.client('informers');
  assert.ok((await inf.call('api.list', { target: secrets() })).ok);
  assert.match(refusal(await inf.call('api.delete', { target: t.nodes('n1') })), 'User "system:kube-controller-manager" cannot delete resource "nodes"');
});

test.run();
