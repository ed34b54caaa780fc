import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { backoffDuration } from '../../../machines/scheduler/backoff.ts';
import { defaultPlugins } from '../../../machines/scheduler/plugins/registry.ts';
import { SchedulingQueue, type QueuedPod } from '../../../machines/scheduler/queue.ts';
import { pod } from './fixtures/build.ts';

const eventsOf = (name: string) => defaultPlugins.byName.get(name)?.events;
const newQueue = () => new SchedulingQueue({ eventsOf });
const named = (q: SchedulingQueue): string[] => {
  const out: string[] = [];
  for (let p = q.pop(); p; p = q.pop()) out.push(p.pod.metadata?.name ?? '');
  return out;
};
const withPriority = (name: string, priority: number): Pod => pod(name, { priority });

/** Pops the pod and fails it with the given plugins at `now`. */
function fail(q: SchedulingQueue, now: number, plugins: string[] = ['NodeResourcesFit']): QueuedPod {
  const p = q.pop();
  if (!p) throw new Error('queue empty');
  q.addUnschedulable(p, plugins, q.schedulingCycle, now);
  return p;
}

test('activeQ: priority first, then queue time, then arrival', () => {
  const q = newQueue();
  q.add(withPriority('low-early', 0), 0);
  q.add(withPriority('high-late', 1000), 50);
  q.add(withPriority('low-late', 0), 20);
  q.add(withPriority('low-early-2', 0), 0);
  q.add(withPriority('mid', 10), 30);
  assert.equal(named(q), ['high-late', 'mid', 'low-early', 'low-early-2', 'low-late']);
});

test('backoff: 1, 2, 4, 8, 10, 10 s by attempts', () => {
  assert.equal([1, 2, 3, 4, 5, 6].map((a) => backoffDuration(a)), [1000, 2000, 4000, 8000, 10000, 10000]);
  assert.is(backoffDuration(0), 0);
});

test('a pod failed with no plugin (an error) backs off and returns after 1 s, then 2 s, …', () => {
  const q = newQueue();
  q.add(pod('p'), 0);
  let now = 0;
  const waits: number[] = [];
  for (let i = 0; i < 6; i++) {
    fail(q, now, []);
    assert.equal(q.sizes, { active: 0, backoff: 1, unschedulable: 0, gated: 0 });
    const at = q.nextReadyAt(now);
    assert.ok(at !== undefined);
    assert.is(q.flushBackoffCompleted(at - 1), 0);
    assert.is(q.flushBackoffCompleted(at), 1);
    waits.push(at - now);
    now = at;
  }
  assert.equal(waits, [1000, 2000, 4000, 8000, 10000, 10000]);
});

test('unschedulable pods wait for an event a rejecting plugin cares about', () => {
  const q = newQueue();
  q.add(pod('cpu'), 0);
  q.add(pod('taint'), 0);
  fail(q, 0, ['NodeResourcesFit']);
  fail(q, 0, ['TaintToleration']);
  assert.equal(q.sizes, { active: 0, backoff: 0, unschedulable: 2, gated: 0 });
  // PodDelete frees resources: only the NodeResourcesFit pod moves; it is still backing off.
  assert.is(q.moveAllToActiveOrBackoff('PodDelete', 500), 1);
  assert.equal(q.sizes, { active: 0, backoff: 1, unschedulable: 1, gated: 0 });
  assert.is(q.nextReadyAt(500), 1000);
  q.flushBackoffCompleted(1000);
  assert.equal(named(q), ['cpu']);
  // A node update after the backoff moves the taint pod straight to activeQ.
  assert.is(q.moveAllToActiveOrBackoff('NodeUpdate', 5000), 1);
  assert.equal(q.sizes, { active: 1, backoff: 0, unschedulable: 0, gated: 0 });
});

test('a move request during the attempt sends the failed pod to backoff, not the pool', () => {
  const q = newQueue();
  q.add(pod('p'), 0);
  const p = q.pop();
  assert.ok(p);
  const cycle = q.schedulingCycle;
  q.moveAllToActiveOrBackoff('NodeAdd', 10);
  q.addUnschedulable(p, ['NodeResourcesFit'], cycle, 20);
  assert.equal(q.sizes, { active: 0, backoff: 1, unschedulable: 0, gated: 0 });
});

test('unschedulable pods are retried after 5 minutes regardless', () => {
  const q = newQueue();
  q.add(pod('p'), 0);
  fail(q, 1000);
  assert.is(q.nextReadyAt(2000), 1000 + 300_000);
  assert.is(q.flushUnschedulableLeftover(300_999), 0);
  assert.is(q.flushUnschedulableLeftover(301_000), 1);
  assert.equal(q.sizes, { active: 1, backoff: 0, unschedulable: 0, gated: 0 });
});

test('update: a changed spec moves an unschedulable pod; a status-only change does not', () => {
  const q = newQueue();
  const p = pod('p', { requests: { cpu: '4' } });
  q.add(p, 0);
  fail(q, 0);
  q.update({ ...p, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] } }, 100);
  assert.equal(q.sizes, { active: 0, backoff: 0, unschedulable: 1, gated: 0 });
  q.update({ ...p, spec: { ...p.spec!, nodeSelector: { a: 'b' } } }, 5000);
  assert.equal(q.sizes, { active: 1, backoff: 0, unschedulable: 0, gated: 0 });
  assert.equal(q.pop()?.pod.spec?.nodeSelector, { a: 'b' });
});

test('update in activeQ re-orders by the new priority; delete forgets everywhere', () => {
  const q = newQueue();
  const a = withPriority('a', 1);
  const gone = pod('gone');
  q.add(a, 0);
  q.add(withPriority('b', 2), 0);
  q.add(gone, 0);
  q.update({ ...a, spec: { ...a.spec!, priority: 5 } }, 1);
  q.delete(gone.metadata!.uid!);
  assert.is(q.has(gone.metadata!.uid!), false);
  assert.equal(named(q), ['a', 'b']);
  assert.is(q.nextReadyAt(0), undefined);
});

test('gated pods wait, untimed, until the last scheduling gate is removed', () => {
  const q = newQueue();
  const p = pod('g', { schedulingGates: [{ name: 'example.com/quota' }] });
  q.add(p, 0);
  assert.equal(q.sizes, { active: 0, backoff: 0, unschedulable: 0, gated: 1 });
  assert.is(q.nextReadyAt(0), undefined);
  q.moveAllToActiveOrBackoff('NodeAdd', 10);
  q.flushUnschedulableLeftover(1e9);
  assert.equal(q.sizes, { active: 0, backoff: 0, unschedulable: 0, gated: 1 });
  q.update({ ...p, spec: { ...p.spec!, schedulingGates: [] } }, 20);
  assert.equal(named(q), ['g']);
});

test('nextReadyAt is now while activeQ has pods, undefined when idle', () => {
  const q = newQueue();
  assert.is(q.nextReadyAt(7), undefined);
  q.add(pod('p'), 0);
  assert.is(q.nextReadyAt(7), 7);
});

test.run();
