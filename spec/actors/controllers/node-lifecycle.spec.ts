import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { startSimNodes, stopKubelet } from '../../../actors/kubelet/index.ts';
import { startScheduler, type RunningScheduler } from '../../../actors/scheduler/index.ts';
import { startControllers, type RunningControllers } from '../../../actors/controllers/start.ts';
import { rfc3339 } from '../../../api/time.ts';
import { evictionTime } from '../../../machines/controllers/node-lifecycle/taints.ts';
import { activePods, cluster, deployment, targets, type Cluster } from './helpers.ts';

let c: Cluster;
let sched: RunningScheduler | undefined;
let extra: RunningControllers | undefined;
test.after.each(async () => {
  sched?.stop();
  extra?.stop();
  sched = extra = undefined;
  await c?.close();
});

const leaseTarget = (name: string) => ({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: 'kube-node-lease', name });
const node = async (name: string) => (await c.get<Node>(targets.nodes(undefined, name)))!;
const ready = async (name: string) => (await node(name)).status?.conditions?.find((x) => x.type === 'Ready');
/** Advances the virtual clock to exactly `at` (epoch ms). */
const until = (at: number) => c.advance(at - c.h.clock.now());

/** Stops node `name`'s kubelet; returns the last renewTime of its Lease (epoch ms). */
async function stopNode(name: string): Promise<number> {
  stopKubelet(c.h.host, name);
  await c.h.settle();
  const lease = (await c.get<Lease>(leaseTarget(name)))!;
  return Date.parse(lease.spec!.renewTime!);
}

test('a node whose Lease goes stale is Unknown and tainted unreachable exactly at the 50 s grace period', async () => {
  c = await cluster('nodelifecycle', { nodes: 3 });
  await c.advance(15_000, 500);
  const renewed = await stopNode('node-2');
  await until(renewed + 50_000 - 100);
  assert.is((await ready('node-2'))?.status, 'True');
  assert.equal((await node('node-2')).spec?.taints ?? [], []);
  await until(renewed + 50_000);
  const n = await node('node-2');
  for (const type of ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']) {
    const cond = n.status?.conditions?.find((x) => x.type === type)!;
    assert.equal([cond.status, cond.reason, cond.message], ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'], type);
    assert.is(cond.lastTransitionTime, rfc3339(renewed + 50_000));
  }
  assert.equal(n.spec?.taints, [
    { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: rfc3339(renewed + 50_000) },
  ]);
  for (const other of ['node-1', 'node-3']) assert.is((await ready(other))?.status, 'True', other);
  const events = await c.list<{ reason: string; message: string }>(targets.events('default'));
  assert.ok(events.some((e) => e.reason === 'NodeNotReady' && e.message === 'Node node-2 status is now: NodeNotReady'));
});

test('pods with the default 300 s toleration are deleted at grace + 300 s, and re-created pods land on the other nodes', async () => {
  c = await cluster('nodelifecycle,deployment,replicaset', { nodes: 3 });
  sched = startScheduler(c.h.host);
  await c.h.client().must('api.create', { target: targets.deployments('default'), object: deployment('web', 6) });
  await c.advance(15_000, 500);
  const all = activePods(await c.list<Pod>(targets.pods('default'), 'app=web'));
  const victims = all.filter((p) => p.spec?.nodeName === 'node-2');
  assert.is(all.length, 6);
  assert.ok(victims.length > 0, 'some pods run on node-2');
  assert.ok(victims[0]!.spec?.tolerations?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.tolerationSeconds === 300));
  const renewed = await stopNode('node-2');
  await until(renewed + 50_000);
  const marked = (await c.get<Pod>(targets.pods('default', victims[0]!.metadata!.name)))!;
  assert.is(marked.status?.conditions?.find((x) => x.type === 'Ready')?.status, 'False', 'MarkPodsNotReady');
  await until(renewed + 350_000 - 100);
  for (const v of victims) assert.not.ok((await c.get<Pod>(targets.pods('default', v.metadata!.name)))!.metadata?.deletionTimestamp, 'still tolerated');
  await until(renewed + 350_000);
  for (const v of victims) {
    const p = (await c.get<Pod>(targets.pods('default', v.metadata!.name)))!;
    assert.ok(p.metadata?.deletionTimestamp, `${v.metadata!.name} is being deleted`);
    // Deleted exactly at grace + 300 s; the timestamp adds the pod's 30 s termination grace.
    assert.is(p.metadata?.deletionTimestamp, rfc3339(renewed + 350_000 + 30_000));
    assert.is(p.status?.conditions?.find((x) => x.type === 'DisruptionTarget')?.reason, 'DeletionByTaintManager');
  }
  await c.advance(5_000, 500);
  const now = activePods(await c.list<Pod>(targets.pods('default'), 'app=web'));
  assert.is(now.length, 6, 'the ReplicaSet replaced them');
  for (const p of now) assert.ok(p.spec?.nodeName === 'node-1' || p.spec?.nodeName === 'node-3', `${p.metadata!.name} on ${p.spec?.nodeName}`);
});

