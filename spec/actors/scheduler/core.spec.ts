/**
 * The scheduler chart with SchedulerCore's effects (actors/scheduler/machine.ts, as the
 * actor builds it) and a stand-in writer whose answers the spec chooses: the paths the real
 * apiserver rarely takes — a refused bind (forget the assumed pod, back off), the bound on
 * writes in flight, and pod updates while a pod is assumed — in virtual time.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { createActor } from 'xstate';
import { conflict, fail, ok, type Result } from '../../../base/status.ts';
import { VirtualClock } from '../../../actors/clock/virtual.ts';
import { SchedulerCore } from '../../../actors/scheduler/core.ts';
import { QueueTimer, schedulerInput, schedulerMachine } from '../../../actors/scheduler/machine.ts';
import { resolveOptions, type SchedulerOptions } from '../../../actors/scheduler/options.ts';
import type { SchedulerWriter } from '../../../actors/scheduler/writer.ts';
import { queueHas, queueSizes } from '../../../machines/scheduler/queue.ts';
import { node, pod } from '../../machines/scheduler/fixtures/build.ts';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

function harness(bindResult: Result<unknown>, opts: SchedulerOptions = {}) {
  const clock = new VirtualClock();
  const failed: string[] = [];
  const pods = new Map<string, Pod>();
  const writer = {
    bind: async () => {
      await Promise.resolve();
      return bindResult;
    },
    markUnschedulable: async () => {},
    scheduled: () => {},
    failed: (_p: Pod, m: string) => void failed.push(m),
  };
  const resolved = resolveOptions(opts);
  const core = new SchedulerCore({ opts: resolved, writer: writer as unknown as SchedulerWriter, now: () => clock.now(), random: () => 0, current: (uid) => pods.get(uid) });
  const timer = new QueueTimer(clock, (now) => actor.send({ type: 'timer.fired', now }));
  const actor = createActor(schedulerMachine(core, timer), { input: schedulerInput(resolved, core) });
  actor.start();
  actor.send({ type: 'synced', now: clock.now() });
  const context = () => actor.getSnapshot().context;
  const add = (p: Pod) => {
    pods.set(p.metadata!.uid!, p);
    actor.send({ type: 'pod.added', pod: p, now: clock.now() });
  };
  const addNode = (n: ReturnType<typeof node>, type: 'node.added' | 'node.updated' = 'node.added') => actor.send({ type, node: n, now: clock.now() });
  return { actor, core, clock, context, failed, add, addNode };
}

test('a refused bind forgets the assumed pod, frees its node and backs the pod off', async () => {
  const h = harness(fail(conflict('pods/binding', 'a', 'pod a is already assigned to node "x"')));
  h.addNode(node('n1', { cpu: '1' }));
  const a = pod('a', { requests: { cpu: '800m' } });
  h.add(a);
  const key = a.metadata!.uid!;
  assert.is(h.core.snapshot.nodeOf(key), 'n1');
  assert.equal(h.context().binding[key]?.node, 'n1');
  // While assumed, an update of the pending pod does not queue it again.
  h.actor.send({ type: 'pod.updated', pod: { ...a, status: { phase: 'Pending' } }, now: 0 });
  assert.is(queueHas(h.context().queue, key), false);
  await turn();
  assert.is(h.core.snapshot.nodeOf(key), undefined);
  assert.equal(h.context().binding, {});
  assert.equal(queueSizes(h.context().queue), { active: 0, backoff: 1, unschedulable: 0, gated: 0 });
  assert.equal(h.failed, ['Binding rejected: Operation cannot be fulfilled on pods/binding "a": pod a is already assigned to node "x"']);
  assert.is(h.context().stats.bindFailures, 1);
  // Backoff 1 s in virtual time: then it is tried (and assumed) again.
  await h.clock.advance(999);
  assert.is(h.context().cycles, 1);
  await h.clock.advance(1);
  assert.is(h.context().cycles, 2);
  assert.is(h.context().stats.attempts, 2);
});

test('a bind refused because the pod was bound elsewhere leaves the real binding accounted', async () => {
  const h = harness(fail(conflict('pods/binding', 'a', 'already assigned')));
  h.addNode(node('n1'));
  h.addNode(node('n2'));
  const a = pod('a');
  h.add(a);
  const key = a.metadata!.uid!;
  const assumed = h.context().binding[key]!.node;
  const elsewhere = assumed === 'n1' ? 'n2' : 'n1';
  h.add({ ...a, spec: { ...a.spec!, nodeName: elsewhere } });
  await turn();
  assert.is(h.core.snapshot.nodeOf(key), elsewhere);
  assert.is(h.context().podNodes[key], elsewhere);
  assert.equal(queueSizes(h.context().queue), { active: 0, backoff: 0, unschedulable: 0, gated: 0 });
  assert.equal(h.failed, []);
});

test('no more than maxInFlight writes wait at once; an answer makes room', async () => {
  const h = harness(ok({}), { maxInFlight: 2 });
  h.addNode(node('n1'));
  for (const n of ['a', 'b', 'c']) h.add(pod(n));
  assert.is(h.context().cycles, 2);
  assert.is(h.context().inFlight, 2);
  assert.is(queueSizes(h.context().queue).active, 1);
  await turn();
  assert.is(h.context().cycles, 3);
  await turn();
  assert.is(h.context().inFlight, 0);
  assert.is(h.context().stats.bound, 3);
});

test('a heartbeat-only node update moves no unschedulable pod', () => {
  const h = harness(ok({}));
  const n1 = node('n1', { cpu: '1' });
  h.addNode(n1);
  h.add(pod('big', { requests: { cpu: '2' } }));
  assert.is(queueSizes(h.context().queue).unschedulable, 1);
  h.addNode({ ...n1, status: { ...n1.status, conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: 'later' }] } }, 'node.updated');
  assert.is(queueSizes(h.context().queue).unschedulable, 1);
  h.addNode(node('n1', { cpu: '4' }), 'node.updated');
  assert.is(queueSizes(h.context().queue).unschedulable, 0);
});

test.run();
