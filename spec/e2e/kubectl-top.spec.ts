/**
 * The resource metrics API with the real kubectl (wall clock, --metric-resolution 1s): sim
 * pods annotated with their usage show it in `kubectl top pods` / `top pod --containers`, a
 * node shows the sum of its pods, discovery lists metrics.k8s.io, and the errors are
 * upstream's.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { must, startCluster, type Cluster, type Run } from './cluster.ts';
import { eventually } from '../helpers/wait.ts';

let c: Cluster;
test.before(async () => {
  c = await startCluster({ nodes: { count: 1 }, metricResolutionMs: 1000, controllers: 'clusterrole-aggregation' });
});
test.after(async () => c.stop());

const out = (r: Run): string => must(r, 'kubectl');
const columns = (text: string): string[][] => text.trim().split('\n').map((l) => l.trim().split(/\s+/));

const busy = `apiVersion: v1
kind: Pod
metadata:
  name: busy
  labels: {app: busy}
  annotations:
    sim.kubeactor.io/cpu-usage: 250m
    sim.kubeactor.io/memory-usage: 64Mi
    sim.kubeactor.io/cpu-usage.side: 50m
    sim.kubeactor.io/memory-usage.side: 16Mi
spec:
  containers: [{name: app, image: nginx:1.27}, {name: side, image: busybox:1.36}]
`;

test('kubectl top pods, pod --containers and nodes print the sim usage', async () => {
  out(await c.kubectl(['apply', '-f', '-'], busy));
  await eventually(async () => (await c.kubectl(['top', 'pod', 'busy'])).code === 0, { what: 'busy has metrics', timeoutMs: 20_000 });
  const pods = columns(out(await c.kubectl(['top', 'pods'])));
  assert.equal(pods[0], ['NAME', 'CPU(cores)', 'MEMORY(bytes)']);
  assert.equal(pods[1], ['busy', '300m', '80Mi']);
  const containers = columns(out(await c.kubectl(['top', 'pod', 'busy', '--containers'])));
  assert.equal(containers, [['POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)'], ['busy', 'app', '250m', '64Mi'], ['busy', 'side', '50m', '16Mi']]);
  const selected = columns(out(await c.kubectl(['top', 'pods', '-l', 'app=busy', '--no-headers'])));
  assert.equal(selected, [['busy', '300m', '80Mi']]);
  await eventually(async () => (await c.kubectl(['top', 'nodes'])).code === 0, { what: 'node-1 has metrics', timeoutMs: 20_000 });
  const nodes = columns(out(await c.kubectl(['top', 'nodes', '--no-headers'])));
  assert.is(nodes.length, 1);
  assert.is(nodes[0]![0], 'node-1');
  assert.is(nodes[0]![1], '300m');
  assert.is(nodes[0]![3], '80Mi');
});

test('the API: discovery, a table, a PodMetrics object and get/list only', async () => {
  assert.match(out(await c.kubectl(['api-versions'])), /^metrics\.k8s\.io\/v1beta1$/m);
  const resources = out(await c.kubectl(['api-resources', '--api-group=metrics.k8s.io', '--no-headers']));
  assert.match(resources, /^nodes\s+metrics\.k8s\.io\/v1beta1\s+false\s+NodeMetrics$/m);
  assert.match(resources, /^pods\s+metrics\.k8s\.io\/v1beta1\s+true\s+PodMetrics$/m);
  const table = columns(out(await c.kubectl(['get', 'pods.metrics.k8s.io'])));
  assert.equal(table[0], ['NAME', 'CPU', 'MEMORY', 'WINDOW']);
  assert.equal(table[1]!.slice(0, 3), ['busy', '300m', '80Mi']);
  // The wall clock's window: the resolution, give or take the scrape's own milliseconds.
  assert.match(table[1]![3]!, /^(0\.9\d*|1(\.\d+)?)s$/);
  const obj = JSON.parse(out(await c.kubectl(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/busy']))) as Record<string, unknown>;
  assert.is(obj.kind, 'PodMetrics');
  assert.equal(obj.containers, [{ name: 'app', usage: { cpu: '250m', memory: '64Mi' } }, { name: 'side', usage: { cpu: '50m', memory: '16Mi' } }]);
  assert.match(String(obj.window), /^(0\.9\d*|1(\.\d+)?)s$/);
  const del = await c.kubectl(['delete', 'pods.metrics.k8s.io', 'busy']);
  assert.is(del.code, 1);
  assert.match(del.stderr, /\(MethodNotAllowed\)/);
});

test('errors: a missing pod, a pod and a node without metrics', async () => {
  const r = await c.kubectl(['top', 'pod', 'nosuch']);
  assert.is(r.code, 1);
  assert.is(r.stderr.trim(), 'Error from server (NotFound): pods "nosuch" not found');
  const n = await c.kubectl(['get', 'nodes.metrics.k8s.io', 'nosuch']);
  assert.is(n.stderr.trim(), 'Error from server (NotFound): node "nosuch" not found');
  // A pod that has not started yet has no sample: metrics-server's own NotFound.
  out(await c.kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: Pod\nmetadata: {name: later}\nspec:\n  nodeName: nosuch-node\n  containers: [{name: app, image: nginx:1.27}]\n'));
  const p = await c.kubectl(['get', 'pods.metrics.k8s.io', 'later']);
  assert.is(p.stderr.trim(), 'Error from server (NotFound): pods.metrics.k8s.io "default/later" not found');
});

test('RBAC: view grants reading metrics (system:aggregated-metrics-reader is aggregated into it)', async () => {
  out(await c.kubectl(['create', 'rolebinding', 'viewer', '--clusterrole=view', '--serviceaccount=default:viewer']));
  const as = ['--as=system:serviceaccount:default:viewer'];
  await eventually(async () => (await c.kubectl(['auth', 'can-i', 'list', 'pods.metrics.k8s.io', ...as])).stdout.trim() === 'yes', { what: 'view reads pod metrics', timeoutMs: 10_000 });
  const top = await c.kubectl(['top', 'pods', ...as]);
  assert.is(top.code, 0, top.stderr);
  assert.match(top.stdout, /^busy\s+300m\s+80Mi/m);
  const nodes = await c.kubectl(['top', 'nodes', ...as]);
  assert.match(nodes.stderr, /\(Forbidden\).*cannot list resource "nodes" in API group "metrics.k8s.io" at the cluster scope/);
});

test.run();
