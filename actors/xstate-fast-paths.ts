/**
 * Two of XState 5's internal steps, done with less work where XState's own result is known
 * to be the same. Both are on every event every actor takes, and XState's overhead per event
 * was a fifth of density's main thread (100 nodes, 3,000 pods), more than the charts' own
 * guards and actions.
 *
 * **StateNode.next** — which of a node's transitions an event takes. XState memoizes a node's
 * candidate transitions under a key it builds per call (`candidates-${event.type}`), looked up
 * in a WeakMap's per-node object: 2.4 % of density's main thread. Here a node keeps them in a
 * Map by event type, computed as XState's getCandidates does (the exact descriptor's
 * transitions, then the matching wildcards', longest first), and the guards run through
 * XState's own `evaluateGuard`, in order, with XState's error for one that throws.
 *
 * **StateMachine.transition** — a macrostep. For an event whose transitions are all targetless
 * (no target, no reenter) with actions that are plain functions or `assign`s (no raise, sendTo
 * or other built-in), in a configuration where no active node has an eventless (`always`)
 * transition, XState's macrostep computes exit and entry sets that are empty, copies the
 * configuration into a Set and back, and searches for eventless transitions that cannot exist
 * (a microstep and that search were four-fifths of such an event's 4 µs). Its outcome is
 * known: the actions in order — an assign resolved into the next snapshot as XState's
 * `resolve` does, but with the state value and tags of the last (XState works both out again
 * from the configuration, which an assign does not change; an assignment that spawns takes
 * XState's `resolve`), a plain action run through the actor's action executor (as XState calls it, so
 * `@xstate.action` inspection events are the same) with the context the assigns before it
 * made —, one `@xstate.microstep` inspection event, and that snapshot. That is what the fast
 * path does. An `enqueueActions` is taken too when nothing has run before it: its callback
 * (pure, as XState asks) gives its queue, run in its place when it holds only assigns and
 * plain actions; one holding a raise or another built-in sends the whole event to XState's
 * path, which runs the callback again — unless it is the queue's one raise of an event the
 * configuration meets with a sibling move or targetless actions alone (one state holds its
 * transitions): then, as XState's macrostep, the event is taken after the step's microstep, in a
 * microstep of its own (a pod's stage move, raised by its step: 3,000 of density's macrosteps).
 * Anything else — a target, another built-in, an
 * `always` the fast path cannot settle (below), XState's own events — takes XState's path. The apiserver's
 * requests, the kv's transactions, the controllers' enqueues, the kubelets' watch events and
 * most of a pod's steps are such events.
 *
 * A **move between siblings** — one transition from an atomic state to another child of the same
 * compound parent (or from a compound state whose children are all atomic to one of them, which
 * leaves the active child), no child actor on either, only assigns, plain actions and `after`'s
 * timers to run — is also done without the macrostep: the
 * source's exit actions, the transition's and the target's entry actions (XState's `raise` and
 * `cancel` built-ins resolved and executed as XState does), the target in the source's place in
 * the configuration, the state value changed at the parent. Delayed events (`xstate.after.*`)
 * are taken like any other. A kubelet's Lease and status periods are four such moves per node
 * every 10 s: XState's macrostep for them was a third of an idle 5,000-node cluster's main
 * thread.
 *
 * **Eventless transitions** are settled after either step where XState's outcome is again
 * known: in a configuration without parallel states (one atomic state) whose ancestors have no
 * `always`, and whose eventless transitions — and those of the states they lead to — are all
 * sibling moves. Then, as XState's macrostep, while the atomic state's first `always`
 * transition whose guard passes (given the macrostep's event) is enabled, that move, each a
 * microstep with its inspection event. The scheduler's chart is such a chart (idle to scheduling
 * when a pod is ready, and back when nothing was popped): before, every one of its events took
 * XState's macrostep (scheduler-perf: 1.107× the throughput, 0.901× the CPU a pod).
 *
 * **StateMachine.getInitialSnapshot** — an actor's first snapshot. XState enters the initial
 * configuration by its general microstep (the entry set worked out from the root's initial
 * transition, Sets copied, the state value and tags worked out again) and then searches for
 * eventless transitions: 70 µs a pod actor, 2.7 % of density's main thread. Where the initial
 * configuration has no invoked actor, history or final state and no eventless transition, and
 * its entry actions (and initial transitions' actions) are assigns, plain actions and `after`'s
 * timers, the configuration, its state value and tags and the actions to run are the same for
 * every actor of the machine: worked out once, and each actor gets XState's pre-initial snapshot
 * (its context from its input), those actions run in document order as XState runs them (given
 * the init event; the actor defers them until it starts), and that configuration.
 *
 * All are internal methods in XState 5 (like the system fields root-system.ts replaces): the
 * patches check the methods they replace are there, and spec/actors/xstate-fast-paths.spec.ts
 * runs charts with and without them side by side (and starts the real charts both ways).
 */
