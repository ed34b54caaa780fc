// A worker thread's entry: loads TypeScript through the project's module hooks
// (cli/loader), then imports the module named by workerData.entry.
import { workerData } from 'node:worker_threads';
import '../../cli/loader/register.mjs';

await import(workerData.entry);
