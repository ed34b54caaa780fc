import { createActor, type AnyActor, type InspectionEvent, type Snapshot } from 'xstate';
import { REPLY, type Envelope } from '../../base/envelope.ts';
import type { ActorContext } from '../actor-def.ts';
import { bothInspect, type Inspect } from '../lifecycle.ts';
import { answerPing } from '../ping.ts';
import { seededIds, seededRandom } from '../random.ts';
import { MetricsRegistry } from '../../base/metrics.ts';
import { eventObserver } from '../record/observe.ts';
import { ReplayClock } from './clock.ts';
import { firstDifference } from './diff.ts';
import { compareOutput, type Divergence } from './divergence.ts';
import type { Positioned } from './merge.ts';
import { ReplayPort, type SentMessage, type TopicSubscribers } from './port.ts';
import { outputItems, outputStream } from './streams.ts';
import type { ReplayableActor, ReplayBuild, ReplayEnv } from './registry.ts';

type Entry<K extends Positioned['kind']> = Extract<Positioned, { kind: K }>;

const quiet = { info() {}, warn() {}, error() {} };

/** What the replayer hands each replayed actor. */
export interface ReplayWiring {
  /** Makes an output comparable with the log (codec round trip, redaction). */
  normalize: (v: unknown) => unknown;
  inspect?: Inspect | undefined;
  env: ReplayEnv;
  /** Called on every bus output, with the sender (the replayer schedules the next bus turn as the bus would). */
  onSend?: (from: string, sent: SentMessage | undefined) => void;
  /**
   * The correlation id of the first unclaimed recorded request of `actor` with this content
   * (normalized payload); failing that, of the first to the same receiver and type, unless `exact`.
   */
  recordedCorr?: (actor: string, to: string, type: string, payload: unknown, exact?: boolean) => string | undefined;
  /** What the actor's clock reads off the recorded time from its start (the log's last `clock` entry for it). */
  clockOffset?: number;
  /** Whether the log shows the actor at `address` stopped (and not started again) by now: a one-way message sent there reaches no one. */
  gone?: (address: string) => boolean;
  /** Called when the actor has something new to match (a send, or an output logged or observed): `check(false)` of an actor not called since has nothing to do. */
  changed?: (a: ActorReplay) => void;
  /** Subscriptions to topics, counted across the replay's ports. */
  subscribers?: TopicSubscribers;
}

/** One compared output item of the log's (`expected`): the replay's are the values alone. */
interface Item {
  /** The log entry it comes from. */
  src: Entry<'msg'> | Entry<'out'>;
  /** Its place among the entry's items (a watch batch is compared event by event) and how many the entry has. */
  k: number;
  of: number;
  value: unknown;
}

/** How a divergence names an item; built only for one (a label per recorded output cost more than comparing it). */
function whatOf(item: Item): string {
  const e = item.src;
  if (e.kind === 'out') return e.action ? `effect ${e.action}` : `event to child ${e.to}`;
  const what = `message #${e.seq} (${e.type} to ${e.to})`;
  return item.of > 1 ? `${what}, item ${item.k + 1}` : what;
}

/** One stream of outputs compared in order (see `ReplayableActor.channel`). */
class Stream {
  readonly expected: Item[] = [];
  readonly actual: unknown[] = [];
  /** How many items at the front of both lists matched (and are still held). */
  matched = 0;

  /**
   * Forgets the matched items at the front of both lists. A replay keeps every stream to the end
   * (one per request), so items it held once matched stayed reachable to the end: a density log's
   * were most of what survived each young-generation collection.
   */
  dropMatched(): void {
    if (this.matched === 0) return;
    this.expected.splice(0, this.matched);
    this.actual.splice(0, this.matched);
    this.matched = 0;
  }
}

/**
 * One actor re-run from its recorded start: the replayer hands it its inputs (`deliver`,
 * `event`, `timer`, `reply`) and the outputs the log says it produced (`expect`), in log
 * order; `check` matches the outputs so far pairwise, in order within each stream (bus
 * messages as `outputStream` groups them, effect outputs in one). An output that differs from
 * the log's as produced is normalized the way the recorder stored it (`normalize`: codec
 * round trip, redaction) before it counts as a difference.
 */
