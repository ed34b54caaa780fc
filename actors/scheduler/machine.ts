/**
 * The scheduler chart with its effects provided: SchedulerCore's methods for the named
 * actions, and one timer at the queue's nextReadyAt. The actor (actor.ts) and the specs
 * build the machine here, so a spec runs exactly what a cluster runs.
 */
import { assertEvent } from 'xstate';
import type { Clock, TimerId } from '../../base/clock.ts';
import { schedulerChart, type SchedulerContext, type SchedulerInput } from '../../machines/scheduler/chart.ts';
import { pluginEvents } from '../../machines/scheduler/plugins/registry.ts';
import { queueConfig } from '../../machines/scheduler/queue.ts';
import { nextWakeAt } from '../../machines/scheduler/volume-waits.ts';
import type { SchedulerCore } from './core.ts';
import type { ResolvedOptions } from './options.ts';

/** One timer at the scheduler's next deadline (queue or volume wait); firing it calls `fire(now)` (the actor sends `timer.fired`). */
export class QueueTimer {
  #timer: { id: TimerId; at: number } | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly fire: (now: number) => void,
  ) {}

  /** Re-arms at nextWakeAt; none while activeQ has a pod (the chart's own loop, or the next write answer, carries on). */
  arm(c: SchedulerContext): void {
    const now = this.clock.now();
    const at = nextWakeAt(c.queue, c.binding, now);
    if (at === undefined || (at <= now && c.queue.active.items.length > 0)) return this.stop();
    if (this.#timer?.at === at) return;
    this.stop();
    const id = this.clock.setTimeout(() => {
      this.#timer = undefined;
      this.fire(this.clock.now());
    }, at - now);
    this.#timer = { id, at };
  }

  stop(): void {
    if (this.#timer) this.clock.clearTimeout(this.#timer.id);
    this.#timer = undefined;
  }
}

/** The chart's input for these options: the queue's timing and the plugins' events as data. */
export function schedulerInput(opts: ResolvedOptions, core: SchedulerCore): SchedulerInput {
  return {
    schedulerName: opts.schedulerName,
    maxInFlight: opts.maxInFlight,
    bindTimeoutMs: opts.bindTimeoutSeconds * 1000,
    queue: queueConfig({ ...opts.queue, pluginEvents: pluginEvents(core.plugins) }),
  };
}

/** schedulerChart with SchedulerCore's effects and the timer. */
export function schedulerMachine(core: SchedulerCore, timer: QueueTimer) {
  return schedulerChart.provide({
    actions: {
      updateSnapshot: ({ event }) => {
        assertEvent(event, ['pod.added', 'pod.updated', 'pod.deleted', 'node.added', 'node.updated', 'node.deleted']);
        core.updateSnapshot(event);
      },
      runCycle: ({ context, self }) => core.runCycle(context, (e) => self.send(e)),
      announceBinding: ({ context, event }) => {
        assertEvent(event, 'bind.succeeded');
        core.announceBinding(context, event);
      },
      undoAssume: ({ context, event }) => {
        assertEvent(event, 'bind.failed');
        core.undoAssume(context, event);
      },
      startBinds: ({ context, self }) => core.startBinds(context, (e) => self.send(e)),
      failWaits: ({ context, self }) => core.failWaits(context, (e) => self.send(e)),
      armTimer: ({ context }) => timer.arm(context),
    },
  });
}