import { StateMachine, StateNode, type AnyActorScope, type AnyEventObject, type AnyMachineSnapshot } from 'xstate';
import { evaluateGuard } from 'xstate/guards';

type Transition = { guard?: unknown; eventType: string; source?: StateNodeLike; target?: readonly StateNodeLike[]; reenter?: boolean; actions: readonly unknown[] };
/** What the sibling move reads of a state node (XState 5's fields). */
interface StateNodeLike {
  type: string;
  key: string;
  path: readonly string[];
  parent?: StateNodeLike;
  entry: readonly unknown[];
  exit: readonly unknown[];
  invoke: readonly unknown[];
  always?: readonly Transition[];
  tags: readonly string[];
  order: number;
  states: Record<string, StateNodeLike>;
  initial?: { target: readonly StateNodeLike[]; actions: readonly unknown[] };
}
interface Node {
  id: string;
  transitions: Map<string, Transition[]>;
  [CANDIDATES]?: Map<string, Transition[]>;
}

const CANDIDATES = Symbol('kubeactor.candidates');

/** XState's matchesEventDescriptor: `*` matches every type, `a.*` matches `a` and `a.<anything>`. */
function matches(eventType: string, descriptor: string): boolean {
  if (descriptor === eventType || descriptor === '*') return true;
  if (!descriptor.endsWith('.*')) return false;
  const partial = descriptor.split('.');
  const tokens = eventType.split('.');
  for (let i = 0; i < partial.length; i++) {
    if (partial[i] === '*') return i === partial.length - 1;
    if (partial[i] !== tokens[i]) return false;
  }
  return true;
}

/** XState's getCandidates: the exact descriptor's transitions, then the matching wildcards', longest descriptor first. */
export function candidatesOf(node: Node, eventType: string): Transition[] {
  let byType = node[CANDIDATES];
  if (byType === undefined) node[CANDIDATES] = byType = new Map();
  let found = byType.get(eventType);
  if (found === undefined) {
    const exact = node.transitions.get(eventType);
    const wildcards = [...node.transitions.keys()]
      .filter((d) => d !== eventType && matches(eventType, d))
      .sort((a, b) => b.length - a.length)
      .flatMap((d) => node.transitions.get(d)!);
    found = exact ? [...exact, ...wildcards] : wildcards;
    byType.set(eventType, found);
  }
  return found;
}

function next(this: Node, snapshot: AnyMachineSnapshot, event: AnyEventObject): Transition[] | undefined {
  const candidates = candidatesOf(this, event.type);
  for (let i = 0; i < candidates.length; i++) {
    const candidate = candidates[i]!;
    const guard = candidate.guard;
    let passed = false;
    try {
      passed = !guard || evaluateGuard(guard as never, snapshot.context, event, snapshot);
    } catch (err) {
      const type = typeof guard === 'string' ? guard : typeof guard === 'object' && guard !== null ? (guard as { type?: string }).type : undefined;
      throw new Error(`Unable to evaluate guard ${type ? `'${type}' ` : ''}in transition for event '${event.type}' in state node '${this.id}':\n${(err as Error).message}`);
    }
    if (passed) return [candidate];
  }
  return undefined;
}

const proto = StateNode.prototype as unknown as { next?: unknown };
/** XState's own `next`, kept for the spec that compares the two. */
export const xstateNext = proto.next as (this: unknown, snapshot: AnyMachineSnapshot, event: AnyEventObject) => Transition[] | undefined;
if (typeof proto.next === 'function' && proto.next !== next) proto.next = next;

/** What the fast path reads of a machine and a snapshot (XState 5's fields). */
interface Machine {
  implementations: { actions: Record<string, unknown> };
  getTransitionData(snapshot: AnyMachineSnapshot, event: AnyEventObject): Transition[];
}
type Snapshot = AnyMachineSnapshot & { _nodes: StateNodeLike[] };
interface Scope {
  self: unknown;
  system: { _sendInspectionEvent(e: object): void };
  actionExecutor(action: { type: string; info: object; params: unknown; exec: unknown }): void;
}

/** A resolved action with no `resolve`: what XState's executor just calls (built-ins resolve first). */
const plain = (impl: unknown): boolean => impl === undefined || !(typeof impl === 'function' || (typeof impl === 'object' && impl !== null)) || !('resolve' in (impl as object));

