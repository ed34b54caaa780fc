import { createActor } from 'xstate';
import { turnMachine, type TurnEvent } from '../../machines/turn.ts';

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

/**
 * Starts the turn chart: a turn ends in the microtask its first entry queued. With
 * `feedNext` (the replayer's), the chart also schedules the next recorded turn: `feedNext`
 * is called in a microtask when a send queued the bus's drain, otherwise once the event
 * loop idled; one that paces the turn first sends `DUE`. Without it (the recorder) turns
 * are only numbered.
 */
export function startTurns(feedNext?: () => void): Turns {
  let idle: ReturnType<typeof setImmediate> | undefined;
  const endAtMicrotask = (): void => queueMicrotask(() => actor.send(TURN_ENDED));
  const pacing = {
    queueDrain: () => queueMicrotask(feedNext!),
    waitForIdle: () => void (idle = setImmediate(feedNext!)),
    cancelIdle: () => clearImmediate(idle),
  };
  const actor = createActor(turnMachine.provide({ actions: feedNext ? { endAtMicrotask, ...pacing } : { endAtMicrotask } }));
  // Actors send, and the recorder appends, far more often than that changes anything: only
  // the sends and entries the chart would act on reach it (what it hears is known per state).
  let hearsSend: boolean | undefined;
  let hearsEntry: boolean | undefined;
  actor.subscribe(() => void (hearsSend = hearsEntry = undefined));
  actor.start();
  return {
    send(event) {
      if (event === SEND ? (hearsSend ??= actor.getSnapshot().can(SEND)) : event === ENTRY ? (hearsEntry ??= actor.getSnapshot().can(ENTRY)) : true) actor.send(event);
    },
    pull() {
      if (!actor.getSnapshot().can(PULL)) return false;
      actor.send(PULL);
      return true;
    },
    get turn() {
      return actor.getSnapshot().context.turn;
    },
  };
}
