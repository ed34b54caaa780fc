/**
 * SchedulerCore with a fake writer: the paths the real apiserver rarely takes — a refused
 * bind (forget the assumed pod, back off), the bound on writes in flight, and pod updates
 * while a pod is assumed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { SchedulerEvent } from '../../../machines/scheduler/chart.ts';
import { conflict, fail, ok, type Result } from '../../../base/status.ts';
import { SchedulerCore } from '../../../actors/scheduler/core.ts';
import { resolveOptions, type SchedulerOptions } from '../../../actors/scheduler/options.ts';
import type { SchedulerWriter } from '../../../actors/scheduler/writer.ts';
import { node, pod } from '../../machines/scheduler/fixtures/build.ts';

function harness(bindResult: Result<unknown>, opts: SchedulerOptions = {}) {
  const sent: SchedulerEvent[] = [];
  const failed: string[] = [];
  const pods = new Map<string, Pod>();
  const now = { t: 0 };
  const writer = {
    inFlight: 0,
    bind: async () => {
      writer.inFlight++;
      await Promise.resolve();
      writer.inFlight--;
      return bindResult;
    },
    markUnschedulable: async () => {},
    scheduled: () => {},
    failed: (_p: Pod, m: string) => void failed.push(m),
  };
  const core = new SchedulerCore({
    opts: resolveOptions(opts),
    writer: writer as unknown as SchedulerWriter,
    now: () => now.t,
    random: () => 0,
    send: (e) => void sent.push(e),
    current: (uid) => pods.get(uid),
  });
  core.synced = true;
  const add = (p: Pod) => {
    pods.set(p.metadata!.uid!, p);
    core.applyPod({ type: 'pod.added', pod: p });
  };
  return { core, sent, failed, add, now, writer };
}

test('a refused bind forgets the assumed pod, frees its node and backs the pod off', async () => {
  const h = harness(fail(conflict('pods/binding', 'a', 'pod a is already assigned to node "x"')));
  h.core.applyNode({ type: 'node.added', node: node('n1', { cpu: '1' }) });
  const a = pod('a', { requests: { cpu: '800m' } });
  h.add(a);
  assert.ok(h.core.hasReadyPod());
  h.core.scheduleNext();
  const key = a.metadata!.uid!;
  assert.is(h.core.snapshot.nodeOf(key), 'n1');
  // While assumed, an update of the pending pod does not queue it again.
  h.core.applyPod({ type: 'pod.updated', pod: { ...a, status: { phase: 'Pending' } } });
  assert.is(h.core.queue.has(key), false);
  await new Promise((r) => setImmediate(r));
  const ev = h.sent.find((e) => e.type === 'bind.failed');
  assert.ok(ev && ev.type === 'bind.failed');
  h.core.handleBindFailure(ev as Extract<SchedulerEvent, { type: 'bind.failed' }>);
  assert.is(h.core.snapshot.nodeOf(key), undefined);
  assert.equal(h.core.queue.sizes, { active: 0, backoff: 1, unschedulable: 0, gated: 0 });
  assert.equal(h.failed, ['Binding rejected: Operation cannot be fulfilled on pods/binding "a": pod a is already assigned to node "x"']);
  assert.is(h.core.stats.bindFailures, 1);
  assert.is(h.core.nextReadyAt(0), 1000);
  h.core.flush(1000);
  assert.ok(h.core.hasReadyPod());
});

test('a bind refused because the pod was bound elsewhere leaves the real binding accounted', async () => {
  const h = harness(fail(conflict('pods/binding', 'a', 'already assigned')));
  h.core.applyNode({ type: 'node.added', node: node('n1') });
  h.core.applyNode({ type: 'node.added', node: node('n2') });
  const a = pod('a');
  h.add(a);
  h.core.scheduleNext();
  const elsewhere = { ...a, spec: { ...a.spec!, nodeName: 'n2' } };
  h.add(elsewhere);
  await new Promise((r) => setImmediate(r));
  h.core.handleBindFailure(h.sent.find((e) => e.type === 'bind.failed') as Extract<SchedulerEvent, { type: 'bind.failed' }>);
  assert.is(h.core.snapshot.nodeOf(a.metadata!.uid!), 'n2');
  assert.equal(h.core.queue.sizes, { active: 0, backoff: 0, unschedulable: 0, gated: 0 });
});

test('no more than maxInFlight writes wait at once; an answer makes room', async () => {
  const h = harness(ok({}), { maxInFlight: 2 });
  h.core.applyNode({ type: 'node.added', node: node('n1') });
  for (const n of ['a', 'b', 'c']) h.add(pod(n));
  let cycles = 0;
  while (h.core.hasReadyPod()) {
    h.core.scheduleNext();
    cycles++;
  }
  assert.is(cycles, 2);
  await new Promise((r) => setImmediate(r));
  for (const e of h.sent.filter((e) => e.type === 'bind.succeeded')) h.core.confirmBinding(e as Extract<SchedulerEvent, { type: 'bind.succeeded' }>);
  assert.ok(h.sent.some((e) => e.type === 'timer.fired'), 'woken');
  assert.ok(h.core.hasReadyPod());
});

test('a heartbeat-only node update moves no unschedulable pod', () => {
  const h = harness(ok({}));
  const n1 = node('n1', { cpu: '1' });
  h.core.applyNode({ type: 'node.added', node: n1 });
  h.add(pod('big', { requests: { cpu: '2' } }));
  h.core.scheduleNext();
  assert.is(h.core.queue.sizes.unschedulable, 1);
  h.core.applyNode({ type: 'node.updated', node: { ...n1, status: { ...n1.status, conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: 'later' }] } } });
  assert.is(h.core.queue.sizes.unschedulable, 1);
  h.core.applyNode({ type: 'node.updated', node: node('n1', { cpu: '4' }) });
  assert.is(h.core.queue.sizes.unschedulable, 0);
});

test.run();
