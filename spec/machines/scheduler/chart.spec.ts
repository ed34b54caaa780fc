/**
 * The scheduler chart as a cluster runs it: machines/scheduler/chart.ts with its real
 * effects (actors/scheduler/machine.ts over SchedulerCore), on the in-process bus with the
 * real apiserver (memory kv) and sim nodes, in virtual time. What the chart decides on —
 * the queue with each pod's attempts and rejecting plugins, the pending binds — is its
 * context, and so what its persisted snapshot (a replay checkpoint) shows.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AnyActorRef } from 'xstate';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import type { SchedulerOptions } from '../../../actors/scheduler/index.ts';
import type { SchedulerContext } from '../../../machines/scheduler/chart.ts';
import type { QueuedPod } from '../../../machines/scheduler/queue.ts';
import { t, type Harness } from '../../actors/apiserver/harness.ts';
import { schedulerCluster, type SchedulerCluster } from '../../actors/scheduler/cluster.ts';

let c: SchedulerCluster;
let h: Harness;

async function cluster(opts: SchedulerOptions = {}): Promise<void> {
  c = await schedulerCluster(1, { cpu: '1' }, opts);
  h = c.h;
}
test.after.each(() => c.stop());

const ref = (): AnyActorRef => h.host.get('scheduler')!.ref!;
/** What a replay checkpoint records: the persisted snapshot, as plain JSON. */
const checkpoint = (): { value: unknown; context: SchedulerContext } => JSON.parse(JSON.stringify(ref().getPersistedSnapshot()));
const names = (qs: Iterable<QueuedPod>): string[] => [...qs].map((q) => q.pod.metadata?.name ?? '').sort();
const create = (name: string, cpu: string): Promise<unknown> => {
  const object: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu } } }] } };
  return h.client().must('api.create', { target: t.pods('default'), object });
};
const nodeOf = async (name: string): Promise<string | undefined> =>
  ((await h.client().must('api.get', { target: t.pods('default', name) })) as { spec?: { nodeName?: string } }).spec?.nodeName;

test('pending pods are scheduled as they arrive; an unfit pod waits in the checkpointed queue for a node', async () => {
  await cluster();
  await create('a', '600m');
  await create('b', '600m');
  await c.advance(200);
  assert.is(await nodeOf('a'), 'node-1');
  let cp = checkpoint();
  assert.is(cp.value, 'idle');
  const waiting = Object.values(cp.context.queue.unschedulable);
  assert.equal(names(waiting), ['b']);
  assert.equal(waiting[0]!.unschedulablePlugins, ['NodeResourcesFit']);
  assert.is(waiting[0]!.attempts, 1);
  assert.equal(Object.values(cp.context.podNodes), ['node-1']);
  // A new node is an event NodeResourcesFit registers for; b still backs off its 1 s.
  await c.addNodes(1);
  cp = checkpoint();
  assert.equal(names(cp.context.queue.backoff.items), ['b']);
  assert.is(await nodeOf('b'), undefined);
  await c.advance(1000);
  assert.is(await nodeOf('b'), 'node-2');
  cp = checkpoint();
  assert.is(cp.context.cycles, 3);
  assert.equal(cp.context.stats, { attempts: 3, bound: 2, bindFailures: 0, failures: 1 });
  assert.equal(Object.values(cp.context.podNodes).sort(), ['node-1', 'node-2']);
});

test('a checkpoint taken while a bind is in flight shows the pending bind and the pods it holds back', async () => {
  await cluster({ maxInFlight: 1 });
  const seen: Array<{ value: unknown; context: SchedulerContext }> = [];
  const sub = ref().subscribe(() => {
    const c = ref().getSnapshot().context as SchedulerContext;
    if (seen.length === 0 && Object.keys(c.binding).length > 0 && c.queue.active.items.length === 2) seen.push(checkpoint());
  });
  await Promise.all(['p1', 'p2', 'p3'].map((n) => create(n, '100m')));
  await c.advance(200);
  sub.unsubscribe();
  const cp = seen[0];
  assert.ok(cp, 'a snapshot with a pending bind');
  const binds = Object.values(cp.context.binding);
  assert.is(binds.length, 1);
  assert.is(binds[0]!.node, 'node-1');
  assert.is(binds[0]!.cycle, cp.context.cycles);
  assert.is(cp.context.inFlight, 1);
  assert.is(cp.value, 'idle');
  // maxInFlight 1: the bind in flight holds the others back in activeQ.
  const held = names(cp.context.queue.active.items);
  assert.equal([...held, binds[0]!.queued.pod.metadata?.name].sort(), ['p1', 'p2', 'p3']);
  for (const n of ['p1', 'p2', 'p3']) assert.is(await nodeOf(n), 'node-1');
  const end = checkpoint().context;
  assert.equal(end.binding, {});
  assert.is(end.inFlight, 0);
  assert.is(end.stats.bound, 3);
});

test('an unschedulable pod is retried after 5 minutes in the pool, in virtual time', async () => {
  await cluster();
  await create('big', '4');
  await c.advance(200);
  const attempts = (): number[] => Object.values(checkpoint().context.queue.unschedulable).map((q) => q.attempts);
  assert.equal(attempts(), [1]);
  await c.advance(299_000, 10_000);
  assert.equal(attempts(), [1]);
  await c.advance(2_000, 1_000);
  assert.equal(attempts(), [2]);
});

test.run();