/** XState's `assign`: resolved into the next snapshot (its context), nothing to execute, nothing queued. */
interface Assign {
  type: 'xstate.assign';
  resolve(scope: AnyActorScope, snapshot: AnyMachineSnapshot, args: object, params: unknown, self: Assign, extra: object): [AnyMachineSnapshot, unknown, unknown];
}
const isAssign = (impl: unknown): impl is Assign => typeof impl === 'function' && (impl as { type?: unknown }).type === 'xstate.assign' && 'resolve' in impl;

/** XState's `enqueueActions`: resolving it runs its callback, which returns the actions it queued (nothing to execute itself). */
interface Enqueue {
  type: 'xstate.enqueueActions';
  resolve(scope: AnyActorScope, snapshot: AnyMachineSnapshot, args: object, params: unknown, self: Enqueue, extra: object): [AnyMachineSnapshot, unknown, unknown[] | undefined];
}
const isEnqueue = (impl: unknown): impl is Enqueue => typeof impl === 'function' && (impl as { type?: unknown }).type === 'xstate.enqueueActions' && 'resolve' in impl;
/** An enqueueActions queued an action only XState's macrostep takes (found before anything ran). */
const XSTATE = Symbol('xstate');
/** What XState's microstep passes its actions' resolution (no raised events can come from plain actions and assigns). */
const EXTRA = { internalQueue: [], deferredActorIds: undefined };

/** The implementation of one of a transition's actions, as XState's resolveAndExecuteActionsWithContext finds it. */
function implementation(machine: Machine, action: unknown): unknown {
  if (typeof action === 'function') return action;
  return machine.implementations.actions[typeof action === 'string' ? action : (action as { type: string }).type];
}

function fastTransition(this: Machine, snapshot: Snapshot, event: AnyEventObject, actorScope: AnyActorScope): AnyMachineSnapshot {
  // XState's own events (init, stop, done and error events) take its path; a delayed event (`after`) is an event like any other.
  if (snapshot.status !== 'active' || (event.type.startsWith('xstate.') && !event.type.startsWith(AFTER))) return xstateTransition.call(this, snapshot, event, actorScope);
  const nodes = snapshot._nodes;
  // Eventless transitions are taken after the event's step only where each is a sibling move (see settle).
  let eventless = false;
  for (let i = 0; i < nodes.length && !eventless; i++) eventless = (nodes[i]!.always?.length ?? 0) > 0;
  if (eventless && !settles(this, nodes)) return xstateTransition.call(this, snapshot, event, actorScope);
  const transitions = this.getTransitionData(snapshot, event);
  if (transitions.length === 1 && transitions[0]!.target?.length) {
    const t = transitions[0]!;
    if (!siblingMove(this, t)) return xstateTransition.call(this, snapshot, event, actorScope);
    const moved = move(this, snapshot, event, actorScope, transitions);
    // A chart without eventless transitions (most) has nothing to settle: no search on every event.
    return eventless || t.target![0]!.always?.length ? settle(this, moved, event, actorScope) : moved;
  }
  // Plain actions run as they are reached: an enqueueActions, whose queue is known only once its
  // callback ran (a pure function of the context and event, as XState asks), is taken only
  // before anything has run, while going back to XState costs nothing but the callback.
  let executes = false;
  let queues = false;
  for (let i = 0; i < transitions.length; i++) {
    const t = transitions[i]!;
    if (t.target?.length || t.reenter) return xstateTransition.call(this, snapshot, event, actorScope);
    for (let j = 0; j < t.actions.length; j++) {
      const impl = implementation(this, t.actions[j]);
      if (isAssign(impl)) continue;
      if (plain(impl)) executes = true;
      // A queue's plain actions run too: one enqueueActions, before anything runs.
      else if (isEnqueue(impl) && !executes) executes = queues = true;
      else return xstateTransition.call(this, snapshot, event, actorScope);
    }
  }
  // Without eventless transitions, an enqueueActions may raise one event the fast path takes after
  // the step (made only for a step that has one: most events run plain actions alone).
  const raising: Raising | undefined = queues && !eventless ? { internalQueue: [], deferredActorIds: undefined, nodes } : undefined;
  let next: AnyMachineSnapshot = snapshot;
  for (const t of unique(transitions)) {
    const r = runActions(this, next, event, actorScope, t.actions, raising);
    // A queue held a raise or another built-in the fast path does not take, and nothing has run yet: XState's macrostep does it all.
    if (r === XSTATE) return xstateTransition.call(this, snapshot, event, actorScope);
    next = r;
  }
  const scope = actorScope as unknown as Scope;
  scope.system._sendInspectionEvent({ type: '@xstate.microstep', actorRef: scope.self, event, snapshot: next, _transitions: transitions });
  if (raising !== undefined && raising.internalQueue.length > 0) return takeRaised(this, next, raising.internalQueue[0]!, actorScope);
  // A targetless step leaves the configuration as it was.
  return eventless ? settle(this, next, event, actorScope) : next;
}

