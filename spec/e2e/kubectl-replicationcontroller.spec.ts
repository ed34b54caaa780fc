/**
 * ReplicationController with the real kubectl: apply, `get rc` with upstream's columns,
 * `kubectl scale rc`, and `describe rc`.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { must, startCluster, type Cluster } from './cluster.ts';
import { eventually } from '../helpers/wait.ts';

let c: Cluster;
test.before(async () => {
  c = await startCluster({ controllers: 'replicationcontroller' });
});
test.after(async () => c.stop());


const RC = `apiVersion: v1
kind: ReplicationController
metadata: {name: nginx}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: nginx}}
    spec:
      containers: [{name: nginx, image: "nginx:1.27"}]
`;

const podCount = async () => must(await c.kubectl(['get', 'pods', '-l', 'app=nginx', '-o', 'name']), 'get pods').split('\n').filter(Boolean).length;

test('kubectl apply, get rc, scale rc and describe rc', async () => {
  assert.match(must(await c.kubectl(['apply', '-f', '-'], RC), 'apply'), 'replicationcontroller/nginx created');
  await eventually(async () => (await podCount()) === 2, { what: 'two pods', timeoutMs: 10_000 });
  const wide = must(await c.kubectl(['get', 'rc', 'nginx', '-o', 'wide']), 'get rc').trim().split('\n');
  assert.match(wide[0]!, /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/);
  assert.match(wide[1]!, /^nginx\s+2\s+2\s+0\s+\S+\s+nginx\s+nginx:1\.27\s+app=nginx$/);
  assert.match(must(await c.kubectl(['scale', 'rc', 'nginx', '--replicas=4']), 'scale'), 'replicationcontroller/nginx scaled');
  await eventually(async () => (await podCount()) === 4, { what: 'four pods', timeoutMs: 10_000 });
  must(await c.kubectl(['scale', 'rc/nginx', '--replicas=1']), 'scale down');
  await eventually(async () => (await podCount()) === 1, { what: 'one pod', timeoutMs: 10_000 });
  const described = must(await c.kubectl(['describe', 'rc', 'nginx']), 'describe');
  assert.match(described, /Selector:\s+app=nginx/);
  assert.match(described, /Replicas:\s+1 current \/ 1 desired/);
  assert.match(described, /SuccessfulCreate/);
  const gone = await c.kubectl(['delete', 'rc', 'nginx']);
  assert.is(gone.code, 0, gone.stderr);
});

test.run();
