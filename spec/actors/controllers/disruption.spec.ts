import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import { pdbs } from '../../../actors/controllers/disruption/controller.ts';
import { activePods, cluster, replicaSet, targets, type Cluster } from './helpers.ts';

let c: Cluster;
test.after.each(async () => {
  await c?.close();
});

const budget = (name: string, spec: Record<string, unknown>): KubeObject =>
  ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name }, spec: { selector: { matchLabels: { app: 'web' } }, ...spec } }) as KubeObject;
const status = async (name = 'web') => (await c.get<PodDisruptionBudget>(pdbs('default', name)))!.status!;
const webPods = async () => activePods(await c.list<Pod>(targets.pods('default'), 'app=web'));
const evict = (name: string) =>
  c.h.client().call('api.create', { target: { ...targets.pods('default', name), subresource: 'eviction' }, object: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name } } as KubeObject });

async function webCluster(): Promise<void> {
  c = await cluster('replicaset,disruption', { nodes: 1 });
  await c.h.client().must('api.create', { target: targets.replicasets('default'), object: replicaSet('web', 3, { app: 'web' }, 'node-1') });
  await c.advance(3000);
}

test('minAvailable (an integer): status counts the selected ready pods', async () => {
  await webCluster();
  await c.h.client().must('api.create', { target: pdbs('default'), object: budget('web', { minAvailable: 2 }) });
  await c.advance(500);
  const st = await status();
  assert.equal([st.expectedPods, st.desiredHealthy, st.currentHealthy, st.disruptionsAllowed], [3, 2, 3, 1]);
  const pdb = (await c.get<PodDisruptionBudget>(pdbs('default', 'web')))!;
  assert.is(st.observedGeneration, pdb.metadata?.generation);
  const cond = st.conditions!.find((x) => x.type === 'DisruptionAllowed')!;
  assert.equal([cond.status, cond.reason], ['True', 'SufficientPods']);
});

test('maxUnavailable and percentages scale with the owning ReplicaSet', async () => {
  await webCluster();
  await c.h.client().must('api.create', { target: pdbs('default'), object: budget('web', { maxUnavailable: '50%' }) });
  await c.advance(500);
  let st = await status();
  // 50% of 3 rounds up to 2 unavailable: 1 must stay healthy.
  assert.equal([st.expectedPods, st.desiredHealthy, st.currentHealthy, st.disruptionsAllowed], [3, 1, 3, 2]);
  await c.h.client().must('api.patch', { target: pdbs('default', 'web'), patchType: 'merge', patch: { spec: { maxUnavailable: null, minAvailable: '100%' } } });
  await c.advance(500);
  st = await status();
  assert.equal([st.desiredHealthy, st.disruptionsAllowed], [3, 0]);
  const cond = st.conditions!.find((x) => x.type === 'DisruptionAllowed')!;
  assert.equal([cond.status, cond.reason], ['False', 'InsufficientPods']);
});

test('evictions spend the budget, are refused 429 when it is spent, and it comes back as pods recover', async () => {
  await webCluster();
  await c.h.client().must('api.create', { target: pdbs('default'), object: budget('web', { minAvailable: 2 }) });
  await c.advance(500);
  const [a, b] = (await webPods()).map((p) => p.metadata!.name!);
  // At once, so the ReplicaSet's replacement cannot be ready in between: the budget allows one.
  const both = await Promise.all([evict(a!), evict(b!)]);
  assert.is(both.filter((r) => r.ok).length, 1, 'one eviction is allowed');
  let st = await status();
  assert.is(st.disruptionsAllowed, 0);
  const second = both.find((r) => !r.ok);
  const evicted = both[0]!.ok ? a! : b!;
  const kept = evicted === a ? b! : a!;
  if (second && !second.ok) {
    assert.is(second.status.code, 429);
    assert.is(second.status.reason, 'TooManyRequests');
    assert.is(second.status.message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.match(second.status.details?.causes?.[0]?.message ?? '', /^The disruption budget web needs 2 healthy pods and has [23] currently$/);
  }
  // The ReplicaSet replaces the evicted pod; once it is ready the budget allows one again.
  await c.advance(5000);
  st = await status();
  assert.equal([st.currentHealthy, st.disruptionsAllowed], [3, 1]);
  assert.ok((await evict(kept)).ok);
});

test.run();
