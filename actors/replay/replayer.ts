import { createCodec, STRUCTURES_V1 } from '../../bus/codec.ts';
import { REPLY } from '../../base/envelope.ts';
import type { Inspect } from '../lifecycle.ts';
import type { LogHeader } from '../record/format.ts';
import { redact } from '../record/redact.ts';
import { ALL_DELIVERED, DUE, SEND, startTurns } from '../record/turns.ts';
import { ActorReplay } from './actor-replay.ts';
import { companions } from './companions.ts';
import { DrainOpener } from './drain-opener.ts';
import { Hearing, START } from './hearing.ts';
import { firstDifference } from './diff.ts';
import type { Divergence } from './divergence.ts';
import type { Positioned } from './merge.ts';
import type { SentMessage, TopicSubscribers } from './port.ts';
import type { ReplayEnv, ReplayRegistry } from './registry.ts';

export interface ReplayOptions {
  registry: ReplayRegistry;
  /** The log's header (structures table for normalizing outputs, whether secrets were redacted). */
  header: LogHeader | undefined;
  /**
   * The actors the caller looks at (default all): only their divergences are reported and
   * only they are inspected. Every replayable actor is still run, whatever the selection:
   * the replayed actors' sends decide when the next recorded turn is fed (see below), so
   * a replay of a few actors would feed turns at other points of their promise chains
   * than live and part from the log (a controller's requests in another order).
   */
  select?: (address: string) => boolean;
  /** Stop right after the entry at this position (`--at`). */
  upTo?: number;
  /** Inspection for a replayed actor (the inspector bridge). */
  inspect?: (address: string) => Inspect | undefined;
  /** Awaited before each recorded turn is fed, with its first entry and the entry fed last (pacing for `--speed`). */
  pace?: (entry: Positioned, previous: Positioned | undefined) => Promise<void>;
}

export interface ReplayResult {
  /** Replayed actors by address (the last incarnation of each): every replayable one, selected or not. */
  actors: Map<string, ActorReplay>;
  /** Selected recorded actors not replayed: their machine has no registry entry, or it cannot verify that recording. */
  skipped: { address: string; machine: string; reason: string }[];
  /** One per diverging selected actor, earliest first (up to `upTo`: what differed by then). */
  divergences: Divergence[];
  /** Outputs of the selected actors compared and found equal. */
  matched: number;
  entries: number;
}

/**
 * Walks a log in order and re-runs every selected actor whose machine the registry
 * knows, feeding each its recorded inputs and matching its outputs (see ActorReplay).
 * Entries are fed a recorded turn at a time (the entries of one synchronous run together),
 * and the next turn is fed when the bus would have delivered it (see below), so promise
 * continuations interleave with the inputs as they did live.
 */
