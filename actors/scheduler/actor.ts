/**
 * The kube-scheduler actor at `scheduler`: machines/scheduler/chart.ts (whose context holds
 * the queue and the binds in flight) with its named effects bound to one incarnation's
 * SchedulerCore (snapshot, explanations), SchedulerInformers (its handlers on the process's
 * shared informers) and SchedulerWriter. A restart builds them afresh and takes the shared
 * caches again as adds, as a restarted kube-scheduler re-lists: pods it had assumed but not yet seen bound are simply
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
import type { SchedulerChartEvent, SchedulerContext, SchedulerEvent } from '../../machines/scheduler/chart.ts';
import type { ActorContext, ActorDef } from '../actor-def.ts';
import { SchedulerCore } from './core.ts';
import type { SharedInformerFactory } from '../informers/factory.ts';
import { SchedulerInformers } from './informers.ts';
import { QueueTimer, schedulerInput, schedulerMachine } from './machine.ts';
import { resolveOptions, SCHEDULER_ADDRESS, type SchedulerOptions } from './options.ts';
import { SchedulerWriter } from './writer.ts';
import { clientPort, limitsOf } from '../client/index.ts';
import { SchedulerMetrics } from './metrics.ts';
import { queueSizes } from '../../machines/scheduler/queue.ts';

/** What specs, benches and the CLI may look at in the running incarnation. */
export interface SchedulerHandle {
  stats(): SchedulerStats;
  explain(namespace: string, name: string): Explanation | undefined;
  /** True once nodes, pods and namespaces are listed (scheduling starts then). */
  synced(): boolean;
  /** Ends the incarnation's watches and timer (before `host.stop`). */
  shutdown(): void;
}

/**
 * The scheduler's ActorDef, reading the process's shared informers (`factory`). `refOf` finds
 * the running actor (the host knows it), for events that come from outside a delivery:
 * informer callbacks and the timer. Write answers go to the incarnation that made the write
 * (the action's `self`).
 */
export function schedulerActor(options: SchedulerOptions, factory: SharedInformerFactory, refOf: () => AnyActorRef | undefined, onHandle?: (h: SchedulerHandle) => void): ActorDef {
  const opts = resolveOptions(options);
  let live: { core: SchedulerCore; informers: SchedulerInformers; timer: QueueTimer } | null = null;
  let port: Port | undefined;
  const send = (e: SchedulerChartEvent): void => void refOf()?.send(e);
  const context = (): SchedulerContext | undefined => refOf()?.getSnapshot().context as SchedulerContext | undefined;

  // Custom plugin sets are code, not data: a recording logs the rest (a replay uses the default plugins).
  const { plugins: _code, ...config } = options;
  return {
    address: SCHEDULER_ADDRESS,
    config,
    create(ctx: ActorContext) {
      port = ctx.port;
      live?.informers.stop();
      live?.timer.stop();
      // Two clients of the same limits, as kube-scheduler's createClients makes its client and
      // its event client (each clientset its own token bucket): the Scheduled events do not take
      // the binds' tokens.
      const limits = limitsOf('scheduler', options.clientConnection);
      const writer = new SchedulerWriter({ port: clientPort(ctx, limits), eventPort: clientPort(ctx, limits), clock: ctx.clock, log: ctx.log, component: opts.schedulerName });
      let informers: SchedulerInformers | undefined;
      const metrics = new SchedulerMetrics(ctx.metrics, opts.schedulerName);
      SchedulerMetrics.pendingPods(ctx.metrics, opts.schedulerName, () => {
        const c = context();
        return c ? queueSizes(c.queue) : undefined;
      });
      const core = new SchedulerCore({ opts, writer, now: () => ctx.clock.now(), random: ctx.random, current: (uid) => informers?.pod(uid), metrics });
      const stamped = (e: SchedulerEvent): void => send({ ...e, now: ctx.clock.now() });
      const volumeChanged = (): void => send({ type: 'volume.changed', now: ctx.clock.now() });
      informers = new SchedulerInformers(factory, core.snapshot, stamped, volumeChanged, (claim) => send({ type: 'claim.bound', claim, now: ctx.clock.now() }));
      const timer = new QueueTimer(ctx.clock, (now) => send({ type: 'timer.fired', now }));
      live = { core, informers, timer };
      onHandle?.({
        stats: () => statsOf(core, context()),
        explain: (ns, name) => core.explanations.get(ns, name),
        synced: () => context()?.synced ?? false,
        shutdown: () => {
          informers?.stop();
          timer.stop();
        },
      });
      const machine = schedulerMachine(core, timer);
      const input = schedulerInput(opts, core);
      return { machine, input };
    },
    onStop() {
      live?.informers.stop();
      live?.timer.stop();
    },
    toEvent(env: Envelope) {
      if (!live) return null;
      if (env.corr === undefined || !port) return null;
      const type = env.type as string;
      if (type === 'scheduler.explain') reply(port, env, explain(live.core, env.payload));
      else if (type === 'scheduler.stats') reply(port, env, ok(statsOf(live.core, context())));
      return null;
    },
    onStart(c: ActorContext) {
      const me = live;
      if (!me) return;
      void me.informers.start().then(() => {
        if (live !== me) return;
        send({ type: 'synced', now: c.clock.now() });
      });
    },
  };
}

const EMPTY: SchedulerStats = { queue: { active: 0, backoff: 0, unschedulable: 0, gated: 0 }, attempts: 0, bound: 0, bindFailures: 0, failures: 0, inFlight: 0, nodes: 0, pods: 0 };
const statsOf = (core: SchedulerCore, c: SchedulerContext | undefined): SchedulerStats => (c ? core.stats(c) : EMPTY);

function explain(core: SchedulerCore, payload: unknown): Result<Explanation> {
  const p = payload as { namespace?: string; name: string };
  const e = core.explanations.get(p.namespace || 'default', p.name);
  return e ? ok(e) : { ok: false, status: notFound('pods', `${p.name} (no recent scheduling decision)`) };
}

/** The catalogue's scheduler table is merged separately; until then the reply is typed loosely. */
function reply(port: Port, env: Envelope, r: Result<unknown>): void {
  (port.reply as (req: Envelope, r: Result<unknown>) => void).call(port, env, r);
}
