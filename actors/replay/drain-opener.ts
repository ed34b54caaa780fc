import type { Positioned } from './merge.ts';
import type { SentMessage } from './port.ts';

type Delivery = Extract<Positioned, { kind: 'msg' }>;

const keyOf = (from: string, to: string, type: string, corr: string | undefined): string => `${from}\n${to}\n${type}\n${corr ?? ''}`;

/**
 * Which replayed send queues the next recorded bus drain. Live, the in-process bus drains its
 * queue in one run, and the first send after a drain queues the next one, so a drain's first
 * delivery is the message whose send queued it. A replayed actor's other sends — one the faulty
 * bus held or lost live, or one the replay fed ahead of its sender — queue nothing. (Arming at
 * any send fed a recorded reply to the deployment controller before it had asked, and its sync
 * hung: seed 8, 20 minutes, partition,watch-drop,delay,kubelet-silent every 60 s.)
 */
export class DrainOpener {
  /** The next drain's first delivery (undefined: the next turn is not a drain, or it is not known yet). */
  #awaited: Delivery | undefined;
  /** Replayed sends whose delivery the replay has not fed yet, by message: sent minus fed. */
  readonly #unfed = new Map<string, number>();

  /** `replayed` tells an address the replay runs: only such a sender's send can be matched. */
  constructor(private readonly replayed: (address: string) => boolean) {}

  /** The next recorded turn is a drain whose first delivery is `first` (undefined: not a drain). */
  expect(first: Delivery | undefined): void {
    this.#awaited = first;
  }

  /** A replayed actor sent `m` (undefined: to an address gone, which live still queued the drain); whether that send opens the next drain. */
  sent(from: string, m: SentMessage | undefined): boolean {
    if (m !== undefined) this.#count(keyOf(from, m.to, m.type, m.corr), 1);
    const a = this.#awaited;
    // Unknown: a send to an address gone, or a drain whose first message comes from an actor
    // not replayed (the operator, a kv with storage faults): any send may have queued it.
    if (a === undefined || m === undefined || !this.replayed(a.from)) return true;
    return from === a.from && m.to === a.to && m.type === a.type && (a.corr === undefined || m.corr === a.corr);
  }

  /** The replay fed a recorded message (a lost one too: its replayed sender sends it, and the log has it where it was sent). */
  fed(e: Delivery): void {
    if (this.replayed(e.from)) this.#count(keyOf(e.from, e.to, e.type, e.corr), -1);
  }

  /** Whether the next drain's first message was sent already, ahead of the log: the drain is due once the fed turn's deliveries are in. */
  sentAhead(): boolean {
    const a = this.#awaited;
    return a !== undefined && this.replayed(a.from) && (this.#unfed.get(keyOf(a.from, a.to, a.type, a.corr)) ?? 0) > 0;
  }

  #count(key: string, by: number): void {
    const n = (this.#unfed.get(key) ?? 0) + by;
    if (n === 0) this.#unfed.delete(key);
    else this.#unfed.set(key, n);
  }
}
