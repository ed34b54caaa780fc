/**
 * A Bus that wraps another (the in-process one) and lets a simulation delay, hold and lose
 * messages — the seam DESIGN.md names for fault injection. Every actor registers through it;
 * what it decides comes from `decide`, which the simulation drives from its seed, so the same
 * seed makes the same decisions in the same order.
 *
 * - delay: a message is handed to the inner bus later (a timer on the bus's clock). Messages
 *   from one sender to one receiver keep their order (a later one is never released before
 *   an earlier one, as both real transports guarantee), so only messages of different
 *   senders — or of one sender to different receivers — are reordered.
 * - lose: a one-way message or a reply is not delivered. Taps still see it, marked `lost`, so
 *   a recording keeps what the sender sent (replay expects it as the sender's output and
 *   feeds it to no one); a lost reply makes the requester time out (504) on the inner bus.
 * - requests are never lost: a partition holds them (a long delay), as TCP does, so the
 *   requester's own timeout, not an invented one, decides what it sees.
 * - a held one-way message whose receiver went away (its port closed: a kubelet switched off)
 *   while it was held reaches no one, as on the inner bus, but taps see it marked `lost`:
 *   the sender sent it while the receiver was there, so a replay of the sender produces it
 *   and must find it in the log (the replay cannot tell a held message from a delivered one).
 *   So is one still held when the run ends (`loseHeld`).
 */
import type { Clock, TimerId } from '../../base/clock.ts';
import { REPLY, type Envelope } from '../../base/envelope.ts';
import type { Bus, BusState, BusStats, Handler, Port, RejectCause, Tap } from '../../bus/bus.ts';
import type { RegisterOptions } from '../../bus/inbox.ts';
import { Listeners } from '../../bus/listeners.ts';
import type { Status } from '../../base/status.ts';

/** What may happen to one message: pass, arrive `delayMs` later, or be lost (one-way messages and replies only). */
export type Verdict = { do: 'pass' } | { do: 'delay'; ms: number } | { do: 'lose' };

/** One message as the decision sees it, before it enters the inner bus. */
export interface Outgoing {
  from: string;
  to: string;
  type: string;
  payload: unknown;
  /** `request`, `reply`, one-way `send`, or `publish` to a topic. */
  via: 'request' | 'reply' | 'send' | 'publish';
}

/** An envelope the simulation lost, as taps see it. */
export type LostEnvelope = Envelope & { lost: true };

const PASS: Verdict = { do: 'pass' };

export class FaultyBus implements Bus {
  readonly transport: Bus['transport'];
  readonly #inner: Bus;
  readonly #clock: Clock;
  readonly #taps = new Listeners<[Envelope]>();
  /** Per (sender, receiver): when its last held message is released, and how many are still held. */
  readonly #lanes = new Map<string, { releaseAt: number; held: number }>();
  #decide: (m: Outgoing) => Verdict = () => PASS;
  #lostSeq = 0;
  #heldRequests = 0;
  /** Counters by verdict, for the summary. */
  readonly counts = { delayed: 0, lost: 0 };
  /** Addresses registered through this bus whose port is still open. */
  readonly #open = new Set<string>();
  /** Messages held and not released yet, in the order held, each with what records it lost (null: a request). */
  readonly #held = new Set<{ timer: TimerId; lost: (() => void) | null }>();

  constructor(inner: Bus, clock: Clock) {
    this.#inner = inner;
    this.#clock = clock;
    this.transport = inner.transport;
  }

  /** Sets the decision every later message goes through (default: pass everything). */
  setDecision(decide: (m: Outgoing) => Verdict): void {
    this.#decide = decide;
  }

