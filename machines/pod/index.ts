export { podMachine, isPodEvent, type PodMachine, type RuntimeBatch, type PodReport } from './chart.ts';
export { podStatus } from './status.ts';
export { initialContext, type PodCtx, type PodPhase, type Stage } from './context.ts';
export { INITIAL_BACKOFF_MS, MAX_BACKOFF_MS } from './backoff.ts';
export type * from './types.ts';
export { PROBE_KINDS } from './types.ts';