export async function runReplay(entries: readonly Positioned[], opts: ReplayOptions): Promise<ReplayResult> {
  const codec = createCodec(opts.header?.structures ?? STRUCTURES_V1);
  const secrets = opts.header?.secrets ?? false;
  const normalize = (v: unknown): unknown => {
    const round = codec.decode(codec.encode(v));
    return secrets ? round : redact(round);
  };
  const shown = opts.select ?? ((): boolean => true);
  const group = companions(entries, opts.registry);
  /** What the live process shared in memory (its informer factory), one per replay run. */
  const shared = new Map<string, unknown>();
  let onSend: (from: string, sent: SentMessage | undefined) => void = () => {};
  const requests = recordedRequests(entries);
  const recordedCorr = (actor: string, to: string, type: string, payload: unknown, exact?: boolean): string | undefined => requests.get(actor)?.claim(to, type, payload, exact);
  const actors = new Map<string, ActorReplay>();
  /** Actors with something new to match since the last turn's check (ReplayWiring.changed): most turns touch a few of thousands. */
  const changed = new Set<ActorReplay>();
  /** Topic subscriptions of the replayed actors (a message to an address no actor has is looked for among them). */
  const subscribers: TopicSubscribers = new Map();
  const skipped = new Map<string, { machine: string; reason: string }>();
  /** Who hears whose `out` entries (ReplayEnv.onOutputOf), each output once its hearer made what caused it. */
  const hearing = new Hearing((hearer, fn, out) => live(hearer)?.hear(out, fn));
  /** Whether an input of `type` to `actor` is one its hearer causes (its start, or an event the hearer hands it). */
  const hearerCaused = (actor: string, machine: string | undefined, type: string): boolean => {
    const calls = (machine === undefined ? actors.get(actor)?.def : opts.registry.get(machine))?.hearerCalls;
    return calls !== undefined && (type === START || calls.includes(type));
  };
  const live = (a: string | undefined): ActorReplay | undefined => (a === undefined ? undefined : actors.get(a));
  /** The clock offsets the log gave (its `clock` entries), by actor: one given before the actor's first start applies from it. */
  const offsets = new Map<string, number>();
  /** Addresses the log shows stopped and not started again (ReplayWiring.gone). */
  const stopped = new Set<string>();
  const gone = (address: string): boolean => stopped.has(address);
  const envFor = (address: string): ReplayEnv => ({
    self: () => actors.get(address)?.actor,
    onOutputOf(source, fn) {
      hearing.register(address, source, fn);
      pullIfNext(source, START);
    },
    handed(target, type) {
      hearing.made(target, type);
      pullIfNext(target, type);
    },
    shared<T>(name: string, make: () => T): T {
      if (!shared.has(name)) shared.set(name, make());
      return shared.get(name) as T;
    },
  });
  /**
   * Live, every actor reads one clock. A replayed actor's clock moves only with its own
   * inputs, but the factory runs its subscribers' handlers at its own inputs: their clocks
   * move along, so a timer a handler sets is due when it was live.
   */
  const touch = (address: string, at: number): void => {
    for (const d of group.dependents(address)) actors.get(d)?.clock.moveTo(at);
  };
  const feed = (e: Positioned): void => {
    if (e.kind === 'msg') touch(e.to, e.at);
    else if ((e.kind === 'timer' || e.kind === 'event') && e.actor !== undefined) touch(e.actor, e.at);
    switch (e.kind) {
      case 'start': {
        // A start after a stop is a new spawn (fresh streams); after an error, the host's restart.
        const respawned = stopped.delete(e.address);
        if (hearerCaused(e.address, e.machine, START)) hearing.fed(e.address, START);
        const existing = actors.get(e.address);
        if (existing) {
          existing.start(e, respawned);
          break;
        }
        const def = opts.registry.get(e.machine);
        const why = def === undefined ? `no replayable machine "${e.machine}" in this build` : (def.unverifiable?.(e.input) ?? group.missing(e.address));
        if (def === undefined || why !== undefined) {
          skipped.set(e.address, { machine: e.machine, reason: why ?? '' });
          break;
        }
        actors.set(e.address, new ActorReplay(e.address, def, e, e.events === true, { normalize, inspect: shown(e.address) ? opts.inspect?.(e.address) : undefined, env: envFor(e.address), onSend: (from, sent) => onSend(from, sent), recordedCorr, clockOffset: offsets.get(e.address) ?? 0, gone, changed: (a) => changed.add(a), subscribers }));
        break;
      }
      case 'stop':
        stopped.add(e.address);
        live(e.address)?.stop(e.reason);
        break;
      case 'msg': {
        live(e.from)?.expect(e);
        if (e.lost) break;
        if (e.type === REPLY) live(e.to)?.reply(e);
        else {
          const to = live(e.to);
          if (to) to.deliver(e);
          // A density log has thousands of actors, and its bench client's traffic is addressed to none of them.
          else if ((subscribers.get(e.to) ?? 0) > 0) for (const a of actors.values()) if (a.port.topics.has(e.to)) a.deliver(e);
        }
        break;
      }
      case 'timer':
        live(e.actor)?.timer(e);
        break;
      case 'event':
        if (hearerCaused(e.actor, undefined, e.event.type)) hearing.fed(e.actor, e.event.type);
        live(e.actor)?.event(e);
        break;
      case 'out':
        live(e.actor)?.expect(e);
        hearing.output(e);
        break;
      case 'snapshot':
        live(e.actor)?.checkpoint(e);
        break;
      case 'error':
        live(e.address)?.fail();
        break;
      case 'clock':
        offsets.set(e.actor, e.offset);
        if (live(e.actor)) live(e.actor)!.clock.offset = e.offset;
        break;
    }
  };
  // Live, an actor's send schedules the bus's next drain as a microtask, so promise
  // continuations still queued run after that drain; the turn chart (machines/turn.ts)
  // decides when the replay feeds the next recorded turn the same way.
  let k = 0;
  let fed = 0;
  const within = (j: number): boolean => j < entries.length && (opts.upTo === undefined || entries[j]!.i <= opts.upTo);
  /** One past the last entry of the turn starting at `from`. */
  const turnEnd = (from: number): number => {
    let j = from + 1;
    while (within(j) && sameTurn(entries[j]!, entries[from]!)) j++;
    return j;
  };
  /**
   * The first delivery of the recorded turn starting at `from` when that turn is a bus drain
   * (undefined otherwise): the bus logs a message as it delivers it, so a drain's turn starts
   * with a delivery. A turn that starts otherwise came from the event loop, though it may deliver
   * too — a timer's turn holds the 504 the bus makes up when a request times out — and no send
   * queued it: live, a send the simulation's faulty
   * bus held (or lost) queued no drain, and the sender's continuations ran on until idle. A
   * message the faulty bus lost is logged as it is sent, though: one sent in the microtask
   * before a drain someone else's send had queued opens that drain's turn (seed 9, 10 minutes,
   * faults every 20 s: an apiserver watch batch lost between a controller's send and the drain
   * it queued; the replay took the turn for the loop's and answered a watch one event early).
   */
  const firstDelivery = (from: number): Entry<'msg'> | undefined => {
    let j = from;
    while (within(j) && sameTurn(entries[j]!, entries[from]!) && isLost(entries[j]!)) j++;
    const e = within(j) && sameTurn(entries[j]!, entries[from]!) ? entries[j]! : undefined;
    return e?.kind === 'msg' && !isLost(e) ? e : undefined;
  };
  /** The last delivery in [from, to), or -1. */
  const lastDelivery = (from: number, to: number): number => {
    let j = to - 1;
    while (j >= from && entries[j]!.kind !== 'msg') j--;
    return j;
  };
  // Over NATS a send is delivered in a later event-loop turn at the soonest: the next turn waits for the loop to idle.
  const drains = opts.header?.transport !== 'nats';
  let finish: () => void = () => {};
  const done = new Promise<void>((r) => (finish = r));
  const pace = opts.pace;
  const paced = (): void => {
    if (!within(k)) return feedTurn();
    turns.send(DUE);
    void pace!(entries[k]!, entries[k - 1]).then(feedTurn);
  };
  const feedNext = pace ? paced : feedTurn;
  const turns = startTurns(feedNext);
  const opener = new DrainOpener((address) => actors.has(address));
  onSend = (from, m) => {
    if (opener.sent(from, m)) turns.send(SEND);
  };
  /** The fed turn's deliveries are all in: the next drain is due now if its first message was sent already. */
  const armIfSent = (): void => {
    if (opener.sentAhead()) turns.send(SEND);
  };
  /**
   * Live, a hearer's call (a kubelet starting a pod, or handing it its delete) and what the
   * source did at it ran in one synchronous run; where the hearer made it from a continuation,
   * that run is a turn of its own in the log, which the replay would feed only once the loop
   * idled — after the hearer's other microtasks (its status manager's flush of the reports
   * before the delete's). When the next recorded turn starts with this very call, it is fed now.
   */
  function pullIfNext(source: string, cause: string): void {
    if (!within(k)) return;
    const e = entries[k]!;
    const next = cause === START ? e.kind === 'start' && e.address === source : e.kind === 'event' && e.actor === source && e.event.type === cause;
    if (next && turns.pull()) feedTurn();
  }
  function feedTurn(): void {
    // After the last turn, let its continuations run before the final check.
    if (!within(k)) return void setImmediate(finish);
    const end = turnEnd(k);
    const last = lastDelivery(k, end);
    const next = drains && within(end) ? firstDelivery(end) : undefined;
    opener.expect(next);
    turns.send({ type: 'feed', hasDeliveries: last >= k, drainNext: next !== undefined });
    if (last < k) armIfSent();
    while (k < end) {
      const e = entries[k]!;
      if (e.kind === 'msg') opener.fed(e);
      feed(e);
      fed++;
      if (k++ === last) {
        turns.send(ALL_DELIVERED);
        armIfSent();
      }
    }
    for (const a of changed) a.check(false);
    changed.clear();
  }
  feedNext();
  await done;
  const divergences: Divergence[] = [];
  let matched = 0;
  for (const a of actors.values()) {
    // Up to a position, an output the log has by then is missing if the replay did not produce
    // it, but one the replay produced beyond the log's may be recorded after the position (at its delivery).
    const d = a.check(true, opts.upTo === undefined);
    if (!shown(a.address)) continue;
    matched += a.matched;
    if (d) divergences.push(d);
  }
  divergences.sort((a, b) => a.i - b.i);
  return { actors, skipped: [...skipped].filter(([address]) => shown(address)).map(([address, s]) => ({ address, ...s })), divergences, matched, entries: fed };
}

