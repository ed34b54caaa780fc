/**
 * Scheduler preemption with the real kubectl (wall clock): on a full node, a pod of a
 * higher PriorityClass preempts the low-priority pod — the victim gets the Preempted event
 * and goes, the preemptor is nominated to the node and then runs there.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { must, startCluster, type Cluster, type Run } from './cluster.ts';
import { eventually } from '../helpers/wait.ts';

let c: Cluster;
test.before(async () => {
  c = await startCluster({ nodes: { count: 1, capacity: { cpu: '2' } } });
});
test.after(async () => c.stop());

const out = (r: Run): string => must(r, 'kubectl');
const pod = (name: string, priorityClassName: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  priorityClassName: ${priorityClassName}
  terminationGracePeriodSeconds: 1
  containers: [{name: app, image: nginx:1.27, resources: {requests: {cpu: "2"}}}]
`;
const phase = async (name: string) => (await c.kubectl(['get', 'pod', name, '-o', 'jsonpath={.status.phase}'])).stdout;

test('a high-priority pod preempts a low-priority one on a full node', async () => {
  out(await c.kubectl(['create', 'priorityclass', 'low', '--value=10']));
  out(await c.kubectl(['create', 'priorityclass', 'high', '--value=1000']));
  out(await c.kubectl(['apply', '-f', '-'], pod('batch', 'low')));
  await eventually(async () => (await phase('batch')) === 'Running', { what: 'batch runs', timeoutMs: 15_000 });
  out(await c.kubectl(['apply', '-f', '-'], pod('urgent', 'high')));
  const uid = out(await c.kubectl(['get', 'pod', 'urgent', '-o', 'jsonpath={.metadata.uid}']));
  await eventually(async () => (await phase('urgent')) === 'Running', { what: 'urgent runs', timeoutMs: 15_000 });
  const got = out(await c.kubectl(['get', 'pod', 'urgent', '-o', 'jsonpath={.spec.nodeName} {.status.nominatedNodeName} {.spec.priority}']));
  assert.match(got, /^node-1 (node-1)? 1000$/);
  assert.is(out(await c.kubectl(['get', 'pod', 'batch', '--ignore-not-found', '-o', 'name'])), '');
  const preempted = out(await c.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=batch,reason=Preempted', '-o', 'jsonpath={.items[*].message}']));
  assert.is(preempted, `Preempted by pod ${uid} on node node-1`);
  const failed = out(await c.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=urgent,reason=FailedScheduling', '-o', 'jsonpath={.items[*].message}']));
  assert.is(failed, '0/1 nodes are available: 1 Insufficient cpu.');
});

test.run();
