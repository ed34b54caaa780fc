import { assertEvent, assign, setup } from 'xstate';

/** What the factory knows of one shared informer (the inspector and `replay --at` show it). */
export interface InformerState {
  /** "group/resource" ("core/pods" for the core group). */
  resource: string;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Whether the first list is in the cache. */
  synced: boolean;
  /** The last resourceVersion seen (list, event or bookmark). */
  resourceVersion: string;
  /** How many lists were made (a re-list after a lost watch counts). */
  lists: number;
  /** How many handler sets are subscribed. */
  subscribers: number;
  /** How many objects the cache holds. */
  objects: number;
}

export interface InformersContext {
  /** By informer key (resource, namespace and selectors). */
  informers: Record<string, InformerState>;
}

export type InformersEvent =
  /** An informer was created, listed, followed a watch batch, or gained or lost a subscriber. */
  { type: 'informer.changed'; key: string; state: InformerState };

/**
 * The shared informer factory of a process (actors/informers/). It holds one informer per
 * (resource, namespace, label selector, field selector), whatever the number of components
 * asking. The effects (the informers' lists, watches and caches; calling the subscribers'
 * handlers) live in actors/; this chart holds what they amount to: each informer's state,
 * reported by `informer.changed`. One state, `running`; a restart starts from the state the
 * factory carried over (its caches survive; the informers re-list and report the difference).
 */
export const informersChart = setup({
  types: { context: {} as InformersContext, events: {} as InformersEvent, input: {} as InformersContext },
  actions: {
    record: assign(({ context, event }) => {
      assertEvent(event, 'informer.changed');
      return { informers: { ...context.informers, [event.key]: event.state } };
    }),
  },
}).createMachine({
  id: 'informers',
  context: ({ input }) => ({ informers: { ...input.informers } }),
  initial: 'running',
  states: {
    running: { on: { 'informer.changed': { actions: 'record' } } },
  },
});
