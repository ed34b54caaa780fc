/**
 * XState's `StateNode.next` — which of a state node's transitions an event takes — with the
 * node's candidate transitions for an event type kept in a Map on the node.
 *
 * XState memoizes the candidates too, but under a key it makes per call
 * (`candidates-${event.type}`) in a WeakMap of per-node objects: a string built, hashed and
 * looked up as a property every time any actor's event visits any of its active state nodes.
 * In density (100 nodes, 3,000 pods) that lookup was 2.4 % of the main thread, more than any
 * chart's own guards and actions. The candidates are the same (computed once per node and
 * event type from the node's transitions, exact match first, then wildcard descriptors longest
 * first, as XState's getCandidates), the guards are evaluated by XState's own `evaluateGuard`
 * in the same order with the same error, so every transition taken is the one XState takes
 * (spec/actors/xstate-candidates.spec.ts compares them).
 *
 * `next` is marked internal in XState 5 (like the system fields root-system.ts replaces); the
 * patch checks the method it replaces is there and leaves XState as it is otherwise.
 */
import { StateNode, type AnyEventObject, type AnyMachineSnapshot } from 'xstate';
import { evaluateGuard } from 'xstate/guards';

type Transition = { guard?: unknown; eventType: string };
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
