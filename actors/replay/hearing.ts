import type { Positioned } from './merge.ts';

/** An output one actor hears of another. */
export type Heard = Extract<Positioned, { kind: 'out' }>;
export type HearFn = (out: Heard) => void;

/** A cause fed before its hearer made it, or an output held behind such a cause. */
type Held = { cause: string } | { out: Heard };

/** Start of an incarnation: the registration (`ReplayEnv.onOutputOf`) is the hearer's side of it. */
export const START = 'start';

/** One source as its hearers see it. */
class Source {
  /** Hearer address → what it does with an output. */
  readonly hearers = new Map<string, HearFn>();
  /** Causes the hearer made before the replay fed them (the usual order), by kind. */
  readonly ahead = new Map<string, number>();
  /** From the first cause fed before its hearer made it: that cause, the outputs and causes after it, in log order. */
  readonly held: Held[] = [];
}

/**
 * Who hears whose `out` entries (`ReplayEnv.onOutputOf`): a kubelet hears its pods'.
 *
 * The hearer causes some of the source's inputs — it starts the source (and registers), it
 * hands it events from outside the bus (a kubelet deletes or evicts a pod: `made`) — and live,
 * the outputs that follow came back within that call. A replay feeds a recorded turn in one
 * synchronous run, so where the hearer made the call from a promise continuation that ran,
 * live, before the turn's end (a kubelet that relisted its pods after a lost watch batch
 * starts and deletes pods once the list is answered), the replay feeds the source's recorded
 * input and outputs before the hearer's continuation made the call. Those outputs are held
 * until the hearer makes it, and heard then, where the live hearer heard them. (A source no
 * replayed actor starts holds its outputs to the end: nothing hears them anyway.)
 */
export class Hearing {
  readonly #sources = new Map<string, Source>();

  /** `hear` hands one output to one hearer (the replayer's: as that actor's input). */
  constructor(private readonly hear: (hearer: string, fn: HearFn, out: Heard) => void) {}

  /** `hearer` hears `source` from now on: it started the source. */
  register(hearer: string, source: string, fn: HearFn): void {
    this.#source(source).hearers.set(hearer, fn);
    this.made(source, START);
  }

  /** A hearer made `cause` (started the source, or handed it an event of that type): the outputs held behind it are heard now. */
  made(source: string, cause: string): void {
    const s = this.#source(source);
    const first = s.held[0];
    if (first === undefined || !('cause' in first) || first.cause !== cause) {
      s.ahead.set(cause, (s.ahead.get(cause) ?? 0) + 1);
      return;
    }
    s.held.shift();
    this.#release(s);
  }

  /** The replay fed `source`'s recorded `cause` (its start, or an event its hearer hands it); a start begins a new incarnation. */
  fed(source: string, cause: string): void {
    const s = this.#source(source);
    if (cause === START) {
      // What the previous incarnation still held was never heard; other calls made ahead were for it.
      s.held.length = 0;
      const starts = s.ahead.get(START) ?? 0;
      s.ahead.clear();
      if (starts > 0) s.ahead.set(START, starts);
    }
    if (s.held.length === 0 && this.#takeAhead(s, cause)) return;
    s.held.push({ cause });
  }

  /** Hands `out` to every hearer of its actor, or holds it behind a cause its hearer has not made yet. */
  output(out: Heard): void {
    const s = this.#sources.get(out.actor);
    if (s === undefined) return;
    if (s.held.length > 0) s.held.push({ out });
    else this.#toHearers(s, out);
  }

  /** Hears the held outputs up to the next cause not made yet. */
  #release(s: Source): void {
    while (s.held.length > 0) {
      const h = s.held[0]!;
      if ('cause' in h && !this.#takeAhead(s, h.cause)) return;
      s.held.shift();
      if ('out' in h) this.#toHearers(s, h.out);
    }
  }

  #takeAhead(s: Source, cause: string): boolean {
    const n = s.ahead.get(cause) ?? 0;
    if (n === 0) return false;
    s.ahead.set(cause, n - 1);
    return true;
  }

  #toHearers(s: Source, out: Heard): void {
    for (const [hearer, fn] of s.hearers) this.hear(hearer, fn, out);
  }

  #source(address: string): Source {
    let s = this.#sources.get(address);
    if (s === undefined) this.#sources.set(address, (s = new Source()));
    return s;
  }
}
