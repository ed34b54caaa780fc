import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Namespace, NamespaceCondition, Pod } from 'kubernetes-types/core/v1.js';
import type { ApiTarget, KubeObject, WatchEvent } from '../../../bus/catalogue/api.ts';
import { cluster, deployment, targets, type Cluster } from './helpers.ts';

let c: Cluster;
test.after.each(async () => {
  await c?.close();
});

const api = () => c.h.client();
const configmaps = (name?: string): ApiTarget => ({ group: '', version: 'v1', resource: 'configmaps', namespace: 'team', ...(name ? { name } : {}) });
const configMap = (name: string, finalizers?: string[]): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...(finalizers ? { finalizers } : {}) },
  data: { a: '1' },
});

async function team(): Promise<void> {
  await api().must('api.create', { target: targets.namespaces(), object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } } });
  for (const n of ['one', 'two', 'three']) await api().must('api.create', { target: configmaps(), object: configMap(n) });
  const d = deployment('web', 2, { nodeName: 'node-1' });
  await api().must('api.create', { target: targets.deployments('team'), object: { ...d, metadata: { name: 'web', namespace: 'team' } } });
  await c.advance(2000);
}

/** The conditions each MODIFIED event of namespace `team` carried, as "Type=Status:Reason" lists. */
const conditionHistory = (events: WatchEvent[] | undefined): string[][] =>
  (events ?? [])
    .filter((e) => e.object.metadata?.name === 'team')
    .map((e) => ((e.object as Namespace).status?.conditions ?? []).map((x: NamespaceCondition) => `${x.type}=${x.status}:${x.reason}`))
    .filter((cs) => cs.length > 0);

test('deleting a namespace empties it — configmaps, the deployment, its pods — then the namespace goes', async () => {
  c = await cluster('replicaset,deployment,garbage-collector,namespace', { nodes: 1 });
  await team();
  const running = (await c.list<Pod>(targets.pods('team'))).filter((p) => p.status?.phase === 'Running');
  assert.is(running.length, 2, 'the pods run on the sim node');
  await api().must('api.watch', { target: targets.namespaces(), id: 'ns' });
  const marked = (await api().must('api.delete', { target: targets.namespaces(undefined, 'team') })).object as Namespace;
  assert.is(marked.status?.phase, 'Terminating');
  assert.equal(marked.spec?.finalizers, ['kubernetes']);
  await c.advance(1000);
  assert.ok(await c.get(targets.namespaces(undefined, 'team')), 'the sweep waits namespaceDeletionGracePeriod');
  assert.is((await c.list(configmaps())).length, 3);
  await c.advance(4500);
  const terminating = await c.get<Namespace>(targets.namespaces(undefined, 'team'));
  assert.ok(terminating, 'the namespace waits while its pods terminate');
  const conds = terminating!.status?.conditions ?? [];
  assert.equal(conds.map((x) => x.type), [
    'NamespaceDeletionDiscoveryFailure',
    'NamespaceDeletionGroupVersionParsingFailure',
    'NamespaceDeletionContentFailure',
    'NamespaceContentRemaining',
    'NamespaceFinalizersRemaining',
  ]);
  assert.is(conds.find((x) => x.type === 'NamespaceDeletionContentFailure')?.reason, 'ContentDeleted');
  const remaining = conds.find((x) => x.type === 'NamespaceContentRemaining');
  assert.equal([remaining?.status, remaining?.reason, remaining?.message], ['True', 'SomeResourcesRemain', 'Some resources are remaining: pods. has 2 resource instances']);
  assert.is((await c.list(configmaps())).length, 0);
  assert.is((await c.list(targets.deployments('team'))).length, 0);
  await c.advance(20_000);
  assert.is((await c.list(targets.pods('team'))).length, 0);
  assert.is(await c.get(targets.namespaces(undefined, 'team')), null, 'the namespace is gone');
  const deleted = (api().events.get('ns') ?? []).filter((e) => e.type === 'DELETED').map((e) => e.object.metadata?.name);
  assert.equal(deleted, ['team']);
  const history = conditionHistory(api().events.get('ns'));
  assert.ok(history.some((cs) => cs.includes('NamespaceContentRemaining=True:SomeResourcesRemain')), 'content remained for a while');
  assert.ok(history.at(-1)!.includes('NamespaceContentRemaining=False:ContentRemoved'), 'and was all removed before the namespace went');
});

test('content held by a finalizer keeps the namespace, with SomeResourcesRemain and SomeFinalizersRemain', async () => {
  c = await cluster('namespace');
  await api().must('api.create', { target: targets.namespaces(), object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } } });
  await api().must('api.create', { target: configmaps(), object: configMap('held', ['example.com/hold']) });
  await api().must('api.create', { target: configmaps(), object: configMap('free') });
  await api().must('api.delete', { target: targets.namespaces(undefined, 'team') });
  await c.advance(6000);
  const ns = (await c.get<Namespace>(targets.namespaces(undefined, 'team')))!;
  assert.ok(ns, 'the namespace stays');
  const cond = (t: string) => ns.status?.conditions?.find((x) => x.type === t);
  assert.equal([cond('NamespaceContentRemaining')?.status, cond('NamespaceContentRemaining')?.reason], ['True', 'SomeResourcesRemain']);
  assert.is(cond('NamespaceContentRemaining')?.message, 'Some resources are remaining: configmaps. has 1 resource instances');
  assert.equal([cond('NamespaceFinalizersRemaining')?.status, cond('NamespaceFinalizersRemaining')?.reason], ['True', 'SomeFinalizersRemain']);
  assert.is(cond('NamespaceFinalizersRemaining')?.message, 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances');
  assert.equal((await c.list<KubeObject>(configmaps())).map((o) => o.metadata?.name), ['held']);
  // Whoever owns the finalizer finishes; the namespace then goes within a finalizer estimate.
  await api().must('api.patch', { target: configmaps('held'), patchType: 'merge', patch: { metadata: { finalizers: null } } });
  await c.advance(20_000);
  assert.is(await c.get(targets.namespaces(undefined, 'team')), null);
});

test('deleting default stays forbidden', async () => {
  c = await cluster('namespace');
  const r = await api().call('api.delete', { target: targets.namespaces(undefined, 'default') });
  assert.not.ok(r.ok);
  if (!r.ok) assert.equal([r.status.code, r.status.reason], [403, 'Forbidden']);
  await c.advance(1000);
  const ns = await c.get<Namespace>(targets.namespaces(undefined, 'default'));
  assert.is(ns?.status?.phase, 'Active');
  assert.not.ok(ns?.metadata?.deletionTimestamp);
});

test.run();