  register(address: string, handler: Handler, opts?: RegisterOptions): Port {
    const inner = this.#inner.register(address, handler, opts);
    this.#open.add(address);
    /** Runs `run` now and answers true, or holds or loses it and answers false. */
    /** `lost` records the message lost (null: it cannot be lost); `atEnd` records it still held when the run ends. */
    const through = (m: Outgoing, run: () => void, lost: (() => void) | null, atEnd = lost): boolean => {
      const lane = `${m.from}\u0000${m.to}`;
      let v = this.#decide(m);
      if (v.do === 'lose' && lost === null) v = PASS;
      const l = this.#lanes.get(lane);
      if (v.do === 'lose') {
        this.counts.lost++;
        // Lost after whatever it follows: a later message may not overtake an earlier one, nor may a loss.
        if (l !== undefined && l.held > 0) this.#hold(lane, l.releaseAt, lost!, lost);
        else lost!();
        return false;
      }
      const ms = v.do === 'delay' ? v.ms : 0;
      if (ms <= 0 && (l === undefined || l.held === 0)) return true;
      if (ms > 0) this.counts.delayed++;
      this.#hold(lane, Math.max(this.#clock.now() + ms, l?.releaseAt ?? 0), run, atEnd);
      return false;
    };
    const loseMessage = (to: string, type: string, payload: unknown, corr?: string) => () => {
      const env: LostEnvelope = { seq: 0, from: address, to, type, payload, at: this.#clock.now(), lost: true, ...(corr === undefined ? {} : { corr }) };
      env.seq = --this.#lostSeq;
      this.#taps.emit(env);
    };
    return {
      address,
      send: (to, type, payload) => {
        // No one is there: the inner bus drops it unlogged, whatever the network would have done to it.
        if (!this.#open.has(to)) return inner.send(to, type, payload);
        const lose = loseMessage(to, type, payload);
        // Held, it may be released after its receiver left: then it is lost, not silently undeliverable.
        const run = () => (this.#open.has(to) ? inner.send(to, type, payload) : lose());
        if (through({ from: address, to, type, payload, via: 'send' }, run, lose)) run();
      },
      publish: (topic, type, payload) => {
        const run = () => inner.publish(topic, type, payload);
        if (through({ from: address, to: topic, type, payload, via: 'publish' }, run, loseMessage(topic, type, payload))) run();
      },
      reply: (req, result) => {
        const run = () => inner.reply(req, result);
        if (through({ from: address, to: req.from, type: REPLY, payload: result, via: 'reply' }, run, loseMessage(req.from, REPLY, result, req.corr))) run();
      },
      request: (to, type, payload, ropts) => {
        const ask = () => inner.request(to, type, payload, ropts);
        let answer: (r: Awaited<ReturnType<typeof ask>>) => void = () => {};
        // A request that passes gets the inner bus's own promise: its continuation runs in the
        // microtask it would without this bus, as in a replay (which has no faulty bus). A held
        // one is asked when released (answer is set by then: the release is a later timer).
        // Still held when the run ends, it is in the log as lost with a correlation id of its own (the inner bus gives one only when asked).
        const heldToEnd = loseMessage(to, type, payload, `${address}#held-${++this.#heldRequests}`);
        if (through({ from: address, to, type, payload, via: 'request' }, () => void ask().then((r) => answer(r)), null, heldToEnd)) return ask();
        return new Promise((r) => (answer = r));
      },
      subscribe: (topic) => inner.subscribe(topic),
      close: () => {
        this.#open.delete(address);
        inner.close();
      },
    };
  }

  #hold(lane: string, releaseAt: number, run: () => void, lost: (() => void) | null): void {
    let l = this.#lanes.get(lane);
    if (l === undefined) this.#lanes.set(lane, (l = { releaseAt, held: 0 }));
    l.releaseAt = releaseAt;
    l.held++;
    const lane_ = l;
    // Timers due at one time fire in the order they were set: a lane's messages keep their order.
    const held = {
      lost,
      timer: this.#clock.setTimeout(() => {
        this.#held.delete(held);
        lane_.held--;
        run();
      }, releaseAt - this.#clock.now()),
    };
    this.#held.add(held);
  }

  /**
   * The run ends: what is still held is never delivered. Taps see each held one-way message
   * message marked `lost`, so a recording has every message its senders sent (a replay of
   * the sender produces it and must find it in the log).
   */
  loseHeld(): void {
    for (const h of this.#held) {
      this.#clock.clearTimeout(h.timer);
      h.lost?.();
    }
    this.#held.clear();
    this.#lanes.clear();
  }

  /** Taps see what the inner bus delivers and, marked `lost`, what this bus lost. */
  tap(tap: Tap): () => void {
    const a = this.#inner.tap(tap);
    const b = this.#taps.add(tap);
    return () => {
      a();
      b();
    };
  }
  stats(): BusStats {
    return this.#inner.stats();
  }
  state(): BusState {
    return this.#inner.state();
  }
  onState(listener: (state: BusState) => void): () => void {
    return this.#inner.onState(listener);
  }
  onReject(listener: (cause: RejectCause, status: Status, detail: { to?: string; from?: string; type?: string }) => void): () => void {
    return this.#inner.onReject(listener);
  }
  close(): Promise<void> {
    return this.#inner.close();
  }
}
