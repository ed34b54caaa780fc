/**
 * One priority level's seats and queues, as upstream's fair-queuing QueueSet
 * (apiserver/pkg/util/flowcontrol/fairqueuing/queueset), with every request one seat:
 *
 * - a request runs at once while the level has a free seat (the common case: no hashing);
 * - otherwise its flow is hashed, a hand of `handSize` queues is dealt from it (shuffle
 *   sharding, so a heavy flow shares its queues with few others) and it waits in the shortest
 *   queue of the hand, or is rejected when that queue holds `queueLengthLimit` already, or at
 *   once when the level rejects rather than queues;
 * - when a seat frees, the next request comes from the queue with the lowest virtual start
 *   time (start-time fair queuing with unit service: each dispatch advances its queue's virtual
 *   time by one, a queue that becomes busy starts at the current virtual time), so flows share
 *   the seats fairly however much each sends.
 *
 * Upstream's width estimates (a list can take several seats) and its measured service times are
 * not modelled; `limit` is the level's current limit, which borrowing moves (borrowing.ts). Pure:
 * no clock, no I/O; the caller times waits.
 */

/** A waiting or executing request: the queue it waits in (-1 when it never queued). */
export interface Waiter {
  queue: number;
}

export interface QueuingConfig {
  readonly queues: number;
  readonly handSize: number;
  readonly queueLengthLimit: number;
}

interface Queue<R> {
  readonly items: R[];
  head: number;
  executing: number;
  /** The virtual start time of its next request. */
  nextR: number;
}

export type Admission = 'execute' | 'queued' | 'rejected';

export class QueueSet<R extends Waiter> {
  readonly #queues: Queue<R>[];
  #executing = 0;
  #waiting = 0;
  #virtual = 0;

  /** `limit` seats; `queuing` null for a level whose limit response is Reject. */
  constructor(public limit: number, readonly queuing: QueuingConfig | null) {
    this.#queues = Array.from({ length: queuing?.queues ?? 0 }, () => ({ items: [], head: 0, executing: 0, nextR: 0 }));
  }

  get executing(): number {
    return this.#executing;
  }

  get waiting(): number {
    return this.#waiting;
  }

  /** Requests waiting in queue `i`. */
  queueLength(i: number): number {
    const q = this.#queues[i];
    return q ? q.items.length - q.head : 0;
  }

  /** Requests executing that came through queue `i`. */
  queueExecuting(i: number): number {
    return this.#queues[i]?.executing ?? 0;
  }

  /** Queue `i`'s virtual start time of its next request (dump_queues' NextDispatchR). */
  nextR(i: number): number {
    return this.#queues[i]?.nextR ?? 0;
  }

  /** The queues' count (0 for a level that rejects). */
  get queueCount(): number {
    return this.#queues.length;
  }

  /**
   * Admits `r`: 'execute' (a seat is taken), 'queued' (it waits in `r.queue` until
   * `finish` hands it a seat or `cancel` takes it out) or 'rejected'. `flowHash` is called only
   * when the request must wait.
   */
  admit(r: R, flowHash: () => number): Admission {
    if (this.#executing < this.limit && this.#waiting === 0) {
      this.#executing++;
      r.queue = -1;
      return 'execute';
    }
    if (!this.queuing) return 'rejected';
    const i = this.#shortestOfHand(flowHash());
    const q = this.#queues[i]!;
    if (q.items.length - q.head >= this.queuing.queueLengthLimit) return 'rejected';
    if (q.items.length === q.head) q.nextR = Math.max(q.nextR, this.#virtual);
    q.items.push(r);
    r.queue = i;
    this.#waiting++;
    return 'queued';
  }

  /** Frees the seat of an executing request; returns the requests that now execute, in order. */
  finish(r: R): R[] {
    this.#executing--;
    const q = this.#queues[r.queue];
    if (q) q.executing--;
    return this.dispatch();
  }

  /** Takes a waiting request out (its wait timed out); false when it is not waiting. */
  cancel(r: R): boolean {
    const q = this.#queues[r.queue];
    if (!q) return false;
    const at = q.items.indexOf(r, q.head);
    if (at < 0) return false;
    q.items.splice(at, 1);
    this.#waiting--;
    return true;
  }

  /** Starts waiting requests while seats are free (after `finish`, or after the limit grew). */
  dispatch(): R[] {
    const started: R[] = [];
    while (this.#executing < this.limit && this.#waiting > 0) {
      let best: Queue<R> | undefined;
      for (const q of this.#queues) if (q.items.length > q.head && (!best || q.nextR < best.nextR)) best = q;
      if (!best) break;
      const r = best.items[best.head++]!;
      if (best.head === best.items.length) best.items.length = best.head = 0;
      this.#virtual = best.nextR;
      best.nextR += 1;
      best.executing++;
      this.#waiting--;
      this.#executing++;
      started.push(r);
    }
    return started;
  }

  /** Every waiting request, queue by queue (to answer them when the level goes away). */
  drain(): R[] {
    const out: R[] = [];
    for (const q of this.#queues) {
      out.push(...q.items.slice(q.head));
      q.items.length = q.head = 0;
    }
    this.#waiting = 0;
    return out;
  }

  /** The least loaded queue of the flow's hand (the first of equals), dealt without making the hand. */
  #shortestOfHand(hash: number): number {
    const cards = cut(hash, this.#queues.length, this.queuing!.handSize);
    let best = card(0);
    let bestLoad = this.queueLength(best) + this.queueExecuting(best);
    for (let i = 1; i < cards; i++) {
      const c = card(i);
      const load = this.queueLength(c) + this.queueExecuting(c);
      if (load < bestLoad) {
        best = c;
        bestLoad = load;
      }
    }
    return best;
  }
}

/**
 * Shuffle sharding (upstream's shufflesharding.Dealer): `handSize` distinct queues of
 * `deckSize`, chosen by the digits of `hash` in the mixed radix deckSize, deckSize-1, ...
 */
export function dealHand(hash: number, deckSize: number, handSize: number): number[] {
  const cards = cut(hash, deckSize, handSize);
  return Array.from({ length: cards }, (_, i) => card(i));
}

/** The digits of the last hash cut (a request is admitted synchronously: one scratch for all). */
let digits = new Float64Array(16);

/** Cuts `hash` into the hand's digits (Dealer.Deal's remainders); returns how many cards the hand has. */
function cut(hash: number, deckSize: number, handSize: number): number {
  const cards = Math.min(handSize, deckSize);
  if (cards > digits.length) digits = new Float64Array(cards);
  let h = hash;
  for (let i = 0; i < cards; i++) {
    const n = deckSize - i;
    digits[i] = h % n;
    h = Math.floor(h / n);
  }
  return cards;
}

/** The i-th card of the hand last cut: its digit, counted past the cards dealt before it (Dealer.Deal). */
function card(i: number): number {
  let c = digits[i]!;
  for (let j = i; j > 0; j--) if (c >= digits[j - 1]!) c++;
  return c;
}

/** A 52-bit hash of a flow (its schema's name and distinguisher): two FNV-1a 32-bit hashes. */
export function flowHash(schema: string, distinguisher: string): number {
  const s = `${schema}\u0000${distinguisher}`;
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193);
  }
  return (a >>> 0) * 0x100000 + ((b >>> 0) & 0xfffff);
}
