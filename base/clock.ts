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
  return new OwnedClock(base, owner);
}

/** A class, not an object of closures: one per actor (every pod has one), so its methods live once on the prototype. */
class OwnedClock implements Clock {
  constructor(
    readonly base: Clock,
    readonly owner: string,
  ) {}

  now(): number {
    return this.base.now();
  }

  setTimeout(fn: () => void, ms: number, owner?: string): unknown {
    return this.base.setTimeout(fn, ms, owner ?? this.owner);
  }

  clearTimeout(id: unknown): void {
    this.base.clearTimeout(id);
  }
}
