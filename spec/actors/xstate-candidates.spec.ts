/**
 * The patched StateNode.next (actors/xstate-candidates.ts) picks, for every active state node
 * and every event, the transition XState's own picks: exact descriptors before wildcards,
 * longer wildcards first, guards of every kind in order, and the same error for a guard that
 * throws. Checked on a chart made to hold each case; the real charts run patched in every
 * other spec, and the golden replay holds them to their recorded outputs.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { and, assign, createActor, not, or, setup, StateNode, stateIn, type AnyActorRef, type AnyEventObject, type AnyMachineSnapshot } from 'xstate';
import { candidatesOf, xstateNext } from '../../actors/xstate-candidates.ts';

type Node = { next(s: AnyMachineSnapshot, e: AnyEventObject): unknown; id: string };

let errors = 0;

/** Both `next`s on every active node: the same transitions (by identity) or the same error. */
function compare(actor: AnyActorRef, event: AnyEventObject): number {
  const snapshot = actor.getSnapshot() as AnyMachineSnapshot & { _nodes: Node[] };
  let compared = 0;
  for (const node of snapshot._nodes) {
    const run = (f: () => unknown): { value?: unknown; error?: string } => {
      try {
        return { value: f() };
      } catch (err) {
        return { error: (err as Error).message };
      }
    };
    const ours = run(() => node.next(snapshot, event));
    const theirs = run(() => xstateNext.call(node, snapshot, event));
    assert.equal(ours.error, theirs.error, `${node.id} on ${event.type}`);
    if (ours.error !== undefined) errors++;
    if (ours.error === undefined) {
      const a = ours.value as unknown[] | undefined;
      const b = theirs.value as unknown[] | undefined;
      assert.is(a?.length, b?.length, `${node.id} on ${event.type}`);
      if (a && b) assert.ok(a[0] === b[0], `${node.id} on ${event.type}: a different transition`);
    }
    compared++;
  }
  return compared;
}

const chart = setup({
  types: { context: {} as { n: number; flag: boolean }, events: {} as AnyEventObject },
  guards: {
    even: ({ context }) => context.n % 2 === 0,
    above: (_, p: { min: number }) => p.min < 3,
    boom: () => {
      throw new Error('guard failed');
    },
  },
}).createMachine({
  id: 'cases',
  type: 'parallel',
  context: { n: 0, flag: false },
  states: {
    a: {
      initial: 'one',
      on: { '*': { actions: assign({ n: ({ context }) => context.n + 1 }) }, 'x.*': { target: '.two' } },
      states: {
        one: { on: { 'x.y': [{ guard: 'even', target: 'two' }, { guard: { type: 'above', params: { min: 1 } }, target: 'three' }], 'x.y.*': { target: 'three' }, bad: { guard: 'boom', target: 'two' } } },
        two: { on: { 'x.y': { guard: not('even'), target: 'one' }, toggle: { guard: and([stateIn({ b: 'off' }), or(['even', ({ context }) => context.flag])]), target: 'three' } } },
        three: { on: { 'x.*': { target: 'one' }, inline: { guard: ({ event }) => event.ok === true, target: 'one' } } },
      },
    },
    b: {
      initial: 'off',
      states: { off: { on: { toggle: 'on', flag: { actions: assign({ flag: true }) } } }, on: { on: { toggle: 'off' } } },
    },
  },
});

test('on a chart with every kind of descriptor and guard, both pick the same transition for every node and event', () => {
  assert.ok((StateNode.prototype as unknown as { next: unknown }).next !== xstateNext, 'the patch is in place');
  const actor = createActor(chart).start();
  const events: AnyEventObject[] = [{ type: 'x.y' }, { type: 'x.y.z' }, { type: 'x' }, { type: 'toggle' }, { type: 'flag' }, { type: 'inline', ok: true }, { type: 'inline', ok: false }, { type: 'other' }, { type: 'bad' }, { type: 'x.z' }];
  let compared = 0;
  let seed = 7;
  for (let i = 0; i < 400; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const event = events[seed % events.length]!;
    compared += compare(actor, event);
    if (event.type !== 'bad') actor.send(event);
  }
  assert.ok(compared > 1000);
  // The guard that throws does so in both, with XState's words.
  assert.ok(errors > 0);
});

test('the candidates are XState\'s order: the exact descriptor, then wildcards longest first', () => {
  const node = (createActor(chart).getSnapshot() as AnyMachineSnapshot & { _nodes: (Node & { transitions: Map<string, { eventType: string }[]> })[] })._nodes.find((n) => n.id === 'cases.a.one')!;
  assert.equal(candidatesOf(node, 'x.y.z').map((t) => t.eventType), ['x.y.*']);
  const parent = (createActor(chart).getSnapshot() as AnyMachineSnapshot & { _nodes: (Node & { transitions: Map<string, { eventType: string }[]> })[] })._nodes.find((n) => n.id === 'cases.a')!;
  assert.equal(candidatesOf(parent, 'x.q').map((t) => t.eventType), ['x.*', '*']);
  assert.equal(candidatesOf(parent, 'x').map((t) => t.eventType), ['x.*', '*']);
  assert.equal(candidatesOf(parent, 'xy').map((t) => t.eventType), ['*']);
});

test.run();
