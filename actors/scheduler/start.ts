/**
 * Starting the scheduler on an ActorHost (for `kubeactor up`, specs and benches), and
 * typed bus calls to it.
 */
import type { Port } from '../../bus/bus.ts';
import type { Explanation, SchedulerStats } from '../../bus/catalogue/scheduler.ts';
import type { Result } from '../../base/status.ts';
import type { ActorHost } from '../host.ts';
import { informerFactory } from '../informers/actor.ts';
import { schedulerActor, type SchedulerHandle } from './actor.ts';
import { SCHEDULER_ADDRESS, type SchedulerOptions } from './options.ts';

export interface RunningScheduler extends SchedulerHandle {
  readonly address: string;
  stop(): void;
}

/** Spawns the scheduler at `scheduler` (and the host's informer factory, if not yet running); it follows nodes and pods, then schedules. */
export function startScheduler(host: ActorHost, opts: SchedulerOptions = {}): RunningScheduler {
  let handle: SchedulerHandle | undefined;
  host.spawn(schedulerActor(opts, informerFactory(host), () => host.get(SCHEDULER_ADDRESS)?.ref, (h) => (handle = h)));
  const h = (): SchedulerHandle => {
    if (!handle) throw new Error('scheduler: not running');
    return handle;
  };
  return {
    address: SCHEDULER_ADDRESS,
    stats: () => h().stats(),
    explain: (ns, name) => h().explain(ns, name),
    synced: () => handle?.synced() ?? false,
    shutdown: () => handle?.shutdown(),
    stop: () => void host.stop(SCHEDULER_ADDRESS),
  };
}

type Loose = (to: string, type: string, payload: unknown) => Promise<Result<unknown>>;

/** `scheduler.explain` over the bus: the latest decision about a pod, or 404. */
export async function requestExplanation(port: Port, namespace: string, name: string): Promise<Result<Explanation>> {
  return (await (port.request as unknown as Loose).call(port, SCHEDULER_ADDRESS, 'scheduler.explain', { namespace, name })) as Result<Explanation>;
}

/** `scheduler.stats` over the bus. */
export async function requestSchedulerStats(port: Port): Promise<Result<SchedulerStats>> {
  return (await (port.request as unknown as Loose).call(port, SCHEDULER_ADDRESS, 'scheduler.stats', {})) as Result<SchedulerStats>;
}