/**
 * The configuration's one atomic state, when it has no parallel state (so exactly one), and
 * the eventless transitions reachable from it are ones settle takes: none on its ancestors,
 * and each of its own and of the states they lead to a sibling move with a target.
 */
function settles(machine: Machine, nodes: readonly StateNodeLike[]): boolean {
  let leaf: StateNodeLike | undefined;
  for (const n of nodes) {
    if (n.type === 'parallel') return false;
    if (n.type === 'atomic') leaf = n;
  }
  return leaf !== undefined && eventlessMoves(machine, leaf);
}

/** eventlessMoves' answer by state (fixed when the machine is made). */
const EVENTLESS_MOVES = new WeakMap<StateNodeLike, boolean>();

/** From atomic state `leaf`, every eventless transition that can follow is a sibling move, and its ancestors have none and are not parallel. */
function eventlessMoves(machine: Machine, leaf: StateNodeLike): boolean {
  let known = EVENTLESS_MOVES.get(leaf);
  if (known !== undefined) return known;
  known = true;
  // In a parallel state several regions' eventless transitions could be enabled at once: XState's.
  for (let a = leaf.parent; a && known; a = a.parent) if (a.always?.length || a.type === 'parallel') known = false;
  const seen = new Set([leaf]);
  const todo = [leaf];
  while (known && todo.length > 0) {
    for (const t of todo.pop()!.always ?? []) {
      if (!t.target?.length || !siblingShape(machine, t)) {
        known = false;
        break;
      }
      const to = t.target[0]!;
      if (!seen.has(to)) seen.add(to), todo.push(to);
    }
  }
  EVENTLESS_MOVES.set(leaf, known);
  return known;
}

/** Eventless steps past this many in one macrostep are a loop (XState's own would never end). */
const MAX_EVENTLESS_STEPS = 10_000;

/**
 * XState's macrostep after the event's microstep, for a configuration `settles` vouched for:
 * while an eventless transition of the one atomic state is enabled — the first whose guard
 * passes, given the macrostep's event, as selectEventlessTransitions picks —, that move; each
 * a microstep of its own, with its inspection event.
 */
function settle(machine: Machine, snapshot: AnyMachineSnapshot, event: AnyEventObject, actorScope: AnyActorScope): AnyMachineSnapshot {
  let next = snapshot as Snapshot;
  for (let steps = 0; ; steps++) {
    let leaf: StateNodeLike | undefined;
    for (const n of next._nodes) if (n.type === 'atomic') leaf = n;
    const always = leaf?.always;
    if (!always?.length) return next;
    let enabled: Transition | undefined;
    for (const t of always) {
      if (t.guard === undefined || evaluateGuard(t.guard as never, next.context, event, next)) {
        enabled = t;
        break;
      }
    }
    if (enabled === undefined) return next;
    if (steps >= MAX_EVENTLESS_STEPS) throw new Error(`state ${leaf!.path.join('.')}: eventless transitions did not settle after ${MAX_EVENTLESS_STEPS} steps`);
    next = move(machine, next, event, actorScope, [enabled]) as Snapshot;
  }
}

/** The prefix of XState's delayed events (`xstate.after.<delay>.<state id>`). */
const AFTER = 'xstate.after.';

/**
 * XState's `raise` of an event object at once (no delay), not one of XState's own: the event goes
 * to the macrostep's internal queue, to be taken after the step that raised it.
 */
const isRaise = (impl: unknown): impl is Builtin & { event: AnyEventObject } => {
  if (typeof impl !== 'function' || (impl as { type?: unknown }).type !== 'xstate.raise' || (impl as { delay?: unknown }).delay !== undefined) return false;
  const ev = (impl as { event?: unknown }).event;
  return typeof ev === 'object' && ev !== null && typeof (ev as { type?: unknown }).type === 'string' && !(ev as AnyEventObject).type.startsWith('xstate.');
};

/**
 * A targetless step whose enqueueActions may raise one event, and XState's `extra` for resolving
 * it: the raise queues the event here, and the step takes it after its own microstep (takeRaised).
 */
