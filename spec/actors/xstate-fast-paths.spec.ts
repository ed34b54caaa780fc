/**
 * XState's fast paths (actors/xstate-fast-paths.ts) against XState's own steps.
 * - The patched StateNode.next picks, for every active state node and every event, the
 *   transition XState's own picks: exact descriptors before wildcards, longer wildcards first,
 *   guards of every kind in order, and the same error for a guard that throws.
 * - A chart run with the patched StateMachine.transition and the same chart run with XState's
 *   macrostep, side by side, go through the same snapshots, run the same actions with the same
 *   arguments in the same order, and emit the same inspection events — through targetless
 *   events (the fast path), assigns, targets, `always`, raised and self-sent events; and a
 *   timed chart (on a simulated clock) through moves between sibling states — `after` timers
 *   started and cancelled, entry and exit actions, guards — and the moves the fast path leaves
 *   to XState (to a parent's sibling, into a compound state, to a final state, a reentry); and
 *   a chart shaped as the pod's, whose steps raise moves of a compound state to its children,
 *   moves of two regions at once, events nothing takes and two events in one step. An assign
 *   makes the context XState makes, a `__proto__` key included.
 * - Actors start from the same first snapshot both ways (the patched getInitialSnapshot): a
 *   chart with parallel and nested states, tags, entry assigns, actions with params, an initial
 *   transition's actions and an `after` timer; charts it leaves to XState; and the real pod and
 *   kubelet charts.
 * The real charts run patched in every other spec, and the golden replay holds them to their
 * recorded outputs.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { and, assign, createActor, enqueueActions, fromCallback, not, or, raise, setup, SimulatedClock, StateMachine, StateNode, stateIn, type AnyActorRef, type AnyEventObject, type AnyMachineSnapshot, type InspectionEvent } from 'xstate';
import { candidatesOf, xstateInitialSnapshot, xstateNext, xstateTransition } from '../../actors/xstate-fast-paths.ts';
import { podMachine } from '../../machines/pod/chart.ts';
import { kubeletMachine } from '../../machines/kubelet/chart.ts';

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
    const event = events[(seed >>> 16) % events.length]!;
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

/** A chart run with the fast transition and with XState's macrostep: the same states, actions and inspection events. Returns the fast run. */
function bothWays(run: (fast: boolean) => { log: string[]; inspected: string[]; states: string[] }): { log: string[]; inspected: string[]; states: string[] } {
  const fast = run(true);
  const slow = run(false);
  assert.equal(fast.states, slow.states);
  assert.equal(fast.log, slow.log);
  assert.equal(fast.inspected, slow.inspected);
  return fast;
}

/** The inspection events an actor emits, one line each: what a chart run both ways must emit alike. */
function inspector(into: string[]): (e: InspectionEvent) => void {
  return (e) => {
    const snapshot = (e as { snapshot?: AnyMachineSnapshot }).snapshot;
    if (e.type === '@xstate.microstep') into.push(`micro ${e.event.type} ${JSON.stringify(snapshot!.value)} ${JSON.stringify(snapshot!.context)} ${[...snapshot!.tags].join(',')} ${(e as unknown as { _transitions: { eventType: string }[] })._transitions.map((t) => t.eventType).join(',')}`);
    else if (e.type === '@xstate.action') into.push(`action ${e.action.type} ${JSON.stringify(e.action.params ?? null)}`);
    else if (e.type === '@xstate.snapshot') into.push(`snapshot ${e.event.type} ${JSON.stringify(snapshot!.value)}`);
    else if (e.type === '@xstate.event') into.push(`event ${e.event.type}`);
  };
}

