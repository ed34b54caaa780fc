/**
 * The apiserver's /metrics read with the real kubectl (`kubectl get --raw /metrics`) after a
 * Deployment rolled out and a high-priority pod preempted its pods: kube-apiserver's,
 * client-go workqueue's and kube-scheduler's families are there under upstream's names, types
 * and label names, and their counts moved with what the cluster did.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { must, startCluster, type Cluster } from './cluster.ts';
import { eventually } from '../helpers/wait.ts';
import { parseFamilies, valueOf, type Family, type Sample } from '../helpers/prometheus.ts';

let c: Cluster;
test.before(async () => {
  c = await startCluster({ controllers: 'deployment,replicaset', nodes: { count: 1, capacity: { cpu: '2' } } });
});
test.after(async () => c.stop());

async function scrape(): Promise<{ families: Map<string, Family>; samples: Sample[] }> {
  const families = parseFamilies(must(await c.kubectl(['get', '--raw', '/metrics']), 'kubectl get --raw /metrics'));
  return { families: new Map(families.map((f) => [f.name, f])), samples: families.flatMap((f) => f.samples) };
}

const labelNames = (f: Family | undefined, sample: string): string[] => Object.keys(f?.samples.find((s) => s.name === sample)?.labels ?? {}).sort();
const sum = (samples: Sample[], name: string, match: Record<string, string>): number =>
  samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{name: app, image: nginx:1.27, resources: {requests: {cpu: "1"}}}]
`;
const urgent = `apiVersion: v1
kind: Pod
metadata: {name: urgent}
spec:
  priorityClassName: high
  terminationGracePeriodSeconds: 1
  containers: [{name: app, image: nginx:1.27, resources: {requests: {cpu: "2"}}}]
`;

test('after a Deployment and a preemption, /metrics has upstream\'s families, labels and moved counts', async () => {
  const before = await scrape();
  must(await c.kubectl(['apply', '-f', '-'], deployment), 'apply deployment');
  await eventually(async () => (await c.kubectl(['get', 'deploy', 'web', '-o', 'jsonpath={.status.readyReplicas}'])).stdout === '2', { what: 'web is ready', timeoutMs: 20_000 });
  must(await c.kubectl(['create', 'priorityclass', 'high', '--value=1000']), 'create priorityclass');
  must(await c.kubectl(['apply', '-f', '-'], urgent), 'apply urgent');
  await eventually(async () => (await c.kubectl(['get', 'pod', 'urgent', '-o', 'jsonpath={.spec.nodeName}'])).stdout === 'node-1', { what: 'urgent is bound', timeoutMs: 20_000 });
  const { families, samples } = await scrape();

  const types: Record<string, string> = {
    apiserver_request_total: 'counter', apiserver_request_duration_seconds: 'histogram', apiserver_response_sizes: 'histogram',
    apiserver_storage_objects: 'gauge', apiserver_current_inflight_requests: 'gauge', apiserver_longrunning_requests: 'gauge',
    workqueue_adds_total: 'counter', workqueue_depth: 'gauge', workqueue_queue_duration_seconds: 'histogram',
    workqueue_work_duration_seconds: 'histogram', workqueue_retries_total: 'counter', workqueue_unfinished_work_seconds: 'gauge',
    workqueue_longest_running_processor_seconds: 'gauge',
    scheduler_pending_pods: 'gauge', scheduler_schedule_attempts_total: 'counter', scheduler_scheduling_attempt_duration_seconds: 'histogram',
    scheduler_pod_scheduling_sli_duration_seconds: 'histogram', scheduler_pod_scheduling_attempts: 'histogram',
    scheduler_preemption_attempts_total: 'counter', scheduler_preemption_victims: 'histogram',
  };
  for (const [name, type] of Object.entries(types)) assert.is(families.get(name)?.type, type, name);

  // kube-apiserver's label names.
  const request = ['component', 'dry_run', 'group', 'resource', 'scope', 'subresource', 'verb', 'version'];
  assert.equal(labelNames(families.get('apiserver_request_total'), 'apiserver_request_total'), [...request, 'code'].sort());
  assert.equal(labelNames(families.get('apiserver_request_duration_seconds'), 'apiserver_request_duration_seconds_bucket'), [...request, 'le'].sort());
  assert.equal(labelNames(families.get('apiserver_request_duration_seconds'), 'apiserver_request_duration_seconds_count'), request);
  assert.equal(labelNames(families.get('apiserver_response_sizes'), 'apiserver_response_sizes_count'), request.filter((l) => l !== 'dry_run'));
  const les = families.get('apiserver_request_duration_seconds')!.samples.filter((s) => s.name.endsWith('_bucket')).map((s) => s.labels.le);
  assert.equal([...new Set(les)], ['0.005', '0.025', '0.05', '0.1', '0.2', '0.4', '0.6', '0.8', '1', '1.25', '1.5', '2', '3', '4', '5', '6', '8', '10', '15', '20', '30', '45', '60', '+Inf']);

  // The Deployment's create, counted and timed (kube-apiserver labels it with the method, POST).
  const create = { component: 'apiserver', dry_run: '', group: 'apps', version: 'v1', resource: 'deployments', subresource: '', scope: 'resource', verb: 'POST' };
  assert.is(valueOf(samples, 'apiserver_request_total', { ...create, code: '201' }), 1);
  assert.is(valueOf(samples, 'apiserver_request_duration_seconds_count', create), 1);
  assert.is(valueOf(samples, 'apiserver_request_duration_seconds_bucket', { ...create, le: '+Inf' }), 1);
  assert.ok(sum(samples, 'apiserver_response_sizes_count', { verb: 'GET', resource: 'deployments' }) >= 1, 'the readiness polls were sized');
  assert.is(valueOf(samples, 'apiserver_storage_objects', { resource: 'deployments.apps' }), 1);
  assert.is(valueOf(samples, 'apiserver_storage_objects', { resource: 'replicasets.apps' }), 1);
  assert.is(valueOf(samples, 'apiserver_storage_objects', { resource: 'priorityclasses.scheduling.k8s.io' }) >= 1, true);
  // The scrape itself is a readOnly request in flight while /metrics renders.
  assert.is(valueOf(samples, 'apiserver_current_inflight_requests', { request_kind: 'readOnly' }), 1);

  // The controllers' queues, under kube-controller-manager's names.
  for (const name of ['deployment', 'replicaset']) {
    assert.ok(valueOf(samples, 'workqueue_adds_total', { name }) > valueOf(before.samples, 'workqueue_adds_total', { name }), `${name} queue adds moved`);
    assert.ok(valueOf(samples, 'workqueue_work_duration_seconds_count', { name }) >= 1, `${name} syncs timed`);
  }

  // The scheduler: two web pods and urgent bound; urgent failed first and preempted both web pods.
  const profile = 'default-scheduler';
  assert.ok(valueOf(samples, 'scheduler_schedule_attempts_total', { result: 'scheduled', profile }) >= 3);
  assert.ok(valueOf(samples, 'scheduler_schedule_attempts_total', { result: 'unschedulable', profile }) >= 1);
  assert.ok(valueOf(samples, 'scheduler_scheduling_attempt_duration_seconds_count', { result: 'scheduled', profile }) >= 3);
  assert.ok(valueOf(samples, 'scheduler_preemption_attempts_total') >= 1);
  assert.is(valueOf(samples, 'scheduler_preemption_victims_count'), 1);
  assert.is(valueOf(samples, 'scheduler_preemption_victims_sum'), 2);
  assert.ok(sum(samples, 'scheduler_pod_scheduling_sli_duration_seconds_count', {}) >= 3);
  assert.equal(families.get('scheduler_pending_pods')!.samples.map((s) => s.labels.queue).sort(), ['active', 'backoff', 'gated', 'unschedulable']);
});

test.run();
