import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { ApiTarget, KubeObject } from '../../../bus/catalogue/api.ts';
import { pod, start, t, type Harness } from './harness.ts';

let h: Harness;
test.before.each(async () => {
  h = await start();
});
test.after.each(async () => {
  await h.close();
});

const pdbT = (name?: string, subresource?: string): ApiTarget => ({ group: 'policy', version: 'v1', resource: 'poddisruptionbudgets', namespace: 'default', ...(name ? { name } : {}), ...(subresource ? { subresource } : {}) });
const evict = (name: string, deleteOptions?: Record<string, unknown>) =>
  h.client().call('api.create', { target: t.pods('default', name, 'eviction'), object: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name }, ...(deleteOptions ? { deleteOptions } : {}) } as KubeObject });

/** A running, ready pod labelled app=web. */
async function readyPod(name: string): Promise<void> {
  const created = await h.client().must('api.create', { target: t.pods(), object: pod(name, { labels: { app: 'web' }, nodeName: 'node-1' }) });
  const status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
  await h.client().must('api.update', { target: t.pods('default', name, 'status'), object: { ...created.object, status } });
}

/** A budget whose status says `allowed` more disruptions are allowed (what the controller would write). */
async function budget(allowed: number, observed = true): Promise<void> {
  const created = await h.client().must('api.create', { target: pdbT(), object: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } } as KubeObject });
  const gen = created.object.metadata?.generation ?? 1;
  const status = { disruptionsAllowed: allowed, currentHealthy: 1 + allowed, desiredHealthy: 1, expectedPods: 1 + allowed, observedGeneration: observed ? gen : gen - 1 };
  await h.client().must('api.update', { target: pdbT('web', 'status'), object: { ...created.object, status } });
}

const exists = async (name: string) => (await h.client().call('api.get', { target: t.pods('default', name) })).ok;

test('without a budget an eviction is a delete, honouring the Eviction\'s deleteOptions', async () => {
  await readyPod('a');
  await readyPod('b');
  const r = await evict('a', { gracePeriodSeconds: 0 });
  assert.ok(r.ok);
  if (r.ok) assert.equal([r.value.object.kind, (r.value.object as { status?: string }).status], ['Status', 'Success']);
  assert.is(await exists('a'), false, 'grace period 0: gone at once');
  assert.ok((await evict('b')).ok);
  const b = await h.client().must('api.get', { target: t.pods('default', 'b') });
  assert.ok(b.metadata?.deletionTimestamp, 'the default grace period: marked for deletion');
});

test('an allowed eviction spends one disruption and records the pod; the next is refused 429', async () => {
  await readyPod('a');
  await readyPod('b');
  await budget(1);
  assert.ok((await evict('a', { gracePeriodSeconds: 0 })).ok);
  assert.is(await exists('a'), false);
  const st = (await h.client().must('api.get', { target: pdbT('web') })).status as PodDisruptionBudget['status'];
  assert.is(st?.disruptionsAllowed, 0);
  assert.ok(st?.disruptedPods?.a, 'a is in disruptedPods');
  assert.equal(st?.conditions?.map((c) => [c.type, c.status, c.reason]), [['DisruptionAllowed', 'False', 'InsufficientPods']]);
  const r = await evict('b');
  assert.is(r.ok, false);
  if (!r.ok) {
    assert.equal([r.status.code, r.status.reason, r.status.message], [429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget."]);
    assert.equal(r.status.details?.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 1 healthy pods and has 2 currently' }]);
  }
  assert.ok(await exists('b'));
});

test('a budget the controller has not observed yet refuses; a pending pod is evicted regardless', async () => {
  await readyPod('a');
  await h.client().must('api.create', { target: t.pods(), object: pod('p', { labels: { app: 'web' } }) });
  await budget(5, false);
  const r = await evict('a');
  assert.is(r.ok, false);
  if (!r.ok) assert.equal(r.status.details?.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget web is still being processed by the server.' }]);
  assert.ok((await evict('p', { gracePeriodSeconds: 0 })).ok);
  assert.is(await exists('p'), false);
});

test('dry run deletes nothing and spends nothing; a missing pod is 404', async () => {
  await readyPod('a');
  await budget(1);
  assert.ok((await evict('a', { dryRun: ['All'] })).ok);
  assert.ok(await exists('a'));
  const st = (await h.client().must('api.get', { target: pdbT('web') })).status as PodDisruptionBudget['status'];
  assert.is(st?.disruptionsAllowed, 1);
  const missing = await evict('nope');
  assert.is(!missing.ok && missing.status.code, 404);
});

test.run();
