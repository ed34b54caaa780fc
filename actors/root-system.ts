/**
 * A lighter XState actor system for root actors a process holds by the thousand (pod actors).
 *
 * XState gives every root actor a system of its own (`createSystem`): some twenty closures,
 * two Maps, a WeakMap and a Set, about 1.7 KB of heap, though a pod actor uses only its
 * scheduler (delayed transitions on the pod's own clock) and its inspection observer (the
 * recorder, the inspector). `lightenSystem` replaces it, before the actor starts, with one
 * object whose methods live once on a prototype and whose fields are what this actor uses.
 *
 * It does what XState's system does, in the same order, for what a root actor reaches
 * through `actor.system` and its actor scope: delayed events (`schedule`, `cancel`,
 * `cancelAll`, `getSnapshot`, `start`), inspection (`inspect`, `_sendInspectionEvent` with
 * `rootId`), `_relay`, system ids (`get`, `getAll`, `_set`, `_unregister`), and session ids
 * for children from XState's own counter (`_bookId`). The actor's own session id, and the
 * `@xstate.actor` event its constructor sends, come from XState's system as before, so
 * what an inspection observer sees is unchanged.
 */
import { createActor, createMachine, toObserver, type AnyActorRef, type AnyStateMachine, type EventObject, type InspectionEvent, type Observer, type Subscription } from 'xstate';
// XState's transitions without the work a targetless one does not need (see there).
import './xstate-fast-paths.ts';

/** What XState's system schedules: its delayed events, keyed `<source sessionId>.<id>`. */
interface ScheduledEvent {
  source: AnyActorRef;
  target: AnyActorRef;
  event: EventObject;
  delay: number;
  id: string;
  startedAt: number;
}

interface XClock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

/** The parts of XState's `Actor` that hold its system (internal fields, stable through XState 5). */
interface ActorInternals {
  system: unknown;
  _actorScope: { system: unknown };
  sessionId: string;
  systemId?: string;
  clock: XClock;
  logger: (...args: unknown[]) => void;
  _processingStatus: number;
  options: Record<string, unknown>;
  observers: unknown;
  eventListeners: unknown;
  _send(event: EventObject): void;
}

/**
 * Session ids for the children of lightened roots: from a system of XState's own, made on
 * first use, so they share XState's counter (`x:<n>`) and never collide with another actor's.
 */
let donor: { _bookId(): string } | undefined;
const bookId = (): string => (donor ??= createActor(createMachine({})).system as unknown as { _bookId(): string })._bookId();

const scheduledId = (source: AnyActorRef, id: string): string => `${source.sessionId}.${id}`;

class RootSystem {
  _snapshot: { _scheduledEvents: Record<string, ScheduledEvent> } = { _scheduledEvents: {} };
  readonly _clock: XClock;
  readonly _logger: (...args: unknown[]) => void;
  readonly #root: AnyActorRef;
  /** One observer (the usual case) or several (the inspector subscribed too). */
  #observers: Observer<InspectionEvent>[] | undefined;
  #timers: Record<string, unknown> | undefined;
  #keyed: Map<string, AnyActorRef> | undefined;

  constructor(root: AnyActorRef, clock: XClock, logger: (...args: unknown[]) => void, observer: Observer<InspectionEvent> | undefined) {
    this.#root = root;
    this._clock = clock;
    this._logger = logger;
    if (observer) this.#observers = [observer];
  }

  /** XState reaches the scheduler as `system.scheduler.schedule(...)`: the system is its own. */
  get scheduler(): this {
    return this;
  }