interface Raising {
  internalQueue: AnyEventObject[];
  deferredActorIds: undefined;
  /** The configuration the event will meet (a targetless step leaves it as it was). */
  nodes: readonly StateNodeLike[];
}
const isRaising = (extra: object): extra is Raising => 'nodes' in extra;

/**
 * Whether the fast path can take an event of `type` raised in `nodes`: at most one of them has
 * transitions for it (so XState selects at most one, from every atomic state below that one),
 * and each of them is a sibling move into a state without eventless transitions, or targetless
 * with only assigns and plain actions — whichever its guards pick.
 */
function raiseFits(machine: Machine, nodes: readonly StateNodeLike[], type: string): boolean {
  let holder: StateNodeLike | undefined;
  for (const n of nodes) {
    const candidates = candidatesOf(n as unknown as Node, type);
    if (candidates.length === 0) continue;
    if (holder !== undefined) return false;
    holder = n;
    for (const t of candidates) {
      if (t.target?.length) {
        if (!siblingMove(machine, t) || t.target[0]!.always?.length) return false;
        continue;
      }
      if (t.reenter) return false;
      for (const a of t.actions) {
        const impl = implementation(machine, a);
        if (!(isAssign(impl) || plain(impl))) return false;
      }
    }
  }
  return true;
}

/** Targetless transitions as removeConflictingTransitions keeps them: in order, each once (a parallel chart finds a root's once per region). */
const unique = (transitions: Transition[]): Transition[] => (transitions.length > 1 ? [...new Set(transitions)] : transitions);

/** XState's macrostep taking a raised event after the step that raised it: its transition (a sibling move or targetless actions), one microstep. */
function takeRaised(machine: Machine, snapshot: AnyMachineSnapshot, event: AnyEventObject, actorScope: AnyActorScope): AnyMachineSnapshot {
  const transitions = machine.getTransitionData(snapshot, event);
  // One node holds them (raiseFits): the same transition, once per atomic state below it.
  if (transitions.length > 0 && transitions[0]!.target?.length) return move(machine, snapshot as Snapshot, event, actorScope, transitions);
  let next = snapshot;
  for (const t of unique(transitions)) next = runActions(machine, next, event, actorScope, t.actions) as AnyMachineSnapshot;
  const scope = actorScope as unknown as Scope;
  scope.system._sendInspectionEvent({ type: '@xstate.microstep', actorRef: scope.self, event, snapshot: next, _transitions: transitions });
  return next;
}

/** XState's `raise` with a delay (what `after` puts in a state's entry) and `cancel` (in its exit): built-ins a move resolves and executes as XState does. */
const isTimer = (impl: unknown): boolean => {
  const type = typeof impl === 'function' ? (impl as { type?: unknown }).type : undefined;
  return (type === 'xstate.raise' && (impl as { delay?: unknown }).delay !== undefined) || type === 'xstate.cancel';
};

/**
 * A transition from an atomic state to another child of the same compound parent, with no
 * child actor on either, no eventless transition on the target, and only assigns, plain
 * actions and `after`'s timers to run: XState exits the one (its exit actions, its timers
 * cancelled), runs the transition's actions and enters the other (its entry actions, its
 * timers started) — a kubelet's Lease and status periods, a controller's wait and retry.
 */
function siblingMove(machine: Machine, t: Transition): boolean {
  // A transition belongs to one machine's node, and what decides is fixed when the machine is made.
  let known = SIBLING_MOVES.get(t);
  if (known === undefined) SIBLING_MOVES.set(t, (known = siblingShape(machine, t) && (!t.target![0]!.always?.length || eventlessMoves(machine, t.target![0]!))));
  return known;
}
/** siblingMove's answer by transition (an idle 5,000-node cluster's kubelets asked it 2,000 times a second). */
const SIBLING_MOVES = new WeakMap<Transition, boolean>();

/**
 * A sibling move as far as its own states and actions go (what its target's eventless transitions
 * lead to aside). A compound state's transition to one of its children (`target: '.child'`, no
 * reentry) is one too when every child is atomic: XState exits the active child (the move's
 * source) and enters the target — the pod chart's stage moves.
 */