/** A chart with every kind of transition: which of them the fast path takes is its business; the outcome must be XState's. */
function sideChart(log: string[]) {
  return setup({
    types: { context: {} as { n: number; seen: string[]; kids?: number }, events: {} as AnyEventObject },
    actions: {
      note: ({ context, event }, p?: { tag: string }) => void log.push(`note ${event.type} ${context.n} ${p?.tag ?? '-'}`),
      echo: ({ event, self }) => {
        log.push(`echo ${event.type}`);
        if (event.type === 'ping') self.send({ type: 'pong' });
      },
      count: assign({ n: ({ context }) => context.n + 1 }),
      remember: assign({ seen: ({ context, event }) => [...context.seen, event.type] }),
      add: assign({ n: ({ context }, p: { by: number }) => context.n + p.by }),
    },
    guards: { many: ({ context }) => context.n >= 3 },
  }).createMachine({
    id: 'side',
    type: 'parallel',
    context: { n: 0, seen: [] },
    states: {
      work: {
        initial: 'serving',
        states: {
          serving: {
            on: {
              'api.*': { actions: [{ type: 'note', params: { tag: 'api' } }, 'echo'] },
              ping: { actions: 'echo' },
              pong: { actions: ({ event }) => void log.push(`inline ${event.type}`) },
              bump: { actions: ['count', 'note'] },
              // Assigns of every form: a function of the whole context, with params, one that spawns (XState's resolve, once).
              whole: { actions: [assign(({ context }) => ({ n: context.n * 2 - 1 })), 'note'] },
              add: { actions: [{ type: 'add', params: { by: 5 } }, 'note'] },
              adopt: { actions: assign(({ context, spawn }) => (context.kids ? {} : (spawn(fromCallback(() => () => {})), { kids: 1 }))) },
              dyn: { actions: { type: 'note', params: ({ event }: { event: AnyEventObject }) => ({ tag: String(event.tag) }) } },
              go: 'busy',
              loop: { actions: raise({ type: 'api.raised' }) },
              // Queues: of assigns and plain actions (the fast path), holding a raise (XState's), after a plain action, two in a row.
              queue: {
                actions: enqueueActions(({ context, enqueue }) => {
                  enqueue.assign({ n: context.n + 10 });
                  enqueue({ type: 'note', params: { tag: 'q' } });
                  if (context.n % 2) enqueue('echo');
                }),
              },
              queueRaise: {
                actions: enqueueActions(({ context, enqueue }) => {
                  enqueue.assign({ n: context.n + 1 });
                  if (context.n % 3 === 0) enqueue.raise({ type: 'api.fromQueue' });
                  enqueue('note');
                }),
              },
              afterPlain: { actions: ['note', enqueueActions(({ enqueue }) => enqueue('echo'))] },
              twoQueues: {
                actions: [
                  enqueueActions(({ enqueue }) => enqueue({ type: 'note', params: { tag: 'first' } })),
                  enqueueActions(({ context, enqueue }) => {
                    if (context.n % 2) enqueue.raise({ type: 'pong' });
                    enqueue('echo');
                  }),
                ],
              },
            },
          },
          // An eventless transition whose guard reads the event: a targetless event can move the chart.
          busy: { always: [{ guard: 'many', target: 'serving' }, { guard: ({ event }) => event.type === 'api.leave', target: 'serving' }], on: { bump: { actions: ['count', 'note'] }, 'api.*': { actions: 'note' } } },
        },
      },
      watch: { on: { 'kv.*': { actions: ['note', 'remember'] }, 'kv.quiet': { actions: 'echo' } } },
    },
  });
}