export class ActorReplay {
  readonly port: ReplayPort;
  readonly clock: ReplayClock;
  ctx: ActorContext;
  actor: AnyActor | undefined;
  build: ReplayBuild | undefined;
  divergence: Divergence | null = null;
  readonly #streams = new Map<string, Stream>();
  readonly #dirty = new Set<Stream>();
  /** Port sends already moved into their streams. */
  #sentSeen = 0;
  #lastInput = 0;
  /** The corrs of the host-answered requests delivered (ReplayableActor.hostAnswered): their recorded answers are not expected. */
  readonly #hostAnswered = new Set<string>();
  /** Failed and not yet restarted (between the log's `error` and the next `start`): the host refuses its deliveries. */
  #down = false;
  matched = 0;

  constructor(
    readonly address: string,
    readonly def: ReplayableActor,
    start: Entry<'start'>,
    readonly eventLevel: boolean,
    readonly wiring: ReplayWiring,
  ) {
    // The payload as produced is tried first: normalizing (a codec round trip) is needed only where it makes a difference.
    const onSend = (m: SentMessage | undefined): void => {
      wiring.changed?.(this);
      wiring.onSend?.(address, m);
    };
    this.port = new ReplayPort(address, onSend, (to, type, payload) => wiring.recordedCorr?.(address, to, type, payload, true) ?? wiring.recordedCorr?.(address, to, type, wiring.normalize(payload)), wiring.gone, wiring.subscribers);
    this.clock = new ReplayClock(start.at);
    this.clock.offset = wiring.clockOffset ?? 0;
    this.ctx = { address, port: this.port, clock: this.clock, ...streams(start), log: quiet, metrics: new MetricsRegistry() };
    this.start(start);
  }

  /**
   * A (re)start: a fresh incarnation with the recorded input. After a failure the context
   * (port, random and id streams) carries over, as in the host's restart; after a stop
   * (`respawned`: the address was stopped and spawned again, as a silenced kubelet that
   * comes back) the host built a new context, so the random and id streams start again
   * from the recorded seed — carrying them over drew different back-off jitter than live.
   */
  start(e: Entry<'start'>, respawned = false): void {
    if (respawned) this.ctx = { ...this.ctx, ...streams(e) };
    this.actor?.stop();
    this.#down = false;
    this.clock.moveTo(e.at);
    this.#lastInput = e.i;
    try {
      this.build = this.def.build(this.ctx, e.input, this.wiring.env);
      const collect = this.eventLevel ? this.#collector() : undefined;
      const extra = this.wiring.inspect;
      const inspect = bothInspect(collect, extra);
      this.actor = createActor(this.build.machine, { input: this.build.input ?? e.input, id: this.address, clock: this.clock, logger: () => {}, inspect });
      this.actor.subscribe({ error: () => {} });
      this.build.bind?.(this.actor);
      this.actor.start();
      this.build.onStart?.(this.ctx);
    } catch (err) {
      this.#fail(e.i, err);
    }
  }

  /** A recorded stop; `stopped` (by `ActorHost.stop`, not a final state) runs the build's `onStop` first, as the host does. */
  stop(reason: string): void {
    if (reason === 'stopped' && this.actor) this.build?.onStop?.(this.ctx);
    this.actor?.stop();
    this.actor = undefined;
  }

  /**
   * The actor failed (the log's `error`): its host stopped it and restarts it later (a new
   * `start`). Meanwhile the host answers a request to it with 503 itself and drops the rest
   * (actors/host.ts), so a delivery reaches no replayed chart and its recorded reply is the host's.
   */
  fail(): void {
    this.actor?.stop();
    this.actor = undefined;
    this.#down = true;
  }

