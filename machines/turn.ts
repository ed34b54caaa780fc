import { assertEvent, assign, setup } from 'xstate';

/** What the recorder and the replayer tell the turn chart. */
export type TurnEvent =
  /** An entry is appended: starts a turn unless one is running. */
  | { type: 'entry' }
  /** A recorded turn is about to be fed: whether it holds bus deliveries, and whether the turn after it is bus deliveries the bus would drain. */
  | { type: 'feed'; hasDeliveries: boolean; drainNext: boolean }
  /** The next recorded turn is due (its drain ran, or the loop idled) and the replayer paces it before feeding it. */
  | { type: 'due' }
  /** The fed turn's last delivery was fed. */
  | { type: 'allDelivered' }
  /** A replayed actor sent a message on the bus. */
  | { type: 'send' }
  /** The microtask queued at the turn's start ran: the synchronous run is over. */
  | { type: 'turnEnded' }
  /**
   * A replayed actor made, from a continuation, the call with which the next recorded turn
   * starts (a kubelet handed a pod its delete): that turn is fed now, inside the caller's run,
   * as live it ran there — not once the loop idled.
   */
  | { type: 'pull' };

export interface TurnContext {
  /** The number of the current (or last) turn; 0 before the first. */
  turn: number;
  /** Whether the fed turn's deliveries are all in: a send before its last delivery was part of the same drain. */
  delivered: boolean;
  /** Whether the turn after the fed one is bus deliveries that a send would queue as the bus's next drain. */
  drainNext: boolean;
}

/** A recorded turn starts to be fed. */
const feeding = { target: 'inTurn', actions: ['startTurn', 'expectFeed', 'endAtMicrotask'] } as const;

/**
 * The turn chart: the synchronous runs ("turns") of a process on the in-process bus, as the
 * recorder numbers them and the replayer re-creates them.
 *
 * A turn is one synchronous run: everything appended or fed with no microtask between them
 * shares it (`LogEntry.turn`). Its first entry starts it (`entry`, or `feed` for a recorded
 * turn the replayer is about to feed) and queues a microtask (`endAtMicrotask`) whose running
 * (`turnEnded`) ends it. What runs next is either the bus's drain — the bus queues it as a
 * microtask at the first send after its last delivery — or whatever the event loop runs
 * once it idled. The replayer reproduces that: once the fed turn's last delivery is in
 * (`allDelivered`), a replayed actor's `send` queues the next recorded turn as a microtask
 * (`queueDrain`) when that turn is bus deliveries (`drainNext`); otherwise the next turn is
 * fed after the loop idled (`waitForIdle`) — unless a replayed actor's continuation makes the
 * call that turn starts with first (`pull`): then it is fed at once, in that continuation.
 * The recorder sends only `entry` and `turnEnded`.
 *
 * States: `idle` (no turn; the next comes from the event loop), `inTurn` (a turn is running;
 * `open`, or `drainQueued` once a send queued the next one), `drainQueued` (the turn is
 * over and the next is the queued drain), `due` (the next recorded turn is due and paced:
 * sends queue nothing until it is fed).
 */
export const turnMachine = setup({
  types: { context: {} as TurnContext, events: {} as TurnEvent },
  actions: {
    /** Effect: queue a microtask that sends `turnEnded`. */
    endAtMicrotask: () => {},
    /** Effect: the next recorded turn is fed in a microtask (the bus's drain). */
    queueDrain: () => {},
    /** Effect: the next recorded turn is fed once the event loop idled. */
    waitForIdle: () => {},
    /** Effect: forget the `waitForIdle` wait (a drain comes first). */
    cancelIdle: () => {},
    startTurn: assign(({ context }) => ({ turn: context.turn + 1, delivered: true, drainNext: false })),
    expectFeed: assign(({ event }) => {
      assertEvent(event, 'feed');
      return { delivered: !event.hasDeliveries, drainNext: event.drainNext };
    }),
    markDelivered: assign({ delivered: true }),
  },
  guards: {
    /** Every delivery of the fed turn is in and the next turn is bus deliveries: a send now starts the bus's next drain. */
    drainArmed: ({ context }) => context.delivered && context.drainNext,
  },
}).createMachine({
  id: 'turn',
  context: { turn: 0, delivered: true, drainNext: false },
  initial: 'idle',
  states: {
    idle: {
      on: {
        entry: { target: 'inTurn', actions: ['startTurn', 'endAtMicrotask'] },
        feed: feeding,
        send: { guard: 'drainArmed', target: 'drainQueued', actions: ['cancelIdle', 'queueDrain'] },
        // The replayer feeds the pulled turn right after (its `feed` starts it).
        pull: { actions: 'cancelIdle' },
        due: { target: 'due' },
      },
    },
    inTurn: {
      initial: 'open',
      states: {
        open: {
          on: {
            allDelivered: { actions: 'markDelivered' },
            send: { guard: 'drainArmed', target: 'drainQueued', actions: 'queueDrain' },
            turnEnded: { target: '#turn.idle', actions: 'waitForIdle' },
          },
        },
        drainQueued: {
          on: { turnEnded: { target: '#turn.drainQueued' } },
        },
      },
    },
    drainQueued: {
      on: {
        feed: feeding,
        due: { target: 'due' },
      },
    },
    due: {
      on: {
        feed: feeding,
      },
    },
  },
});
