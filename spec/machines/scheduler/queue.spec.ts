import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { backoffDuration } from '../../../machines/scheduler/backoff.ts';
import { defaultPlugins, pluginEvents } from '../../../machines/scheduler/plugins/registry.ts';
import {
  addUnschedulable, emptyQueue, flushBackoffCompleted, flushUnschedulableLeftover, moveAllToActiveOrBackoff, nextReadyAt,
  queueAdd, queueConfig, queueDelete, queueHas, queuePop, queueSizes, queueUpdate, type QueuedPod, type QueueState,
} from '../../../machines/scheduler/queue.ts';
import { podKey } from '../../../machines/scheduler/node-info.ts';
import { pod } from './fixtures/build.ts';

const newQueue = () => emptyQueue(queueConfig({ pluginEvents: pluginEvents(defaultPlugins) }));
const named = (q: QueueState): string[] => {
  const out: string[] = [];
  for (let p = queuePop(q); p; p = queuePop(q)) out.push(p.pod.metadata?.name ?? '');
  return out;
};
const withPriority = (name: string, priority: number): Pod => pod(name, { priority });

/** Pops the pod and fails it with the given plugins at `now`. */
function fail(q: QueueState, now: number, plugins: string[] = ['NodeResourcesFit']): QueuedPod {
  const p = queuePop(q);
  if (!p) throw new Error('queue empty');
  addUnschedulable(q, p, plugins, q.schedulingCycle, now);
  return p;
}

test('activeQ: priority first, then queue time, then arrival', () => {
  const q = newQueue();
  queueAdd(q, withPriority('low-early', 0), 0);
  queueAdd(q, withPriority('high-late', 1000), 50);
  queueAdd(q, withPriority('low-late', 0), 20);
  queueAdd(q, withPriority('low-early-2', 0), 0);
  queueAdd(q, withPriority('mid', 10), 30);
  assert.equal(named(q), ['high-late', 'mid', 'low-early', 'low-early-2', 'low-late']);
});

test('backoff: 1, 2, 4, 8, 10, 10 s by attempts', () => {
  assert.equal([1, 2, 3, 4, 5, 6].map((a) => backoffDuration(a)), [1000, 2000, 4000, 8000, 10000, 10000]);
  assert.is(backoffDuration(0), 0);
});

test('a pod failed with no plugin (an error) backs off and returns after 1 s, then 2 s, …', () => {
  const q = newQueue();
  queueAdd(q, pod('p'), 0);
  let now = 0;
  const waits: number[] = [];
  for (let i = 0; i < 6; i++) {
    fail(q, now, []);
    assert.equal(queueSizes(q), { active: 0, backoff: 1, unschedulable: 0, gated: 0 });
    const at = nextReadyAt(q, now);
    assert.ok(at !== undefined);
    assert.is(flushBackoffCompleted(q, at - 1), 0);
    assert.is(flushBackoffCompleted(q, at), 1);
    waits.push(at - now);
    now = at;
  }
  assert.equal(waits, [1000, 2000, 4000, 8000, 10000, 10000]);
});

test('unschedulable pods wait for an event a rejecting plugin cares about', () => {
  const q = newQueue();
  queueAdd(q, pod('cpu'), 0);
  queueAdd(q, pod('taint'), 0);
  fail(q, 0, ['NodeResourcesFit']);
  fail(q, 0, ['TaintToleration']);
  assert.equal(queueSizes(q), { active: 0, backoff: 0, unschedulable: 2, gated: 0 });
  // PodDelete frees resources: only the NodeResourcesFit pod moves; it is still backing off.
  assert.is(moveAllToActiveOrBackoff(q, 'PodDelete', 500), 1);
  assert.equal(queueSizes(q), { active: 0, backoff: 1, unschedulable: 1, gated: 0 });
  assert.is(nextReadyAt(q, 500), 1000);
  flushBackoffCompleted(q, 1000);
  assert.equal(named(q), ['cpu']);
  // A node update after the backoff moves the taint pod straight to activeQ.
  assert.is(moveAllToActiveOrBackoff(q, 'NodeUpdate', 5000), 1);
  assert.equal(queueSizes(q), { active: 1, backoff: 0, unschedulable: 0, gated: 0 });
});