test('a chart runs the same with the fast transition as with XState\'s macrostep: snapshots, actions and inspection events', () => {
  assert.ok((StateMachine.prototype as unknown as { transition: unknown }).transition !== xstateTransition, 'the patch is in place');
  const run = (fast: boolean) => {
    const log: string[] = [];
    const machine = sideChart(log);
    if (!fast) (machine as unknown as { transition: unknown }).transition = xstateTransition;
    const inspected: string[] = [];
    const inspect = inspector(inspected);
    const actor = createActor(machine, { inspect }).start();
    const states: string[] = [];
    let seed = 3;
    const events: AnyEventObject[] = [{ type: 'api.create' }, { type: 'api.patch' }, { type: 'ping' }, { type: 'bump' }, { type: 'dyn', tag: 7 }, { type: 'go' }, { type: 'kv.events' }, { type: 'kv.quiet' }, { type: 'nothing' }, { type: 'loop' }, { type: 'api.leave' }, { type: 'go' }, { type: 'queue' }, { type: 'queueRaise' }, { type: 'afterPlain' }, { type: 'twoQueues' }, { type: 'whole' }, { type: 'add' }, { type: 'adopt' }];
    for (let i = 0; i < 600; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      actor.send(events[(seed >>> 16) % events.length]!);
      const snap = actor.getSnapshot();
      states.push(`${JSON.stringify(snap.value)} ${JSON.stringify(snap.context)} ${snap.status} children ${Object.keys(snap.children).length}`);
    }
    return { log, inspected, states };
  };
  const fast = bothWays(run);
  // Every kind of event was taken: the fast path's targetless ones and XState's others.
  for (const what of ['note api.create', 'echo ping', 'inline pong', 'note bump', 'note dyn', 'note kv.events', 'echo kv.quiet', 'note api.raised', 'note queue', 'echo queue', 'note queueRaise', 'note api.fromQueue', 'echo afterPlain', 'note twoQueues', 'echo twoQueues']) assert.ok(fast.log.some((l) => l.startsWith(what)), what);
  // The spawning assign ran (its child is in the context and among the actor's children).
  assert.ok(fast.states.some((st) => st.includes('"kids":1') && st.endsWith('children 1')), 'the spawning assign ran');
  // The chart went through `busy` (left at once by its eventless transition once n is 3 or more).
  assert.ok(fast.inspected.some((l) => l.startsWith('micro go') && l.includes('busy')) && fast.states.some((s) => s.includes('serving')));
});

/**
 * A chart shaped as the scheduler's: targetless events at the root, and states left at once by
 * eventless transitions (idle to working when a pod is ready, working back when nothing was
 * popped), one guard reading the event, an entry action that sends the cycle's end to itself.
 */
function eventlessChart(log: string[]) {
  return setup({
    types: { context: {} as { queue: number; inFlight: number; popped: number | null; cycles: number }, events: {} as AnyEventObject },
    actions: {
      note: ({ context, event }, p?: { tag: string }) => void log.push(`note ${event.type} ${JSON.stringify(context)} ${p?.tag ?? '-'}`),
      add: assign({ queue: ({ context }) => context.queue + 1 }),
      // Every fourth cycle pops nothing (as a pod gone from the queue): back to idle, and at once to working again.
      pop: assign(({ context }) => (context.cycles % 4 !== 3 ? { queue: context.queue - 1, popped: context.cycles, cycles: context.cycles + 1 } : { popped: null, cycles: context.cycles + 1 })),
      run: ({ context, self }) => {
        log.push(`run ${context.popped}`);
        // Sometimes at once, as a cycle that finds no node; otherwise when the test says.
        if (context.popped !== null && context.popped % 3 === 0) self.send({ type: 'cycle.done' });
      },
      finish: assign(({ context }) => ({ popped: null, inFlight: context.inFlight + 1 })),
      bound: assign(({ context }) => ({ inFlight: Math.max(0, context.inFlight - 1) })),
    },
    guards: {
      ready: ({ context }) => context.queue > 0 && context.inFlight < 2,
      nothingPopped: ({ context }) => context.popped === null,
    },
  }).createMachine({
    id: 'eventless',
    context: { queue: 0, inFlight: 0, popped: null, cycles: 0 },
    initial: 'idle',
    on: {
      add: { actions: ['add', { type: 'note', params: { tag: 'add' } }] },
      bound: { actions: ['bound', 'note'] },
      other: { actions: 'note' },
    },
    states: {
      idle: {
        always: [{ guard: 'ready', target: 'working' }, { guard: ({ event }) => event.type === 'kick', target: 'parked' }],
        on: { park: 'parked' },
      },
      working: {
        entry: ['pop', 'run'],
        always: { guard: 'nothingPopped', target: 'idle' },
        on: { 'cycle.done': { target: 'idle', actions: ['finish', 'note'] } },
      },
      parked: { entry: 'note', on: { wake: 'idle', add: { actions: 'add' } } },
    },
  });
}

