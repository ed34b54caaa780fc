import { assign, fromPromise, setup } from 'xstate';

/** What the DNS server is and where it listens (the inspector shows it). */
export interface DnsContext {
  /** The cluster domain served. */
  zone: string;
  /** The control-plane loopback address and port the server binds (UDP and TCP). */
  listen: { host: string; port: number };
  /** The kube-dns Service's ClusterIP (the 10th address of the Service range). */
  clusterIP: string;
  /** Whether the sockets are bound. */
  listening: boolean;
  /** The bound metrics port (9153 unless a test chose another). */
  metricsPort: number;
  /** Consecutive failed publications of the kube-dns Service and EndpointSlice. */
  failures: number;
  lastError: string | null;
}

export type DnsEvent =
  /** The sockets are bound (UDP and TCP on `port`; metrics on `metricsPort`). */
  | { type: 'dns.listening'; port: number; metricsPort: number }
  /** A socket could not be bound: cluster DNS is not served. */
  | { type: 'dns.listen-failed'; error: string }
  /** The kube-dns Service or its EndpointSlice changed or went away: publish them again. */
  | { type: 'dns.objects-changed' }
  | { type: 'dns.stop' };

/** What `publish` is given: where the server listens and whether it does. */
export interface PublishInput {
  listening: boolean;
  port: number;
  metricsPort: number;
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** First retry of a failed publication, doubling up to 30 s. */
export const PUBLISH_RETRY_MS = 1_000;
const PUBLISH_RETRY_MAX_MS = 30_000;

/**
 * The cluster DNS server's lifecycle (actors/dns/ holds the sockets and the answers).
 *
 * binding — the actor binds UDP and TCP on the control plane's DNS address (an effect outside
 *   the chart, its outcome told as `dns.listening` or `dns.listen-failed`, so a recording
 *   replays it). Refused (the reason in lastError, `listening` false) the server still
 *   publishes, its endpoint not ready, so kube-proxy refuses kube-dns connections at once.
 * serving.publishing — `publish` makes sure the kube-dns Service (in kube-system, at its
 *   fixed ClusterIP) and an EndpointSlice pointing at the listen address exist; on an
 *   apiserver error it retries after a doubling delay (`backoff`); once `published` it
 *   publishes again whenever those objects change (`dns.objects-changed`).
 * stopped — `dns.stop`: `close` ends the sockets.
 */
export const dnsChart = setup({
  types: { context: {} as DnsContext, events: {} as DnsEvent, input: {} as Omit<DnsContext, 'failures' | 'lastError' | 'listening' | 'metricsPort'> },
  actions: {
    /** Closes the sockets. */
    close: () => {},
  },
  actors: {
    /** Creates or repairs the kube-dns Service and EndpointSlice; rejects on an apiserver error. */
    publish: fromPromise<void, PublishInput>(async () => {}),
  },
  delays: {
    publishRetry: ({ context }) => Math.min(PUBLISH_RETRY_MAX_MS, PUBLISH_RETRY_MS * 2 ** Math.max(0, context.failures - 1)),
  },
}).createMachine({
  id: 'dns',
  context: ({ input }) => ({ ...input, listening: false, metricsPort: 0, failures: 0, lastError: null }),
  initial: 'binding',
  on: { 'dns.stop': '.stopped' },
  states: {
    binding: {
      on: {
        'dns.listening': {
          target: 'serving',
          actions: assign(({ context, event }) => ({ listening: true, listen: { ...context.listen, port: event.port }, metricsPort: event.metricsPort })),
        },
        'dns.listen-failed': { target: 'serving', actions: assign(({ event }) => ({ lastError: event.error })) },
      },
    },
    serving: {
      initial: 'publishing',
      states: {
        publishing: {
          invoke: {
            src: 'publish',
            input: ({ context }) => ({ listening: context.listening, port: context.listen.port, metricsPort: context.metricsPort }),
            onDone: { target: 'published', actions: assign({ failures: 0 }) },
            onError: {
              target: 'backoff',
              actions: assign(({ context, event }) => ({ failures: context.failures + 1, lastError: errorText(event.error) })),
            },
          },
        },
        backoff: { after: { publishRetry: 'publishing' } },
        published: { on: { 'dns.objects-changed': 'publishing' } },
      },
    },
    stopped: { entry: 'close', type: 'final' },
  },
});

export type DnsChart = typeof dnsChart;