test('a move request during the attempt sends the failed pod to backoff, not the pool', () => {
  const q = newQueue();
  queueAdd(q, pod('p'), 0);
  const p = queuePop(q);
  assert.ok(p);
  const cycle = q.schedulingCycle;
  moveAllToActiveOrBackoff(q, 'NodeAdd', 10);
  addUnschedulable(q, p, ['NodeResourcesFit'], cycle, 20);
  assert.equal(queueSizes(q), { active: 0, backoff: 1, unschedulable: 0, gated: 0 });
});

test('unschedulable pods are retried after 5 minutes regardless', () => {
  const q = newQueue();
  queueAdd(q, pod('p'), 0);
  fail(q, 1000);
  assert.is(nextReadyAt(q, 2000), 1000 + 300_000);
  assert.is(flushUnschedulableLeftover(q, 300_999), 0);
  assert.is(flushUnschedulableLeftover(q, 301_000), 1);
  assert.equal(queueSizes(q), { active: 1, backoff: 0, unschedulable: 0, gated: 0 });
});

test('update: a changed spec moves an unschedulable pod; a status-only change does not', () => {
  const q = newQueue();
  const p = pod('p', { requests: { cpu: '4' } });
  queueAdd(q, p, 0);
  fail(q, 0);
  queueUpdate(q, { ...p, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] } }, 100);
  assert.equal(queueSizes(q), { active: 0, backoff: 0, unschedulable: 1, gated: 0 });
  queueUpdate(q, { ...p, spec: { ...p.spec!, nodeSelector: { a: 'b' } } }, 5000);
  assert.equal(queueSizes(q), { active: 1, backoff: 0, unschedulable: 0, gated: 0 });
  assert.equal(queuePop(q)?.pod.spec?.nodeSelector, { a: 'b' });
});

test('update in activeQ re-orders by the new priority; delete forgets everywhere', () => {
  const q = newQueue();
  const a = withPriority('a', 1);
  const gone = pod('gone');
  queueAdd(q, a, 0);
  queueAdd(q, withPriority('b', 2), 0);
  queueAdd(q, gone, 0);
  queueUpdate(q, { ...a, spec: { ...a.spec!, priority: 5 } }, 1);
  queueDelete(q, gone.metadata!.uid!);
  assert.is(queueHas(q, gone.metadata!.uid!), false);
  assert.equal(named(q), ['a', 'b']);
  assert.is(nextReadyAt(q, 0), undefined);
});

test('gated pods wait, untimed, until the last scheduling gate is removed', () => {
  const q = newQueue();
  const p = pod('g', { schedulingGates: [{ name: 'example.com/quota' }] });
  queueAdd(q, p, 0);
  assert.equal(queueSizes(q), { active: 0, backoff: 0, unschedulable: 0, gated: 1 });
  assert.is(nextReadyAt(q, 0), undefined);
  moveAllToActiveOrBackoff(q, 'NodeAdd', 10);
  flushUnschedulableLeftover(q, 1e9);
  assert.equal(queueSizes(q), { active: 0, backoff: 0, unschedulable: 0, gated: 1 });
  queueUpdate(q, { ...p, spec: { ...p.spec!, schedulingGates: [] } }, 20);
  assert.equal(named(q), ['g']);
});

test('nextReadyAt is now while activeQ has pods, undefined when idle', () => {
  const q = newQueue();
  assert.is(nextReadyAt(q, 7), undefined);
  queueAdd(q, pod('p'), 0);
  assert.is(nextReadyAt(q, 7), 7);
});

test('the queue is plain data: restored from its JSON (a checkpoint), it carries on as the original', () => {
  const q = newQueue();
  const waits = pod('waits');
  for (const [name, prio] of [['low', 0], ['high', 9], ['mid', 5]] as const) queueAdd(q, withPriority(name, prio), 0);
  queueAdd(q, waits, 0);
  fail(q, 0);
  fail(q, 0, []);
  const restored = JSON.parse(JSON.stringify(q)) as QueueState;
  assert.equal(queueSizes(restored), { active: 2, backoff: 1, unschedulable: 1, gated: 0 });
  const top = withPriority('top', 7);
  for (const s of [q, restored]) {
    queueAdd(s, top, 1);
    queueDelete(s, podKey(waits));
  }
  assert.equal(named(restored), ['top', 'low']);
  assert.equal(named(q), ['top', 'low']);
  assert.is(nextReadyAt(restored, 1), 1000);
});

test.run();
