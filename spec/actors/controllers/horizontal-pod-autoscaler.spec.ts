/**
 * The HPA controller in virtual time on the real apiserver: the sync period (15 s), the
 * min/max bounds through /scale with upstream's event and status, and the failures it
 * reports as conditions and events (a target that is missing or has no known kind, no
 * resource metrics API).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v2.js';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import { hpas } from '../../../actors/controllers/horizontal-pod-autoscaler/controller.ts';
import { cluster, replicaSet, targets, type Cluster } from './helpers.ts';

let c: Cluster;
test.after.each(async () => {
  await c?.close();
});

const hpa = (name: string, ref: { apiVersion: string; kind: string; name: string }, min: number, max: number): KubeObject => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name },
  spec: { scaleTargetRef: ref, minReplicas: min, maxReplicas: max },
});
const rsReplicas = async (name: string) => (await c.get<ReplicaSet>(targets.replicasets('default', name)))!.spec?.replicas;
const getHpa = async (name: string) => (await c.get<HorizontalPodAutoscaler>(hpas('default', name)))!;
const events = async () => (await c.list<{ reason: string; message: string; source: { component: string } }>(targets.events('default'))).map((e) => `${e.source.component} ${e.reason}: ${e.message}`);
const cond = (h: HorizontalPodAutoscaler, type: string) => h.status?.conditions?.find((x) => x.type === type);

test('replicas above maxReplicas come down to it at once, then every 15 s of virtual time', async () => {
  c = await cluster('horizontalpodautoscaling');
  await c.h.client().must('api.create', { target: targets.replicasets('default'), object: replicaSet('web', 7) });
  await c.h.client().must('api.create', { target: hpas('default'), object: hpa('web', { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web' }, 2, 5) });
  await c.advance(500);
  assert.is(await rsReplicas('web'), 5);
  assert.ok((await events()).includes('horizontal-pod-autoscaler SuccessfulRescale: New size: 5; reason: Current number of replicas above Spec.MaxReplicas'));
  let h = await getHpa('web');
  assert.is(h.status?.desiredReplicas, 5);
  assert.is(h.status?.currentReplicas, 7);
  assert.ok(h.status?.lastScaleTime);
  assert.equal([cond(h, 'AbleToScale')?.status, cond(h, 'AbleToScale')?.reason, cond(h, 'AbleToScale')?.message], ['True', 'SucceededRescale', 'the HPA controller was able to update the target scale to 5']);

  // Someone scales the target down below minReplicas: the next sync, not before, brings it back.
  await c.h.client().must('api.update', { target: targets.replicasets('default', 'web', 'scale'), object: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 1 } } });
  await c.advance(13_000, 500);
  assert.is(await rsReplicas('web'), 1);
  await c.advance(2_000, 500);
  assert.is(await rsReplicas('web'), 2);
  assert.ok((await events()).includes('horizontal-pod-autoscaler SuccessfulRescale: New size: 2; reason: Current number of replicas below Spec.MinReplicas'));
  h = await getHpa('web');
  assert.is(h.status?.desiredReplicas, 2);
});

test('within bounds and without a resource metrics API: ScalingActive False, FailedGetResourceMetric, nothing scaled', async () => {
  c = await cluster('horizontalpodautoscaling');
  await c.h.client().must('api.create', { target: targets.replicasets('default'), object: replicaSet('web', 2) });
  await c.h.client().must('api.create', { target: hpas('default'), object: hpa('web', { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web' }, 1, 5) });
  await c.advance(500);
  const h = await getHpa('web');
  assert.is(await rsReplicas('web'), 2);
  assert.is(h.status?.currentReplicas, 2);
  assert.equal(h.spec?.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
  assert.is(cond(h, 'ScalingActive')?.status, 'False');
  assert.is(cond(h, 'ScalingActive')?.reason, 'FailedGetResourceMetric');
  const all = await events();
  assert.ok(all.some((e) => e.startsWith('horizontal-pod-autoscaler FailedGetResourceMetric: failed to get cpu utilization: unable to get metrics for resource cpu: ')), all.join('\n'));
  assert.ok(all.some((e) => e.startsWith('horizontal-pod-autoscaler FailedComputeMetricsReplicas: invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: failed to get cpu utilization: ')), all.join('\n'));
});

test('a missing target and an unknown kind: AbleToScale False, FailedGetScale', async () => {
  c = await cluster('horizontalpodautoscaling');
  await c.h.client().must('api.create', { target: hpas('default'), object: hpa('gone', { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'nope' }, 1, 5) });
  await c.h.client().must('api.create', { target: hpas('default'), object: hpa('odd', { apiVersion: 'example.com/v1', kind: 'Widget', name: 'w' }, 1, 5) });
  await c.advance(500);
  const gone = cond(await getHpa('gone'), 'AbleToScale');
  assert.equal([gone?.status, gone?.reason, gone?.message], ['False', 'FailedGetScale', 'the HPA controller was unable to get the target\'s current scale: replicasets.apps "nope" not found']);
  const odd = cond(await getHpa('odd'), 'AbleToScale');
  assert.equal([odd?.status, odd?.reason, odd?.message], ['False', 'FailedGetScale', 'the HPA controller was unable to get the target\'s current scale: no matches for kind "Widget" in group "example.com"']);
  assert.ok((await events()).includes('horizontal-pod-autoscaler FailedGetScale: replicasets.apps "nope" not found'));
});

test.run();
