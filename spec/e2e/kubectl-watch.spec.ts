/**
 * The real kubectl's long-running and waiting commands through the HTTP front: get -w,
 * wait --for=condition, delete (which waits until the object is gone), cordon/uncordon;
 * and the commands that cannot work yet, pinned to the error they print.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startCluster, type Cluster } from './cluster.ts';
import { eventually } from '../helpers/wait.ts';

let c: Cluster;
const node = 'apiVersion: v1\nkind: Node\nmetadata:\n  name: node-1\n  labels: {node-role.kubernetes.io/worker: ""}\n';
const ready = JSON.stringify({ status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ok', lastHeartbeatTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z' }] } });

test.before(async () => {
  c = await startCluster();
  await c.kubectl(['create', '-f', '-'], node);
});
test.after(async () => {
  await c.stop();
});

test('get -w prints the table, then a row per ADDED and MODIFIED event', async () => {
  const w = c.background(['get', 'cm', '-l', 'w=1', '-w']);
  // kubectl lists, then watches from the list's resourceVersion; give it a moment to get there.
  await new Promise((r) => setTimeout(r, 700));
  await c.kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: seen\n  labels: {w: "1"}\n');
  await eventually(() => /seen\s+0\s+\S+/.test(w.output()), { timeoutMs: 10_000, intervalMs: 50, detail: () => w.output() });
  await c.kubectl(['patch', 'cm', 'seen', '--type', 'merge', '-p', '{"data":{"k":"v"}}']);
  await eventually(() => /seen\s+1\s+\S+/.test(w.output()), { timeoutMs: 10_000, intervalMs: 50, detail: () => w.output() });
  const out = await w.stop();
  assert.match(out.stdout, /^NAME\s+DATA\s+AGE\n/);
});

test('wait --for=condition ends when the status subresource says so', async () => {
  const waiting = c.kubectl(['wait', '--for=condition=Ready', 'node/node-1', '--timeout=20s']);
  await new Promise((r) => setTimeout(r, 700));
  const patched = await c.kubectl(['patch', 'node', 'node-1', '--subresource=status', '--type=merge', '-p', ready]);
  assert.is(patched.code, 0, patched.stderr);
  const done = await waiting;
  assert.is(done.stdout.trim(), 'node/node-1 condition met', done.stderr);
  assert.match((await c.kubectl(['get', 'nodes'])).stdout, /node-1\s+Ready\s+worker/);
});

test('cordon and uncordon', async () => {
  assert.is((await c.kubectl(['cordon', 'node-1'])).stdout.trim(), 'node/node-1 cordoned');
  assert.match((await c.kubectl(['get', 'no'])).stdout, /node-1\s+Ready,SchedulingDisabled/);
  assert.is((await c.kubectl(['uncordon', 'node-1'])).stdout.trim(), 'node/node-1 uncordoned');
  assert.is((await c.kubectl(['get', 'no', 'node-1', '-o', 'jsonpath={.spec.unschedulable}'])).stdout, '');
});

test('delete waits until the object is gone; --wait=false does not', async () => {
  await c.kubectl(['create', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: gone}\n');
  assert.is((await c.kubectl(['delete', 'cm', 'gone'])).stdout.trim(), 'configmap "gone" deleted');
  assert.match((await c.kubectl(['get', 'cm', 'gone'])).stderr, /NotFound/);
  assert.is((await c.kubectl(['delete', 'cm', 'seen', '--wait=false'])).stdout.trim(), 'configmap "seen" deleted');
  assert.match((await c.kubectl(['delete', 'cm', 'seen'])).stderr, 'Error from server (NotFound): configmaps "seen" not found');
});

test('pods/binding, and logs: a clear Status until kubelets exist', async () => {
  await c.kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: busybox}]\n');
  assert.match((await c.kubectl(['get', 'po', '-o', 'wide'])).stdout, /p\s+0\/1\s+Pending\s+0\s+\S+\s+<none>\s+<none>/);
  assert.is((await c.kubectl(['logs', 'p'])).stderr.trim(), 'Error from server (BadRequest): pod p does not have a host assigned');
  const binding = JSON.stringify({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-1' } });
  const bound = await c.kubectl(['create', '--raw', '/api/v1/namespaces/default/pods/p/binding', '-f', '-'], binding);
  assert.is(bound.code, 0, bound.stderr);
  assert.is((await c.kubectl(['get', 'po', 'p', '-o', 'jsonpath={.spec.nodeName}'])).stdout, 'node-1');
  assert.is((await c.kubectl(['logs', 'p'])).stderr.trim(), 'Error from server (ServiceUnavailable): no kubelet answers for node "node-1": no actor at address "kubelet.node-1"');
});

test('imperative create (protobuf bodies from typed clients)', async () => {
  assert.is((await c.kubectl(['create', 'deployment', 'd1', '--image=nginx', '--replicas=2'])).stdout.trim(), 'deployment.apps/d1 created');
  assert.is((await c.kubectl(['create', 'namespace', 'team'])).stdout.trim(), 'namespace/team created');
  assert.is((await c.kubectl(['create', 'secret', 'generic', 's', '--from-literal=a=b', '-n', 'team'])).stdout.trim(), 'secret/s created');
  assert.is((await c.kubectl(['get', 'secret', 's', '-n', 'team', '-o', 'jsonpath={.data.a}'])).stdout, Buffer.from('b').toString('base64'));
  assert.match((await c.kubectl(['get', 'deploy', 'd1', '-o', 'wide'])).stdout, /d1\s+0\/2\s+0\s+0\s+\S+\s+nginx\s+nginx\s+app=d1/);
  const again = await c.kubectl(['create', 'deployment', 'd1', '--image=nginx']);
  assert.is(again.stderr.trim(), 'error: failed to create deployment: deployments.apps "d1" already exists');
});

test.run();
