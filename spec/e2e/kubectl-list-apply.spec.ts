/**
 * The real kubectl on what it reads from /openapi/v2: a `kind: List` (as `kubectl get -o yaml`
 * writes it) applies, an unknown field in a List item is refused client-side with kubectl's own
 * message, and apply's strategic merge patch merges containers by name.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { must, startCluster, type Cluster } from './cluster.ts';

let c: Cluster;
test.before(async () => {
  c = await startCluster();
});
test.after(async () => c.stop());

test('kubectl get -o yaml, delete, apply -f the List: every item comes back', async () => {
  must(await c.kubectl(['create', 'configmap', 'one', '--from-literal=a=1']), 'create one');
  must(await c.kubectl(['create', 'configmap', 'two', '--from-literal=b=2']), 'create two');
  const list = must(await c.kubectl(['get', 'configmap', 'one', 'two', '-o', 'yaml']), 'get -o yaml');
  assert.match(list, /^apiVersion: v1\nitems:/);
  assert.match(list, /kind: List/);
  must(await c.kubectl(['delete', 'configmap', 'one', 'two']), 'delete');
  const out = must(await c.kubectl(['apply', '-f', '-'], list), 'apply the List');
  assert.match(out, 'configmap/one created');
  assert.match(out, 'configmap/two created');
  assert.is(must(await c.kubectl(['get', 'configmap', 'two', '-o', 'jsonpath={.data.b}']), 'get two'), '2');
});

test('an unknown field in a List item is refused before anything is sent', async () => {
  const list = { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'three' }, foo: 1 }] };
  for (const verb of ['apply', 'create']) {
    const r = await c.kubectl([verb, '-f', '-'], JSON.stringify(list));
    assert.is.not(r.code, 0);
    assert.match(r.stderr, 'error validating data: ValidationError(ConfigMap): unknown field "foo" in io.k8s.api.core.v1.ConfigMap');
  }
  assert.match((await c.kubectl(['get', 'configmap', 'three'])).stderr, 'configmaps "three" not found');
});

test('apply merges containers by name: a container another manager added survives a re-apply', async () => {
  const deployment = (value: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { replicas: 0, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx', env: [{ name: 'X', value }] }] } } },
  });
  must(await c.kubectl(['apply', '-f', '-'], JSON.stringify(deployment('1'))), 'apply 1');
  must(await c.kubectl(['patch', 'deployment', 'web', '--type=strategic', '-p', JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox' }] } } } })]), 'add sidecar');
  must(await c.kubectl(['apply', '-f', '-'], JSON.stringify(deployment('2'))), 'apply 2');
  const got = JSON.parse(must(await c.kubectl(['get', 'deployment', 'web', '-o', 'json']), 'get'));
  const containers = got.spec.template.spec.containers as { name: string; env?: { value: string }[] }[];
  assert.equal(containers.map((x) => x.name).sort(), ['app', 'sidecar']);
  assert.is(containers.find((x) => x.name === 'app')!.env![0]!.value, '2');
});

test.run();
