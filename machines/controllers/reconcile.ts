import { assign, enqueueActions, fromPromise, setup } from 'xstate';
import { add, append, done, emptyQueue, failed, forget, hasWork, isQueued, retryDelay, take, type WorkQueue } from './queue.ts';
import { isTerminal } from './terminal.ts';

/** What a controller's sync may ask for besides success: to look at the key again later. */
export interface SyncResult {
  /** Queue the key again after this many ms (client-go's AddAfter), e.g. minReadySeconds. */
  requeueAfter?: number;
}

export type ReconcileEvent =
  /** Informer caches are filled: syncing may start (WaitForCacheSync). */
  | { type: 'synced' }
  /** Queue `key` now (deduplicated). */
  | { type: 'enqueue'; key: string }
  /** Queue `key` after `delayMs` on the actor's clock. */
  | { type: 'enqueueAfter'; key: string; delayMs: number }
  /** A delayed key (retry or enqueueAfter) came due. */
  | { type: 'due'; key: string };

export interface ReconcileContext extends WorkQueue {
  /** Syncs finished, successful or not (for inspection and specs). */
  syncs: number;
  lastError: string | null;
}

/** The key an enqueue or due event carries (the `queued` effect's params). */
const keyOf = ({ event }: { event: ReconcileEvent }): { key: string } => ({ key: 'key' in event ? event.key : '' });

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * The generic reconcile loop of every controller (Kubernetes' processNextWorkItem).
 *
 * starting — informer handlers already queue keys, but nothing is synced until `synced`
 *   (the caches are filled; a sync on an empty cache would see everything as NotFound).
 * idle — nothing queued, nothing waiting.
 * syncing — the oldest key is taken and `sync(key)` runs; one sync at a time, so never two
 *   for one key. Success forgets the key's failures (and may ask for a later look);
 *   failure re-queues the key after 5 ms · 2^(failures − 1), up to 1000 s; a terminal
 *   failure (terminal.ts) is reported and the key forgotten, not retried.
 * backoff — nothing queued, but retries are pending on the clock.
 *
 * The workqueue's counts (client-go's workqueue metrics: adds, gets, dones, retries) are
 * named effects — queued, taken, finished, retried — the actor layer implements.
 *
 * Keys arrive in every state; a key queued twice is synced once, and a key queued while
 * it syncs is synced again afterwards (level-triggered: the second sync sees the newest cache).
 */
export const reconcileMachine = setup({
  types: {
    context: {} as ReconcileContext,
    events: {} as ReconcileEvent,
  },
  actions: {
    /** Lets the actor layer send events to this chart (informer handlers run outside it). */
    attach: () => {},
    /** Reports a failed sync (the actor layer logs it). */
    reportError: (_, _p: { key: string; error: string }) => {},
    /** Reports a terminal failure: the key is not retried (the actor layer logs it). */
    reportTerminal: (_, _p: { key: string; error: string }) => {},
    /** A key went into the queue (not one queued already): client-go's workqueue counts an add. */
    queued: (_, _p: { key: string }) => {},
    /** The key was taken for a sync (a Get). */
    taken: (_, _p: { key: string }) => {},
    /** The key's sync ended, successful or not (a Done). */
    finished: (_, _p: { key: string }) => {},
    /** The key goes back after its backoff (an AddRateLimited). */
    retried: (_, _p: { key: string }) => {},
    add: assign(({ context, event }) => (event.type === 'enqueue' || event.type === 'due' ? add(context, event.key) : {})),
    /** `add` after the queuedAlready guard said no: one scan of the queue per key, not two. */
    append: assign(({ context, event }) => (event.type === 'enqueue' || event.type === 'due' ? append(context, event.key) : {})),
    countDue: assign(({ context, event }) => (event.type === 'due' ? { waiting: Math.max(0, context.waiting - 1) } : {})),
    take: assign(({ context }) => take(context)),
  },
  actors: {
    /** The controller's sync of one key; rejects to be retried with backoff. */
    sync: fromPromise<SyncResult | void, { key: string }>(async () => {}),
  },
  guards: {
    hasWork: ({ context }) => hasWork(context),
    /** The key is queued already (or marked to go again): adding it changes nothing. */
    queuedAlready: ({ context, event }) => (event.type === 'enqueue' || event.type === 'due') && isQueued(context, event.key),
    waiting: ({ context }) => context.waiting > 0,
  },
}).createMachine({
  id: 'reconcile',
  context: { ...emptyQueue(), syncs: 0, lastError: null },
  entry: 'attach',
  initial: 'starting',
  on: {
    enqueue: [{ guard: 'queuedAlready' }, { actions: ['append', { type: 'queued', params: keyOf }] }],
    enqueueAfter: {
      actions: enqueueActions(({ event, enqueue, context }) => {
        enqueue.assign({ waiting: context.waiting + 1 });
        enqueue.raise({ type: 'due', key: event.key }, { delay: Math.max(0, event.delayMs) });
      }),
    },
    due: [{ guard: 'queuedAlready', actions: 'countDue' }, { actions: ['countDue', 'append', { type: 'queued', params: keyOf }] }],
  },
  states: {
    starting: {
      on: { synced: 'next' },
    },
    next: {
      always: [{ guard: 'hasWork', target: 'syncing' }, { guard: 'waiting', target: 'backoff' }, { target: 'idle' }],
    },
    idle: {
      on: {
        enqueue: { actions: ['add', { type: 'queued', params: keyOf }], target: 'next' },
        due: { actions: ['countDue', 'add', { type: 'queued', params: keyOf }], target: 'next' },
      },
    },
    backoff: {
      on: {
        enqueue: { actions: ['add', { type: 'queued', params: keyOf }], target: 'next' },
        due: { actions: ['countDue', 'add', { type: 'queued', params: keyOf }], target: 'next' },
      },
    },
    syncing: {
      entry: ['take', { type: 'taken', params: ({ context }) => ({ key: context.current ?? '' }) }],
      invoke: {
        src: 'sync',
        input: ({ context }) => ({ key: context.current ?? '' }),
        onDone: {
          target: 'next',
          actions: enqueueActions(({ context, event, enqueue }) => {
            const key = context.current ?? '';
            const after = event.output?.requeueAfter;
            enqueue({ type: 'finished', params: { key } });
            enqueue.assign({ ...done(forget(context, key)), syncs: context.syncs + 1, lastError: null });
            if (after !== undefined && after >= 0) {
              enqueue.assign(({ context: c }) => ({ waiting: c.waiting + 1 }));
              enqueue.raise({ type: 'due', key }, { delay: after });
            }
          }),
        },
        onError: {
          target: 'next',
          actions: enqueueActions(({ context, event, enqueue }) => {
            const key = context.current ?? '';
            const error = errorText(event.error);
            enqueue({ type: 'finished', params: { key } });
            if (isTerminal(event.error)) {
              enqueue({ type: 'reportTerminal', params: { key, error } });
              enqueue.assign({ ...done(forget(context, key)), syncs: context.syncs + 1, lastError: error });
              return;
            }
            const counted = failed(context, key);
            enqueue({ type: 'reportError', params: { key, error } });
            enqueue({ type: 'retried', params: { key } });
            enqueue.assign({ ...done(counted), waiting: counted.waiting + 1, syncs: context.syncs + 1, lastError: error });
            enqueue.raise({ type: 'due', key }, { delay: retryDelay(counted, key) });
          }),
        },
      },
    },
  },
});

export type ReconcileMachine = typeof reconcileMachine;