  schedule(source: AnyActorRef, target: AnyActorRef, event: EventObject, delay: number, id: string = Math.random().toString(36).slice(2)): void {
    const key = scheduledId(source, id);
    this._snapshot._scheduledEvents[key] = { source, target, event, delay, id, startedAt: Date.now() };
    const timers = (this.#timers ??= {});
    timers[key] = this._clock.setTimeout(() => {
      delete timers[key];
      delete this._snapshot._scheduledEvents[key];
      this._relay(source, target, event);
    }, delay);
  }

  cancel(source: AnyActorRef, id: string): void {
    const key = scheduledId(source, id);
    const timer = this.#timers?.[key];
    if (this.#timers) delete this.#timers[key];
    delete this._snapshot._scheduledEvents[key];
    if (timer !== undefined) this._clock.clearTimeout(timer);
  }

  cancelAll(actor: AnyActorRef): void {
    const events = this._snapshot._scheduledEvents;
    for (const key in events) {
      const e = events[key]!;
      if (e.source === actor) this.cancel(actor, e.id);
    }
  }

  getSnapshot(): { _scheduledEvents: Record<string, ScheduledEvent> } {
    return { _scheduledEvents: { ...this._snapshot._scheduledEvents } };
  }

  start(): void {
    const events = this._snapshot._scheduledEvents;
    this._snapshot._scheduledEvents = {};
    for (const key in events) {
      const { source, target, event, delay, id } = events[key]!;
      this.schedule(source, target, event, delay, id);
    }
  }

  inspect(observerOrFn: Observer<InspectionEvent> | ((ev: InspectionEvent) => void)): Subscription {
    const observer = toObserver(observerOrFn);
    (this.#observers ??= []).push(observer);
    return {
      unsubscribe: () => {
        const i = this.#observers?.indexOf(observer) ?? -1;
        if (i >= 0) this.#observers!.splice(i, 1);
      },
    };
  }

  _sendInspectionEvent(event: object): void {
    const observers = this.#observers;
    if (!observers?.length) return;
    const resolved = { ...event, rootId: this.#root.sessionId } as InspectionEvent;
    for (const o of [...observers]) o.next?.(resolved);
  }

  _relay(source: AnyActorRef | undefined, target: AnyActorRef, event: EventObject): void {
    this._sendInspectionEvent({ type: '@xstate.event', sourceRef: source, actorRef: target, event });
    (target as unknown as ActorInternals)._send(event);
  }

  _bookId(): string {
    return bookId();
  }

  /** XState's system keeps its actors by session id but never reads them back: nothing to keep. */
  _register(sessionId: string): string {
    return sessionId;
  }

  _unregister(actor: AnyActorRef): void {
    const keyed = this.#keyed;
    if (!keyed) return;
    for (const [id, a] of keyed) if (a === actor) keyed.delete(id);
  }

  get(systemId: string): AnyActorRef | undefined {
    return this.#keyed?.get(systemId);
  }

  getAll(): Record<string, AnyActorRef> {
    return Object.fromEntries(this.#keyed ?? []);
  }

  _set(systemId: string, actor: AnyActorRef): void {
    const keyed = (this.#keyed ??= new Map());
    const existing = keyed.get(systemId);
    if (existing && existing !== actor) throw new Error(`Actor with system ID '${systemId}' already exists.`);
    keyed.set(systemId, actor);
  }
}

/**
 * Gives a root actor that has not started a `RootSystem` in place of XState's: timers on the
 * actor's clock, inspection events to `inspect` (the observer it was created with).
 */
export function lightenSystem(actor: AnyActorRef, inspect?: Observer<InspectionEvent> | ((ev: InspectionEvent) => void)): void {
  const a = actor as unknown as ActorInternals;
  if (a._processingStatus !== 0) throw new Error('lightenSystem: the actor has started');
  const system = new RootSystem(actor, a.clock, a.logger, inspect ? toObserver(inspect) : undefined);
  const adopt = (ref: AnyActorRef): void => {
    const r = ref as unknown as ActorInternals;
    r.system = system;
    r._actorScope.system = system;
    if (r.systemId !== undefined) system._set(r.systemId, ref);
    // Children its initial state invoked were made on XState's system: they move too.
    const children = (ref.getSnapshot() as { children?: Record<string, AnyActorRef | undefined> }).children;
    for (const child of Object.values(children ?? {})) if (child) adopt(child);
  };
  adopt(actor);
  // XState makes its options by spreading ours over its defaults; at that megamorphic site Node 20's V8
  // gives each result a hidden class of its own (about 230 bytes). The same keys added one by one share one.
  const options: Record<string, unknown> = {};
  for (const k of Object.keys(a.options)) options[k] = a.options[k];
  a.options = options;
  // XState makes every actor an observer Set and a listener Map (336 bytes), which a pod actor
  // leaves empty unless a spec or the inspector subscribes: stand-ins hand it real ones then.
  if (isEmpty(a.observers) && isEmpty(a.eventListeners)) {
    a.observers = new NoObservers(a);
    a.eventListeners = new NoListeners(a);
  }
}

const isEmpty = (c: unknown): boolean => (c instanceof Set || c instanceof Map) && c.size === 0;

/** An iterator that is already done: iterating an empty stand-in allocates nothing. */
const DONE: IterableIterator<never> = {
  next: () => ({ done: true, value: undefined }),
  [Symbol.iterator]() {
    return this;
  },
};

/**
 * What XState's `Actor` does with an empty `observers` Set or `eventListeners` Map: read its
 * size, iterate it, look an entry up, delete from and clear it — all nothing to do. The first
 * entry added makes the real collection (the subclasses below).
 */
abstract class EmptyStandIn {
  protected readonly actor: ActorInternals;
  constructor(actor: ActorInternals) {
    this.actor = actor;
  }
  get size(): number {
    return 0;
  }
  has(): boolean {
    return false;
  }
  delete(): boolean {
    return false;
  }
  clear(): void {}
  forEach(): void {}
  values(): IterableIterator<never> {
    return DONE;
  }
  [Symbol.iterator](): IterableIterator<never> {
    return DONE;
  }
}

/** `observers` (a Set) while empty: adding the first observer gives the actor a real Set holding it. */
class NoObservers extends EmptyStandIn {
  add(observer: unknown): Set<unknown> {
    const set = new Set([observer]);
    this.actor.observers = set;
    return set;
  }
}

/** `eventListeners` (a Map from emitted event type to a Set of handlers) while empty: `set` makes the real Map. */
class NoListeners extends EmptyStandIn {
  get(): undefined {
    return undefined;
  }
  set(type: unknown, listeners: unknown): Map<unknown, unknown> {
    const map = new Map([[type, listeners]]);
    this.actor.eventListeners = map;
    return map;
  }
}

/**
 * Call once the actor has started: XState queues a root's initial actions in an array it
 * drains with `shift()`, which can leave the array's grown backing store (about 150 bytes)
 * in place; nothing is queued there once the actor runs, so an empty array replaces it.
 */
export function releaseStartQueue(actor: AnyActorRef): void {
  const a = actor as unknown as { _deferred: unknown[] };
  if (a._deferred.length === 0) a._deferred = [];
}

/** A Set that stays empty: the one `tags` of every tagless snapshot of a machine `shareEmptyTags` wrapped. */
class NoTags extends Set<string> {
  override add(): never {
    throw new Error('a snapshot\'s tags are read-only');
  }
}
const NO_TAGS = new NoTags();

/**
 * Makes `machine`'s snapshots share one empty tag Set: XState gives every snapshot a Set of
 * its states' tags (152 bytes empty), and a chart without tags (the pod chart) keeps one per
 * actor. The snapshots an actor holds come from `getInitialSnapshot` and `transition`; what
 * `hasTag`, `toJSON` and inspection read of them is unchanged. Returns `machine`.
 */
export function shareEmptyTags<M extends AnyStateMachine>(machine: M): M {
  const shared = <S>(snapshot: S): S => {
    const s = snapshot as { tags?: Set<string> };
    if (s.tags instanceof Set && s.tags.size === 0) s.tags = NO_TAGS;
    return snapshot;
  };
  const m = machine as unknown as { getInitialSnapshot: (...a: unknown[]) => unknown; transition: (...a: unknown[]) => unknown };
  const initial = m.getInitialSnapshot.bind(machine);
  const transition = m.transition.bind(machine);
  m.getInitialSnapshot = (...a) => shared(initial(...a));
  m.transition = (...a) => shared(transition(...a));
  return machine;
}