type Entry<K extends Positioned['kind']> = Extract<Positioned, { kind: K }>;

/** A message the simulation's faulty bus lost: the sender's output, no one's input. */
const isLost = (e: Positioned): boolean => e.kind === 'msg' && e.lost === true;

/** Whether `e` was recorded in the same synchronous run as `first` (see LogEntry). */
const sameTurn = (e: Positioned, first: Positioned): boolean => e.turn !== undefined && e.turn === first.turn && e.src === first.src;

interface RecordedRequest {
  corr: string;
  payload: unknown;
  claimed: boolean;
  /** The payload as JSON, computed when first compared by content. */
  json?: string | undefined;
}

/** One receiver and type's recorded requests in log order; indexed by outline only once a request is not the next one. */
interface Route {
  list: Claimable;
  byOutline?: Map<string, Claimable>;
}

/** The recorded requests of one actor, by receiver and type, in log order. */
class RecordedRequests {
  readonly #routes = new Map<string, Route>();

  add(to: string, type: string, payload: unknown, corr: string): void {
    const key = `${to}\n${type}`;
    const route = this.#routes.get(key);
    const r = { corr, payload, claimed: false };
    if (route) route.list.push(r);
    else this.#routes.set(key, { list: [r] });
  }

  /**
   * The first unclaimed recorded request with this content; failing that (unless `exact`),
   * the first unclaimed one to the same receiver and type, so the difference is shown against it.
   * Requests mostly leave in their recorded order: the next one is compared first, and the
   * route is indexed only when it is not the one. Content is the payload as JSON; the index is
   * by outline (see `outline`), and a request's JSON is computed only when its outline is the
   * one asked for: a density log's apiserver sends 26,000 kv txns, each holding a whole object,
   * and turning them all to JSON at the first txn out of order cost 3 % of its replay.
   */
  claim(to: string, type: string, payload: unknown, exact = false): string | undefined {
    const route = this.#routes.get(`${to}\n${type}`);
    if (route === undefined) return undefined;
    const next = first(route.list);
    let r = next !== undefined && firstDifference(next.payload, payload) === null ? next : undefined;
    if (r === undefined && next !== undefined) {
      route.byOutline ??= outlineIndex(route.list);
      r = firstWithJson(route.byOutline.get(outline(payload, OUTLINE_DEPTH)), JSON.stringify(payload)) ?? (exact ? undefined : next);
    }
    if (r === undefined) return undefined;
    r.claimed = true;
    return r.corr;
  }
}

