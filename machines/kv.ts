import { assign, setup } from 'xstate';
import type { Envelope } from '../base/envelope.ts';

/** An envelope as the kv chart receives it: the bus delivers the envelope itself as the event. */
export type KvEnvelope<T extends string = string, P = unknown> = Envelope<P> & { type: T };

export type KvRequestType = 'kv.get' | 'kv.range' | 'kv.txn' | 'kv.watch' | 'kv.unwatch' | 'kv.compact' | 'kv.status';

/** Envelopes, plus the facts effects report back (camelCase: never a bus message type). */
export type KvChartEvent =
  | KvEnvelope<'kv.get' | 'kv.range' | 'kv.txn' | 'kv.compact' | 'kv.status'>
  | KvEnvelope<'kv.watch', { id: string; prefix: string; afterRevision: number }>
  | KvEnvelope<'kv.unwatch', { id: string }>
  /** An effect reports that a watch is over: the store ended it, or it never started (`notify` false: the watcher got an error reply already). */
  | { type: 'watchEnded'; key: string; code: number; reason: string; notify: boolean }
  /** A liveness probe found no actor at a watcher's address any more. */
  | { type: 'watcherGone'; address: string }
  /** The host is shutting the kv actor down. */
  | { type: 'stop' };

/** One watch the chart holds; `key` identifies it as (watcher address, watch id). */
export interface KvWatch {
  key: string;
  from: string;
  id: string;
  prefix: string;
  afterRevision: number;
}

export interface KvContext {
  watches: Record<string, KvWatch>;
  /** Requests received, by message type. */
  counts: Record<KvRequestType, number>;
  watchesOpened: number;
  watchesEnded: number;
}

/** Watch ids are the watcher's own; two watchers may use the same id. */
export const watchKey = (from: string, id: string): string => `${from}#${id}`;

const zeroCounts = (): Record<KvRequestType, number> => ({
  'kv.get': 0,
  'kv.range': 0,
  'kv.txn': 0,
  'kv.watch': 0,
  'kv.unwatch': 0,
  'kv.compact': 0,
  'kv.status': 0,
});

/**
 * `counts` with one more request of `type`, as a literal of one shape: the spread with a
 * computed key it replaces was 1–2 % of a density log's replay (every kv request counts).
 */
const countOne = (c: Record<KvRequestType, number>, type: KvRequestType): Record<KvRequestType, number> => ({
  'kv.get': c['kv.get'] + (type === 'kv.get' ? 1 : 0),
  'kv.range': c['kv.range'] + (type === 'kv.range' ? 1 : 0),
  'kv.txn': c['kv.txn'] + (type === 'kv.txn' ? 1 : 0),
  'kv.watch': c['kv.watch'] + (type === 'kv.watch' ? 1 : 0),
  'kv.unwatch': c['kv.unwatch'] + (type === 'kv.unwatch' ? 1 : 0),
  'kv.compact': c['kv.compact'] + (type === 'kv.compact' ? 1 : 0),
  'kv.status': c['kv.status'] + (type === 'kv.status' ? 1 : 0),
});

/**
 * The kv actor: etcd's role. It starts `serving` and answers every kv.* request through
 * a named effect (`get`, `range`, `txn`, `watch`, `unwatch`, `compact`, `status`) that
 * actors/kv/actor.ts provides on top of a storage backend; the chart decides which effect
 * runs and owns the set of open watches. A kv.watch whose id the sender already uses is
 * refused; otherwise the watch is recorded at once (so a racing duplicate is caught) and
 * dropped again when the watcher unwatches, when the store ends it (`watchEnded`:
 * compacted past it, or it failed to start) or when a periodic probe finds the watcher's
 * address gone (`watcherGone`). `stop` moves to `stopped`, a final state whose entry
 * ends every remaining watch, telling each watcher.
 */
