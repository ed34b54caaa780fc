/**
 * metadata.generation as Kubernetes 1.32 keeps it: only kinds whose strategy tracks it
 * (Deployment, ReplicaSet, Job, ...) get generation 1 on create and +1 per spec change or
 * first deletion mark; ConfigMaps, Secrets, Pods, Services, Nodes, Leases and Events have none.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { start, t, pod, cm, type Harness } from './harness.ts';
import type { ApiTarget, KubeObject } from '../../../bus/catalogue/api.ts';

let h: Harness;
test.before.each(async () => {
  h = await start();
});
test.after.each(async () => {
  await h.close();
});

const secrets = (name?: string): ApiTarget => ({ group: '', version: 'v1', resource: 'secrets', namespace: 'default', ...(name ? { name } : {}) });
const deployment = (name: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
  },
});

test('a ConfigMap has no generation on create, update, patch or deletion mark', async () => {
  const c = h.client();
  const created = (await c.must('api.create', { target: t.cm(), object: cm('g', { a: '1' }) })).object;
  assert.is(created.metadata!.generation, undefined);
  assert.not.ok('generation' in created.metadata!);
  const updated = (await c.must('api.update', { target: t.cm('default', 'g'), object: { ...created, data: { a: '2' } } })).object;
  assert.is(updated.metadata!.generation, undefined);
  const patched = (await c.must('api.patch', { target: t.cm('default', 'g'), patchType: 'merge', patch: { data: { a: '3' }, metadata: { finalizers: ['example.com/hold'] } } })).object;
  assert.is(patched.metadata!.generation, undefined);
  const marked = (await c.must('api.delete', { target: t.cm('default', 'g') })).object;
  assert.ok(marked.metadata!.deletionTimestamp);
  assert.is(marked.metadata!.generation, undefined);
  const got = await c.must('api.get', { target: t.cm('default', 'g') });
  assert.is(got.metadata!.generation, undefined);
});

test('a client-sent generation is dropped for kinds that do not track it', async () => {
  const c = h.client();
  const o = cm('sent');
  o.metadata = { ...o.metadata, generation: 7 };
  const created = (await c.must('api.create', { target: t.cm(), object: o })).object;
  assert.is(created.metadata!.generation, undefined);
});

test('Secrets, Pods and Services carry no generation', async () => {
  const c = h.client();
  const s = (await c.must('api.create', { target: secrets(), object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { k: 'v' } } })).object;
  assert.is(s.metadata!.generation, undefined);
  const p = (await c.must('api.create', { target: t.pods(), object: pod('p') })).object;
  assert.is(p.metadata!.generation, undefined);
  const relabelled = (await c.must('api.patch', { target: t.pods('default', 'p'), patchType: 'merge', patch: { spec: { activeDeadlineSeconds: 30 } } })).object;
  assert.is(relabelled.metadata!.generation, undefined);
  const svc = (await c.must('api.create', {
    target: t.svc(),
    object: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
  })).object;
  assert.is(svc.metadata!.generation, undefined);
});

test('a Deployment tracks generation: 1, +1 per spec change, +1 on the deletion mark', async () => {
  const c = h.client();
  const d = (await c.must('api.create', { target: t.deploy(), object: { ...deployment('d'), metadata: { name: 'd', finalizers: ['example.com/hold'] } } })).object;
  assert.is(d.metadata!.generation, 1);
  const labelled = (await c.must('api.patch', { target: t.deploy('default', 'd'), patchType: 'merge', patch: { metadata: { labels: { x: 'y' } } } })).object;
  assert.is(labelled.metadata!.generation, 1);
  const scaled = (await c.must('api.patch', { target: t.deploy('default', 'd'), patchType: 'merge', patch: { spec: { replicas: 3 } } })).object;
  assert.is(scaled.metadata!.generation, 2);
  const marked = (await c.must('api.delete', { target: t.deploy('default', 'd') })).object;
  assert.is(marked.metadata!.generation, 3);
});

test.run();