test('tolerationSeconds 0 evicts at the taint, no seconds never; the NoExecute taint is rate limited per zone; options set the grace period', async () => {
  c = await cluster('', { nodes: 4 });
  extra = startControllers(c.h.host, { controllers: 'nodelifecycle', options: { nodelifecycle: { 'node-monitor-grace-period': '20s', 'node-eviction-rate': 0.05 } } });
  await c.advance(15_000, 500);
  const pod = (name: string, toleration: Record<string, unknown>) =>
    c.h.client().must('api.create', { target: targets.pods('default'), object: { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: 'node-1', tolerations: [toleration], containers: [{ name: 'a', image: 'x' }] } } as never });
  await pod('quick', { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 });
  await pod('forever', { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' });
  stopKubelet(c.h.host, 'node-1');
  stopKubelet(c.h.host, 'node-2');
  await c.h.settle();
  const r1 = Date.parse((await c.get<Lease>(leaseTarget('node-1')))!.spec!.renewTime!);
  const r2 = Date.parse((await c.get<Lease>(leaseTarget('node-2')))!.spec!.renewTime!);
  const firstNode = r1 <= r2 ? 'node-1' : 'node-2', secondNode = r1 <= r2 ? 'node-2' : 'node-1';
  const first = Math.min(r1, r2) + 20_000, second = Math.max(r1, r2) + 20_000;
  await until(second);
  for (const n of ['node-1', 'node-2']) assert.is((await ready(n))?.status, 'Unknown', n);
  const noExec = async (n: string) => (await node(n)).spec?.taints?.find((t) => t.effect === 'NoExecute');
  assert.is((await noExec(firstNode))?.timeAdded, rfc3339(first));
  // One node per 1/0.05 = 20 s in the zone: the second waits for the bucket.
  assert.is(await noExec(secondNode), undefined);
  assert.ok((await node(secondNode)).spec?.taints?.some((t) => t.effect === 'NoSchedule'), 'NoSchedule is not rate limited');
  await until(first + 20_000);
  assert.is((await noExec(secondNode))?.timeAdded, rfc3339(first + 20_000));
  const node1Tainted = Date.parse((await noExec('node-1'))!.timeAdded!);
  assert.ok((await c.get<Pod>(targets.pods('default', 'quick')))?.metadata?.deletionTimestamp, 'tolerationSeconds 0: evicted when tainted');
  // A graceful delete: deletionTimestamp is the moment of deletion plus the pod's 30 s grace period.
  assert.is(Date.parse((await c.get<Pod>(targets.pods('default', 'quick')))!.metadata!.deletionTimestamp!), Math.floor(node1Tainted / 1000) * 1000 + 30_000);
  await c.advance(600_000, 10_000);
  assert.not.ok((await c.get<Pod>(targets.pods('default', 'forever')))?.metadata?.deletionTimestamp, 'no tolerationSeconds: tolerated forever');
});

test('a node that comes back is Ready again and its taints are lifted', async () => {
  c = await cluster('nodelifecycle', { nodes: 3 });
  await c.advance(15_000, 500);
  const renewed = await stopNode('node-2');
  await until(renewed + 60_000);
  assert.is((await ready('node-2'))?.status, 'Unknown');
  await startSimNodes({ host: c.h.host, clock: c.h.clock, count: 1, startIndex: 2, runtime: c.nodes!.runtime, pool: c.nodes!.pool });
  await c.advance(15_000, 500);
  assert.is((await ready('node-2'))?.status, 'True');
  assert.equal((await node('node-2')).spec?.taints ?? [], []);
  stopKubelet(c.h.host, 'node-2');
});

test('a pod that tolerates no NoExecute taint is due at once (pure arithmetic)', () => {
  const taints = [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2026-01-01T00:00:00Z' }];
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  assert.is(evictionTime({ spec: { containers: [], tolerations: [] } }, taints, t0 + 7), t0 + 7);
  assert.is(evictionTime({ spec: { containers: [], tolerations: [{ operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }] } }, taints, t0 + 7), t0 + 300_000);
  assert.is(evictionTime({ spec: { containers: [] } }, [{ key: 'k', effect: 'NoSchedule' }], t0), undefined);
});

test.run();
