/**
 * A state chart as plain data: what the chart view draws, built from an XState v5 machine.
 * Pure: no DOM and no node APIs (it runs in the browser bundle and in node specs).
 *
 * Input is either a live machine (or its `root` StateNode) or the JSON of
 * `machine.definition` (as an `@xstate.actor` inspection frame carries it). XState's
 * `definition` leaves `always` transitions out, and JSON drops inline guards: from a live
 * machine the model has both, so the actor feed sends `chartOf(machine)`, not the raw definition.
 */

/** One state node. `id` is XState's (`pod.life.sandbox`), the key the active-state highlight uses. */
export interface ChartState {
  id: string;
  key: string;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  /** The initial child's id (compound states). */
  initial?: string;
  states: ChartState[];
  /** Transitions leaving this state, in definition order. */
  transitions: ChartTransition[];
  /** `src` of each invoked actor. */
  invoke: string[];
  tags: string[];
}

/** One transition. `targets` empty: it only runs actions (drawn as a row inside its state, not as an edge). */
export interface ChartTransition {
  /** The event type as XState names it (`xstate.after.…` for delays, '' for `always`). */
  event: string;
  /** What the chart prints: `EVENT [guard]`, `after 1000ms`, `always [guard]`, `done: sync`. */
  label: string;
  kind: 'event' | 'always' | 'after' | 'done' | 'error';
  guard?: string;
  /** `after` delay: milliseconds, or the name of a configured delay. */
  delay?: number | string;
  targets: string[];
  reenter: boolean;
}

/** A machine's chart: its id (the layout cache key, with a fingerprint of the content) and root state. */
export interface ChartDef {
  id: string;
  root: ChartState;
}

/** The parts of an XState StateNode, or of its `definition` JSON, read here. */
interface NodeLike {
  id: string;
  key: string;
  type: ChartState['type'];
  initial?: { target?: readonly unknown[] } | undefined;
  states?: Record<string, NodeLike>;
  /** StateNode: a Map of event → transitions; definition JSON: a flat array. */
  transitions?: Map<string, readonly TransitionLike[]> | readonly TransitionLike[];
  always?: readonly TransitionLike[];
  invoke?: readonly { src?: unknown; id?: string }[];
  tags?: readonly string[];
}

interface TransitionLike {
  eventType?: string | null;
  target?: readonly unknown[] | undefined;
  guard?: unknown;
  delay?: unknown;
  reenter?: boolean;
}

/** Anything `chartOf` accepts: a machine, a StateNode, or `machine.definition` (live or as JSON). */
export type ChartInput = { root: unknown } | Record<string, unknown>;

/** The chart of a machine (or StateNode, or definition JSON). */
export function chartOf(input: ChartInput): ChartDef {
  const root = ('root' in input && typeof input.root === 'object' && input.root !== null ? input.root : input) as NodeLike;
  return { id: root.id, root: stateOf(root) };
}

function stateOf(n: NodeLike): ChartState {
  const invokes = (n.invoke ?? []).map((i) => ({ id: i.id ?? '', src: typeof i.src === 'string' ? i.src : 'actor' }));
  const all = transitionsOf(n);
  const transitions = [...all, ...(n.always ?? [])].map((t) => transitionOf(t, invokes));
  const initial = n.type === 'compound' ? idOf(n.initial?.target?.[0]) : undefined;
  return {
    id: n.id,
    key: n.key,
    type: n.type,
    ...(initial ? { initial } : {}),
    states: Object.values(n.states ?? {}).map(stateOf),
    transitions,
    invoke: invokes.map((i) => i.src),
    tags: [...(n.tags ?? [])],
  };
}

function transitionsOf(n: NodeLike): TransitionLike[] {
  const t = n.transitions;
  if (t === undefined) return [];
  return t instanceof Map ? [...t.values()].flat() : [...t];
}

function transitionOf(t: TransitionLike, invokes: readonly { id: string; src: string }[]): ChartTransition {
  const event = t.eventType ?? '';
  const guard = guardName(t.guard);
  const delay = typeof t.delay === 'number' || typeof t.delay === 'string' ? t.delay : undefined;
  const { kind, name } = describeEvent(event, delay, invokes);
  return {
    event,
    label: guard === undefined ? name : `${name} [${guard}]`,
    kind,
    ...(guard === undefined ? {} : { guard }),
    ...(delay === undefined ? {} : { delay }),
    targets: (t.target ?? []).flatMap((x) => idOf(x) ?? []),
    reenter: t.reenter === true,
  };
}

