import { setup } from 'xstate';

/**
 * metrics-server's loop: scrape every kubelet once at start and then every
 * `--metric-resolution` (15 s by default) on the actor's clock, as its ticker does; serve
 * the apiserver's `metrics.get` / `metrics.list` in any state. The scrape and the answers
 * are effects (actors/metrics-server); a scrape still running when the next tick comes is
 * not started twice (the effect keeps that).
 */
export interface MetricsServerEnvelopeEvent {
  type: 'metrics.get' | 'metrics.list';
  from: string;
  corr?: string;
  payload: unknown;
}

export interface MetricsServerInput {
  /** --metric-resolution, ms. */
  resolutionMs: number;
}

/** metrics-server's default --metric-resolution. */
export const DEFAULT_METRIC_RESOLUTION_MS = 15_000;

export const metricsServerMachine = setup({
  types: {
    context: {} as MetricsServerInput,
    input: {} as MetricsServerInput,
    events: {} as MetricsServerEnvelopeEvent,
  },
  actions: {
    /** Starts one scrape of every node's kubelet (effect). */
    scrape: () => {},
    /** Answers one read of the metrics API (effect). */
    serve: (_, _params: { event: MetricsServerEnvelopeEvent }) => {},
  },
  delays: {
    resolution: ({ context }) => context.resolutionMs,
  },
}).createMachine({
  id: 'metrics-server',
  context: ({ input }) => ({ resolutionMs: input.resolutionMs }),
  initial: 'ticking',
  on: {
    'metrics.get': { actions: { type: 'serve', params: ({ event }) => ({ event }) } },
    'metrics.list': { actions: { type: 'serve', params: ({ event }) => ({ event }) } },
  },
  states: {
    ticking: {
      entry: 'scrape',
      after: { resolution: { target: 'ticking', reenter: true } },
    },
  },
});
