/**
 * Regressions (found by `kubeactor simulate --seed 1`): when someone else overwrites what a
 * kubelet owns — the node lifecycle controller marks the pods of an unreachable node not ready,
 * or the Node's conditions Unknown — the kubelet writes its own view back once it sees the
 * change, instead of leaving the pod not ready for good or the Node Unknown until its next
 * five-minute report. Pods: upstream's status manager reconciles so. The Node: upstream's
 * tryUpdateNodeStatus reads it every nodeStatusUpdateFrequency (10 s) and patches when it
 * differs (the second seed: `--duration 10m --converge-within 3m --nodes 4 --fault-gap 30s
 * --faults kubelet-silent,partition,kv-fail,delay`).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Node, NodeCondition, Pod } from 'kubernetes-types/core/v1.js';
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

const getNode = async (): Promise<Node> => (await h.client().must('api.get', { target: t.nodes('node-1') })) as Node;
const condition = (n: Node, type: string): NodeCondition | undefined => n.status?.conditions?.find((c) => c.type === type);

/** What the node lifecycle controller writes when a node's Lease expired: every kubelet condition Unknown. */
async function markUnknown(): Promise<void> {
  const n = await getNode();
  const at = new Date(h.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
  const conditions = n.status!.conditions!.map((c) => ({ ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: at }));
  await h.client().must('api.patch', { target: t.nodes('node-1', 'status'), patchType: 'strategic', patch: { status: { conditions } } });
}

test('a Node marked Unknown by another writer is Ready again within one status sync (10 s), not at the 5-minute report', async () => {
  await advance(12_000);
  assert.is(condition(await getNode(), 'Ready')?.status, 'True');
  const marked = h.clock.now();
  await markUnknown();
  assert.is(condition(await getNode(), 'Ready')?.status, 'Unknown');
  let back: number | undefined;
  for (let s = 0; s < 20 && back === undefined; s++) {
    await advance(1000);
    if (condition(await getNode(), 'Ready')?.status === 'True') back = h.clock.now();
  }
  assert.ok(back !== undefined, 'Ready True again within 20 s of virtual time');
  assert.ok(back! - marked <= 20_000, `back after ${back! - marked} ms`);
  const n = await getNode();
  const ready = condition(n, 'Ready')!;
  assert.is(ready.reason, 'KubeletReady');
  // A transition: its time is when the kubelet set it back, not the registration's.
  assert.ok(Date.parse(ready.lastTransitionTime!) > marked, 'lastTransitionTime moved');
  for (const type of ['MemoryPressure', 'DiskPressure', 'PIDPressure']) assert.is(condition(n, type)?.status, 'False', type);
});

test('an unchanged Node is not patched at each sync, and a condition someone else reports is kept', async () => {
  await advance(12_000);
  // A condition the kubelet does not own (a network plugin's), written beside its own.
  const n = await getNode();
  const net: NodeCondition = { type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated', message: 'routes created', lastTransitionTime: n.status!.conditions![0]!.lastTransitionTime! };
  await h.client().must('api.patch', { target: t.nodes('node-1', 'status'), patchType: 'strategic', patch: { status: { conditions: [net] } } });
  const rv = (await getNode()).metadata?.resourceVersion;
  // Six syncs (60 s): the Node as read equals what the kubelet would write, heartbeats aside.
  await advance(60_000);
  const after = await getNode();
  assert.is(after.metadata?.resourceVersion, rv);
  // The report frequency (5 min) still patches it, heartbeat and all, keeping the other condition.
  await advance(5 * 60_000);
  const reported = await getNode();
  assert.is.not(reported.metadata?.resourceVersion, rv);
  assert.is(condition(reported, 'NetworkUnavailable')?.status, 'False');
  assert.is(condition(reported, 'Ready')?.status, 'True');
});

test.run();