test('eventless transitions that move between siblings run the same with the fast transition as with XState\'s macrostep', () => {
  const run = (fast: boolean) => {
    const log: string[] = [];
    const machine = eventlessChart(log);
    if (!fast) (machine as unknown as { transition: unknown }).transition = xstateTransition;
    const inspected: string[] = [];
    const actor = createActor(machine, { inspect: inspector(inspected) }).start();
    const states: string[] = [];
    let seed = 5;
    const events: AnyEventObject[] = [{ type: 'add' }, { type: 'add' }, { type: 'bound' }, { type: 'cycle.done' }, { type: 'other' }, { type: 'kick' }, { type: 'park' }, { type: 'wake' }, { type: 'nothing' }];
    for (let i = 0; i < 800; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      actor.send(events[(seed >>> 16) % events.length]!);
      const snap = actor.getSnapshot();
      states.push(`${JSON.stringify(snap.value)} ${JSON.stringify(snap.context)} ${snap.status}`);
    }
    return { log, inspected, states };
  };
  const fast = bothWays(run);
  // Every eventless move happened: into working and straight back, into parked by the event's guard, after a cycle.
  for (const what of ['micro add "working"', 'micro add "idle"', 'micro kick "parked"', 'micro cycle.done "idle"', 'micro wake "working"']) assert.ok(fast.inspected.some((l) => l.startsWith(what)), what);
  // A cycle that popped nothing went back to idle and on to the next within one macrostep.
  assert.ok(fast.log.some((l) => l.startsWith('run null')) && fast.log.some((l) => /^run \d/.test(l)));
});

/** A chart of timed periods in two regions, as a kubelet's: which moves the fast path takes is its business; the outcome must be XState's. */
function timedChart(log: string[]) {
  return setup({
    types: { context: {} as { n: number; fails: number }, events: {} as AnyEventObject },
    actions: {
      note: ({ context, event }, p?: { tag: string }) => void log.push(`note ${event.type} ${context.n} ${p?.tag ?? '-'}`),
      count: assign({ n: ({ context }) => context.n + 1 }),
      work: ({ self, context }) => {
        log.push(`work ${context.n}`);
        // An effect's outcome comes back later (the kubelet's renewals), or at once.
        if (context.n % 4 === 0) self.send({ type: 'done' });
      },
    },
    delays: { period: ({ context }) => 100 + (context.n % 3) * 10, retry: ({ context }) => 20 * 2 ** Math.min(context.fails, 3) },
    guards: { odd: ({ context }) => context.n % 2 === 1 },
  }).createMachine({
    id: 'timed',
    type: 'parallel',
    context: { n: 0, fails: 0 },
    states: {
      lease: {
        initial: 'renewing',
        states: {
          renewing: {
            entry: ['work', { type: 'note', params: { tag: 'in' } }],
            exit: { type: 'note', params: { tag: 'out' } },
            on: {
              done: { target: 'waiting', actions: assign({ fails: 0 }) },
              failed: { target: 'retrying', actions: [assign({ fails: ({ context }) => context.fails + 1 }), 'note'] },
            },
          },
          waiting: { entry: 'count', after: { period: 'renewing' }, on: { poke: { actions: 'note' }, jump: '#timed.status.nested.deep' } },
          retrying: { after: { retry: [{ guard: 'odd', target: 'renewing' }, { target: 'waiting' }] }, on: { again: { target: 'retrying', reenter: true } } },
        },
      },
      status: {
        initial: 'idle',
        states: {
          idle: { after: { 50: 'syncing', 75: { target: 'idle', actions: 'note' } }, tags: ['quiet'] },
          syncing: { entry: 'note', on: { done: 'idle', failed: 'nested', stop: 'stopped' } },
          nested: { initial: 'deep', states: { deep: { after: { 30: 'deeper' } }, deeper: { on: { done: '#timed.status.idle' } } } },
          stopped: { type: 'final' },
        },
      },
    },
  });
}

