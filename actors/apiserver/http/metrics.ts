/**
 * The front's metrics, served on GET /metrics in the Prometheus text format (0.0.4) under
 * kube-apiserver's names: every answered request counted in apiserver_request_total (errors
 * and refusals included: a 401, a 400 for a bad parameter, a 413, a 504 timeout), the
 * requests being served in apiserver_current_inflight_requests, the open watches and log
 * streams in apiserver_longrunning_requests, and the bus's own counters (its rejects by
 * cause) under kubeactor_bus_*.
 *
 * A request is counted once, when its response closes, whatever wrote it; counting is a
 * Map increment keyed by the request's rendered labels.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BusStats } from '../../../bus/bus.ts';
import { methodNotAllowed } from '../../../base/status.ts';
import type { ServedKind } from '../../../api/discovery/types.ts';
import { LabelIndex, quote } from './metrics-labels.ts';
import { sendStatus, sendText } from './respond.ts';
import type { Route } from './route.ts';

/** The exposition format's Content-Type (what Prometheus and kube-apiserver send). */
export const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

const COMPONENT = 'component="apiserver"';

export class FrontMetrics {
  #labels: LabelIndex;
  readonly #busStats: (() => BusStats) | undefined;
  /** apiserver_request_total by its rendered labels. */
  readonly #requests = new Map<string, number>();
  /** apiserver_longrunning_requests by its rendered labels. */
  readonly #longRunning = new Map<string, number>();
  readonly #inflight = { readOnly: 0, mutating: 0 };
  /** Families other parts of the apiserver keep (audit), rendered after the request metrics. */
  readonly #included: (() => string)[] = [];

  /** `busStats` reads the bus's counters when /metrics is served (optional: a front without a bus to show). */
  constructor(kinds: readonly ServedKind[], busStats?: () => BusStats) {
    this.#labels = new LabelIndex(kinds);
    this.#busStats = busStats;
  }

  /** Serves the families `render` gives (already in the exposition format) on /metrics too. */
  include(render: () => string): void {
    this.#included.push(render);
  }

  /** Labels requests by a new set of served kinds (the kind registry changed). */
  serve(kinds: readonly ServedKind[]): void {
    this.#labels = new LabelIndex(kinds);
  }

  /**
   * Tracks one request from now until its response closes: in flight (or long-running)
   * meanwhile, then counted with the status code it was answered with. A client that left
   * before any answer was written is not counted: nothing was answered.
   */
  observe(req: IncomingMessage, res: ServerResponse, route: Route, query: URLSearchParams, longRunning: boolean): void {
    const labels = this.#labels.of(req, route, query);
    const longKey = longRunning ? `${COMPONENT},${labels.common}` : null;
    const kind = labels.readOnly ? 'readOnly' : 'mutating';
    if (longKey !== null) add(this.#longRunning, longKey, 1);
    else this.#inflight[kind]++;
    res.once('close', () => {
      if (longKey !== null) add(this.#longRunning, longKey, -1);
      else this.#inflight[kind]--;
      if (res.headersSent) add(this.#requests, `code="${res.statusCode}",${COMPONENT},dry_run=${quote(labels.dryRun)},${labels.common}`, 1);
    });
  }

  /** The exposition text. */
  render(): string {
    const out: string[] = [];
    family(out, 'apiserver_request_total', 'counter',
      '[STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
      this.#requests);
    family(out, 'apiserver_current_inflight_requests', 'gauge',
      '[STABLE] Number of requests being served, long-running ones excepted, per request kind.',
      new Map([['request_kind="mutating"', this.#inflight.mutating], ['request_kind="readOnly"', this.#inflight.readOnly]]));
    family(out, 'apiserver_longrunning_requests', 'gauge',
      '[STABLE] Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component. Not all requests are tracked this way.',
      this.#longRunning);
    const bus = this.#busStats?.();
    if (bus) {
      family(out, 'kubeactor_bus_rejected_total', 'counter', 'Messages the bus refused before any actor saw them, by cause.',
        new Map(Object.entries(bus.rejected).map(([cause, n]) => [`cause=${quote(cause)}`, n])));
      family(out, 'kubeactor_bus_sent_total', 'counter', 'Messages sent on the bus by this process.', new Map([['', bus.sent]]));
      family(out, 'kubeactor_bus_delivered_total', 'counter', 'Messages the bus delivered to an actor of this process.', new Map([['', bus.delivered]]));
      family(out, 'kubeactor_bus_undeliverable_total', 'counter', 'Messages sent to an address no actor holds.', new Map([['', bus.undeliverable]]));
    }
    for (const render of this.#included) out.push(render());
    family(out, 'process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', new Map([['', process.memoryUsage.rss()]]));
    return out.join('');
  }
}

/** GET /metrics: the exposition text (to an authenticated user, as every path but health and version). */
export function serveMetrics(metrics: FrontMetrics, req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendStatus(res, methodNotAllowed());
  sendText(res, metrics.render(), 200, PROMETHEUS_TEXT);
}

function add(map: Map<string, number>, key: string, by: number): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/** One metric family: HELP, TYPE, then a sample per label set (sorted, so scrapes compare line by line). */
function family(out: string[], name: string, type: 'counter' | 'gauge', help: string, samples: ReadonlyMap<string, number>): void {
  out.push(`# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`);
  for (const key of [...samples.keys()].sort()) out.push(`${name}${key ? `{${key}}` : ''} ${samples.get(key)}\n`);
}
