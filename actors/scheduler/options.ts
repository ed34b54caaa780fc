/**
 * The scheduler actor's options, and the one annotation with which a pod asks for its
 * scheduling explanation to be written onto it.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { QueueOptions } from '../../machines/scheduler/queue.ts';
import type { PluginSet } from '../../machines/scheduler/plugins/registry.ts';
import { DEFAULT_BIND_TIMEOUT_SECONDS } from '../../machines/scheduler/volume-waits.ts';
import type { ClientLimits } from '../client/rate-limit.ts';

export const SCHEDULER_ADDRESS = 'scheduler';
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

/**
 * A pod with this annotation set to "true" gets kube-scheduler-simulator's result
 * annotations (filter-result, score-result, finalscore-result, selected-node) written by
 * the scheduler; `kubeactor explain-schedule` reads them back.
 */
export const EXPLAIN_ANNOTATION = 'scheduler.kubeactor.io/explain';

/** Which pods get the simulator's result annotations. */
export type AnnotateMode = 'all' | 'opt-in' | 'none';

export interface SchedulerOptions {
  /** Pods whose spec.schedulerName is this are ours (default "default-scheduler"). */
  schedulerName?: string;
  plugins?: PluginSet;
  /** percentageOfNodesToScore; absent = adaptive, as kube-scheduler. */
  percentageOfNodesToScore?: number;
  /**
   * Writes (binds, and PodScheduled=False status updates counted one per pod) awaiting the
   * apiserver at once: the chart's `inFlight`, read by its hasReadyPod guard. Binding is
   * asynchronous as upstream; this bound keeps a burst from queueing thousands of requests
   * and lets replies interleave with scheduling. Default 64.
   */
  maxInFlight?: number;
  /** How many recent decisions `scheduler.explain` can answer (default 1000; 0: none). */
  keepExplanations?: number;
  /**
   * Which decisions are explained in full — every examined node's filter verdict and every
   * feasible node's scores. That breakdown about doubles the cost of a cycle on thousands
   * of nodes, so benches choose 'opt-in': then only pods with EXPLAIN_ANNOTATION get it,
   * and other decisions keep what the cycle computes anyway (rejections when nothing fit,
   * the three best nodes' scores otherwise). Default 'all'.
   */
  explain?: 'all' | 'opt-in';
  /** Default 'opt-in': only pods annotated with EXPLAIN_ANNOTATION: "true". */
  annotate?: AnnotateMode;
  queue?: Pick<QueueOptions, 'initialBackoffMs' | 'maxBackoffMs' | 'maxInUnschedulableMs'>;
  /** VolumeBindingArgs.bindTimeoutSeconds: how long a pod waits for its claims to be Bound before it is requeued (default 600). */
  bindTimeoutSeconds?: number;
  /** KubeSchedulerConfiguration clientConnection: its client's qps and burst (default 50 and 100). */
  clientConnection?: Partial<ClientLimits>;
}

export interface ResolvedOptions {
  schedulerName: string;
  plugins: PluginSet | undefined;
  percentageOfNodesToScore: number | undefined;
  maxInFlight: number;
  keepExplanations: number;
  explain: 'all' | 'opt-in';
  annotate: AnnotateMode;
  queue: SchedulerOptions['queue'];
  bindTimeoutSeconds: number;
}

export function resolveOptions(o: SchedulerOptions = {}): ResolvedOptions {
  return {
    schedulerName: o.schedulerName ?? DEFAULT_SCHEDULER_NAME,
    plugins: o.plugins,
    percentageOfNodesToScore: o.percentageOfNodesToScore,
    maxInFlight: Math.max(1, o.maxInFlight ?? 64),
    keepExplanations: Math.max(0, o.keepExplanations ?? 1000),
    explain: o.explain ?? 'all',
    annotate: o.annotate ?? 'opt-in',
    queue: o.queue,
    bindTimeoutSeconds: o.bindTimeoutSeconds ?? DEFAULT_BIND_TIMEOUT_SECONDS,
  };
}

/** Whether a pod asked for its scheduling explanation (EXPLAIN_ANNOTATION: "true"). */
export const optedIn = (pod: Pod): boolean => pod.metadata?.annotations?.[EXPLAIN_ANNOTATION] === 'true';
