/**
 * The web UI's actor view on a running cluster: the actors of a host (and the pods its
 * kubelets run), one actor's chart definition, its state (value, active state ids, context
 * redacted as the inspector redacts it) and its recent events.
 *
 * Inspection costs throughput, so nothing is observed until a tab watches an actor, and
 * then only that actor: a hosted actor is its own XState system (one root per address), and
 * `system.inspect` attaches an observer to it on demand and detaches it when the last
 * watcher leaves, following the address across restarts. A pod is not hosted (its kubelet
 * runs it): its only inspection hook is the one it is created with, so `inspectFor` (passed
 * to the host's `inspectFor`, which kubelets hand to their pods) notes each pod's actor and
 * forwards its frames only while it is watched.
 */
import type { AnyActorRef, AnyStateMachine, InspectionEvent, Snapshot, Subscription } from 'xstate';
import type { Clock } from '../../base/clock.ts';
import { activeStateIds, chartOf, definitionJson, type ChartDef } from '../../ui/chart/model.ts';
import type { ActorHost } from '../host.ts';
import type { Inspect } from '../lifecycle.ts';
import { safeJson, sanitize } from '../inspect/sanitize.ts';
import { globMatcher } from '../replay/glob.ts';
import { groupOf, shown } from './replay-log.ts';
import type { ActorEvent, ActorInfo, ActorListQuery, ActorSource, ActorState, ActorUpdate, MachineDefinitionJson, MessageSource, Window } from './source.ts';

/** A context bigger than this (as JSON) is shown by its top-level keys, each shortened: the apiserver's caches are not sent whole. */
export const CONTEXT_MAX = 256 * 1024;
/** Events kept per watched actor. */
export const EVENTS_KEPT = 200;
/** A watched actor's context is turned into JSON at most this often (its value and active states on every change). */
export const CONTEXT_EVERY_MS = 200;

export interface ActorFeedOptions {
  /** The host whose actors it shows; or later, with `follow` (a host is built with its `inspectFor`, which a feed showing pods must give it). */
  host?: ActorHost;
  /** The cluster's clock: the `at` of states and events. */
  clock: Clock;
  /** Pod addresses (default `pod.*`): those `inspectFor` follows. */
  pods?: string;
  /** The bus messages (the UI's message tap): an actor's recent events before it was watched are the messages it received. */
  messages?: MessageSource;
  /** Wall-clock timers for the context's rate limit (default the global ones). */
  timers?: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(t: unknown): void; now(): number };
}

/** One watched address: its listeners, the observer on its current incarnation, its recent events. */
interface Watched {
  listeners: Set<(u: ActorUpdate) => void>;
  ref: AnyActorRef | undefined;
  sub: Subscription | undefined;
  events: ActorEvent[];
  context: { json: unknown; at: number } | undefined;
  trailing: unknown;
  /** The event whose snapshot comes next (XState reports an event, then the snapshot it led to). */
  pending?: ActorEvent | undefined;
}

/** Plain JSON of a redacted context, by its top-level keys (each shortened) when it is large. */
export function contextJson(context: unknown, max = CONTEXT_MAX): unknown {
  const json = safeJson(sanitize(context)) as string | undefined;
  if (json === undefined) return null;
  if (json.length <= max) return JSON.parse(json) as unknown;
  const top = JSON.parse(json) as Record<string, unknown>;
  if (typeof top !== 'object' || top === null) return shown(top, 1024);
  return Object.fromEntries(Object.entries(top).map(([k, v]) => [k, shown(v, 1024)]));
}

/** The state machine an actor runs (an actor ref's `logic`, which XState's ref type does not show), if it runs one. */
function machineOf(ref: AnyActorRef | undefined): AnyStateMachine | undefined {
  const logic = (ref as { logic?: unknown } | undefined)?.logic;
  return typeof logic === 'object' && logic !== null && 'root' in logic ? (logic as AnyStateMachine) : undefined;
}

/** The live actors of a host and its pods, as the UI's `ActorSource`. */
export class ActorFeed implements ActorSource {
  #host: ActorHost | undefined;
  readonly #clock: Clock;
  readonly #isPod: (address: string) => boolean;
  readonly #messages: MessageSource | undefined;
  readonly #timers: NonNullable<ActorFeedOptions['timers']>;
  /** Pods seen starting (their actor refs), pruned once stopped. */
  readonly #pods = new Map<string, AnyActorRef>();
  readonly #watched = new Map<string, Watched>();
  readonly #charts = new WeakMap<object, ChartDef>();
  #offLifecycle: () => void = () => {};

