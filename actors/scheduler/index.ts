export { schedulerActor, type SchedulerHandle } from './actor.ts';
export { startScheduler, requestExplanation, requestSchedulerStats, type RunningScheduler } from './start.ts';
export { EXPLAIN_ANNOTATION, SCHEDULER_ADDRESS, DEFAULT_SCHEDULER_NAME, type SchedulerOptions, type AnnotateMode } from './options.ts';