test('a timed chart runs the same with the fast transition as with XState\'s macrostep: moves between siblings, their timers, entries and exits', () => {
  const run = (fast: boolean) => {
    const log: string[] = [];
    const machine = timedChart(log);
    if (!fast) (machine as unknown as { transition: unknown }).transition = xstateTransition;
    const inspected: string[] = [];
    const inspect = inspector(inspected);
    const clock = new SimulatedClock();
    const actor = createActor(machine, { inspect, clock }).start();
    const states: string[] = [];
    let seed = 11;
    const events: AnyEventObject[] = [{ type: 'done' }, { type: 'failed' }, { type: 'poke' }, { type: 'again' }, { type: 'jump' }, { type: 'stop' }, { type: 'tick' }, { type: 'tick' }, { type: 'tick' }];
    for (let i = 0; i < 800; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const event = events[(seed >>> 16) % events.length]!;
      if (event.type === 'tick') clock.increment(((seed >>> 8) % 60) + 1);
      else if (event.type !== 'stop' || i > 700) actor.send(event);
      const snap = actor.getSnapshot() as AnyMachineSnapshot & { _nodes: { id: string }[] };
      states.push(`${JSON.stringify(snap.value)} ${JSON.stringify(snap.context)} ${snap.status} ${[...snap.tags].join(',')} ${snap._nodes.map((n) => n.id).join(',')}`);
    }
    return { log, inspected, states };
  };
  const fast = bothWays(run);
  // The timers fired and were cancelled, and every kind of move happened.
  for (const what of ['micro xstate.after.period.timed.lease.waiting {"lease":"renewing"', 'micro xstate.after.retry.timed.lease.retrying', 'micro xstate.after.50.timed.status.idle', 'micro xstate.after.30.timed.status.nested.deep', 'micro failed', 'micro again', 'micro jump']) {
    assert.ok(fast.inspected.some((l) => l.startsWith(what)), what);
  }
  assert.ok(fast.inspected.some((l) => l.startsWith('action xstate.cancel')) && fast.inspected.some((l) => l.startsWith('action xstate.raise')));
});

/** A chart whose first snapshot the fast path makes: parallel and nested states, tags, entry assigns and actions, an initial transition's actions, an `after` timer. */
function initialChart(log: string[]) {
  return setup({
    types: { context: {} as { n: number; from: string; seen: string[] }, events: {} as AnyEventObject, input: {} as { from: string } },
    actions: {
      note: ({ context, event }, p?: { tag: string }) => void log.push(`note ${event.type} ${JSON.stringify(context)} ${p?.tag ?? '-'}`),
      bump: assign({ n: ({ context }) => context.n + 1 }),
      see: assign({ seen: ({ context, event }, p: { what: string }) => [...context.seen, `${p.what}:${event.type}`] }),
    },
    delays: { soon: ({ context }) => 100 + context.n },
  }).createMachine({
    id: 'initial',
    type: 'parallel',
    context: ({ input }) => ({ n: 0, from: input.from, seen: [] }),
    entry: ['bump', { type: 'note', params: { tag: 'root' } }],
    states: {
      a: {
        initial: { target: 'deep', actions: [{ type: 'see', params: { what: 'a.initial' } }, 'note'] },
        entry: { type: 'see', params: { what: 'a' } },
        tags: ['in-a'],
        states: {
          deep: {
            initial: 'leaf',
            entry: 'bump',
            states: { leaf: { tags: ['leaf'], entry: { type: 'note', params: { tag: 'leaf' } }, after: { soon: 'other' } }, other: { entry: 'note' } },
          },
          flat: {},
        },
      },
      b: { initial: 'off', states: { off: { entry: ['bump', 'note'], on: { go: 'on' } }, on: {} } },
      c: {},
    },
  });
}

