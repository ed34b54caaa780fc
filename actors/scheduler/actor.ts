/**
 * The kube-scheduler actor at `scheduler`: machines/scheduler/chart.ts with its named
 * effects bound to one incarnation's SchedulerCore (snapshot, queue, binds in flight),
 * SchedulerInformers (its handlers on the process's shared informers) and SchedulerWriter. A
 * restart builds them afresh and takes the shared caches again as adds, as a restarted
 * kube-scheduler re-lists: pods it had assumed but not yet seen bound are simply
 * pending again, and a bind that already happened comes back through the watch.
 *
 * `scheduler.explain` and `scheduler.stats` are answered outside the chart: they read
 * state and change nothing.
 */
import type { AnyActorRef } from 'xstate';
import type { Explanation, SchedulerStats } from '../../bus/catalogue/scheduler.ts';
import type { Port } from '../../bus/bus.ts';
import type { Envelope } from '../../base/envelope.ts';
import { notFound, ok, type Result } from '../../base/status.ts';
import { schedulerChart, type SchedulerEvent } from '../../machines/scheduler/chart.ts';
import type { ActorContext, ActorDef } from '../actor-def.ts';
import type { TimerId } from '../../base/clock.ts';
import { SchedulerCore } from './core.ts';
import type { SharedInformerFactory } from '../informers/factory.ts';
import { SchedulerInformers } from './informers.ts';
import { resolveOptions, SCHEDULER_ADDRESS, type SchedulerOptions } from './options.ts';
import { SchedulerWriter } from './writer.ts';

/** What specs, benches and the CLI may look at in the running incarnation. */
export interface SchedulerHandle {
  stats(): SchedulerStats;
  explain(namespace: string, name: string): Explanation | undefined;
  /** True once nodes, pods and namespaces are listed (scheduling starts then). */
  synced(): boolean;
  /** Ends the incarnation's watches and timer (before `host.stop`). */
  shutdown(): void;
}

type Ev<T extends SchedulerEvent['type']> = Extract<SchedulerEvent, { type: T }>;

/**
 * The scheduler's ActorDef, reading the process's shared informers (`factory`). `refOf` finds the running actor (the host knows it), for
 * events that come from outside a delivery: informer callbacks, bind answers, the timer.
 */
export function schedulerActor(options: SchedulerOptions, factory: SharedInformerFactory, refOf: () => AnyActorRef | undefined, onHandle?: (h: SchedulerHandle) => void): ActorDef {
  const opts = resolveOptions(options);
  let live: { core: SchedulerCore; informers: SchedulerInformers; stopTimer(): void } | null = null;
  let port: Port | undefined;
  const send = (e: SchedulerEvent): void => void refOf()?.send(e);

  // Custom plugin sets are code, not data: a recording logs the rest (a replay uses the default plugins).
  const { plugins: _code, ...config } = options;
  return {
    address: SCHEDULER_ADDRESS,
    config,
    create(ctx: ActorContext) {
      port = ctx.port;
      live?.informers.stop();
      live?.stopTimer();
      const writer = new SchedulerWriter({ port: ctx.port, clock: ctx.clock, log: ctx.log, component: opts.schedulerName });
      let informers: SchedulerInformers | undefined;
      const core = new SchedulerCore({ opts, writer, send, now: () => ctx.clock.now(), random: ctx.random, current: (uid) => informers?.pod(uid) });
      informers = new SchedulerInformers(factory, core.snapshot, send);
      let timer: { id: TimerId; at: number } | undefined;
      const stopTimer = (): void => {
        if (timer) ctx.clock.clearTimeout(timer.id);
        timer = undefined;
      };
      live = { core, informers, stopTimer };
      onHandle?.({
        stats: () => core.snapshotStats(),
        explain: (ns, name) => core.explanations.get(ns, name),
        synced: () => core.synced,
        shutdown: () => {
          informers?.stop();
          stopTimer();
        },
      });
      const machine = schedulerChart.provide({
        guards: { hasReadyPod: () => core.hasReadyPod() },
        actions: {
          applyPodEvent: ({ event }) => core.applyPod(event as Ev<'pod.added' | 'pod.updated' | 'pod.deleted'>),
          applyNodeEvent: ({ event }) => core.applyNode(event as Ev<'node.added' | 'node.updated' | 'node.deleted'>),
          flushQueues: ({ event }) => core.flush((event as Ev<'timer.fired'>).now),
          scheduleNext: () => core.scheduleNext(),
          confirmBinding: ({ event }) => core.confirmBinding(event as Ev<'bind.succeeded'>),
          handleBindFailure: ({ event }) => core.handleBindFailure(event as Ev<'bind.failed'>),
          armTimer: () => {
            const now = ctx.clock.now();
            const at = core.nextReadyAt(now);
            // activeQ non-empty: the chart's own loop (or the next write answer) carries on.
            if (at === undefined || (at <= now && core.queue.sizes.active > 0)) return stopTimer();
            if (timer?.at === at) return;
            stopTimer();
            const id = ctx.clock.setTimeout(() => {
              timer = undefined;
              send({ type: 'timer.fired', now: ctx.clock.now() });
            }, at - now);
            timer = { id, at };
          },
        },
      });
      return { machine };
    },
    onStop() {
      live?.informers.stop();
      live?.stopTimer();
    },
    toEvent(env: Envelope) {
      if (!live) return null;
      if (env.corr === undefined || !port) return null;
      const type = env.type as string;
      if (type === 'scheduler.explain') reply(port, env, explain(live.core, env.payload));
      else if (type === 'scheduler.stats') reply(port, env, ok(live.core.snapshotStats()));
      return null;
    },
    onStart(c: ActorContext) {
      const me = live;
      if (!me) return;
      void me.informers.start().then(() => {
        if (live !== me) return;
        me.core.synced = true;
        send({ type: 'timer.fired', now: c.clock.now() });
      });
    },
  };
}

function explain(core: SchedulerCore, payload: unknown): Result<Explanation> {
  const p = payload as { namespace?: string; name: string };
  const e = core.explanations.get(p.namespace || 'default', p.name);
  return e ? ok(e) : { ok: false, status: notFound('pods', `${p.name} (no recent scheduling decision)`) };
}

/** The catalogue's scheduler table is merged separately; until then the reply is typed loosely. */
function reply(port: Port, env: Envelope, r: Result<unknown>): void {
  (port.reply as (req: Envelope, r: Result<unknown>) => void).call(port, env, r);
}
