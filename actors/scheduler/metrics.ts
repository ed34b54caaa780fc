/**
 * kube-scheduler's metrics (pkg/scheduler/metrics/metrics.go), kept on the cluster's
 * registry with upstream's names, help texts, labels and buckets. Durations come from the
 * scheduler's injected clock. The queue gauge is read from the chart's context at scrape
 * time, so it costs nothing while scheduling.
 */
import { exponentialBuckets, type Counter, type Histogram, type HistogramSeries, type MetricsRegistry, type Series } from '../../base/metrics.ts';

export type AttemptResult = 'scheduled' | 'unschedulable' | 'error';

/** What the queue holds, by upstream's queue label. */
export interface QueueSizes {
  active: number;
  backoff: number;
  unschedulable: number;
  gated: number;
}

export class SchedulerMetrics {
  readonly #attempts: Counter;
  readonly #attemptDuration: Histogram;
  readonly #sli: Histogram;
  readonly #podAttempts: Histogram;
  readonly #preemptionAttempts: Counter;
  readonly #victims: Histogram;
  /**
   * The series each observation lands in, found once: every bound pod observes three, and
   * rendering their label keys each time was most of what a metric cost.
   */
  readonly #series = new Map<string, { attempts: Series; duration: HistogramSeries }>();
  readonly #sliSeries = new Map<number, HistogramSeries>();
  #podAttemptsSeries: HistogramSeries | undefined;

  constructor(r: MetricsRegistry, readonly profile: string) {
    this.#attempts = r.counter('scheduler_schedule_attempts_total',
      "[STABLE] Number of attempts to schedule pods, by the result. 'unschedulable' means a pod could not be scheduled, while 'error' means an internal scheduler problem.",
      ['result', 'profile']);
    this.#attemptDuration = r.histogram('scheduler_scheduling_attempt_duration_seconds', '[STABLE] Scheduling attempt latency in seconds (scheduling algorithm + binding)',
      ['result', 'profile'], exponentialBuckets(0.001, 2, 15));
    this.#preemptionAttempts = r.counter('scheduler_preemption_attempts_total', '[STABLE] Total preemption attempts in the cluster till now');
    this.#victims = r.histogram('scheduler_preemption_victims', '[STABLE] Number of selected preemption victims', [], exponentialBuckets(1, 2, 7));
    this.#sli = r.histogram('scheduler_pod_scheduling_sli_duration_seconds',
      '[BETA] E2e latency for a pod being scheduled, from the time the pod enters the scheduling queue and might involve multiple scheduling attempts.',
      ['attempts'], exponentialBuckets(0.01, 2, 20));
    this.#podAttempts = r.histogram('scheduler_pod_scheduling_attempts', '[STABLE] Number of attempts to successfully schedule a pod.', [], exponentialBuckets(1, 2, 5));
  }

  /** The pending_pods gauge reads `sizes` at scrape time (a restarted scheduler's reader replaces the old one). */
  static pendingPods(r: MetricsRegistry, profile: string, sizes: () => QueueSizes | undefined): void {
    r.gauge('scheduler_pending_pods',
      "[STABLE] Number of pending pods, by the queue type. 'active' means number of pods in activeQ; 'backoff' means number of pods in backoffQ; 'unschedulable' means number of pods in unschedulablePods that the scheduler attempted to schedule and failed; 'gated' is the number of unschedulable pods that the scheduler never attempted to schedule because they are gated.",
      ['queue']).collect(() => {
      const s = sizes() ?? { active: 0, backoff: 0, unschedulable: 0, gated: 0 };
      return Object.entries(s).map(([queue, n]) => [{ queue }, n]);
    }, profile);
  }

  /** One scheduling attempt ended (`ms` on the scheduler's clock, from the cycle's start). */
  attempt(result: AttemptResult, ms: number): void {
    let s = this.#series.get(result);
    if (!s) {
      const labels = { result, profile: this.profile };
      this.#series.set(result, (s = { attempts: this.#attempts.with(labels), duration: this.#attemptDuration.with(labels) }));
    }
    s.attempts.inc();
    s.duration.observe(ms / 1000);
  }

  /** A pod was bound after `attempts` attempts, `ms` after it first entered the queue. */
  scheduled(attempts: number, ms: number): void {
    // Upstream caps the label at "15+" so it stays bounded.
    const capped = Math.min(attempts, 15);
    let sli = this.#sliSeries.get(capped);
    if (!sli) this.#sliSeries.set(capped, (sli = this.#sli.with({ attempts: capped === 15 ? '15+' : String(capped) })));
    sli.observe(ms / 1000);
    (this.#podAttemptsSeries ??= this.#podAttempts.with({})).observe(attempts);
  }

  /** DefaultPreemption ran for a pod; `victims` when it chose a node. */
  preemption(victims?: number): void {
    this.#preemptionAttempts.inc();
    if (victims !== undefined) this.#victims.observe({}, victims);
  }
}
