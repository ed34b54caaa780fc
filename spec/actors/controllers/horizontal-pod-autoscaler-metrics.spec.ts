/**
 * The HPA on sim pods' reported usage, in virtual time with upstream's timings (sync 15 s,
 * metric resolution 15 s, downscale stabilization 5 min): a Deployment rises to 4 then to its
 * maximum; after its target is raised, the scale-down waits for the window of higher
 * recommendations to pass.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v2.js';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import { hpas } from '../../../actors/controllers/horizontal-pod-autoscaler/controller.ts';
import { startMetricsServer } from '../../../actors/metrics-server/index.ts';
import { cluster, targets, type Cluster } from './helpers.ts';
import { eventually } from '../../helpers/wait.ts';

let c: Cluster;
let stopMetrics: () => void;
test.after(async () => {
  stopMetrics?.();
  await c?.close();
});

const web: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' }, annotations: { 'sim.kubeactor.io/cpu-usage': '200m' } },
      spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu: '100m' } } }] },
    },
  },
};
const hpa = (utilization: number): KubeObject => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas: 1,
    maxReplicas: 5,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: utilization } } }],
  },
});
const replicas = async () => (await c.get<Deployment>(targets.deployments('default', 'web')))!.spec?.replicas;
const rescales = async () => (await c.list<{ reason: string; message: string }>(targets.events('default'))).filter((e) => e.reason === 'SuccessfulRescale').map((e) => e.message);

test('up from the pods\' usage, and down only after the stabilization window', async () => {
  c = await cluster('deployment,replicaset,horizontalpodautoscaling', { nodes: 1 });
  stopMetrics = startMetricsServer(c.h.host, { resolutionMs: 15_000 }).stop;
  await c.h.client().must('api.create', { target: targets.deployments('default'), object: web });
  await c.h.client().must('api.create', { target: hpas('default'), object: hpa(50) });
  await eventually(async () => (await replicas()) === 4, { what: 'scaled to 4', timeoutMs: 120_000, pace: c.pace(1000) });
  assert.equal(await rescales(), ['New size: 4; reason: cpu resource utilization (percentage of request) above target']);
  await eventually(async () => (await replicas()) === 5, { what: 'scaled to 5', timeoutMs: 120_000, pace: c.pace(1000) });
  const h = (await c.get<HorizontalPodAutoscaler>(hpas('default', 'web')))!;
  assert.equal(h.status?.currentMetrics, [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 200, averageValue: '200m' } } }]);
  const limited = h.status?.conditions?.find((x) => x.type === 'ScalingLimited');
  assert.equal([limited?.status, limited?.reason], ['True', 'TooManyReplicas']);

  // 200 % against 500 %: two pods would do, but the last five minutes asked for more.
  const raised = (await c.get<KubeObject>(hpas('default', 'web')))!;
  await c.h.client().must('api.update', { target: hpas('default', 'web'), object: { ...raised, spec: (hpa(500) as { spec: unknown }).spec } });
  const from = c.h.clock.now();
  await c.advance(240_000, 1000);
  assert.is(await replicas(), 5);
  const held = (await c.get<HorizontalPodAutoscaler>(hpas('default', 'web')))!.status?.conditions?.find((x) => x.type === 'AbleToScale');
  assert.equal([held?.reason, held?.message], ['ScaleDownStabilized', 'recent recommendations were higher than current one, applying the highest recent recommendation']);
  await eventually(async () => (await replicas()) === 2, { what: 'scaled down to 2', timeoutMs: 120_000, pace: c.pace(1000) });
  assert.ok(c.h.clock.now() - from >= 285_000, `scaled down after ${c.h.clock.now() - from} ms`);
  assert.is((await rescales()).at(-1), 'New size: 2; reason: All metrics below target');
});

test.run();
