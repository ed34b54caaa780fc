/**
 * The scheduler actor in virtual time, on the in-process bus with the real apiserver
 * (memory kv) and sim nodes: binding, Running pods, FailedScheduling with the FitError
 * message, rescheduling when a node joins or a taint goes, backoff, and explain.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import { t, type Harness } from '../apiserver/harness.ts';
import { schedulerCluster, type SchedulerCluster } from './cluster.ts';
import { EXPLAIN_ANNOTATION, requestExplanation, requestSchedulerStats, startScheduler, type RunningScheduler, type SchedulerOptions } from '../../../actors/scheduler/index.ts';
import { FILTER_RESULT, SELECTED_NODE } from '../../../machines/scheduler/explain.ts';

let c: SchedulerCluster;
let h: Harness;
let sched: RunningScheduler;

async function cluster(count: number, capacity?: Record<string, string>, opts: SchedulerOptions = {}): Promise<void> {
  c = await schedulerCluster(count, capacity, opts);
  ({ h, sched } = c);
}
test.after.each(() => c.stop());
const advance = (ms: number, step?: number): Promise<void> => c.advance(ms, step);

const podSpec = (name: string, o: { cpu?: string; annotations?: Record<string, string>; tolerations?: unknown[] } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, ...(o.annotations ? { annotations: o.annotations } : {}) },
  spec: { containers: [{ name: 'app', image: 'nginx:1.27', ...(o.cpu ? { resources: { requests: { cpu: o.cpu } } } : {}) }], ...(o.tolerations ? { tolerations: o.tolerations } : {}) },
});
const create = (p: KubeObject) => h.client().must('api.create', { target: t.pods('default'), object: p });
const getPod = async (name: string) => (await h.client().must('api.get', { target: t.pods('default', name) })) as Pod;
const cond = (p: Pod) => p.status?.conditions?.find((c) => c.type === 'PodScheduled');
async function eventsOf(name: string): Promise<Event[]> {
  const list = (await h.client().must('api.list', { target: t.events('default') })) as { items: Event[] };
  return list.items.filter((e) => e.involvedObject.name === name);
}
const taint = (node: string, taints: unknown[] | null) =>
  h.client().must('api.patch', { target: t.nodes(node), patchType: 'merge', patch: { spec: { taints } } });

test('a pod goes Pending → scheduled → Running, with PodScheduled=True and a Scheduled event', async () => {
  await cluster(2);
  await create(podSpec('web-1', { cpu: '500m' }));
  await advance(3000);
  const p = await getPod('web-1');
  assert.ok(p.spec?.nodeName?.startsWith('node-'), 'bound');
  assert.is(cond(p)?.status, 'True');
  assert.is(p.status?.phase, 'Running');
  assert.ok(p.status?.podIP);
  const ev = (await eventsOf('web-1')).find((e) => e.reason === 'Scheduled');
  assert.ok(ev, 'Scheduled event');
  assert.is(ev!.type, 'Normal');
  assert.is(ev!.message, `Successfully assigned default/web-1 to ${p.spec!.nodeName}`);
  assert.is(ev!.reportingComponent, 'default-scheduler');
  assert.is(ev!.source?.component, 'default-scheduler');
  assert.equal(sched.stats().bound, 1);
});

test('pods spread over the nodes and are accounted: the third 12-cpu pod does not fit two 16-cpu nodes', async () => {
  await cluster(2, { cpu: '16' });
  for (const n of ['a', 'b', 'c']) await create(podSpec(n, { cpu: '12' }));
  await advance(2000);
  const placed = await Promise.all(['a', 'b', 'c'].map(async (n) => (await getPod(n)).spec?.nodeName));
  assert.equal(placed.filter(Boolean).length, 2);
  assert.is.not(placed[0], placed[1]);
  const c = cond(await getPod('c'));
  assert.is(c?.status, 'False');
  assert.is(c?.message, '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.');
});

test('an unschedulable pod gets PodScheduled=False and FailedScheduling, and is scheduled once a node joins', async () => {
  await cluster(2);
  await create(podSpec('big', { cpu: '48' }));
  await advance(1000);
  const p = await getPod('big');
  assert.is(p.spec?.nodeName, undefined);
  assert.is(cond(p)?.status, 'False');
  assert.is(cond(p)?.reason, 'Unschedulable');
  assert.is(cond(p)?.message, '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.');
  const failed = (await eventsOf('big')).find((e) => e.reason === 'FailedScheduling');
  assert.is(failed?.type, 'Warning');
  assert.is(failed?.message, '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.');
  assert.is(sched.stats().queue.unschedulable, 1);
  // Nothing retries it while nothing changes (the 5-minute flush aside).
  await advance(20_000, 1000);
  assert.is(sched.stats().attempts, 1);
  await c.addNodes(1, { cpu: '64' });
  await advance(3000);
  const q = await getPod('big');
  assert.is(q.spec?.nodeName, 'node-3');
  assert.is(cond(q)?.status, 'True');
  assert.is(q.status?.phase, 'Running');
});

test('a taint keeps a pod off a node until the taint goes (or the pod tolerates it)', async () => {
  await cluster(1);
  await taint('node-1', [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }]);
  await advance(500);
  await create(podSpec('plain'));
  await create(podSpec('tolerant', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }));
  await advance(1000);
  assert.is((await getPod('tolerant')).spec?.nodeName, 'node-1');
  const p = await getPod('plain');
  assert.is(p.spec?.nodeName, undefined);
  assert.is(cond(p)?.message, '0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.');
  const failed = (await eventsOf('plain')).find((e) => e.reason === 'FailedScheduling');
  assert.is(failed?.message, '0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.');
  await taint('node-1', null);
  await advance(3000);
  assert.is((await getPod('plain')).spec?.nodeName, 'node-1');
});

test('without nodes a pod backs off 1 s, 2 s, 4 s between attempts, and one FailedScheduling event counts them', async () => {
  await cluster(0);
  await create(podSpec('lonely'));
  await h.settle();
  const attempts: number[] = [];
  for (let s = 0; s < 8; s++) {
    attempts.push(sched.stats().attempts);
    await advance(1000, 50);
  }
  // Attempt 1 at t0, 2 at +1 s, 3 at +3 s, 4 at +7 s.
  assert.equal(attempts, [1, 2, 2, 3, 3, 3, 3, 4]);
  const p = await getPod('lonely');
  assert.is(cond(p)?.reason, 'SchedulerError');
  assert.is(cond(p)?.message, 'no nodes available to schedule pods');
  const failed = (await eventsOf('lonely')).filter((e) => e.reason === 'FailedScheduling');
  assert.is(failed.length, 1);
  assert.is(failed[0]!.count, 4);
});

test('scheduler.explain answers filter results and scores for every node; an opted-in pod carries them as annotations', async () => {
  await cluster(3);
  await taint('node-2', [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]);
  await advance(500);
  await create(podSpec('web', { cpu: '1', annotations: { [EXPLAIN_ANNOTATION]: 'true' } }));
  await advance(1000);
  const r = await requestExplanation(h.client().port, 'default', 'web');
  assert.ok(r.ok);
  if (!r.ok) return;
  const e = r.value;
  assert.is(e.result, 'scheduled');
  assert.is(e.numAllNodes, 3);
  assert.is(e.complete, true);
  assert.equal(e.nodes.map((n) => n.node).sort(), ['node-1', 'node-2', 'node-3']);
  const tainted = e.nodes.find((n) => n.node === 'node-2')!;
  assert.is(tainted.rejectedBy, 'TaintToleration');
  assert.equal(tainted.reasons, ['node(s) had untolerated taint {dedicated: db}']);
  for (const n of e.nodes.filter((n) => n.node !== 'node-2')) {
    assert.ok(n.scores && n.scores.length > 0, `${n.node} scored`);
    assert.is(n.total, n.scores!.reduce((s, p) => s + p.weighted, 0));
    assert.ok(n.passed.includes('NodeResourcesFit'));
  }
  const pod = await getPod('web');
  assert.is(pod.spec?.nodeName, e.node);
  assert.is(pod.metadata?.annotations?.[SELECTED_NODE], e.node);
  const filter = JSON.parse(pod.metadata!.annotations![FILTER_RESULT]!) as Record<string, Record<string, string>>;
  assert.is(filter['node-2']?.TaintToleration, 'node(s) had untolerated taint {dedicated: db}');
  assert.is(filter['node-1']?.NodeResourcesFit, 'passed');
  const missing = await requestExplanation(h.client().port, 'default', 'nope');
  assert.is(!missing.ok && missing.status.code, 404);
});

test('an unschedulable opted-in pod gets the annotations once, and they do not requeue it', async () => {
  await cluster(1);
  await create(podSpec('huge', { cpu: '100', annotations: { [EXPLAIN_ANNOTATION]: 'true' } }));
  await advance(5000, 500);
  const p = await getPod('huge');
  assert.ok(p.metadata?.annotations?.[FILTER_RESULT]);
  assert.is(sched.stats().attempts, 1);
  assert.is(sched.stats().queue.unschedulable, 1);
});

test('with explain: opt-in, other decisions keep the best nodes\' scores, or the rejections', async () => {
  await cluster(3, { cpu: '8' }, { explain: 'opt-in' });
  await create(podSpec('a', { cpu: '1' }));
  await create(podSpec('b', { cpu: '9' }));
  await advance(1000);
  const a = await requestExplanation(h.client().port, 'default', 'a');
  assert.ok(a.ok && !a.value.complete && a.value.result === 'scheduled');
  if (!a.ok) return;
  assert.is(a.value.nodes[0]?.node, a.value.node);
  assert.ok(a.value.nodes.every((n) => n.scores && n.total !== undefined));
  const b = await requestExplanation(h.client().port, 'default', 'b');
  assert.ok(b.ok && b.value.result === 'unschedulable');
  if (!b.ok) return;
  assert.is(b.value.message, '0/3 nodes are available: 3 Insufficient cpu.');
  assert.equal(b.value.nodes.map((n) => n.rejectedBy), ['NodeResourcesFit', 'NodeResourcesFit', 'NodeResourcesFit']);
  const stats = await requestSchedulerStats(h.client().port);
  assert.ok(stats.ok && stats.value.bound === 1 && stats.value.failures === 1 && stats.value.nodes === 3);
});

test("the Scheduled events take no bind's token: the event client has a bucket of its own, of the same limits (kube-scheduler's createClients)", async () => {
  await cluster(2, undefined, { clientConnection: { qps: 1, burst: 1 } });
  for (const name of ['a', 'b', 'c']) await create(podSpec(name));
  // One token a second: the three binds go at 0, 1 and 2 s; one shared bucket would have sent an event between each two.
  await advance(2500);
  const bound = await Promise.all(['a', 'b', 'c'].map(async (n) => (await getPod(n)).spec?.nodeName));
  assert.ok(bound.every((n) => n?.startsWith('node-')), `bound by 2.5 s: ${bound.join(', ')}`);
  await advance(1000);
  for (const n of ['a', 'b', 'c']) assert.ok((await eventsOf(n)).some((e) => e.reason === 'Scheduled'), `${n}'s Scheduled event`);
});

test('a restarted scheduler re-lists: bound pods stay accounted and pending ones are scheduled', async () => {
  await cluster(1, { cpu: '4' });
  await create(podSpec('first', { cpu: '3' }));
  await advance(1000);
  sched.stop();
  sched = startScheduler(h.host);
  await create(podSpec('second', { cpu: '3' }));
  await advance(1000);
  assert.is(cond(await getPod('second'))?.message, '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.');
  assert.is(sched.stats().pods, 1);
});

test.run();