/** How XState's internal event types read on a chart. */
function describeEvent(event: string, delay: number | string | undefined, invokes: readonly { id: string; src: string }[]): { kind: ChartTransition['kind']; name: string } {
  if (event === '') return { kind: 'always', name: 'always' };
  if (event.startsWith('xstate.after.')) return { kind: 'after', name: `after ${typeof delay === 'number' ? `${delay}ms` : (delay ?? '?')}` };
  const actor = /^xstate\.(done|error)\.actor\.(.*)$/.exec(event);
  if (actor) {
    const src = invokes.find((i) => i.id === actor[2])?.src ?? actor[2];
    return { kind: actor[1] === 'done' ? 'done' : 'error', name: `${actor[1]}: ${src}` };
  }
  if (event.startsWith('xstate.done.state.')) return { kind: 'done', name: 'done' };
  return { kind: 'event', name: event };
}

/** A guard's name: a string, `{type}`, a named function, or `not(x)` / `and(x, y)` for XState's combinators. */
export function guardName(g: unknown): string | undefined {
  if (g === undefined || g === null) return undefined;
  if (typeof g === 'string') return g;
  if (typeof g === 'function') {
    const inner = (g as { guards?: unknown[] }).guards;
    const name = g.name || 'guard';
    return Array.isArray(inner) ? `${name}(${inner.map((x) => guardName(x) ?? '?').join(', ')})` : name;
  }
  if (typeof g === 'object' && typeof (g as { type?: unknown }).type === 'string') return (g as { type: string }).type;
  return 'guard';
}

/** A target as XState gives it: a StateNode (`.id`) or, in JSON, `#id`. */
function idOf(x: unknown): string | undefined {
  if (typeof x === 'string') return x.startsWith('#') ? x.slice(1) : x;
  if (typeof x === 'object' && x !== null && typeof (x as { id?: unknown }).id === 'string') return (x as { id: string }).id;
  return undefined;
}

/**
 * A machine's definition as plain JSON (what a server sends a browser): the shape of
 * `machine.definition` that `chartOf` reads — ids, keys, types, initial, states,
 * transitions with event types, `#id` targets, guard names and delays, invokes, tags —
 * plus each state's `always` transitions, which XState's `definition` leaves out. Guards are
 * names (inline functions by their name), so nothing is lost on the wire.
 */
export function definitionJson(input: { root: unknown } | NodeLike): Record<string, unknown> {
  const root = ('root' in input ? input.root : input) as NodeLike;
  const tJson = (t: TransitionLike): Record<string, unknown> => {
    const guard = guardName(t.guard);
    return {
      eventType: t.eventType ?? '',
      target: (t.target ?? []).flatMap((x) => (idOf(x) === undefined ? [] : [`#${idOf(x)}`])),
      ...(guard === undefined ? {} : { guard }),
      ...(typeof t.delay === 'number' || typeof t.delay === 'string' ? { delay: t.delay } : {}),
      reenter: t.reenter === true,
    };
  };
  const nJson = (n: NodeLike): Record<string, unknown> => ({
    id: n.id,
    key: n.key,
    type: n.type,
    initial: { target: (n.initial?.target ?? []).flatMap((x) => (idOf(x) === undefined ? [] : [`#${idOf(x)}`])) },
    states: Object.fromEntries(Object.entries(n.states ?? {}).map(([k, c]) => [k, nJson(c)])),
    transitions: transitionsOf(n).map(tJson),
    always: (n.always ?? []).map(tJson),
    invoke: (n.invoke ?? []).map((i) => ({ id: i.id ?? '', src: typeof i.src === 'string' ? i.src : 'actor' })),
    tags: [...(n.tags ?? [])],
  });
  return nJson(root);
}

/** Every state of a chart, depth first (parents before children). */
export function allStates(s: ChartState): ChartState[] {
  return [s, ...s.states.flatMap(allStates)];
}

/**
 * The ids of the states active in a snapshot `value` (`'idle'`, `{ life: 'main', timer: 'armed' }`):
 * the root, every active compound and parallel state, and the active leaves.
 */
export function activeStateIds(def: ChartDef, value: unknown): string[] {
  const out: string[] = [];
  const walk = (s: ChartState, v: unknown): void => {
    out.push(s.id);
    if (typeof v === 'string') {
      const child = s.states.find((c) => c.key === v);
      if (child) out.push(child.id);
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, sub] of Object.entries(v)) {
        const child = s.states.find((c) => c.key === k);
        if (child) walk(child, sub);
      }
    }
  };
  walk(def.root, value);
  return out;
}