/** The first snapshot, its deferred actions and inspection events, then a few events on a simulated clock: one line each. */
function started(machine: ReturnType<typeof initialChart> | typeof podMachine | typeof kubeletMachine, input: unknown, fast: boolean, log: string[]): { log: string[]; inspected: string[]; states: string[] } {
  if (!fast) (machine as unknown as { getInitialSnapshot: unknown }).getInitialSnapshot = xstateInitialSnapshot;
  const inspected: string[] = [];
  const clock = new SimulatedClock();
  const actor = createActor(machine as never, { input, clock, inspect: inspector(inspected) } as never);
  const describe = (s: AnyMachineSnapshot & { _nodes?: { id: string }[] }) => `${s.status} ${JSON.stringify(s.value)} ${JSON.stringify(s.context)} tags ${[...s.tags].sort().join(',')} nodes ${s._nodes?.map((n) => n.id).join(',')} history ${JSON.stringify(s.historyValue)} children ${Object.keys(s.children).length}`;
  const states = [describe(actor.getSnapshot()), `deferred ${(actor as unknown as { _deferred: unknown[] })._deferred.length}`];
  actor.start();
  states.push(describe(actor.getSnapshot()));
  for (const e of ['go', 'tick', 'nothing']) {
    (actor as unknown as AnyActorRef).send({ type: e });
    clock.increment(150);
    states.push(describe(actor.getSnapshot()));
  }
  actor.stop();
  return { log, inspected, states };
}

test('actors start from the same first snapshot with the fast initial snapshot as with XState\'s: configuration, value, tags, context, actions', () => {
  assert.ok((StateMachine.prototype as unknown as { getInitialSnapshot: unknown }).getInitialSnapshot !== xstateInitialSnapshot, 'the patch is in place');
  const fast = bothWays((f) => {
    const log: string[] = [];
    return started(initialChart(log), { from: 'input' }, f, log);
  });
  // The entry actions ran in document order with the init event, the initial transition's after its state's entry, and the timer fired.
  const seen = '"seen":["a:xstate.init","a.initial:xstate.init"]';
  assert.equal(fast.log.slice(0, 4), ['note xstate.init {"n":1,"from":"input","seen":[]} root', `note xstate.init {"n":1,"from":"input",${seen}} -`, `note xstate.init {"n":2,"from":"input",${seen}} leaf`, `note xstate.init {"n":3,"from":"input",${seen}} -`]);
  assert.ok(fast.states[0]!.includes('"a":{"deep":"leaf"}') && fast.states[0]!.includes('tags in-a,leaf'), fast.states[0]);
  assert.ok(fast.states.at(-1)!.includes('"deep":"other"') && fast.states.at(-1)!.includes('"b":"on"'), fast.states.at(-1));
});

test('charts the fast initial snapshot leaves to XState start the same, and a context factory that throws is XState\'s error', () => {
  const charts = [
    // An invoked actor in the initial configuration.
    () => setup({ actors: { child: fromCallback(() => () => {}) } }).createMachine({ id: 'invoking', initial: 'a', states: { a: { invoke: { src: 'child', id: 'kid' }, on: { go: 'b' } }, b: {} } }),
    // An eventless transition out of the initial state.
    () => setup({}).createMachine({ id: 'eventless', initial: 'a', context: { n: 0 }, states: { a: { always: { target: 'b', actions: assign({ n: 1 }) } }, b: {} } }),
    // A raise in an entry action (XState's macrostep takes the raised event).
    () => setup({}).createMachine({ id: 'raising', initial: 'a', states: { a: { entry: raise({ type: 'go' }), on: { go: 'b' } }, b: {} } }),
    // A final initial state.
    () => setup({}).createMachine({ id: 'final', initial: 'done', states: { done: { type: 'final' } } }),
    // A context factory that throws.
    () => setup({}).createMachine({ id: 'throwing', context: () => { throw new Error('no context'); }, initial: 'a', states: { a: {} } }),
    // An entry assign that throws.
    () => setup({}).createMachine({ id: 'assign-throws', context: { n: 0 }, initial: 'a', states: { a: { entry: assign(() => { throw new Error('bad assign'); }) } } }),
  ];
  for (const make of charts) {
    const both = bothWays((f) => {
      const log: string[] = [];
      const m = make();
      if (!f) (m as unknown as { getInitialSnapshot: unknown }).getInitialSnapshot = xstateInitialSnapshot;
      const a = createActor(m as never, {} as never);
      const s = a.getSnapshot() as AnyMachineSnapshot;
      log.push(`${s.status} ${JSON.stringify(s.value)} ${JSON.stringify(s.context)} ${String((s as { error?: Error }).error?.message)} children ${Object.keys(s.children).length}`);
      return { log, inspected: [], states: [] };
    });
    assert.ok(both.log.length === 1);
  }
});

