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
  /** Consecutive failed publications of the kube-dns Service and EndpointSlice. */
  failures: number;
  lastError: string | null;
}

export type DnsEvent =
  /** The kube-dns Service or its EndpointSlice changed or went away: publish them again. */
  | { type: 'dns.objects-changed' }
  | { type: 'dns.stop' };

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** First retry of a failed publication, doubling up to 30 s. */
export const PUBLISH_RETRY_MS = 1_000;
const PUBLISH_RETRY_MAX_MS = 30_000;

/**
 * The cluster DNS server's lifecycle (actors/dns/ holds the sockets and the answers).
 *
 * binding — `listen` binds UDP and TCP on the control plane's DNS address. Refused (the
 *   reason in lastError, `listening` false) the server still publishes, with its endpoint
 *   not ready, so kube-proxy refuses kube-dns connections instead of sending them nowhere.
 * serving.publishing — `publish` makes sure the kube-dns Service (in kube-system, at its
 *   fixed ClusterIP) and an EndpointSlice pointing at the listen address exist; on an
 *   apiserver error it retries after a doubling delay (`backoff`); once `published` it
 *   publishes again whenever those objects change (`dns.objects-changed`).
 * stopped — `dns.stop`: `close` ends the sockets.
 */
export const dnsChart = setup({
  types: { context: {} as DnsContext, events: {} as DnsEvent, input: {} as Omit<DnsContext, 'failures' | 'lastError' | 'listening'> },
  actions: {
    /** Closes the sockets. */
    close: () => {},
  },
  actors: {
    /** Binds the UDP and TCP sockets; rejects with the bind error. */
    listen: fromPromise<void>(async () => {}),
    /** Creates or repairs the kube-dns Service and EndpointSlice; rejects on an apiserver error. */
    publish: fromPromise<void>(async () => {}),
  },
  delays: {
    publishRetry: ({ context }) => Math.min(PUBLISH_RETRY_MAX_MS, PUBLISH_RETRY_MS * 2 ** Math.max(0, context.failures - 1)),
  },
}).createMachine({
  id: 'dns',
  context: ({ input }) => ({ ...input, listening: false, failures: 0, lastError: null }),
  initial: 'binding',
  on: { 'dns.stop': '.stopped' },
  states: {
    binding: {
      invoke: {
        src: 'listen',
        onDone: { target: 'serving', actions: assign({ listening: true }) },
        onError: { target: 'serving', actions: assign(({ event }) => ({ lastError: errorText(event.error) })) },
      },
    },
    serving: {
      initial: 'publishing',
      states: {
        publishing: {
          invoke: {
            src: 'publish',
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