function siblingShape(machine: Machine, t: Transition): boolean {
  const source = t.source;
  const to = t.target!.length === 1 ? t.target![0] : undefined;
  if (!source || !to || to.type !== 'atomic' || to.invoke.length > 0) return false;
  // The source is active: XState found the transition on the configuration's nodes.
  let froms: readonly StateNodeLike[];
  if (source.type === 'atomic') {
    if (source === to || to.parent !== source.parent || source.parent?.type !== 'compound') return false;
    froms = [source];
  } else {
    if (source.type !== 'compound' || t.reenter || to.parent !== source) return false;
    froms = Object.values(source.states);
    if (froms.some((c) => c.type !== 'atomic')) return false;
  }
  for (const list of [...froms.map((f) => (f.invoke.length > 0 ? null : f.exit)), t.actions, to.entry]) {
    if (list === null) return false;
    for (const action of list) {
      const impl = implementation(machine, action);
      if (!(isAssign(impl) || plain(impl) || isTimer(impl))) return false;
    }
  }
  return true;
}

/**
 * XState's macrostep for a sibling move, with its outcome known: the exit actions, the
 * transition's, the entry actions (built-ins resolved and executed as XState's
 * resolveAndExecuteActionsWithContext does), the configuration with the target in the source's
 * place (XState's order: the source removed, the target last), the state value changed at the
 * parent alone, and one `@xstate.microstep` inspection event.
 */
function move(machine: Machine, snapshot: Snapshot, event: AnyEventObject, actorScope: AnyActorScope, transitions: Transition[]): AnyMachineSnapshot {
  const t = transitions[0]!;
  const to = t.target![0]!;
  // A compound state's move to a child leaves its active child (siblingShape).
  const from = t.source!.type === 'atomic' ? t.source! : (snapshot._nodes as unknown as StateNodeLike[]).find((n) => n.parent === t.source)!;
  const extra = { internalQueue: [] as AnyEventObject[], deferredActorIds: undefined };
  // No enqueueActions among them (siblingMove): none of these returns XSTATE.
  let next = runActions(machine, snapshot, event, actorScope, from.exit, extra) as AnyMachineSnapshot;
  next = runActions(machine, next, event, actorScope, t.actions, extra) as AnyMachineSnapshot;
  next = runActions(machine, next, event, actorScope, to.entry, extra) as AnyMachineSnapshot;
  // A delay that is not a number raises its event at once (XState queues it): the charts' delays are numbers.
  if (extra.internalQueue.length > 0) throw new Error(`a delay of state ${to.path.join('.')} did not resolve to a number`);
  const nodes = (snapshot._nodes as unknown as StateNodeLike[]).filter((n) => n !== from);
  nodes.push(to);
  // Neither state tagged: the tags are the last snapshot's (a kubelet's and a scheduler's moves make no Set).
  const tags = from.tags.length === 0 && to.tags.length === 0 ? next.tags : new Set(nodes.flatMap((n) => n.tags));
  const out = { ...next, _nodes: nodes, value: withLeaf(next.value, from.parent!.path, to.key, 0), tags } as unknown as AnyMachineSnapshot;
  const scope = actorScope as unknown as Scope;
  scope.system._sendInspectionEvent({ type: '@xstate.microstep', actorRef: scope.self, event, snapshot: out, _transitions: transitions });
  return out;
}

/** `value` with the state at `path` (a compound state whose active child is atomic) moved to its child `key`. */
function withLeaf(value: unknown, path: readonly string[], key: string, i: number): unknown {
  if (i === path.length) return key;
  const v = value as Record<string, unknown>;
  return { ...v, [path[i]!]: withLeaf(v[path[i]!], path, key, i + 1) };
}

/** XState's `raise` and `cancel`: resolved into the next snapshot and their parameters, then executed. */
interface Builtin {
  type: string;
  resolve(scope: AnyActorScope, snapshot: AnyMachineSnapshot, args: object, params: unknown, self: Builtin, extra: object): [AnyMachineSnapshot, unknown, unknown];
  execute(scope: AnyActorScope, params: unknown): void;
}

/**
 * As resolveAndExecuteActionsWithContext: the actions in order, each seeing the context the
 * assigns before it made; an enqueueActions' queue in its place; `after`'s timers (a move's)
 * resolved and executed as XState does, with `extra`'s queue for what a raise queues. XSTATE when
 * a queue holds an action other than an assign or a plain one (a nested queue too), checked
 * before the queue runs.
 */
