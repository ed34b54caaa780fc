import { assign, setup } from 'xstate';

/** An envelope as the actor host delivers it; the chart routes it by `type` only. */
export interface KubeletEnvelopeEvent {
  type: 'api.watch-events' | 'api.watch-ended' | 'kubelet.logs' | 'kubelet.logs-stop' | 'kubelet.stats' | StreamEventType;
  from: string;
  corr?: string;
  payload: unknown;
}

/** The stream session messages the kubelet takes (bus/catalogue/streams.ts). */
export const STREAM_EVENTS = ['kubelet.stream-open', 'kubelet.stream-data', 'kubelet.stream-credit', 'kubelet.stream-close', 'kubelet.stream-resize', 'kubelet.stream-cancel'] as const;
export type StreamEventType = (typeof STREAM_EVENTS)[number];

/**
 * How an effect the chart started ended, sent back by the actor layer (`register`,
 * `renewLease`, `syncNodeStatus` are entry actions, not invoked actors: a child actor per
 * renewal cost more than the renewal's own work at 5,000 nodes).
 */
export type KubeletEffectEvent =
  | { type: 'kubelet.registered' }
  | { type: 'kubelet.register-failed'; error: string }
  | { type: 'kubelet.lease-renewed' }
  | { type: 'kubelet.lease-failed'; error: string }
  | { type: 'kubelet.status-synced' }
  | { type: 'kubelet.status-failed'; error: string };

export type KubeletEvent = KubeletEnvelopeEvent | KubeletEffectEvent | { type: 'kubelet.stop' };

/** Timings, in ms on the actor's clock (Kubernetes' defaults in parentheses). */
export interface KubeletTiming {
  /** Lease renew interval (10 s: a quarter of leaseDurationSeconds 40). */
  leaseRenewMs: number;
  /** First retry after a failed renew, doubling (200 ms, nodelease's backoff)… */
  leaseRetryMs: number;
  /** …up to this (7 s). */
  leaseRetryMaxMs: number;
  /** How often the Node is read (from the kubelet's informer) and its status computed (nodeStatusUpdateFrequency, 10 s); it is patched only when it differs from the Node's or when the report frequency elapsed. */
  statusEveryMs: number;
  /** First retry of a failed registration, doubling (kubelet: 100 ms)… */
  registerRetryMs: number;
  /** …up to this (7 s). */
  registerRetryMaxMs: number;
}

export const DEFAULT_TIMING: KubeletTiming = {
  leaseRenewMs: 10_000,
  leaseRetryMs: 200,
  leaseRetryMaxMs: 7_000,
  statusEveryMs: 10_000,
  registerRetryMs: 100,
  registerRetryMaxMs: 7_000,
};

export interface KubeletContext {
  timing: KubeletTiming;
  /** Consecutive failed registrations. */
  failures: number;
  /** Consecutive failed lease renewals. */
  leaseFailures: number;
  lastError: string | null;
}

const doubling = (base: number, max: number, n: number): number => Math.min(max, base * 2 ** Math.max(0, n - 1));
const routed = ({ event }: { event: KubeletEvent }) => ({ event });

/**
 * The kubelet's lifecycle.
 *
 * registering — `register` creates the Node (or adopts an existing one: labels, pod range,
 *   status). On an apiserver error it waits in `backoff` (doubling from registerRetryMs to
 *   registerRetryMaxMs) and tries again.
 * ready — `startPods` starts following the pods bound to the node (their bookkeeping lives
 *   in the actor layer: one root pod actor each, never chart children). Two regions run on
 *   the clock: `lease` renews the node's Lease every leaseRenewMs (a failed renew retries
 *   sooner, doubling), `status` reads the Node (from its informer) every statusEveryMs
 *   and patches its status when the Node holds another (a condition someone else changed
 *   included) or the report frequency elapsed (`syncNodeStatus` decides).
 * stopping — `stopPods` stops the watch, the pod actors and log streams; final. Nothing is
 *   deleted from the apiserver: a stopped kubelet is a node that went silent, and its
 *   Lease simply stops being renewed.
 *
 * Watch events, log requests and stream sessions are handed to the actor layer by name in
 * every state; before `ready` they find no pods (a log request or session is answered 404).
 */
