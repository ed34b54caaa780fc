import { initialTransition, transition } from 'xstate';
import { turnMachine, type TurnContext, type TurnEvent } from '../../machines/turn.ts';

/** A running turn chart (machines/turn.ts) with its effects on the event loop. */
export interface Turns {
  send(event: TurnEvent): void;
  /** Whether the chart takes `pull` now (it is idle, waiting for the loop to idle): then it is sent, and the caller feeds the next turn. */
  pull(): boolean;
  /** The number of the current (or last) turn. */
  readonly turn: number;
}

/** The events without data, allocated once: they are sent for every entry. */
export const ENTRY: TurnEvent = { type: 'entry' };
export const ALL_DELIVERED: TurnEvent = { type: 'allDelivered' };
export const SEND: TurnEvent = { type: 'send' };
const TURN_ENDED: TurnEvent = { type: 'turnEnded' };
export const DUE: TurnEvent = { type: 'due' };
const PULL: TurnEvent = { type: 'pull' };

/** The chart's effects (its actions that are not `assign`s). */
type Effect = 'endAtMicrotask' | 'queueDrain' | 'waitForIdle' | 'cancelIdle';

/** Where one event takes the chart from one state: its next state, flags and the effects it runs, in order. */
export interface Step {
  value: string;
  delivered: boolean;
  drainNext: boolean;
  /** What the transition adds to `turn` (1 where a turn starts). */
  turnDelta: number;
  /** Whether the state takes the event (XState's `can`): a transition, maybe targetless. */
  taken: boolean;
  effects: readonly Effect[];
}

/**
 * The chart's steps by (state, flags, event), computed by XState once each. What the chart
 * does depends on its state value, its two flags and the event; `turn` only counts. A
 * replay sends it three or four events per recorded turn, and an XState actor's transition
 * cost about 10 µs (a fifth of a simulation log's verification); a step found here costs a
 * Map lookup. spec/machines/turn.spec.ts drives both with the same events.
 */
const steps = new Map<string, Step>();

/** The chart's step from state `value` (its JSON) with `context` on `event`, as XState computes it (memoized: see `steps`). */
export function turnStep(value: string, context: TurnContext, event: TurnEvent): Step {
  const key = `${value}|${+context.delivered}${+context.drainNext}|${event.type}${event.type === 'feed' ? `${+event.hasDeliveries}${+event.drainNext}` : ''}`;
  let s = steps.get(key);
  if (s === undefined) {
    const from = turnMachine.resolveState({ value: JSON.parse(value) as string, context });
    const [next, actions] = transition(turnMachine, from, event);
    s = { value: JSON.stringify(next.value), delivered: next.context.delivered, drainNext: next.context.drainNext, turnDelta: next.context.turn - context.turn, taken: from.can(event), effects: actions.map((a) => a.type as Effect) };
    steps.set(key, s);
  }
  return s;
}

/**
 * Starts the turn chart: a turn ends in the microtask its first entry queued. With
 * `feedNext` (the replayer's), the chart also schedules the next recorded turn: `feedNext`
 * is called in a microtask when a send queued the bus's drain, otherwise once the event
 * loop idled; one that paces the turn first sends `DUE`. Without it (the recorder) turns
 * are only numbered. The chart runs as its memoized steps (see `steps`).
 */
export function startTurns(feedNext?: () => void): Turns {
  let idle: ReturnType<typeof setImmediate> | undefined;
  const effects: Record<Effect, () => void> = {
    endAtMicrotask: () => queueMicrotask(() => send(TURN_ENDED)),
    ...(feedNext
      ? {
          queueDrain: () => queueMicrotask(feedNext),
          waitForIdle: () => void (idle = setImmediate(feedNext)),
          cancelIdle: () => clearImmediate(idle),
        }
      : { queueDrain: () => {}, waitForIdle: () => {}, cancelIdle: () => {} }),
  };
  const [initial] = initialTransition(turnMachine);
  let value = JSON.stringify(initial.value);
  const context: TurnContext = { ...initial.context };
  function send(event: TurnEvent): void {
    take(turnStep(value, context, event));
  }
  function take(s: Step): void {
    value = s.value;
    context.delivered = s.delivered;
    context.drainNext = s.drainNext;
    context.turn += s.turnDelta;
    for (const e of s.effects) effects[e]();
  }
  return {
    send,
    pull() {
      const s = turnStep(value, context, PULL);
      if (!s.taken) return false;
      take(s);
      return true;
    },
    get turn() {
      return context.turn;
    },
  };
}