function runActions(machine: Machine, snapshot: AnyMachineSnapshot, event: AnyEventObject, actorScope: AnyActorScope, actions: readonly unknown[], extra: object = EXTRA): AnyMachineSnapshot | typeof XSTATE {
  const scope = actorScope as unknown as Scope;
  let next = snapshot;
  for (const action of actions) {
    const impl = implementation(machine, action);
    const context: unknown = next.context;
    const params: unknown = typeof action === 'function' || typeof action === 'string' ? undefined : 'params' in (action as object) ? resolveParams((action as { params: unknown }).params, context, event) : undefined;
    if (isAssign(impl)) {
      next = assigned(actorScope, next, event, params, impl);
      continue;
    }
    const info: object = { context, event, self: scope.self, system: scope.system };
    if (isEnqueue(impl)) {
      const [after, , queue = []] = impl.resolve(actorScope, next, info, params, impl, EXTRA);
      let raises = 0;
      for (const a of queue) {
        const i = implementation(machine, a);
        if (isAssign(i) || plain(i)) continue;
        // One event raised for the step to take after it (a pod's stage move), where it fits.
        if (isRaising(extra) && isRaise(i) && ++raises === 1 && raiseFits(machine, extra.nodes, i.event.type)) continue;
        return XSTATE;
      }
      // Only assigns, plain actions and such a raise: it runs to the end.
      next = runActions(machine, after, event, actorScope, queue, extra) as AnyMachineSnapshot;
      continue;
    }
    if (isTimer(impl) || isRaise(impl)) {
      const builtin = impl as Builtin;
      const [after, resolvedParams] = builtin.resolve(actorScope, next, info, params, builtin, extra);
      next = after;
      scope.actionExecutor({ type: builtin.type, info, params: resolvedParams, exec: builtin.execute.bind(null, actorScope, resolvedParams) });
      continue;
    }
    scope.actionExecutor({
      type: typeof action === 'string' ? action : typeof action === 'object' ? (action as { type: string }).type : (action as { name?: string }).name || '(anonymous)',
      info,
      params,
      exec: impl,
    });
  }
  return next;
}

/** Thrown by the `spawn` an assignment is given here: one that spawns takes XState's own resolve. */
const SPAWNS = Symbol('spawns');
const noSpawn = (): never => {
  throw SPAWNS;
};

/**
 * XState's resolveAssign (the assignment given the context, event, self and system; the new
 * context the old one with its result laid over it), with the next snapshot made as a copy of
 * the last with that context: XState's cloneMachineSnapshot works out the state value and the
 * tags again from the configuration (a Set, a Map and new objects per assign, with its own
 * spawner and argument objects a twelfth of what density allocated), and an assign changes
 * neither. An assignment that calls `spawn` is run again by XState's resolve (assignments are
 * pure, as XState asks).
 */
function assigned(actorScope: AnyActorScope, snapshot: AnyMachineSnapshot, event: AnyEventObject, params: unknown, impl: Assign): AnyMachineSnapshot {
  const assignment = (impl as unknown as { assignment: unknown }).assignment;
  const context = snapshot.context as Record<string, unknown> | undefined;
  // No context: XState's resolve throws its error.
  if (!context) return xstateAssign(actorScope, snapshot, event, params, impl);
  const scope = actorScope as unknown as Scope;
  const args = { context, event, spawn: noSpawn, self: scope.self, system: scope.system };
  let partial: Record<string, unknown> | undefined;
  try {
    if (typeof assignment === 'function') partial = assignment(args, params) as Record<string, unknown> | undefined;
    else {
      partial = {};
      const parts = assignment as Record<string, unknown>;
      for (const key of Object.keys(parts)) {
        const part = parts[key];
        partial[key] = typeof part === 'function' ? part(args, params) : part;
      }
    }
  } catch (err) {
    if (err === SPAWNS) return xstateAssign(actorScope, snapshot, event, params, impl);
    throw err;
  }
  return { ...snapshot, context: Object.assign({}, context, partial) } as AnyMachineSnapshot;
}

/** The assign resolved by XState itself. */
function xstateAssign(actorScope: AnyActorScope, snapshot: AnyMachineSnapshot, event: AnyEventObject, params: unknown, impl: Assign): AnyMachineSnapshot {
  const scope = actorScope as unknown as Scope;
  return impl.resolve(actorScope, snapshot, { context: snapshot.context, event, self: scope.self, system: scope.system }, params, impl, EXTRA)[0];
}

function resolveParams(params: unknown, context: unknown, event: AnyEventObject): unknown {
  return typeof params === 'function' ? (params as (a: { context: unknown; event: AnyEventObject }) => unknown)({ context, event }) : params;
}

const machineProto = StateMachine.prototype as unknown as { transition?: unknown; getTransitionData?: unknown };
/** XState's own `transition` (its macrostep), for everything the fast path does not take and for the spec. */
export const xstateTransition = machineProto.transition as (this: unknown, snapshot: AnyMachineSnapshot, event: AnyEventObject, actorScope: AnyActorScope) => AnyMachineSnapshot;
if (typeof machineProto.transition === 'function' && typeof machineProto.getTransitionData === 'function' && machineProto.transition !== fastTransition) {
  machineProto.transition = fastTransition;
}

