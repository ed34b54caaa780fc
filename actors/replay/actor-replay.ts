import { createActor, type AnyActor, type InspectionEvent, type Snapshot } from 'xstate';
import type { Envelope } from '../../bus/envelope.ts';
import type { ActorContext } from '../actor-def.ts';
import type { Inspect } from '../lifecycle.ts';
import { seededIds, seededRandom } from '../random.ts';
import { eventObserver } from '../record/observe.ts';
import { ReplayClock } from './clock.ts';
import { compareOutput, type Divergence } from './divergence.ts';
import type { Positioned } from './merge.ts';
import { ReplayPort } from './port.ts';
import type { ReplayableActor, ReplayBuild } from './registry.ts';

type Entry<K extends Positioned['kind']> = Extract<Positioned, { kind: K }>;

const quiet = { info() {}, warn() {}, error() {} };

/**
 * One actor re-run from its recorded start: the replayer hands it its inputs (`deliver`,
 * `event`, `timer`, `reply`) and the outputs the log says it produced (`expect`), in log
 * order; `check` matches the outputs so far pairwise, in order. Outputs are normalized the
 * way the recorder stored them (`normalize`: codec round trip, redaction).
 */
export class ActorReplay {
  readonly port: ReplayPort;
  readonly clock: ReplayClock;
  readonly ctx: ActorContext;
  actor: AnyActor | undefined;
  build: ReplayBuild | undefined;
  divergence: Divergence | null = null;
  /** Recorded outputs not yet matched, and the count matched. */
  readonly #expected: { i: number; what: string; value: unknown }[] = [];
  readonly #outs: unknown[] = [];
  #lastInput = 0;
  matched = 0;

  constructor(
    readonly address: string,
    readonly def: ReplayableActor,
    start: Entry<'start'>,
    readonly eventLevel: boolean,
    readonly normalize: (v: unknown) => unknown,
    readonly inspect: Inspect | undefined,
  ) {
    this.port = new ReplayPort(address);
    this.clock = new ReplayClock(start.at);
    const seed = start.seed ?? 0;
    this.ctx = { address, port: this.port, clock: this.clock, random: seededRandom(seed), newId: seededIds(seed ^ 0x5bd1e995), log: quiet };
    this.start(start);
  }

  /** A (re)start: a fresh incarnation with the recorded input; the context (port, random and id streams) carries over, as in the host. */
  start(e: Entry<'start'>): void {
    this.actor?.stop();
    this.clock.moveTo(e.at);
    this.#lastInput = e.i;
    try {
      this.build = this.def.build(this.ctx, e.input);
      const collect = this.eventLevel ? this.#collector() : undefined;
      const extra = this.inspect;
      const inspect: Inspect | undefined = collect && extra ? (ev: InspectionEvent) => (collect(ev), call(extra, ev)) : (collect ?? extra);
      this.actor = createActor(this.build.machine, { input: this.build.input ?? e.input, id: this.address, clock: this.clock, logger: () => {}, inspect });
      this.actor.subscribe({ error: () => {} });
      this.actor.start();
      this.build.onStart?.(this.ctx);
    } catch (err) {
      this.#fail(e.i, err);
    }
  }

  stop(): void {
    this.actor?.stop();
    this.actor = undefined;
  }

