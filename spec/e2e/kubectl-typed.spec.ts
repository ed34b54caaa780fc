/**
 * The real kubectl after wrongly typed writes: each is refused with the apiserver's message,
 * and `kubectl describe deploy` still decodes every Deployment of the namespace.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { startCluster, type Cluster } from './cluster.ts';

let c: Cluster;
const web = readFileSync(new URL('./fixtures/web.yaml', import.meta.url), 'utf8');

test.before(async () => {
  c = await startCluster();
  assert.is((await c.kubectl(['create', 'namespace', 'typed'])).code, 0);
  const r = await c.kubectl(['apply', '-n', 'typed', '-f', '-'], web);
  assert.is(r.code, 0, r.stderr);
  assert.is((await c.kubectl(['create', 'configmap', 'cm', '-n', 'typed', '--from-literal=a=1'])).code, 0);
});
test.after(async () => {
  await c.stop();
});

test('mistyped writes are refused with the field named, through create, patch and server-side apply', async () => {
  const bad = web.replace(/name: web\n/, 'name: bad\n').replace(/replicas: \d+/, 'replicas: "abc"');
  const created = await c.kubectl(['create', '-n', 'typed', '-f', '-'], bad);
  assert.is(created.code, 1);
  assert.match(created.stderr, 'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
  const patched = await c.kubectl(['patch', 'deploy', 'web', '-n', 'typed', '-p', '{"spec":{"replicas":"abc"}}']);
  assert.is(patched.code, 1);
  assert.match(patched.stderr, 'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
  const merged = await c.kubectl(['patch', 'cm', 'cm', '-n', 'typed', '--type=merge', '-p', '{"data":5}']);
  assert.is(merged.code, 1);
  assert.match(merged.stderr, 'json: cannot unmarshal number into Go struct field ConfigMap.data of type map[string]string');
  const removed = await c.kubectl(['patch', 'cm', 'cm', '-n', 'typed', '--type=json', '-p', '[{"op":"remove","path":"/metadata"}]']);
  assert.is(removed.code, 1);
  assert.match(removed.stderr, 'the name of the object () does not match the name on the URL (cm)');
  const applied = await c.kubectl(['apply', '--server-side', '-n', 'typed', '-f', '-'], web.replace(/replicas: \d+/, 'replicas: "abc"'));
  assert.is(applied.code, 1);
  assert.match(applied.stderr, 'DeploymentSpec.spec.replicas of type int32');
});

test('kubectl describe deploy still works for the whole namespace', async () => {
  const d = await c.kubectl(['describe', 'deploy', '-n', 'typed']);
  assert.is(d.code, 0, d.stderr);
  assert.match(d.stdout, /Name:\s+web/);
  assert.match(d.stdout, /Replicas:\s+2 desired/);
  assert.is((await c.kubectl(['get', 'cm', 'cm', '-n', 'typed', '-o', 'jsonpath={.kind}/{.data.a}'])).stdout, 'ConfigMap/1');
});

test.run();
