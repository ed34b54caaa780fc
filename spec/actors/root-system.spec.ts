import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assign, createActor, createMachine, emit, fromCallback, sendTo, type AnyActorRef, type InspectionEvent } from 'xstate';
import { VirtualClock } from '../../actors/clock/virtual.ts';
import { ownedClock } from '../../base/clock.ts';
import { lightenSystem, shareEmptyTags } from '../../actors/root-system.ts';

/**
 * A chart that uses what a root actor reaches through its system: delayed transitions (one
 * cancelled by leaving its state), a delayed `sendTo` to an invoked child with a system id,
 * `system.get`, and a timer pending when it stops.
 */
const machine = createMachine({
  id: 'probe',
  context: { ticks: 0, found: false },
  invoke: { id: 'kid', systemId: 'kid', src: fromCallback(({ receive, sendBack }) => receive((e) => sendBack({ type: 'pong', got: e.type }))) },
  on: { pong: { actions: assign({ ticks: ({ context }) => context.ticks + 100 }) } },
  initial: 'a',
  states: {
    a: {
      after: { 1000: 'b', 5000: 'never' },
      on: { poke: { actions: sendTo('kid', { type: 'ping' }, { delay: 500 }) } },
    },
    b: {
      entry: assign({ found: ({ system }) => system.get('kid') !== undefined }),
      after: { 2000: { target: 'b', reenter: true, actions: assign({ ticks: ({ context }) => context.ticks + 1 }) } },
    },
    never: {},
  },
});

/** What an inspector sees of one run: each inspection event, with actors by id. */
async function run(light: boolean): Promise<{ seen: string[]; late: string[]; context: unknown; fired: string[]; pending: number }> {
  const clock = new VirtualClock();
  const fired: string[] = [];
  const base = { now: () => clock.now(), setTimeout: (fn: () => void, ms: number, owner?: string) => clock.setTimeout(() => { fired.push(`${owner}@${clock.now() - t0}`); fn(); }, ms), clearTimeout: (id: unknown) => clock.clearTimeout(id) };
  const t0 = clock.now();
  const seen: string[] = [];
  const id = (r: unknown) => (r as AnyActorRef | undefined)?.id ?? '-';
  const inspect = (ev: InspectionEvent) => {
    const root = ev.rootId.startsWith('x:') ? 'root' : ev.rootId;
    if (ev.type === '@xstate.event') seen.push(`event ${id(ev.sourceRef)}>${id(ev.actorRef)} ${ev.event.type} ${root}`);
    else if (ev.type === '@xstate.action') seen.push(`action ${id(ev.actorRef)} ${ev.action.type}`);
    else if (ev.type === '@xstate.snapshot') seen.push(`snapshot ${id(ev.actorRef)} ${JSON.stringify((ev.snapshot as { value?: unknown }).value ?? null)}`);
    else seen.push(`${ev.type} ${id(ev.actorRef)}`);
  };
  const actor = createActor(machine, { id: 'probe', clock: ownedClock(base, 'pod.a'), inspect });
  if (light) lightenSystem(actor, inspect);
  actor.start();
  actor.send({ type: 'poke' });
  await clock.advance(1500);
  // What the UI's actor feed does: subscribe to a running actor's system.
  const late: string[] = [];
  const sub = actor.system.inspect((ev) => late.push(ev.type));
  await clock.advance(4000);
  sub.unsubscribe();
  await clock.advance(1000);
  const context = actor.getSnapshot().context;
  actor.stop();
  await clock.advance(60_000);
  return { seen, late, context, fired, pending: clock.pending };
}

test('a lightened root shows an inspector what XState\'s own system does, and fires the same timers on its clock', async () => {
  const xstate = await run(false);
  const light = await run(true);
  assert.ok(xstate.seen.length > 20, 'the run did something');
  assert.ok(xstate.fired.includes('pod.a@1000'), 'the delayed transition fired on the actor\'s own clock');
  assert.equal(light.seen, xstate.seen);
  assert.equal(light.late, xstate.late);
  assert.equal(light.fired, xstate.fired);
  assert.equal(light.context, xstate.context);
  assert.equal(light.context, { ticks: 102, found: true });
  assert.is(light.pending, 0, 'stopping cancelled its timers');
  assert.is(xstate.pending, 0);
});

/** What subscribers and emitted-event listeners, added after start, get from one run. */
function listen(light: boolean): string[] {
  const got: string[] = [];
  const m = createMachine({
    initial: 'a',
    states: {
      a: { on: { go: { target: 'b', actions: emit({ type: 'moved' }) } } },
      b: { on: { go: { target: 'done', actions: emit({ type: 'moved' }) } } },
      done: { type: 'final' },
    },
  });
  const actor = createActor(m);
  if (light) lightenSystem(actor);
  actor.start();
  actor.send({ type: 'go' });
  const first = actor.subscribe({ next: (s) => got.push(`first ${String(s.value)}`), complete: () => got.push('first complete') });
  const second = actor.subscribe((s) => got.push(`second ${String(s.value)}`));
  const moved = actor.on('moved', (e) => got.push(`on ${e.type}`));
  const any = actor.on('*', (e) => got.push(`any ${e.type}`));
  second.unsubscribe();
  any.unsubscribe();
  actor.send({ type: 'go' });
  moved.unsubscribe();
  first.unsubscribe();
  return got;
}

test('a lightened root notifies subscribers and listeners added after it started, as XState\'s does', () => {
  const light = listen(true);
  assert.equal(light, listen(false));
  assert.equal(light, ['on moved', 'first done', 'first complete']);
});

test('a machine whose tagless snapshots share one tag Set answers hasTag and toJSON as before', () => {
  const config = { initial: 'a', states: { a: { on: { go: 'b' } }, b: { tags: ['busy'], on: { go: 'c' } }, c: {} } } as const;
  const seen = (m: ReturnType<typeof createMachine>) => {
    const actor = createActor(m).start();
    const out: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const s = actor.getSnapshot();
      out.push([s.value, s.hasTag('busy'), (s.toJSON() as { tags: string[] }).tags]);
      actor.send({ type: 'go' });
    }
    return { out, actor };
  };
  const plain = seen(createMachine(config));
  const shared = seen(shareEmptyTags(createMachine(config)));
  assert.equal(shared.out, plain.out);
  assert.equal(shared.out, [['a', false, []], ['b', true, ['busy']], ['c', false, []]]);
  const again = createActor(shareEmptyTags(createMachine(config))).start();
  assert.is(again.getSnapshot().tags, shared.actor.getSnapshot().tags, 'one empty Set for every tagless snapshot');
  assert.throws(() => (again.getSnapshot().tags as Set<string>).add('x'), /read-only/);
});

test('lightenSystem refuses an actor that has started', () => {
  const actor = createActor(createMachine({})).start();
  assert.throws(() => lightenSystem(actor), /has started/);
  actor.stop();
});

test.run();