  /** A bus envelope delivered to the actor (or to a topic it subscribed to). */
  deliver(e: Entry<'msg'>): void {
    this.#input(e.i, e.at, () => {
      const env: Envelope = { seq: e.seq, from: e.from, to: e.to, type: e.type, payload: e.payload, at: e.at, ...(e.corr === undefined ? {} : { corr: e.corr }) };
      const ev = this.build?.toEvent ? this.build.toEvent(env) : env;
      if (ev !== null) this.actor!.send(ev);
    });
  }

  /** A recorded reply to one of the actor's requests. */
  reply(e: Entry<'msg'>): void {
    this.#input(e.i, e.at, () => void this.port.settle(e.corr ?? '', e.payload));
  }

  event(e: Entry<'event'>): void {
    this.#input(e.i, e.at, () => this.actor!.send(e.event));
  }

  timer(e: Entry<'timer'>): void {
    this.#input(e.i, e.at, () => {
      const why = this.clock.fire(e.at);
      if (why !== null) this.divergence ??= { i: e.i, actor: this.address, kind: 'timer', message: `the log has a timer firing here, but ${why}` };
    });
  }

  /** An output the log records for this actor: a bus message it sent, or an `out` entry. */
  expect(e: Entry<'msg'> | Entry<'out'>): void {
    if (e.kind === 'msg') this.#expected.push({ i: e.i, what: `message #${e.seq} (${e.type} to ${e.to})`, value: busShape(e) });
    else this.#expected.push({ i: e.i, what: e.action ? `effect ${e.action}` : `event to child ${e.to}`, value: outShape(e) });
  }

  /** Matches the outputs produced so far against the log's; `final` also reports outputs missing or extra at the end. */
  check(final: boolean): Divergence | null {
    if (this.divergence) return this.divergence;
    const actual = this.#actualInOrder();
    const n = Math.min(actual.length, this.#expected.length);
    for (; this.matched < n; this.matched++) {
      const exp = this.#expected[this.matched]!;
      const d = compareOutput(exp.i, this.address, exp.what, exp.value, actual[this.matched]);
      if (d) return (this.divergence = d);
    }
    if (!final) return null;
    if (this.#expected.length > actual.length) {
      const exp = this.#expected[actual.length]!;
      return (this.divergence = { i: exp.i, actor: this.address, kind: 'missing', message: `the replay never produced ${exp.what}`, expected: exp.value });
    }
    if (actual.length > this.#expected.length) {
      const extra = actual[this.#expected.length];
      return (this.divergence = { i: this.#lastInput, actor: this.address, kind: 'extra', message: 'the replay produced an output the log does not have', actual: extra });
    }
    return null;
  }

  snapshot(): Snapshot<unknown> | undefined {
    return this.actor?.getSnapshot();
  }

  /** Bus sends and effect outputs, each kind in its own order, interleaved as the log's expectations are (kinds never compete for one slot). */
  #actualInOrder(): unknown[] {
    const bus = this.port.sent.map((m) => this.normalize({ to: m.to, type: m.type, payload: m.payload, ...(m.corr === undefined ? {} : { corr: m.corr }) }));
    const outs = this.#outs;
    const out: unknown[] = [];
    let b = 0, o = 0;
    for (const exp of this.#expected) {
      if (exp.what.startsWith('message')) { if (b < bus.length) out.push(bus[b++]); else break; }
      else if (o < outs.length) out.push(outs[o++]);
      else break;
    }
    while (b < bus.length) out.push(bus[b++]);
    while (o < outs.length) out.push(outs[o++]);
    return out;
  }

  #input(i: number, at: number, feed: () => void): void {
    if (this.divergence || this.actor === undefined) return;
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
    const sink = { append: (e: { kind: string }) => void (e.kind === 'out' && this.#outs.push(this.normalize(outShape(e as Entry<'out'>)))), claim: () => false, clean: (v: unknown) => v, now: () => this.clock.now(), seed: undefined };
    return eventObserver(this.address, { effects: this.def.effects ?? [] }, sink);
  }
}

const busShape = (e: Entry<'msg'>): unknown => ({ to: e.to, type: e.type, payload: e.payload, ...(e.corr === undefined ? {} : { corr: e.corr }) });
const outShape = (e: Pick<Entry<'out'>, 'action' | 'to' | 'data'>): unknown => ({ ...(e.action ? { action: e.action } : { to: e.to }), data: e.data });

function call(inspect: Inspect, ev: InspectionEvent): void {
  if (typeof inspect === 'function') inspect(ev);
  else inspect.next?.(ev);
}
