/** The worker-threads transport: one bus per thread, joined to the main thread's over MessagePorts. */
export { WorkersBus, type WorkersBusOptions } from './bus.ts';
export { startWorkerThread, threadBus, type WorkerThreadData } from './thread.ts';
