/**
 * The real kubectl against a real control plane core through the HTTP front: what a user
 * types and what they see. Writing and reading; watch, wait and delete are in
 * kubectl-watch.spec.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { startCluster, type Cluster } from './cluster.ts';

let c: Cluster;
const cm = (value: string, name = 'demo') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  labels: {app: demo}\ndata:\n  a: "${value}"\n`;
const web = readFileSync(new URL('./fixtures/web.yaml', import.meta.url), 'utf8');

test.before(async () => {
  c = await startCluster();
});
test.after(async () => {
  await c.stop();
});

test('kubectl picks 1.32 from /version', async () => {
  const r = await c.kubectl(['version', '-o', 'json']);
  assert.is(r.code, 0, r.stderr);
  assert.is(JSON.parse(r.stdout).serverVersion.minor, '32');
});

test('auth whoami and can-i: the token is a cluster admin', async () => {
  assert.match((await c.kubectl(['auth', 'whoami'])).stdout, /Username\s+kubeactor-admin/);
  assert.is((await c.kubectl(['auth', 'can-i', 'delete', 'nodes'])).stdout.trim(), 'yes');
});

test('client-side apply creates, then configures with a strategic merge patch', async () => {
  assert.is((await c.kubectl(['apply', '-f', '-'], cm('1'))).stdout.trim(), 'configmap/demo created');
  assert.is((await c.kubectl(['apply', '-f', '-'], cm('1'))).stdout.trim(), 'configmap/demo unchanged');
  assert.is((await c.kubectl(['apply', '-f', '-'], cm('2'))).stdout.trim(), 'configmap/demo configured');
  assert.is((await c.kubectl(['get', 'cm', 'demo', '-o', 'jsonpath={.data.a}'])).stdout, '2');
});

test('server-side apply creates and updates in one PATCH', async () => {
  const first = await c.kubectl(['apply', '--server-side', '-f', '-'], web);
  assert.is(first.stdout.trim(), 'deployment.apps/web serverside-applied', first.stderr);
  const again = await c.kubectl(['apply', '--server-side', '-f', '-'], web.replace('replicas: 2', 'replicas: 3'));
  assert.is(again.code, 0, again.stderr);
  assert.is((await c.kubectl(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}'])).stdout, '3');
});

test('create -f, and AlreadyExists as Kubernetes prints it', async () => {
  assert.is((await c.kubectl(['create', '-f', '-'], cm('x', 'other'))).stdout.trim(), 'configmap/other created');
  const again = await c.kubectl(['create', '-f', '-'], cm('x', 'other'));
  assert.is(again.code, 1);
  assert.match(again.stderr, 'Error from server (AlreadyExists): error when creating "STDIN": configmaps "other" already exists');
});

test('get: server-side columns, wide, -A, --show-labels, -l, --sort-by, -o name|yaml|json', async () => {
  const plain = (await c.kubectl(['get', 'cm'])).stdout.split('\n');
  assert.match(plain[0]!, /^NAME\s+DATA\s+AGE$/);
  assert.match(plain.find((l) => l.startsWith('demo'))!, /^demo\s+1\s+\d+s$/);
  const wide = (await c.kubectl(['get', 'deploy', '-o', 'wide'])).stdout;
  assert.match(wide, /NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR/);
  assert.match(wide, /web\s+0\/3\s+0\s+0\s+\S+\s+nginx\s+nginx:1.27\s+app=web/);
  const all = (await c.kubectl(['get', 'cm', '-A', '--show-labels'])).stdout;
  assert.match(all, /^NAMESPACE\s+NAME\s+DATA\s+AGE\s+LABELS/);
  assert.match(all, /default\s+demo\s+1\s+\S+\s+app=demo/);
  assert.is((await c.kubectl(['get', 'cm', '-l', 'app in (demo)', '-o', 'name'])).stdout, 'configmap/demo\nconfigmap/other\n');
  const sorted = (await c.kubectl(['get', 'cm', '-l', 'app=demo', '--sort-by=.metadata.name', '--no-headers'])).stdout;
  assert.match(sorted, /^demo\s.*\nother\s/);
  assert.match((await c.kubectl(['get', 'cm', 'demo', '-o', 'yaml'])).stdout, /kind: ConfigMap\n/);
  assert.is(JSON.parse((await c.kubectl(['get', 'cm', '-o', 'json'])).stdout).kind, 'List');
  assert.match((await c.kubectl(['get', 'ns'])).stdout, /kube-system\s+Active/);
});

test('describe a configmap and a deployment', async () => {
  const d = await c.kubectl(['describe', 'deploy', 'web']);
  assert.is(d.code, 0, d.stderr);
  assert.match(d.stdout, /Replicas:\s+3 desired/);
  assert.match(d.stdout, /Image:\s+nginx:1.27/);
  assert.match((await c.kubectl(['describe', 'cm', 'demo'])).stdout, /Name:\s+demo/);
});

test('scale, label, annotate and the three patch types', async () => {
  assert.is((await c.kubectl(['scale', 'deploy', 'web', '--replicas=5'])).stdout.trim(), 'deployment.apps/web scaled');
  assert.is((await c.kubectl(['label', 'cm', 'demo', 'tier=fe'])).stdout.trim(), 'configmap/demo labeled');
  assert.is((await c.kubectl(['annotate', 'cm', 'demo', 'note=hi'])).stdout.trim(), 'configmap/demo annotated');
  const image = '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.28"}]}}}}';
  assert.is((await c.kubectl(['patch', 'deploy', 'web', '-p', image])).stdout.trim(), 'deployment.apps/web patched');
  await c.kubectl(['patch', 'deploy', 'web', '--type', 'merge', '-p', '{"metadata":{"labels":{"x":"y"}}}']);
  await c.kubectl(['patch', 'deploy', 'web', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/replicas","value":4}]']);
  const got = await c.kubectl(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image} {.metadata.labels.x}']);
  assert.is(got.stdout, '4 nginx:1.28 y');
  assert.is((await c.kubectl(['get', 'cm', 'demo', '-o', 'jsonpath={.metadata.labels.tier}/{.metadata.annotations.note}'])).stdout, 'fe/hi');
});

test('diff shows the change and exits 1; nothing is stored', async () => {
  const d = await c.kubectl(['diff', '-f', '-'], cm('3'));
  assert.is(d.code, 1, d.stderr);
  assert.match(d.stdout, /-  a: "2"\n\+  a: "3"/);
  assert.is((await c.kubectl(['get', 'cm', 'demo', '-o', 'jsonpath={.data.a}'])).stdout, '2');
});

test('errors print as Kubernetes prints them: NotFound, Invalid, Conflict', async () => {
  assert.is((await c.kubectl(['get', 'cm', 'nope'])).stderr.trim(), 'Error from server (NotFound): configmaps "nope" not found');
  const invalid = await c.kubectl(['apply', '-f', '-'], cm('1', 'Bad_Name'));
  assert.match(invalid.stderr, 'The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"');
  const stale = JSON.parse((await c.kubectl(['get', 'cm', 'demo', '-o', 'json'])).stdout);
  await c.kubectl(['label', 'cm', 'demo', 'bump=1']);
  const conflict = await c.kubectl(['replace', '-f', '-'], JSON.stringify(stale));
  assert.match(conflict.stderr, 'Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on configmaps "demo": the object has been modified');
});

test('explain reads the served OpenAPI schemas', async () => {
  const r = await c.kubectl(['explain', 'deployment.spec.replicas']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /KIND:\s+Deployment/);
  assert.match(r.stdout, /FIELD: replicas <integer>/);
  assert.match(r.stdout, /Number of desired pods/);
  assert.match((await c.kubectl(['explain', 'pods.spec.containers'])).stdout, /image\s+<string>/);
});

test.run();
