// A worker thread's entry: loads TypeScript through tsx (a thread does not inherit the
// main thread's `register()`; under `node --import tsx` registering again is harmless),
// then imports the module named by workerData.entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