export const kubeletMachine = setup({
  types: {
    context: {} as KubeletContext,
    events: {} as KubeletEvent,
    input: {} as { timing?: Partial<KubeletTiming> },
  },
  actions: {
    /** Starts the informers: the pods bound to the node (spec.nodeName=<node>) and its own Node (metadata.name=<node>). */
    startPods: () => {},
    /** Stops the informer, every pod actor and log stream. */
    stopPods: () => {},
    /** Feeds a watch batch (or a watch end) to the informer whose watch it is. */
    onWatch: (_, _p: { event: KubeletEvent }) => {},
    /** Answers or ends a log request for one of the node's pods. */
    onLogs: (_, _p: { event: KubeletEvent }) => {},
    /** Opens, feeds or ends an exec / attach / port-forward session into one of the node's pods. */
    onStreams: (_, _p: { event: KubeletEvent }) => {},
    /** Answers the metrics-server's ask for the node's and its pods' usage. */
    onStats: (_, _p: { event: KubeletEvent }) => {},
    /** Creates or adopts the Node; ends with `kubelet.registered` or `kubelet.register-failed`. */
    register: () => {},
    /** Creates or renews the Lease; ends with `kubelet.lease-renewed` or `kubelet.lease-failed`. */
    renewLease: () => {},
    /** Reads the Node (its informer's copy), computes its status and patches it if due; ends with `kubelet.status-synced` or `kubelet.status-failed`. */
    syncNodeStatus: () => {},
  },
  delays: {
    registerRetry: ({ context }) => doubling(context.timing.registerRetryMs, context.timing.registerRetryMaxMs, context.failures),
    leaseRenew: ({ context }) => context.timing.leaseRenewMs,
    leaseRetry: ({ context }) => doubling(context.timing.leaseRetryMs, context.timing.leaseRetryMaxMs, context.leaseFailures),
    statusEvery: ({ context }) => context.timing.statusEveryMs,
  },
}).createMachine({
  id: 'kubelet',
  context: ({ input }) => ({ timing: { ...DEFAULT_TIMING, ...input.timing }, failures: 0, leaseFailures: 0, lastError: null }),
  initial: 'registering',
  on: {
    'api.watch-events': { actions: { type: 'onWatch', params: routed } },
    'api.watch-ended': { actions: { type: 'onWatch', params: routed } },
    'kubelet.logs': { actions: { type: 'onLogs', params: routed } },
    'kubelet.logs-stop': { actions: { type: 'onLogs', params: routed } },
    'kubelet.stats': { actions: { type: 'onStats', params: routed } },
    'kubelet.stream-open': { actions: { type: 'onStreams', params: routed } },
    'kubelet.stream-data': { actions: { type: 'onStreams', params: routed } },
    'kubelet.stream-credit': { actions: { type: 'onStreams', params: routed } },
    'kubelet.stream-close': { actions: { type: 'onStreams', params: routed } },
    'kubelet.stream-resize': { actions: { type: 'onStreams', params: routed } },
    'kubelet.stream-cancel': { actions: { type: 'onStreams', params: routed } },
    'kubelet.stop': '.stopping',
  },
  states: {
    registering: {
      entry: 'register',
      on: {
        'kubelet.registered': { target: 'ready', actions: assign({ failures: 0, lastError: null }) },
        'kubelet.register-failed': {
          target: 'backoff',
          actions: assign(({ context, event }) => ({ failures: context.failures + 1, lastError: event.error })),
        },
      },
    },
    backoff: { after: { registerRetry: 'registering' } },
    ready: {
      entry: 'startPods',
      type: 'parallel',
      states: {
        lease: {
          initial: 'renewing',
          states: {
            renewing: {
              entry: 'renewLease',
              on: {
                'kubelet.lease-renewed': { target: 'waiting', actions: assign({ leaseFailures: 0 }) },
                'kubelet.lease-failed': {
                  target: 'retrying',
                  actions: assign(({ context, event }) => ({ leaseFailures: context.leaseFailures + 1, lastError: event.error })),
                },
              },
            },
            waiting: { after: { leaseRenew: 'renewing' } },
            retrying: { after: { leaseRetry: 'renewing' } },
          },
        },
        status: {
          initial: 'waiting',
          states: {
            waiting: { after: { statusEvery: 'syncing' } },
            syncing: {
              entry: 'syncNodeStatus',
              on: {
                'kubelet.status-synced': 'waiting',
                // The next period tries again (kubelet retries within the period; the next one comes soon enough).
                'kubelet.status-failed': { target: 'waiting', actions: assign(({ event }) => ({ lastError: event.error })) },
              },
            },
          },
        },
      },
    },
    stopping: { entry: 'stopPods', type: 'final' },
  },
});

export type KubeletMachine = typeof kubeletMachine;
