/**
 * What the scheduler specs run on: the real apiserver (memory kv) on the in-process bus,
 * sim nodes and the scheduler actor, in virtual time.
 */
import { startSimNodes, type SimNodes } from '../../../actors/kubelet/index.ts';
import { startScheduler, type RunningScheduler, type SchedulerOptions } from '../../../actors/scheduler/index.ts';
import { start, type Harness } from '../apiserver/harness.ts';

export interface SchedulerCluster {
  h: Harness;
  sched: RunningScheduler;
  /** Starts `count` more sim nodes (named after the highest existing one). */
  addNodes(count: number, capacity?: Record<string, string>): Promise<void>;
  /** Virtual time forward in steps, letting the actors answer after each. */
  advance(ms: number, step?: number): Promise<void>;
  stop(): Promise<void>;
}

/** A cluster of `count` sim nodes (of `capacity`), then the scheduler, settled. */
export async function schedulerCluster(count: number, capacity?: Record<string, string>, opts: SchedulerOptions = {}): Promise<SchedulerCluster> {
  const h = await start();
  const nodes: SimNodes[] = [];
  const addNodes = async (n: number, cap = capacity): Promise<void> => {
    nodes.push(await startSimNodes({ host: h.host, clock: h.clock, count: n, lister: h.client().port, ...(cap ? { configure: () => ({ capacity: cap }) } : {}) }));
    await h.settle();
  };
  if (count > 0) await addNodes(count);
  const sched = startScheduler(h.host, opts);
  await h.settle();
  return {
    h,
    sched,
    addNodes,
    async advance(ms, step = 100) {
      for (let done = 0; done < ms; done += step) {
        await h.clock.advance(Math.min(step, ms - done));
        await h.settle();
      }
    },
    async stop() {
      sched.stop();
      for (const n of nodes) n.stop();
      await h.close();
    },
  };
}
