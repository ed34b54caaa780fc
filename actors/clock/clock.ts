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
  setTimeout(fn: () => void, ms: number): TimerId;
  clearTimeout(id: TimerId): void;
}

export type TimerId = unknown;

/** The wall clock. Timers are unref'd so a pending timer never keeps the process alive. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = globalThis.setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout(id) {
    globalThis.clearTimeout(id as ReturnType<typeof globalThis.setTimeout>);
  },
};
