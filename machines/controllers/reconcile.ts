import { assign, enqueueActions, fromPromise, setup } from 'xstate';
import { add, done, emptyQueue, failed, forget, hasWork, retryDelay, take, type WorkQueue } from './queue.ts';
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
    add: assign(({ context, event }) => (event.type === 'enqueue' || event.type === 'due' ? add(context, event.key) : {})),
    countDue: assign(({ context, event }) => (event.type === 'due' ? { waiting: Math.max(0, context.waiting - 1) } : {})),
    take: assign(({ context }) => take(context)),
  },
  actors: {
    /** The controller's sync of one key; rejects to be retried with backoff. */
    sync: fromPromise<SyncResult | void, { key: string }>(async () => {}),
  },
  guards: {
    hasWork: ({ context }) => hasWork(context),
    waiting: ({ context }) => context.waiting > 0,
  },
}).createMachine({
  id: 'reconcile',
  context: { ...emptyQueue(), syncs: 0, lastError: null },
  entry: 'attach',
  initial: 'starting',
  on: {
    enqueue: { actions: 'add' },
    enqueueAfter: {
      actions: enqueueActions(({ event, enqueue, context }) => {
        enqueue.assign({ waiting: context.waiting + 1 });
        enqueue.raise({ type: 'due', key: event.key }, { delay: Math.max(0, event.delayMs) });
      }),
    },
    due: { actions: ['countDue', 'add'] },
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
        enqueue: { actions: 'add', target: 'next' },
        due: { actions: ['countDue', 'add'], target: 'next' },
      },
    },
    backoff: {
      on: {
        enqueue: { actions: 'add', target: 'next' },
        due: { actions: ['countDue', 'add'], target: 'next' },
      },
    },
    syncing: {
      entry: 'take',
      invoke: {
        src: 'sync',
        input: ({ context }) => ({ key: context.current ?? '' }),
        onDone: {
          target: 'next',
          actions: enqueueActions(({ context, event, enqueue }) => {
            const key = context.current ?? '';
            const after = event.output?.requeueAfter;
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
            if (isTerminal(event.error)) {
              enqueue({ type: 'reportTerminal', params: { key, error } });
              enqueue.assign({ ...done(forget(context, key)), syncs: context.syncs + 1, lastError: error });
              return;
            }
            const counted = failed(context, key);
            enqueue({ type: 'reportError', params: { key, error } });
            enqueue.assign({ ...done(counted), waiting: counted.waiting + 1, syncs: context.syncs + 1, lastError: error });
            enqueue.raise({ type: 'due', key }, { delay: retryDelay(counted, key) });
          }),
        },
      },
    },
  },
});

export type ReconcileMachine = typeof reconcileMachine;
