/**
 * The clock every actor and the bus are given instead of the wall clock. Production uses
 * `realClock`; tests and replay use a virtual clock that they advance by hand.
 *
 * `setTimeout`/`clearTimeout` have the shape XState's `createActor(..., { clock })` expects,
 * so delayed transitions in charts run on the same clock.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * `owner` names the actor the timer belongs to (see `ownedClock`); clocks that report
   * their firings (the recorder's) pass it on, others ignore it.
   */
  setTimeout(fn: () => void, ms: number, owner?: string): TimerId;
  clearTimeout(id: TimerId): void;
}

export type TimerId = unknown;

/**
 * A view of `base` whose timers belong to `owner`: the host gives each actor one, so a
 * recording attributes every firing to the actor that set the timer — whether the chart
 * set it (a delayed transition) or an effect did (a resync, a batching window) — and the
 * replay fires it on that actor's clock.
 */
export function ownedClock(base: Clock, owner: string): Clock {
  return {
    now: () => base.now(),
    setTimeout: (fn, ms, inner) => base.setTimeout(fn, ms, inner ?? owner),
    clearTimeout: (id) => base.clearTimeout(id),
  };
}
