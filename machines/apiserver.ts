/**
 * The apiserver's lifecycle chart.
 *
 * starting — `boot` ensures the default namespaces, primes the watch cache from one range
 *   read and starts the one kv watch over /registry/; requests that arrive meanwhile are
 *   deferred (Kubernetes answers only once its caches are ready). A failed boot retries
 *   after `retryDelay`.
 * serving — every api.* request is handed to `handleRequest`; verbs run concurrently and
 *   answer on their own. kv.events feed the cache in every state. A periodic tick sends
 *   bookmarks and drops watchers whose address went away.
 * degraded — the kv watch ended (store restarted, compaction, kv unreachable), a kv batch did
 *   not continue the cache's revision (one was lost on the bus), or `apiserver.resync` said
 *   the cache may have missed events (the bus reconnected, or a consistent read found it
 *   behind storage; `followStaleness` arranges for that event on entering serving):
 *   requests are deferred while `reprime` resumes the watch from the cache's revision or
 *   rebuilds the cache; then back to serving. When that fails (storage unreachable) the
 *   deferred requests and every new one are answered 503 at once until a retry succeeds,
 *   instead of hanging until their timeout.
 * stopping — open watches are ended and deferred requests answered 503; final.
 *
 * The chart is pure: every effect is an action or actor injected by name (actors/apiserver/).
 */
import { assign, fromPromise, setup } from 'xstate';
import type { Envelope } from '../base/envelope.ts';

/** What the chart reads of an envelope the host delivers. */
type Delivered<T extends string> = Pick<Envelope, 'from' | 'corr' | 'payload'> & { type: T };

/** A request envelope as the host delivers it (type `api.<verb>`). */
export type ApiRequestEvent = Delivered<`api.${string}`>;

export type ApiServerEvent =
  | ApiRequestEvent
  | Delivered<'kv.events'>
  | Delivered<'kv.watch-ended'>
  | { type: 'apiserver.stop' }
  /** The cache may have missed kv events (see `followStaleness`). */
  | { type: 'apiserver.resync' };

export interface ApiServerContext {
  /** Consecutive failed boots or re-primes (for the logs and the inspector). */
  failures: number;
  lastError: string | null;
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export const apiserverMachine = setup({
  types: {
    context: {} as ApiServerContext,
    events: {} as ApiServerEvent,
  },
  actions: {
    /** Runs one request (any verb) against storage and the cache; answers on its own. */
    handleRequest: (_, _params: { event: ApiServerEvent }) => {},
    /** Keeps a request until the cache is ready again. */
    deferRequest: (_, _params: { event: ApiServerEvent }) => {},
    /** Hands every deferred request to handleRequest. */
    flushDeferred: () => {},
    /** Answers one request 503: storage is unreachable. */
    refuseRequest: (_, _params: { event: ApiServerEvent }) => {},
    /** Answers every deferred request 503. */
    refuseDeferred: () => {},
    /** Arranges that `apiserver.resync` is sent to the chart whenever the cache may have missed kv events. */
    followStaleness: () => {},
    /** Applies a batch of kv watch events to the cache (and so to the watchers). */
    applyKvEvents: (_, _params: { event: ApiServerEvent }) => {},
    /** Periodic: bookmarks to watchers that asked for them; drops watchers whose address is gone. */
    tick: () => {},
    /** Ends open watches and answers deferred requests with 503. */
    shutdown: () => {},
    recovered: assign({ failures: 0, lastError: null }),
  },
  guards: {
    /** The ended kv watch is the one feeding the cache (not an old incarnation's). */
    isCurrentWatch: (_, _params: { event: ApiServerEvent }) => true,
    /** A kv batch of the current watch that does not continue the cache's revision. */
    isGapped: (_, _params: { event: ApiServerEvent }) => false,
  },
  actors: {
    boot: fromPromise<void>(async () => {}),
    reprime: fromPromise<void>(async () => {}),
  },
  delays: {
    retryDelay: 1000,
    tickEvery: 60_000,
  },
}).createMachine({
  id: 'apiserver',
  context: { failures: 0, lastError: null },
  initial: 'starting',
  on: {
    'kv.events': { actions: { type: 'applyKvEvents', params: ({ event }) => ({ event }) } },
    'apiserver.stop': '.stopping',
  },
  states: {
    starting: {
      invoke: {
        src: 'boot',
        onDone: { target: 'serving', actions: 'recovered' },
        onError: {
          target: 'retrying',
          actions: assign(({ context, event }) => ({ failures: context.failures + 1, lastError: errorText(event.error) })),
        },
      },
      on: { 'api.*': { actions: { type: 'deferRequest', params: ({ event }) => ({ event }) } } },
    },
    retrying: {
      after: { retryDelay: 'starting' },
      on: { 'api.*': { actions: { type: 'deferRequest', params: ({ event }) => ({ event }) } } },
    },
    serving: {
      entry: ['followStaleness', 'flushDeferred'],
      initial: 'live',
      states: {
        live: { after: { tickEvery: { target: 'live', reenter: true, actions: 'tick' } } },
      },
      on: {
        'api.*': { actions: { type: 'handleRequest', params: ({ event }) => ({ event }) } },
        'kv.watch-ended': { target: 'degraded', guard: { type: 'isCurrentWatch', params: ({ event }) => ({ event }) } },
        // A gapped batch is not applied: the resumed watch replays it from the cache's revision.
        'kv.events': { target: 'degraded', guard: { type: 'isGapped', params: ({ event }) => ({ event }) } },
        'apiserver.resync': 'degraded',
      },
    },
    degraded: {
      invoke: {
        src: 'reprime',
        onDone: { target: 'serving', actions: 'recovered' },
        onError: {
          target: 'degradedRetry',
          actions: assign(({ context, event }) => ({ failures: context.failures + 1, lastError: errorText(event.error) })),
        },
      },
      on: { 'api.*': { actions: { type: 'deferRequest', params: ({ event }) => ({ event }) } } },
    },
    degradedRetry: {
      entry: 'refuseDeferred',
      after: { retryDelay: 'degraded' },
      on: { 'api.*': { actions: { type: 'refuseRequest', params: ({ event }) => ({ event }) } } },
    },
    stopping: { entry: 'shutdown', type: 'final' },
  },
});

export type ApiServerMachine = typeof apiserverMachine;
