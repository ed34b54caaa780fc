/**
 * The front's metrics, served on GET /metrics in the Prometheus text format (0.0.4) under
 * kube-apiserver's names: every answered request counted in apiserver_request_total (errors
 * and refusals included: a 401, a 400 for a bad parameter, a 413, a 504 timeout) and timed in
 * apiserver_request_duration_seconds, the sizes of GET and LIST answers in
 * apiserver_response_sizes, the requests being served in apiserver_current_inflight_requests,
 * the open watches and log streams in apiserver_longrunning_requests, and the bus's own
 * counters (its rejects by cause) under kubeactor_bus_*.
 *
 * The families live on the cluster's MetricsRegistry (base/metrics.ts), beside those the
 * scheduler, the controllers and the apiserver actor keep there; /metrics renders all of them.
 * A request is counted once, when its response closes, whatever wrote it; counting is a
 * Map lookup keyed by the request's rendered labels.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BusStats } from '../../../bus/bus.ts';
import { methodNotAllowed } from '../../../base/status.ts';
import { MetricsRegistry, type Counter, type Gauge, type Histogram } from '../../../base/metrics.ts';
import type { ServedKind } from '../../../api/discovery/types.ts';
import { LabelIndex } from './metrics-labels.ts';
import { sendStatus, sendText } from './respond.ts';
import type { Route } from './route.ts';

/** The exposition format's Content-Type (what Prometheus and kube-apiserver send). */
export const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

const COMPONENT = 'component="apiserver"';
/** kube-apiserver's requestLatencies buckets (seconds). */
export const REQUEST_DURATION_BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];
/** kube-apiserver's responseSizes buckets: ExponentialBuckets(1000, 10, 8) bytes. */
export const RESPONSE_SIZE_BUCKETS = [1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];
const REQUEST_LABELS = ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component'];

export interface FrontMetricsOptions {
  /** The cluster's registry (ActorHost.metrics); a registry of the front's own by default. */
  registry?: MetricsRegistry;
  /** Reads the bus's counters when /metrics is served (optional: a front without a bus to show). */
  busStats?: () => BusStats;
  /** Milliseconds on the front's clock, for request durations. */
  now?: () => number;
}

export class FrontMetrics {
  #labels: LabelIndex;
  readonly registry: MetricsRegistry;
  readonly #now: () => number;
  readonly #requests: Counter;
  readonly #durations: Histogram;
  readonly #sizes: Histogram;
  readonly #longRunning: Gauge;
  readonly #inflight = { readOnly: 0, mutating: 0 };

  constructor(kinds: readonly ServedKind[], opts: FrontMetricsOptions = {}) {
    this.#labels = new LabelIndex(kinds);
    const r = (this.registry = opts.registry ?? new MetricsRegistry());
    this.#now = opts.now ?? (() => 0);
    this.#requests = r.counter('apiserver_request_total',
      '[STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
      [...REQUEST_LABELS, 'code']);
    r.gauge('apiserver_current_inflight_requests', '[STABLE] Number of requests being served, long-running ones excepted, per request kind.', ['request_kind'])
      .collect(() => [[{ request_kind: 'mutating' }, this.#inflight.mutating], [{ request_kind: 'readOnly' }, this.#inflight.readOnly]]);
    this.#longRunning = r.gauge('apiserver_longrunning_requests',
      '[STABLE] Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component. Not all requests are tracked this way.',
      ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component']);
    this.#durations = r.histogram('apiserver_request_duration_seconds',
      '[STABLE] Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
      REQUEST_LABELS, REQUEST_DURATION_BUCKETS);
    this.#sizes = r.histogram('apiserver_response_sizes',
      '[STABLE] Response size distribution in bytes for each group, version, verb, resource, subresource, scope and component.',
      ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'], RESPONSE_SIZE_BUCKETS);
    const busStats = opts.busStats;
    if (busStats) {
      r.counter('kubeactor_bus_rejected_total', 'Messages the bus refused before any actor saw them, by cause.', ['cause'])
        .collect(() => Object.entries(busStats().rejected).map(([cause, n]) => [{ cause }, n]));
      r.counter('kubeactor_bus_sent_total', 'Messages sent on the bus by this process.').collect(() => [[{}, busStats().sent]]);
      r.counter('kubeactor_bus_delivered_total', 'Messages the bus delivered to an actor of this process.').collect(() => [[{}, busStats().delivered]]);
      r.counter('kubeactor_bus_undeliverable_total', 'Messages sent to an address no actor holds.').collect(() => [[{}, busStats().undeliverable]]);
    }
    r.gauge('process_resident_memory_bytes', 'Resident memory size in bytes.').collect(() => [[{}, process.memoryUsage.rss()]]);
  }

  /** Serves the families `render` gives (already in the exposition format) on /metrics too. */
  include(render: () => string): void {
    this.registry.include(render);
  }

  /** Labels requests by a new set of served kinds (the kind registry changed). */
  serve(kinds: readonly ServedKind[]): void {
    this.#labels = new LabelIndex(kinds);
  }

  /**
   * Tracks one request from now until its response closes: in flight (or long-running)
   * meanwhile, then counted with the status code it was answered with and timed. A client
   * that left before any answer was written is not counted: nothing was answered.
   */
  observe(req: IncomingMessage, res: ServerResponse, route: Route, query: URLSearchParams, longRunning: boolean): void {
    const labels = this.#labels.of(req, route, query);
    const started = this.#now();
    const long = longRunning ? this.#longRunning.withKey(`${COMPONENT},${labels.common}`) : null;
    const kind = labels.readOnly ? 'readOnly' : 'mutating';
    if (long !== null) long.inc();
    else this.#inflight[kind]++;
    res.once('close', () => {
      if (long !== null) long.dec();
      else this.#inflight[kind]--;
      if (!res.headersSent) return;
      const withDryRun = `${COMPONENT},dry_run=${quoteDryRun(labels.dryRun)},${labels.common}`;
      this.#requests.withKey(`code="${res.statusCode}",${withDryRun}`).inc();
      // Upstream times every request but WATCH (a watch lasts as long as the client wants).
      if (labels.verb !== 'WATCH') this.#durations.withKey(withDryRun).observe((this.#now() - started) / 1000);
      // Upstream sizes only read answers (GET and LIST); a streamed answer has no Content-Length and is not sized.
      if (labels.verb === 'GET' || labels.verb === 'LIST') {
        const size = Number(res.getHeader('content-length'));
        if (Number.isFinite(size)) this.#sizes.withKey(`${COMPONENT},${labels.common}`).observe(size);
      }
    });
  }

  /** The exposition text. */
  render(): string {
    return this.registry.render();
  }
}

/** dry_run's values are "", "All" or "invalid": none needs escaping. */
const quoteDryRun = (v: string): string => `"${v}"`;

/** GET /metrics: the exposition text (to an authenticated user, as every path but health and version). */
export function serveMetrics(metrics: FrontMetrics, req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendStatus(res, methodNotAllowed());
  sendText(res, metrics.render(), 200, PROMETHEUS_TEXT);
}