  constructor(opts: ActorFeedOptions) {
    this.#clock = opts.clock;
    this.#isPod = globMatcher(opts.pods ?? 'pod.*');
    this.#messages = opts.messages;
    this.#timers = opts.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (t) => clearTimeout(t as ReturnType<typeof setTimeout>), now: () => Date.now() };
    if (opts.host) this.follow(opts.host);
  }

  /**
   * Shows `host`'s actors and follows their restarts and stops. For pods too, build the host
   * with this feed's `inspectFor` first: `new ActorFeed({ clock })`, then the host with
   * `inspectFor: (a) => bothInspect(feed.inspectFor(a), inspector?.inspectFor(a))`, then `feed.follow(host)`.
   */
  follow(host: ActorHost): void {
    this.#offLifecycle();
    this.#host = host;
    this.#offLifecycle = host.onLifecycle((e) => {
      const w = this.#watched.get(e.address);
      if (w === undefined) return;
      if (e.type === 'start' || e.type === 'restart') this.#attach(e.address, w, e.ref);
      else if (e.type === 'stop') this.#gone(e.address, w);
    });
  }

  /**
   * For the host's `inspectFor` (combine with the Stately bridge's through `bothInspect`):
   * an observer for pod addresses, undefined for the rest (they are inspected on demand).
   */
  readonly inspectFor = (address: string): Inspect | undefined => {
    if (!this.#isPod(address)) return undefined;
    return (ev: InspectionEvent) => {
      const ref = ev.actorRef as AnyActorRef;
      if (ev.type === '@xstate.actor' && ref._parent === undefined) {
        this.#pods.set(address, ref);
        const w = this.#watched.get(address);
        if (w) this.#attach(address, w, ref);
        return;
      }
      const w = this.#watched.get(address);
      if (w !== undefined) this.#frame(address, w, ev);
    };
  };

  list(q: ActorListQuery = {}): Window<ActorInfo> {
    const match = globMatcher(q.select);
    const rows: ActorInfo[] = [];
    for (const address of this.#host?.list() ?? []) {
      if (!match(address)) continue;
      const h = this.#host?.get(address);
      const machine = machineOf(h?.ref)?.id;
      rows.push({ address, group: groupOf(address), state: h?.state ?? 'stopped', ...(machine ? { machine } : {}) });
    }
    for (const [address, ref] of this.#pods) {
      if (ref.getSnapshot().status !== 'active') {
        // A pod stops itself once terminated: forgotten here, lazily.
        if (!this.#watched.has(address)) this.#pods.delete(address);
        continue;
      }
      if (match(address)) rows.push({ address, group: groupOf(address), state: 'running', machine: machineOf(ref)?.id ?? '' });
    }
    rows.sort((a, b) => a.address.localeCompare(b.address));
    const offset = Math.max(0, Math.min(q.offset ?? 0, rows.length));
    return { total: rows.length, offset, rows: rows.slice(offset, offset + (q.limit ?? 500)) };
  }

  definition(address: string): MachineDefinitionJson | undefined {
    const machine = machineOf(this.#ref(address));
    return machine ? definitionJson(machine) : undefined;
  }

  state(address: string): ActorState | undefined {
    const ref = this.#ref(address);
    if (ref === undefined) return undefined;
    const w = this.#watched.get(address);
    return this.#stateOf(address, ref, ref.getSnapshot() as Snapshot<unknown>, w, true);
  }

  /** The events received since it was watched; before that, the bus messages addressed to it (from the message tap). */
  events(address: string, limit = 50): ActorEvent[] {
    const w = this.#watched.get(address);
    if (w !== undefined && w.events.length > 0) return w.events.slice(-limit);
    if (this.#messages === undefined) return [];
    const rows = this.#messages.query({ actors: address, limit: limit * 4 }).filter((m) => m.to === address).slice(-limit);
    return rows.map((m) => ({ at: m.at, seq: m.seq, type: m.type, event: { from: m.from, ...(m.corr === undefined ? {} : { corr: m.corr }), payload: shown(this.#messages!.payload(m.seq)) } }));
  }

  watch(address: string, listener: (u: ActorUpdate) => void): (() => void) | undefined {
    const ref = this.#ref(address);
    if (ref === undefined) return undefined;
    let w = this.#watched.get(address);
    if (w === undefined) {
      w = { listeners: new Set(), ref: undefined, sub: undefined, events: [], context: undefined, trailing: undefined };
      this.#watched.set(address, w);
      this.#attach(address, w, ref);
    }
    w.listeners.add(listener);
    const watched = w;
    return () => {
      watched.listeners.delete(listener);
      if (watched.listeners.size > 0 || this.#watched.get(address) !== watched) return;
      this.#detach(watched);
      this.#watched.delete(address);
    };
  }

  /** Addresses being watched (inspection attached). */
  watching(): string[] {
    return [...this.#watched.keys()];
  }

  close(): void {
    this.#offLifecycle();
    for (const w of this.#watched.values()) this.#detach(w);
    this.#watched.clear();
    this.#pods.clear();
  }

  #ref(address: string): AnyActorRef | undefined {
    return this.#host?.get(address)?.ref ?? this.#pods.get(address);
  }

  /** Observes `ref` (a new incarnation, or the first): a hosted actor through its system, a pod through `inspectFor`. */
  #attach(address: string, w: Watched, ref: AnyActorRef): void {
    this.#detach(w);
    w.ref = ref;
    w.context = undefined;
    // A pod's frames come through inspectFor; only its end is subscribed to (it stops itself once terminated).
    w.sub = this.#isPod(address)
      ? ref.subscribe({ complete: () => this.#gone(address, w), error: () => {} })
      : ref.system.inspect((ev: InspectionEvent) => this.#frame(address, w, ev));
    if (w.listeners.size > 0) this.#emit(address, w, ref.getSnapshot() as Snapshot<unknown>);
  }

  #detach(w: Watched): void {
    w.sub?.unsubscribe();
    w.sub = undefined;
    this.#timers.clearTimeout(w.trailing);
    w.trailing = undefined;
  }

  #gone(address: string, w: Watched): void {
    this.#detach(w);
    w.ref = undefined;
    for (const l of w.listeners) l({ type: 'gone', address });
  }

  /** One inspection frame of the watched actor (its own, not its invoked children's). */
  #frame(address: string, w: Watched, ev: InspectionEvent): void {
    if (ev.actorRef !== w.ref) return;
    if (ev.type === '@xstate.event') {
      const e = ev.event as { type: string; seq?: unknown; from?: unknown; corr?: unknown; payload?: unknown };
      // A bus envelope (the host sends envelopes as events): its payload, who sent it, its bus seq.
      const envelope = typeof e.seq === 'number' && typeof e.from === 'string';
      const item: ActorEvent = {
        at: this.#clock.now(),
        ...(envelope ? { seq: e.seq as number } : {}),
        type: e.type,
        event: envelope ? { from: e.from, ...(e.corr === undefined ? {} : { corr: e.corr }), payload: shown(e.payload) } : shown(e),
      };
      w.events.push(item);
      if (w.events.length > EVENTS_KEPT) w.events.splice(0, w.events.length - EVENTS_KEPT);
      w.pending = item;
    } else if (ev.type === '@xstate.snapshot') {
      this.#emit(address, w, ev.snapshot as Snapshot<unknown>);
    }
  }

  #emit(address: string, w: Watched, snapshot: Snapshot<unknown>): void {
    const state = this.#stateOf(address, w.ref!, snapshot, w, false);
    const event = w.pending;
    w.pending = undefined;
    for (const l of w.listeners) l({ type: 'state', state, ...(event ? { event } : {}) });
  }

  /**
   * The view of a snapshot. The context is turned into JSON at most every CONTEXT_EVERY_MS
   * per watched actor (a busy apiserver changes hundreds of times a second); a trailing
   * update brings the last one when changes stop.
   */
  #stateOf(address: string, ref: AnyActorRef, snapshot: Snapshot<unknown>, w: Watched | undefined, fresh: boolean): ActorState {
    const s = snapshot as Snapshot<unknown> & { value?: unknown; context?: unknown };
    const def = this.#chart(ref);
    const now = this.#timers.now();
    let context: unknown;
    if (w === undefined || fresh || w.context === undefined || now - w.context.at >= CONTEXT_EVERY_MS) {
      context = contextJson(s.context);
      if (w) w.context = { json: context, at: now };
    } else {
      context = w.context.json;
      if (w.trailing === undefined) {
        w.trailing = this.#timers.setTimeout(() => {
          w.trailing = undefined;
          if (w.ref === ref && w.listeners.size > 0) {
            const state = this.#stateOf(address, ref, ref.getSnapshot() as Snapshot<unknown>, w, true);
            for (const l of w.listeners) l({ type: 'state', state });
          }
        }, CONTEXT_EVERY_MS);
      }
    }
    return {
      address,
      status: s.status,
      value: JSON.parse(safeJson(s.value ?? null)) as unknown,
      context,
      active: def ? activeStateIds(def, s.value) : [],
      at: this.#clock.now(),
    };
  }

  #chart(ref: AnyActorRef): ChartDef | undefined {
    const machine = machineOf(ref);
    if (machine === undefined) return undefined;
    let def = this.#charts.get(machine);
    if (def === undefined) this.#charts.set(machine, (def = chartOf(machine)));
    return def;
  }
}
