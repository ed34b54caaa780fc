import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor } from 'xstate';
import { schedulerChart, type SchedulerEvent } from '../../../machines/scheduler/chart.ts';
import { podKey } from '../../../machines/scheduler/node-info.ts';
import { defaultPlugins } from '../../../machines/scheduler/plugins/registry.ts';
import { SchedulingQueue } from '../../../machines/scheduler/queue.ts';
import { scheduleOne } from '../../../machines/scheduler/schedule-one.ts';
import { Snapshot } from '../../../machines/scheduler/snapshot.ts';
import { node, pod } from './fixtures/build.ts';

/** Wires the chart to a real queue and snapshot, the way actors/scheduler/actor.ts does. */
function harness() {
  const now = { t: 0 };
  const snap = new Snapshot();
  const queue = new SchedulingQueue({ eventsOf: (n) => defaultPlugins.byName.get(n)?.events });
  const bound: string[] = [];
  const failed: string[] = [];
  let start = 0;
  const machine = schedulerChart.provide({
    guards: { hasReadyPod: () => queue.sizes.active > 0 },
    actions: {
      applyPodEvent: ({ event }) => {
        const e = event as Extract<SchedulerEvent, { type: `pod.${string}` }>;
        if (e.type === 'pod.deleted') {
          snap.removePod(e.pod);
          queue.delete(podKey(e.pod));
          queue.moveAllToActiveOrBackoff('PodDelete', now.t);
        } else if (e.pod.spec?.nodeName) snap.upsertPod(e.pod);
        else queue.add(e.pod, now.t);
      },
      applyNodeEvent: ({ event }) => {
        const e = event as Extract<SchedulerEvent, { type: `node.${string}` }>;
        if (e.type === 'node.deleted') snap.removeNode(e.node.metadata?.name ?? '');
        else snap.upsertNode(e.node);
        queue.moveAllToActiveOrBackoff(e.type === 'node.added' ? 'NodeAdd' : e.type === 'node.updated' ? 'NodeUpdate' : 'NodeDelete', now.t);
      },
      flushQueues: ({ event }) => {
        if (event.type !== 'timer.fired') return;
        now.t = event.now;
        queue.flushBackoffCompleted(now.t);
        queue.flushUnschedulableLeftover(now.t);
      },
      scheduleNext: () => {
        const q = queue.pop();
        if (!q) return;
        const r = scheduleOne({ snapshot: snap, pod: q.pod, startIndex: start, tieBreak: 0 });
        start = r.nextStartIndex;
        if (r.type === 'scheduled') {
          snap.upsertPod({ ...q.pod, spec: { ...q.pod.spec!, nodeName: r.node } });
          bound.push(`${q.pod.metadata?.name}→${r.node}`);
        } else {
          failed.push(r.type === 'unschedulable' ? r.error.message : r.message);
          queue.addUnschedulable(q, r.type === 'unschedulable' ? r.error.unschedulablePlugins : [], queue.schedulingCycle, now.t);
        }
      },
    },
  });
  const actor = createActor(machine).start();
  return { actor, bound, failed, queue };
}

test('pending pods are scheduled as they arrive; an unfit pod waits for a node', () => {
  const h = harness();
  h.actor.send({ type: 'node.added', node: node('n1', { cpu: '1' }) });
  h.actor.send({ type: 'pod.added', pod: pod('a', { requests: { cpu: '600m' } }) });
  h.actor.send({ type: 'pod.added', pod: pod('b', { requests: { cpu: '600m' } }) });
  assert.equal(h.bound, ['a→n1']);
  assert.equal(h.failed, ['0/1 nodes are available: 1 Insufficient cpu.']);
  assert.is(h.actor.getSnapshot().value, 'idle');
  // A new node is an event NodeResourcesFit cares about; b is still backing off (1 s).
  h.actor.send({ type: 'node.added', node: node('n2', { cpu: '1' }) });
  assert.equal(h.queue.sizes, { active: 0, backoff: 1, unschedulable: 0, gated: 0 });
  h.actor.send({ type: 'timer.fired', now: 1000 });
  assert.equal(h.bound, ['a→n1', 'b→n2']);
  assert.is(h.actor.getSnapshot().context.cycles, 3);
});

test.run();
