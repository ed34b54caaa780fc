/**
 * Regression (found by `kubeactor simulate --seed 1`): when someone else overwrites what a
 * kubelet owns in a pod's status — the node lifecycle controller marks the pods of an
 * unreachable node not ready — the kubelet writes its own view back once it sees the change
 * (upstream's status manager reconciles so), instead of leaving the pod not ready for good.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { start, t, type Harness } from '../apiserver/harness.ts';
import { startSimNodes, type SimNodes } from '../../../actors/kubelet/index.ts';

let h: Harness;
let nodes: SimNodes;

test.before.each(async () => {
  h = await start();
  nodes = await startSimNodes({ host: h.host, clock: h.clock, count: 1, namePrefix: 'node-', lister: h.client().port });
  await h.settle();
});
test.after.each(async () => {
  nodes.stop();
  await h.close();
});

const ready = (p: Pod) => p.status?.conditions?.find((c) => c.type === 'Ready')?.status;

async function advance(ms: number): Promise<void> {
  for (let done = 0; done < ms; done += 1000) {
    await h.clock.advance(1000);
    await h.settle();
  }
}

test('a pod marked not ready by another writer is reported ready again by its kubelet', async () => {
  const admin = h.client();
  await admin.must('api.create', { target: t.pods(), object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'nginx:1.27' }] } } });
  await advance(3000);
  const p = (await admin.must('api.get', { target: t.pods('default', 'web') })) as Pod;
  assert.is(ready(p), 'True');
  // What MarkPodsNotReady writes: the Ready condition False, nothing else.
  const conditions = p.status!.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', reason: 'NodeNotReady' } : c));
  await admin.must('api.patch', { target: t.pods('default', 'web', 'status'), patchType: 'strategic', patch: { status: { conditions } } });
  await advance(2000);
  const after = (await admin.must('api.get', { target: t.pods('default', 'web') })) as Pod;
  assert.is(ready(after), 'True');
  assert.is(after.status?.phase, 'Running');
  // Its own write echoed back does not make it write again.
  const rv = after.metadata?.resourceVersion;
  await advance(30_000);
  assert.is(((await admin.must('api.get', { target: t.pods('default', 'web') })) as Pod).metadata?.resourceVersion, rv);
});

test.run();