export const kvMachine = setup({
  types: {} as { context: KvContext; events: KvChartEvent },
  actions: {
    get: () => {},
    range: () => {},
    txn: () => {},
    watch: () => {},
    refuseWatch: () => {},
    unwatch: () => {},
    compact: () => {},
    status: () => {},
    /** Ends one watch's effects; tells the watcher when the event says so. */
    endWatch: () => {},
    /** Cancels every watch of a vanished watcher (the context still lists them when it runs). */
    dropWatcher: () => {},
    /** Asks each watcher address whether it is still there. */
    probeWatchers: () => {},
    /** Ends every open watch, telling each watcher (the context still lists them when it runs). */
    endAllWatches: () => {},
    count: assign({
      counts: ({ context, event }) => (event.type in context.counts ? countOne(context.counts, event.type as KvRequestType) : context.counts),
    }),
    addWatch: assign(({ context, event }) => {
      if (event.type !== 'kv.watch') return {};
      const { id, prefix, afterRevision } = event.payload;
      const key = watchKey(event.from, id);
      return { watches: { ...context.watches, [key]: { key, from: event.from, id, prefix, afterRevision } }, watchesOpened: context.watchesOpened + 1 };
    }),
    removeWatch: assign(({ context, event }) => {
      const key = event.type === 'kv.unwatch' ? watchKey(event.from, event.payload.id) : event.type === 'watchEnded' ? event.key : null;
      if (key === null || !(key in context.watches)) return {};
      const { [key]: _gone, ...watches } = context.watches;
      return { watches, watchesEnded: context.watchesEnded + 1 };
    }),
    removeWatcher: assign(({ context, event }) => {
      if (event.type !== 'watcherGone') return {};
      const gone = Object.values(context.watches).filter((w) => w.from === event.address);
      const watches = Object.fromEntries(Object.entries(context.watches).filter(([, w]) => w.from !== event.address));
      return { watches, watchesEnded: context.watchesEnded + gone.length };
    }),
    clearWatches: assign(({ context }) => ({ watches: {}, watchesEnded: context.watchesEnded + Object.keys(context.watches).length })),
  },
  guards: {
    watchIdInUse: ({ context, event }) => event.type === 'kv.watch' && watchKey(event.from, event.payload.id) in context.watches,
    knownWatch: ({ context, event }) =>
      (event.type === 'kv.unwatch' && watchKey(event.from, event.payload.id) in context.watches) ||
      (event.type === 'watchEnded' && event.key in context.watches),
    hasWatches: ({ context }) => Object.keys(context.watches).length > 0,
  },
  delays: {
    /** How often watcher addresses are probed for liveness. */
    probeInterval: 30_000,
  },
}).createMachine({
  id: 'kv',
  context: { watches: {}, counts: zeroCounts(), watchesOpened: 0, watchesEnded: 0 },
  initial: 'serving',
  states: {
    serving: {
      after: {
        probeInterval: [
          { guard: 'hasWatches', target: 'serving', reenter: true, actions: 'probeWatchers' },
          { target: 'serving', reenter: true },
        ],
      },
      on: {
        'kv.get': { actions: ['count', 'get'] },
        'kv.range': { actions: ['count', 'range'] },
        'kv.txn': { actions: ['count', 'txn'] },
        'kv.compact': { actions: ['count', 'compact'] },
        'kv.status': { actions: ['count', 'status'] },
        'kv.watch': [
          { guard: 'watchIdInUse', actions: ['count', 'refuseWatch'] },
          { actions: ['count', 'addWatch', 'watch'] },
        ],
        'kv.unwatch': [{ guard: 'knownWatch', actions: ['count', 'unwatch', 'removeWatch'] }, { actions: 'count' }],
        'watchEnded': { guard: 'knownWatch', actions: ['endWatch', 'removeWatch'] },
        'watcherGone': { actions: ['dropWatcher', 'removeWatcher'] },
        'stop': 'stopped',
      },
    },
    stopped: {
      type: 'final',
      entry: ['endAllWatches', 'clearWatches'],
    },
  },
});

export type KvMachine = typeof kvMachine;