test('the real pod and kubelet charts start the same both ways (the fast path takes both)', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', uid: 'u1' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] } };
  const forPod = bothWays((f) => started(podMachine, { pod, now: 1_700_000_000_000, hostIP: '10.0.0.1', podIP: '10.244.0.5', runtime: 'sim' }, f, []));
  assert.ok(forPod.inspected.some((l) => l.startsWith('action report')) && forPod.inspected.some((l) => l.startsWith('action runCommands')), forPod.inspected.join('\n'));
  const forKubelet = bothWays((f) => started(kubeletMachine, {}, f, []));
  assert.ok(forKubelet.states[0]!.startsWith('active'), forKubelet.states[0]);
  // Both are planned by the fast path, not left to XState.
  for (const m of [podMachine, kubeletMachine]) assert.ok((m as unknown as Record<symbol, unknown>)[Object.getOwnPropertySymbols(m).find((x) => x.description === 'kubeactor.initial-plan')!] !== null, `${m.id} planned`);
});

test('an assign makes the context XState makes: the same properties in order, and a `__proto__` key set as Object.assign sets it', () => {
  const run = (fast: boolean) => {
    const m = setup({}).createMachine({
      id: 'assigns',
      context: { a: 1, b: 2, c: 3 } as Record<string, unknown>,
      on: {
        part: { actions: assign({ b: 20 }) },
        whole: { actions: assign(({ context }) => ({ ...context, a: 10, d: 4 })) },
        proto: { actions: assign(() => JSON.parse('{"__proto__": {"inherited": true}, "c": 30}') as Record<string, unknown>) },
      },
    });
    if (!fast) (m as unknown as { transition: unknown }).transition = xstateTransition;
    const actor = createActor(m).start();
    const states: string[] = [];
    for (const type of ['part', 'whole', 'proto']) {
      actor.send({ type });
      const c = actor.getSnapshot().context;
      states.push(`${JSON.stringify(c)} ${Object.keys(c).join(',')} inherited ${String(c.inherited)} own ${Object.hasOwn(c, '__proto__')}`);
    }
    return { log: [], inspected: [], states };
  };
  const fast = bothWays(run);
  assert.equal(fast.states.at(-1), '{"a":10,"b":20,"c":30,"d":4} a,b,c,d inherited true own false');
});

/**
 * A chart shaped as the pod's: targetless steps at the root whose enqueueActions assign and raise
 * a move of the `life` region (a compound state's transition to a child, guarded, flushing on the
 * way), a move of both regions, an event for the root's own targetless transition, or an event
 * nothing takes; a `timer` region of sibling moves with a timer.
 */
