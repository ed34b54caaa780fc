/**
 * The metrics-server actor at `metrics-server`: the chart in machines/metrics-server/ with its
 * effects — the scraper (kubelets → store) and the metrics API (the apiserver's
 * `metrics.get` / `metrics.list` → the store). Its samples live in memory only, as
 * metrics-server's: a restart starts over, and pods appear again after two scrapes.
 */
import type { ActorContext, ActorDef } from '../actor-def.ts';
import type { Envelope } from '../../base/envelope.ts';
import { METRICS_SERVER_ADDRESS } from '../../api/kinds/metrics/address.ts';
import { DEFAULT_METRIC_RESOLUTION_MS, metricsServerMachine } from '../../machines/metrics-server/chart.ts';
import { MetricsStore } from '../../machines/metrics-server/store.ts';
import { Scraper } from './scraper.ts';
import { MetricsApi } from './serve.ts';

export interface MetricsServerOptions {
  /** --metric-resolution in ms (default 15 s). */
  resolutionMs?: number;
}

const ACCEPTED = new Set(['metrics.get', 'metrics.list']);

export function metricsServerActor(opts: MetricsServerOptions = {}): ActorDef {
  const resolutionMs = opts.resolutionMs ?? DEFAULT_METRIC_RESOLUTION_MS;
  let scraper: Scraper | null = null;
  return {
    address: METRICS_SERVER_ADDRESS,
    config: { resolutionMs },
    toEvent: (e) => (ACCEPTED.has(e.type) ? e : null),
    create(ctx: ActorContext) {
      scraper?.stop();
      const store = new MetricsStore();
      const s = (scraper = new Scraper({ port: ctx.port, log: ctx.log, store, timeoutMs: resolutionMs }));
      const api = new MetricsApi({ port: ctx.port, clock: ctx.clock, store });
      const machine = metricsServerMachine.provide({
        actions: {
          scrape: () => s.tick(),
          serve: (_, p) => api.handle(p.event as unknown as Envelope),
        },
      });
      return { machine, input: { resolutionMs } };
    },
    onStop() {
      scraper?.stop();
    },
  };
}
