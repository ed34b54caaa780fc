import { MessageChannel, Worker, workerData, type MessagePort } from 'node:worker_threads';
import { WorkersBus, type WorkersBusOptions } from './bus.ts';

/** What a worker thread started by `startWorkerThread` finds in `workerData`. */
export interface WorkerThreadData<D> {
  /** The module the thread runs (a file URL; TypeScript is loaded through cli/loader). */
  entry: string;
  /** The thread's end of its channel to the main thread's bus. */
  port: MessagePort;
  /** The identity the main thread attached the channel as (bus/identities.ts). */
  identity: string;
  data: D;
}

const BOOT = new URL('./boot.mjs', import.meta.url);

/**
 * Starts a worker thread running `entry`, its bus joined to the main thread's `bus` as
 * `identity`. The thread builds its bus with `threadBus()`.
 *
 * Time: every thread runs its timers on its own event loop with the real clock; threads of
 * one process read the same wall clock, so a worker's clock follows the main thread's
 * without ticks being passed. A virtual (hand-advanced) clock cannot be shared this way:
 * virtual-time specs of the transport run both buses on one thread (spec/bus/workers.spec.ts).
 */
export function startWorkerThread<D>(bus: WorkersBus, entry: URL, identity: string, data: D): Worker {
  const { port1, port2 } = new MessageChannel();
  bus.attach(port1, identity);
  const workerData: WorkerThreadData<D> = { entry: entry.href, port: port2, identity, data };
  return new Worker(BOOT, { workerData, transferList: [port2] });
}

/** In a worker thread started by `startWorkerThread`: its bus, and the data the main thread passed. */
export function threadBus<D>(opts: WorkersBusOptions = {}): { bus: WorkersBus; identity: string; data: D } {
  const wd = workerData as WorkerThreadData<D>;
  return { bus: WorkersBus.worker(wd.port, wd.identity, opts), identity: wd.identity, data: wd.data };
}
