/**
 * client-go's workqueue metrics for one controller's queue, under component-base's names and
 * labelled `name` with the queue name kube-controller-manager gives that controller
 * (QUEUE_NAMES). The reconcile chart reports its adds, gets, dones and retries as named
 * effects (machines/controllers/reconcile.ts); this keeps the times they need, read from the
 * actor's injected clock, so virtual time gives exact durations.
 */
import { exponentialBuckets, type Counter, type Gauge, type Histogram, type HistogramSeries, type MetricsRegistry, type Series } from '../../base/metrics.ts';

/** kube-controller-manager's queue names where they differ from the controller's name with "_" for "-". */
const QUEUE_NAMES: Readonly<Record<string, string>> = {
  replicationcontroller: 'replicationmanager',
  endpointslice: 'endpoint_slice',
  'garbage-collector': 'garbage_collector_attempt_to_delete',
  'ttl-after-finished': 'ttl_jobs_to_delete',
  resourcequota: 'resourcequota_primary',
  'clusterrole-aggregation': 'ClusterRoleAggregator',
  nodelifecycle: 'node_lifecycle_controller',
  'persistentvolume-binder': 'volumes',
  'pv-protection': 'pvprotection',
  'pvc-protection': 'pvcprotection',
  csrsigning: 'certificate',
  'cloud-service': 'service',
};

/** The workqueue `name` label of controller `controller` ("replicaset", "endpoint_slice", …). */
export const queueName = (controller: string): string => QUEUE_NAMES[controller] ?? controller.replace(/-/g, '_');

/** ExponentialBuckets(10e-9, 10, 12): 10 ns to 1000 s. */
const DURATION_BUCKETS = exponentialBuckets(1e-8, 10, 12);

interface Families {
  depth: Gauge;
  adds: Counter;
  latency: Histogram;
  work: Histogram;
  retries: Counter;
  unfinished: Gauge;
  longest: Gauge;
}

function families(r: MetricsRegistry): Families {
  return {
    depth: r.gauge('workqueue_depth', '[ALPHA] Current depth of workqueue', ['name']),
    adds: r.counter('workqueue_adds_total', '[ALPHA] Total number of adds handled by workqueue', ['name']),
    latency: r.histogram('workqueue_queue_duration_seconds', '[ALPHA] How long in seconds an item stays in workqueue before being requested', ['name'], DURATION_BUCKETS),
    work: r.histogram('workqueue_work_duration_seconds', '[ALPHA] How long in seconds processing an item from workqueue takes', ['name'], DURATION_BUCKETS),
    retries: r.counter('workqueue_retries_total', '[ALPHA] Total number of retries handled by workqueue', ['name']),
    unfinished: r.gauge('workqueue_unfinished_work_seconds',
      "[ALPHA] How many seconds of work has been done that is in progress and hasn't been observed by work_duration. Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.",
      ['name']),
    longest: r.gauge('workqueue_longest_running_processor_seconds', '[ALPHA] How many seconds has the longest running processor for workqueue been running.', ['name']),
  };
}

/**
 * One queue's counts. Kept by the controller actor across restarts (a restarted controller
 * keeps its queue's name, as kube-controller-manager's metrics outlive a worker).
 */
export class WorkqueueMetrics {
  readonly name: string;
  readonly #depth: Series;
  readonly #adds: Series;
  readonly #latency: HistogramSeries;
  readonly #work: HistogramSeries;
  readonly #retries: Series;
  /** When each queued key was added (the first add since it was last taken). */
  readonly #addedAt = new Map<string, number>();
  /** When each key being synced was taken. */
  readonly #startedAt = new Map<string, number>();

  constructor(registry: MetricsRegistry, controller: string, readonly now: () => number) {
    this.name = queueName(controller);
    const f = families(registry);
    const labels = { name: this.name };
    this.#depth = f.depth.with(labels);
    this.#adds = f.adds.with(labels);
    this.#latency = f.latency.with(labels);
    this.#work = f.work.with(labels);
    this.#retries = f.retries.with(labels);
    // Both read at scrape time: work in progress grows with the clock, not with events.
    f.unfinished.collect(() => [[labels, this.#unfinished().total]], this.name);
    f.longest.collect(() => [[labels, this.#unfinished().longest]], this.name);
  }

  queued(key: string): void {
    this.#adds.inc();
    this.#depth.inc();
    if (!this.#addedAt.has(key)) this.#addedAt.set(key, this.now());
  }

  taken(key: string): void {
    const now = this.now();
    this.#depth.dec();
    const added = this.#addedAt.get(key);
    if (added !== undefined) {
      this.#latency.observe((now - added) / 1000);
      this.#addedAt.delete(key);
    }
    this.#startedAt.set(key, now);
  }

  finished(key: string): void {
    const started = this.#startedAt.get(key);
    if (started === undefined) return;
    this.#work.observe((this.now() - started) / 1000);
    this.#startedAt.delete(key);
  }

  retried(): void {
    this.#retries.inc();
  }

  /** A new incarnation starts with an empty queue: what the old one held is no longer queued or running. */
  reset(): void {
    this.#depth.set(0);
    this.#addedAt.clear();
    this.#startedAt.clear();
  }

  #unfinished(): { total: number; longest: number } {
    const now = this.now();
    let total = 0;
    let longest = 0;
    for (const t of this.#startedAt.values()) {
      const s = (now - t) / 1000;
      total += s;
      if (s > longest) longest = s;
    }
    return { total, longest };
  }
}
