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
  /**
   * Causes the hearer made before the replay fed them (the usual order), in the order made.
   * A START begins the causes of the incarnation it started: a kubelet that starts a pod and
   * hands it its delete in one run (two watch events of one batch) made both for the new one.
   */
  readonly ahead: string[] = [];
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
      s.ahead.push(cause);
      return;
    }
    s.held.shift();
    this.#release(s);
  }

  /** The replay fed `source`'s recorded `cause` (its start, or an event its hearer hands it); a start begins a new incarnation. */
  fed(source: string, cause: string): void {
    const s = this.#source(source);
    if (cause === START) {
      // What the previous incarnation still held was never heard, and what its hearer made
      // ahead for it is moot; what the hearer made after starting this one is this one's.
      s.held.length = 0;
      const started = s.ahead.indexOf(START);
      if (started >= 0) return void s.ahead.splice(0, started + 1);
      s.ahead.length = 0;
      s.held.push({ cause });
      return;
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

  /** Takes `cause` from what the hearer made ahead for the current incarnation (before the next START); a START takes what came before it too. */
  #takeAhead(s: Source, cause: string): boolean {
    for (let i = 0; i < s.ahead.length; i++) {
      const made = s.ahead[i];
      if (made === cause) {
        if (cause === START) s.ahead.splice(0, i + 1);
        else s.ahead.splice(i, 1);
        return true;
      }
      if (made === START) return false;
    }
    return false;
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