function stageChart(log: string[]) {
  const STAGES = ['a', 'b', 'c'] as const;
  type Ctx = { stage: string; n: number; pending: boolean };
  return setup({
    types: { context: {} as Ctx, events: {} as AnyEventObject },
    actions: {
      report: ({ context, event }, p: { n: number }) => void log.push(`report ${event.type} ${context.stage} ${p.n}`),
      clear: assign({ pending: false }),
    },
    guards: { pending: ({ context }) => context.pending },
  }).createMachine({
    id: 'stages',
    type: 'parallel',
    context: { stage: 'a', n: 0, pending: false },
    on: {
      step: {
        actions: enqueueActions(({ context, event, enqueue }) => {
          const next: Ctx = { ...context, n: context.n + 1, stage: (event.to as string | undefined) ?? context.stage, pending: event.pending === true };
          enqueue.assign(() => next);
          if (event.raise === 'life') enqueue.raise({ type: `life.${next.stage}` });
          else if (event.raise === 'both') enqueue.raise({ type: `both.${next.stage}` });
          else if (event.raise === 'flush') enqueue.raise({ type: 'flush' });
          else if (event.raise === 'nobody') enqueue.raise({ type: 'nobody' });
          else if (event.raise === 'two') {
            enqueue.raise({ type: `life.${next.stage}` });
            enqueue.raise({ type: 'flush' });
          } else enqueue({ type: 'report', params: { n: next.n } });
        }),
      },
      flush: { guard: 'pending', actions: [{ type: 'report', params: ({ context }: { context: Ctx }) => ({ n: context.n }) }, 'clear'] },
    },
    states: {
      life: {
        initial: 'a',
        on: Object.fromEntries(STAGES.flatMap((st) => [
          [`life.${st}`, [{ guard: 'pending', target: `.${st}`, actions: [{ type: 'report', params: ({ context }: { context: Ctx }) => ({ n: -context.n }) }, 'clear'] }, { target: `.${st}` }]],
          [`both.${st}`, { target: `.${st}` }],
        ])),
        states: { a: {}, b: { entry: { type: 'report', params: { n: 100 } } }, c: { exit: { type: 'report', params: { n: 200 } }, tags: ['last'] } },
      },
      timer: {
        initial: 'idle',
        states: {
          idle: { on: { arm: 'armed', 'both.*': 'armed' } },
          armed: { after: { 40: { target: 'idle', actions: { type: 'report', params: { n: 0 } } } }, on: { 'both.*': 'idle' } },
        },
      },
    },
  });
}

test('a step that raises a stage move, as the pod chart\'s, runs the same with the fast transition as with XState\'s macrostep', () => {
  const run = (fast: boolean) => {
    const log: string[] = [];
    const machine = stageChart(log);
    if (!fast) (machine as unknown as { transition: unknown }).transition = xstateTransition;
    const inspected: string[] = [];
    const clock = new SimulatedClock();
    const actor = createActor(machine, { inspect: inspector(inspected), clock }).start();
    const states: string[] = [];
    let seed = 11;
    const raises = ['life', 'life', 'both', 'flush', 'nobody', 'two', 'none'];
    for (let i = 0; i < 500; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const r = seed >>> 16;
      if (r % 9 === 0) actor.send({ type: 'arm' });
      else actor.send({ type: 'step', to: ['a', 'b', 'c'][r % 3], pending: r % 5 < 2, raise: raises[(r >>> 3) % raises.length] });
      if (r % 4 === 0) clock.increment(25);
      const snap = actor.getSnapshot();
      states.push(`${JSON.stringify(snap.value)} ${JSON.stringify(snap.context)} ${[...snap.tags].join(',')} ${snap.status}`);
    }
    return { log, inspected, states };
  };
  const fast = bothWays(run);
  // The moves were taken: guarded with a flush on the way, into a state with an entry, out of one with an exit, and the timer fired.
  for (const what of ['report life.b', 'report life.c', 'report step', 'report flush', 'report xstate.after']) assert.ok(fast.log.some((l) => l.startsWith(what)), what);
  assert.ok(fast.inspected.some((l) => l.startsWith('micro life.b')) && fast.inspected.some((l) => l.startsWith('micro nobody')), 'raised events took their microsteps');
});

test.run();
