/**
 * The scheduler's chart; its effects are provided by actors/scheduler/actor.ts (over
 * actors/scheduler/core.ts).
 *
 * Lifecycle: the scheduler waits in `idle` until the queue has a pod ready, then in
 * `scheduling` runs one cycle for one pod (pop, scheduleOne against the snapshot, assume
 * the pod on the chosen node and ask the apiserver to bind it — or record the FitError
 * and requeue), and returns to `idle`. Binding is asynchronous, as upstream: its result
 * comes back later as `bind.succeeded` / `bind.failed` in whatever state the chart is in.
 * Cluster changes update the snapshot and may move unschedulable pods; `timer.fired`
 * flushes the backoff and unschedulable pools. After every step the chart re-arms one
 * timer at the queue's nextReadyAt.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { assign, setup } from 'xstate';

export type SchedulerEvent =
  | { type: 'pod.added'; pod: Pod }
  | { type: 'pod.updated'; pod: Pod }
  | { type: 'pod.deleted'; pod: Pod }
  | { type: 'node.added'; node: Node }
  | { type: 'node.updated'; node: Node }
  | { type: 'node.deleted'; node: Node }
  | { type: 'timer.fired'; now: number }
  | { type: 'bind.succeeded'; podKey: string; node: string }
  | { type: 'bind.failed'; podKey: string; node: string; message: string };

export interface SchedulerContext {
  /** Scheduling attempts made (one per cycle). */
  cycles: number;
}

/**
 * Named effects, stubbed here: actors/scheduler/actor.ts supplies them with `.provide()`.
 * - applyPodEvent / applyNodeEvent: update snapshot and queue, move unschedulable pods;
 * - flushQueues: flushBackoffCompleted + flushUnschedulableLeftover at the event's time;
 * - scheduleNext: one cycle for the next pod (pop, scheduleOne, assume + bind or requeue);
 * - confirmBinding / handleBindFailure: finish or undo an assumed pod — on failure,
 *   snapshot.removePod(key) and queue.addUnschedulable(q, [], cycle, now) (backoff);
 *   while a pod is assumed (snapshot.nodeOf(key) is set), updates of it as a pending pod
 *   must not re-enqueue it (upstream skipPodUpdate).
 * - armTimer: one timer at queue.nextReadyAt(now).
 */
export const schedulerChart = setup({
  types: {
    context: {} as SchedulerContext,
    events: {} as SchedulerEvent,
  },
  actions: {
    applyPodEvent: () => {},
    applyNodeEvent: () => {},
    flushQueues: () => {},
    scheduleNext: () => {},
    confirmBinding: () => {},
    handleBindFailure: () => {},
    armTimer: () => {},
  },
  guards: {
    hasReadyPod: () => false,
  },
}).createMachine({
  id: 'scheduler',
  context: { cycles: 0 },
  initial: 'idle',
  on: {
    'pod.added': { actions: ['applyPodEvent', 'armTimer'] },
    'pod.updated': { actions: ['applyPodEvent', 'armTimer'] },
    'pod.deleted': { actions: ['applyPodEvent', 'armTimer'] },
    'node.added': { actions: ['applyNodeEvent', 'armTimer'] },
    'node.updated': { actions: ['applyNodeEvent', 'armTimer'] },
    'node.deleted': { actions: ['applyNodeEvent', 'armTimer'] },
    'timer.fired': { actions: ['flushQueues', 'armTimer'] },
    'bind.succeeded': { actions: ['confirmBinding'] },
    'bind.failed': { actions: ['handleBindFailure', 'armTimer'] },
  },
  states: {
    idle: {
      always: { guard: 'hasReadyPod', target: 'scheduling' },
    },
    scheduling: {
      entry: ['scheduleNext', assign({ cycles: ({ context }) => context.cycles + 1 }), 'armTimer'],
      always: { target: 'idle' },
    },
  },
});
