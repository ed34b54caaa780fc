/**
 * HorizontalPodAutoscaler with the real kubectl (wall clock; --horizontal-pod-autoscaler-sync-period
 * 1s, --metric-resolution 1s): `kubectl autoscale` (kubectl 1.32 sends autoscaling/v1, in
 * protobuf) scales a Deployment of sim pods from their reported usage — one pod using 200m of
 * a 100m request against a 50 % target asks for ceil(1 x 400 % / 100 %) = 4, then the
 * maximum, 5 —; `get hpa` prints the targets, `describe hpa` the conditions and events; the
 * v1 view of the same object; and upstream's answers when no metric can be read.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { must, startCluster, type Cluster } from './cluster.ts';
import { eventually } from '../helpers/wait.ts';

let c: Cluster;
test.before(async () => {
  c = await startCluster({
    controllers: 'deployment,replicaset,horizontalpodautoscaling',
    controllerOptions: () => ({ horizontalpodautoscaling: { 'horizontal-pod-autoscaler-sync-period': '1s' } }),
    nodes: { count: 1 },
    metricResolutionMs: 1000,
  });
});
test.after(async () => c.stop());

const deployment = (name: string, usage: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata:
      labels: {app: ${name}}
      annotations: {sim.kubeactor.io/cpu-usage: ${usage}}
    spec:
      containers: [{name: app, image: nginx:1.27, resources: {requests: {cpu: 100m}}}]
`;

const replicas = async (name: string) => Number(must(await c.kubectl(['get', 'deploy', name, '-o', 'jsonpath={.spec.replicas}']), 'get deploy'));

test('kubectl autoscale scales a Deployment from its pods\' usage; get and describe hpa show why', async () => {
  must(await c.kubectl(['apply', '-f', '-'], deployment('web', '200m')), 'apply');
  assert.match(must(await c.kubectl(['autoscale', 'deployment', 'web', '--cpu-percent=50', '--min=1', '--max=5']), 'autoscale'), 'horizontalpodautoscaler.autoscaling/web autoscaled');
  await eventually(async () => (await replicas('web')) >= 4, { what: 'web scaled up', timeoutMs: 30_000 });
  const events = must(await c.kubectl(['get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']), 'events');
  // The first rescale is upstream's formula, ceil(1 x 200 % / 50 %) = 4, within the scale-up limit max(2 x 1, 4).
  assert.match(events, 'SuccessfulRescale: New size: 4; reason: cpu resource utilization (percentage of request) above target');
  // Four pods at 200 % still ask for 16: the maximum, 5, bounds it.
  await eventually(async () => (await replicas('web')) === 5, { what: 'web at maxReplicas', timeoutMs: 30_000 });
  await eventually(async () => /web\s+Deployment\/web\s+cpu: 200%\/50%\s+1\s+5\s+5\s+\S+/.test(must(await c.kubectl(['get', 'hpa']), 'get hpa')), { what: 'get hpa shows 5 replicas at 200%/50%', timeoutMs: 30_000 });
  const table = must(await c.kubectl(['get', 'hpa']), 'get hpa').trim().split('\n');
  assert.match(table[0]!, /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE$/);
  const described = must(await c.kubectl(['describe', 'hpa', 'web']), 'describe');
  assert.match(described, /resource cpu on pods\s+\(as a percentage of request\):\s+200% \(200m\) \/ 50%/);
  assert.match(described, /AbleToScale\s+True\s+\S+/);
  assert.match(described, /ScalingActive\s+True\s+ValidMetricFound\s+the HPA was able to successfully calculate a replica count from cpu resource utilization \(percentage of request\)/);
  assert.match(described, /ScalingLimited\s+True\s+TooManyReplicas\s+the desired replica count is more than the maximum replica count/);
  assert.match(described, /Normal\s+SuccessfulRescale\s+.*New size: 5; reason: cpu resource utilization \(percentage of request\) above target/);
});

test('the same HPA through autoscaling/v1: targetCPUUtilizationPercentage and the current utilization', async () => {
  const v1 = JSON.parse(must(await c.kubectl(['get', '--raw', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/web']), 'get v1')) as { apiVersion: string; spec: Record<string, unknown>; status: Record<string, unknown> };
  assert.is(v1.apiVersion, 'autoscaling/v1');
  assert.equal(v1.spec, { scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 50 });
  assert.is(v1.status.currentCPUUtilizationPercentage, 200);
  // v1's OpenAPI schema is its own: kubectl explain at v1 shows v1's fields.
  const explained = must(await c.kubectl(['explain', 'hpa.spec', '--api-version=autoscaling/v1']), 'explain at v1');
  assert.match(explained, /VERSION:\s+v1/);
  assert.match(explained, /targetCPUUtilizationPercentage\s+<integer>/);
  assert.not.match(explained, /behavior/);
  // A patch written at v1 applies to the object as v1 shows it (the front reads, converts, patches, converts back).
  must(await c.kubectl(['patch', 'horizontalpodautoscalers.v1.autoscaling', 'web', '--type=json', '-p', '[{"op":"replace","path":"/spec/targetCPUUtilizationPercentage","value":60}]']), 'json patch at v1');
  const metrics = JSON.parse(must(await c.kubectl(['get', 'hpa', 'web', '-o', 'jsonpath={.spec.metrics}']), 'get v2 metrics')) as unknown;
  assert.equal(metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }]);
});

test('without metrics: <unknown> targets, ScalingActive False and upstream\'s events; bad input is refused', async () => {
  // No pod matches: no PodMetrics to read.
  must(await c.kubectl(['apply', '-f', '-'], `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: idle}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: idle}
  maxReplicas: 3
  metrics:
  - type: Pods
    pods: {metric: {name: requests_per_second}, target: {type: AverageValue, averageValue: "10"}}
`), 'apply idle');
  must(await c.kubectl(['apply', '-f', '-'], deployment('idle', '10m')), 'apply idle deployment');
  await eventually(async () => /FailedGetPodsMetric/.test(must(await c.kubectl(['describe', 'hpa', 'idle']), 'describe')), { what: 'FailedGetPodsMetric', timeoutMs: 30_000 });
  const described = must(await c.kubectl(['describe', 'hpa', 'idle']), 'describe');
  assert.match(described, /ScalingActive\s+False\s+FailedGetPodsMetric\s+the HPA was unable to compute the replica count: unable to get metric requests_per_second: unable to fetch metrics from custom metrics API: no custom metrics API \(custom.metrics.k8s.io\) registered/);
  assert.match(described, /FailedComputeMetricsReplicas/);
  assert.match(must(await c.kubectl(['get', 'hpa', 'idle']), 'get'), /idle\s+Deployment\/idle\s+<unknown>\/10\s+1\s+3\s+1/);
  assert.is(await replicas('idle'), 1);

  const refused = await c.kubectl(['apply', '-f', '-'], `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: bad}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: idle}
  minReplicas: 0
  maxReplicas: 3
`);
  assert.is(refused.code, 1);
  assert.match(refused.stderr, 'The HorizontalPodAutoscaler "bad" is invalid: spec.minReplicas: Invalid value: 0: must be greater than or equal to 1');
  assert.is((await c.kubectl(['get', 'hpa', 'bad'])).code, 1);
});

test.run();