function outlineIndex(list: readonly RecordedRequest[]): Map<string, Claimable> {
  const index = new Map<string, Claimable>();
  for (const r of list) push(index, outline(r.payload, OUTLINE_DEPTH), r);
  return index;
}

/** The first unclaimed request of `list` (log order) whose payload's JSON is `json`. */
function firstWithJson(list: Claimable | undefined, json: string | undefined): RecordedRequest | undefined {
  if (first(list) === undefined) return undefined;
  for (let j = list!.head!; j < list!.length; j++) {
    const r = list![j]!;
    if (!r.claimed && (r.json ??= JSON.stringify(r.payload)) === json) return r;
  }
  return undefined;
}

/** How deep `outline` renders: a kv txn's ops down to their keys and revisions, not the objects they write. */
const OUTLINE_DEPTH = 3;

/**
 * A value's JSON down to `depth` levels, with deeper objects and arrays as `~`: payloads whose
 * JSON is the same have the same outline (it follows JSON.stringify's rules: `toJSON`, members
 * JSON leaves out, what an array holds as null), so an index by outline finds every request
 * with a payload's JSON among few others.
 */
export function outline(v: unknown, depth: number): string {
  if (typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function') v = (v as { toJSON: () => unknown }).toJSON();
  if (typeof v !== 'object' || v === null) return JSON.stringify(v) ?? 'null';
  if (depth === 0) return '~';
  let s: string;
  if (Array.isArray(v)) {
    s = '[';
    for (const x of v as unknown[]) s += `${outline(x, depth - 1)},`;
    return `${s}]`;
  }
  s = '{';
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
    s += `${JSON.stringify(k)}:${outline(x, depth - 1)},`;
  }
  return `${s}}`;
}

function push<T>(m: Map<string, T[]>, key: string, v: T): void {
  const list = m.get(key);
  if (list) list.push(v);
  else m.set(key, [v]);
}

/** Recorded requests in log order; `head` skips the claimed ones before it (a shift per claim would copy the list). */
type Claimable = RecordedRequest[] & { head?: number };

function first(list: Claimable | undefined): RecordedRequest | undefined {
  if (list === undefined) return undefined;
  let h = list.head ?? 0;
  while (h < list.length && list[h]!.claimed) h++;
  list.head = h;
  return list[h];
}

/**
 * The recorded requests of every actor. A replayed request takes the correlation id of
 * the first unclaimed recorded request with its content: the order in which concurrent
 * requests leave an actor follows promise scheduling (and, on a real clock, disk and
 * network timing), while what each asks and gets is behaviour.
 */
function recordedRequests(entries: readonly Positioned[]): Map<string, RecordedRequests> {
  const byActor = new Map<string, RecordedRequests>();
  for (const e of entries) {
    if (e.kind !== 'msg' || e.corr === undefined || e.type === REPLY) continue;
    let r = byActor.get(e.from);
    if (r === undefined) byActor.set(e.from, (r = new RecordedRequests()));
    r.add(e.to, e.type, e.payload, e.corr);
  }
  return byActor;
}