  /** A bus envelope delivered to the actor (or to a topic it subscribed to). */
  deliver(e: Entry<'msg'>): void {
    if (this.#down) {
      if (e.corr !== undefined) this.#hostAnswered.add(e.corr);
      return;
    }
    this.#input(e.i, e.at, () => {
      const env: Envelope = { seq: e.seq, from: e.from, to: e.to, type: e.type, payload: e.payload, at: e.at, ...(e.corr === undefined ? {} : { corr: e.corr }) };
      if (answerPing(this.port, env)) return;
      if (this.def.hostAnswered?.includes(env.type)) {
        if (env.corr !== undefined) this.#hostAnswered.add(env.corr);
        return;
      }
      const ev = this.build?.toEvent ? this.build.toEvent(env) : env;
      if (ev !== null) this.actor!.send(ev);
    });
  }

  /** A recorded reply to one of the actor's requests. */
  reply(e: Entry<'msg'>): void {
    // A failed or stopped incarnation's requests still settle, live too: their continuations run (and may reply, or set timers).
    if (this.#down || this.actor === undefined) {
      this.clock.moveTo(e.at);
      return void this.port.settle(e.corr ?? '', e.payload);
    }
    this.#input(e.i, e.at, () => void this.port.settle(e.corr ?? '', e.payload));
  }

  event(e: Entry<'event'>): void {
    this.#input(e.i, e.at, () => this.actor!.send(e.event));
  }

  /** Another actor's recorded output this actor hears (`ReplayEnv.onOutputOf`). */
  hear(e: Entry<'out'>, fn: (out: Entry<'out'>) => void): void {
    this.#input(e.i, e.at, () => fn(e));
  }

  timer(e: Entry<'timer'>): void {
    // A stopped incarnation's timers still fire live (a continuation's: a client's wait for a token).
    if (this.actor === undefined) {
      this.clock.moveTo(e.at);
      this.clock.fire(e.at);
      return;
    }
    this.#input(e.i, e.at, () => {
      const why = this.clock.fire(e.at);
      if (why !== null) this.divergence ??= { i: e.i, actor: this.address, kind: 'timer', message: `the log has a timer firing here, but ${why}` };
    });
  }

  /** A recorded checkpoint: the replayed actor's persisted snapshot must equal the recorded one. */
  checkpoint(e: Entry<'snapshot'>): void {
    if (this.divergence || this.actor === undefined) return;
    const d = this.#compare(e.i, 'its persisted snapshot', e.snapshot, this.actor.getPersistedSnapshot());
    if (d) this.divergence = { ...d, kind: 'snapshot' };
  }

  /** An output the log records for this actor: a bus message it sent, or an `out` entry. */
  expect(e: Entry<'msg'> | Entry<'out'>): void {
    // A diverged actor is not compared again (see check).
    if (this.divergence) return;
    if (e.kind === 'msg') {
      if (e.type === REPLY && e.corr !== undefined && this.#hostAnswered.delete(e.corr)) return;
      const sent = busShape(e);
      const values = outputItems(sent);
      const expected = this.#stream(outputStream(sent)).expected;
      for (let k = 0; k < values.length; k++) expected.push({ src: e, k, of: values.length, value: values[k] });
    } else {
      this.#stream(OUT).expected.push({ src: e, k: 0, of: 1, value: outShape(e) });
    }
  }

  /**
   * Matches the outputs produced so far against the log's; `final` also reports outputs the
   * log has and the replay did not produce, and `extra` (by default as `final`) the reverse.
   */
  check(final: boolean, extra = final): Divergence | null {
    if (this.divergence) {
      // It is not compared again: neither what it goes on sending nor what the log has for it
      // need be held (density's apiserver, diverged at entry 5,069, held 40 MB of them by the end).
      this.port.sent.length = 0;
      this.#sentSeen = 0;
      this.#streams.clear();
      this.#dirty.clear();
      return this.divergence;
    }
    // Called for every actor after every turn: most have nothing new.
    if (!final && this.#dirty.size === 0 && this.#sentSeen === this.port.sent.length) return null;
    this.#collectSent();
    let found: Divergence | null = null;
    const earliest = (d: Divergence): void => void (found === null || d.i < found.i ? (found = d) : undefined);
    // Only streams that grew since the last check can have something new to match (there is one per request).
    const streams = final ? [...this.#streams.values()] : [...this.#dirty];
    this.#dirty.clear();
    for (const s of streams) {
      const n = Math.min(s.actual.length, s.expected.length);
      for (; s.matched < n; s.matched++) {
        const exp = s.expected[s.matched]!;
        const d = this.#compare(exp.src.i, exp, exp.value, s.actual[s.matched]);
        if (d) {
          earliest(d);
          break;
        }
        // An entry counts once in `matched`, at its first item.
        if (exp.k === 0) this.matched++;
      }
      if (s.matched === n) s.dropMatched();
      if (!final || s.matched < n) continue;
      if (s.expected.length > s.actual.length) {
        const exp = s.expected[s.actual.length]!;
        earliest({ i: exp.src.i, actor: this.address, kind: 'missing', message: `the replay never produced ${whatOf(exp)}`, expected: exp.value });
      } else if (extra && s.actual.length > s.expected.length) {
        earliest({ i: this.#lastInput, actor: this.address, kind: 'extra', message: 'the replay produced an output the log does not have', actual: this.wiring.normalize(s.actual[s.expected.length]) });
      }
    }
    return (this.divergence = found);
  }

  snapshot(): Snapshot<unknown> | undefined {
    return this.actor?.getSnapshot();
  }

  /** The stream named `name`, marked as grown. */
  #stream(name: string): Stream {
    let s = this.#streams.get(name);
    if (s === undefined) this.#streams.set(name, (s = new Stream()));
    this.#dirty.add(s);
    this.wiring.changed?.(this);
    return s;
  }

  /** Moves what the port sent since the last check into its streams. */
  #collectSent(): void {
    const sent = this.port.sent;
    for (; this.#sentSeen < sent.length; this.#sentSeen++) {
      const m = sent[this.#sentSeen]!;
      this.#stream(outputStream(m)).actual.push(...outputItems(m));
    }
    // Moved into their streams: the port need not hold them to the end of the replay.
    sent.length = 0;
    this.#sentSeen = 0;
  }

  /**
   * Compares an output as produced with the log's; only when they differ is it normalized
   * the way the recorder stored it (codec round trip, redaction) and compared again: most
   * outputs match as they are, and a round trip costs more than the comparison.
   */
  #compare(i: number, what: string | Item, expected: unknown, actual: unknown): Divergence | null {
    if (firstDifference(expected, actual) === null) return null;
    return compareOutput(i, this.address, typeof what === 'string' ? what : whatOf(what), expected, this.wiring.normalize(actual));
  }

  #input(i: number, at: number, feed: () => void): void {
    // A diverged actor is still fed: its sends pace the replay's turns for the others.
    if (this.actor === undefined || this.actor.getSnapshot().status === 'error') return;
    this.#lastInput = i;
    this.clock.moveTo(at);
    try {
      feed();
    } catch (err) {
      this.#fail(i, err);
    }
    if (this.actor?.getSnapshot().status === 'error') this.#fail(i, this.actor.getSnapshot().error);
  }

  #fail(i: number, err: unknown): void {
    this.divergence ??= { i, actor: this.address, kind: 'failed', message: `the replayed actor failed: ${err instanceof Error ? err.message : String(err)}` };
  }

  #collector(): (ev: InspectionEvent) => void {
    const sink = { append: (e: { kind: string }) => void (e.kind === 'out' && this.#stream(OUT).actual.push(outShape(e as Entry<'out'>))), claim: () => false, clean: (v: unknown) => v, now: () => this.clock.now(), seed: undefined };
    return eventObserver(this.address, { effects: this.def.effects ?? [] }, sink);
  }
}

/** The stream of effect outputs and events to children. */
const OUT = 'out';

const busShape = (e: Entry<'msg'>): SentMessage => ({ to: e.to, type: e.type, payload: e.payload, ...(e.corr === undefined ? {} : { corr: e.corr }) });
const outShape = (e: Pick<Entry<'out'>, 'action' | 'to' | 'data'>): unknown => ({ ...(e.action ? { action: e.action } : { to: e.to }), data: e.data });

/** An actor's seeded random and id streams, as `ActorHost.spawn` builds them from its seed. */
function streams(start: Entry<'start'>): Pick<ActorContext, 'random' | 'newId'> {
  const seed = start.seed ?? 0;
  return { random: seededRandom(seed), newId: seededIds(seed ^ 0x5bd1e995) };
}