/** What every actor of a machine starts with (see getInitialSnapshot above); null: XState's own path. */
interface InitialPlan {
  /** The initial configuration in entry (document) order, the root first: the snapshot's `_nodes`. */
  nodes: StateNodeLike[];
  /** Their entry actions, each followed by its initial transition's, in that order. */
  actions: unknown[];
  value: unknown;
  tags: string[];
}
const PLAN = Symbol('kubeactor.initial-plan');
type Planned = Machine & { root: StateNodeLike; [PLAN]?: InitialPlan | null; _getPreInitialState(scope: AnyActorScope, init: AnyEventObject, queue: AnyEventObject[]): AnyMachineSnapshot };

function initialPlan(machine: Planned): InitialPlan | null {
  let plan = machine[PLAN];
  if (plan === undefined) machine[PLAN] = plan = planOf(machine);
  return plan;
}

/** XState's getInitialStateNodes, refused (null) where the fast path does not apply. */
function planOf(machine: Planned): InitialPlan | null {
  const nodes: StateNodeLike[] = [];
  let fits = true;
  const visit = (n: StateNodeLike): void => {
    nodes.push(n);
    if (n.type === 'history' || n.type === 'final' || n.invoke.length > 0 || (n.always?.length ?? 0) > 0) fits = false;
    if (n.type === 'compound') {
      const first = n.initial?.target[0];
      if (first === undefined) fits = false;
      else visit(first);
    } else if (n.type === 'parallel') for (const c of Object.values(n.states)) visit(c);
  };
  visit(machine.root);
  if (!fits) return null;
  nodes.sort((a, b) => a.order - b.order);
  const actions = nodes.flatMap((n) => [...n.entry, ...(n.initial?.actions ?? [])]);
  for (const a of actions) {
    const impl = implementation(machine, a);
    if (!(isAssign(impl) || plain(impl) || isTimer(impl))) return null;
  }
  return { nodes, actions, value: valueOf(machine.root, new Set(nodes)), tags: nodes.flatMap((n) => n.tags) };
}

/** XState's getValueFromAdj on a configuration: a compound state's atomic child by its key, anything else an object of its active children's values. */
function valueOf(node: StateNodeLike, active: ReadonlySet<StateNodeLike>): unknown {
  const children = Object.values(node.states ?? {}).filter((c) => active.has(c));
  if (node.type === 'compound' && children.length > 0 && children[0]!.type === 'atomic') return children[0]!.key;
  const value: Record<string, unknown> = {};
  for (const c of children) value[c.key] = valueOf(c, active);
  return value;
}

/** A state value of its own for each actor (values are plain data XState builds anew; nothing may share one). */
const copyValue = (v: unknown): unknown => {
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = copyValue((v as Record<string, unknown>)[k]);
  return out;
};

function fastInitialSnapshot(this: Planned, actorScope: AnyActorScope, input: unknown): AnyMachineSnapshot {
  const plan = initialPlan(this);
  if (plan === null) return xstateInitialSnapshot.call(this, actorScope, input);
  const init = { type: 'xstate.init', input } as AnyEventObject;
  let pre: AnyMachineSnapshot;
  try {
    pre = this._getPreInitialState(actorScope, init, []);
  } catch {
    // XState's own error snapshot (the context factory runs again: pure, as XState asks).
    return xstateInitialSnapshot.call(this, actorScope, input);
  }
  try {
    // Entry actions raise nothing here (delayed raises only), so XState's macrostep after them would find nothing to do.
    const entered = runActions(this, pre, init, actorScope, plan.actions, { internalQueue: [], deferredActorIds: [] }) as AnyMachineSnapshot;
    return { ...entered, _nodes: plan.nodes.slice(), value: copyValue(plan.value), tags: new Set(plan.tags) } as AnyMachineSnapshot;
  } catch (error) {
    return { ...pre, status: 'error', error } as AnyMachineSnapshot;
  }
}

const initialProto = StateMachine.prototype as unknown as { getInitialSnapshot?: unknown; _getPreInitialState?: unknown };
/** XState's own `getInitialSnapshot`, for what the fast path does not take and for the spec. */
export const xstateInitialSnapshot = initialProto.getInitialSnapshot as (this: unknown, actorScope: AnyActorScope, input: unknown) => AnyMachineSnapshot;
if (typeof initialProto.getInitialSnapshot === 'function' && typeof initialProto._getPreInitialState === 'function' && initialProto.getInitialSnapshot !== fastInitialSnapshot) {
  initialProto.getInitialSnapshot = fastInitialSnapshot;
}

