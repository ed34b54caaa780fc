/**
 * The web UI's live actor feed: the actors of a running host (and its pods), a chosen
 * actor's chart definition, state and events; inspection attached only to the actor being
 * watched, following it across a restart; contexts redacted as the inspector redacts them.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assign, createActor, setup } from 'xstate';
import { VirtualClock } from '../../../actors/clock/virtual.ts';
import { ActorHost } from '../../../actors/host.ts';
import { kvActor } from '../../../actors/kv/actor.ts';
import { MemoryKv } from '../../../actors/kv/memory.ts';
import { ActorFeed, contextJson } from '../../../actors/ui/actor-feed.ts';
import { tapMessages } from '../../../actors/ui/messages.ts';
import type { ActorUpdate } from '../../../actors/ui/source.ts';
import { InProcessBus } from '../../../bus/inprocess.ts';
import { kvMachine } from '../../../machines/kv.ts';
import { chartOf, definitionJson, renderChart } from '../../../ui/chart/index.ts';

/** A worker with a credential in its context, two states, and an event that makes it fail. */
const worker = setup({ types: {} as { context: { n: number; token: string; peers: Map<string, number> }; events: { type: 'work' } | { type: 'rest' } | { type: 'boom' } } }).createMachine({
  id: 'worker',
  context: { n: 0, token: 's3cret', peers: new Map() },
  initial: 'idle',
  states: {
    idle: { on: { work: { target: 'busy', actions: assign({ n: ({ context }) => context.n + 1 }) } } },
    busy: { on: { rest: 'idle' } },
  },
  on: { boom: { actions: () => { throw new Error('boom'); } } },
});

/** A one-way message of a type outside the bus catalogue (the worker's own events). */
const tell = (port: { send(to: string, type: never, payload: never): void }, type: string): void => port.send('worker.1', type as never, {} as never);

async function cluster() {
  const clock = new VirtualClock();
  const bus = new InProcessBus({ clock });
  const tap = tapMessages(bus);
  const host = new ActorHost({ bus, clock, seed: 1, logger: { info() {}, warn() {}, error() {} } });
  const feed = new ActorFeed({ host, clock, messages: tap.store });
  host.spawn(kvActor(new MemoryKv()));
  host.spawn({ address: 'worker.1', create: () => ({ machine: worker }), toEvent: (env) => ({ type: env.type }) as never });
  const api = bus.register('apiserver', () => {});
  return { clock, bus, host, feed, api, tap };
}

test('lists the actors with their group and machine; a chart definition renders; state with its active states', async () => {
  const { host, feed, bus } = await cluster();
  const list = feed.list();
  assert.equal(list.rows.map((a) => [a.address, a.group, a.machine, a.state]), [['kv', 'kv', 'kv', 'running'], ['worker.1', 'worker', 'worker', 'running']]);
  assert.equal(feed.list({ select: 'work*' }).rows.map((a) => a.address), ['worker.1']);
  assert.equal(feed.definition('kv'), definitionJson(kvMachine));
  const svg = await renderChart(chartOf(feed.definition('worker.1')!), feed.state('worker.1')!.value);
  assert.match(svg, /class="state atomic active" data-state="worker.idle"/);
  const s = feed.state('worker.1')!;
  assert.equal([s.status, s.value, s.active], ['active', 'idle', ['worker', 'worker.idle']]);
  // Redacted as the inspector redacts; a Map is plain JSON.
  assert.equal(s.context, { n: 0, token: '<redacted>', peers: {} });
  assert.is(feed.state('nobody'), undefined);
  assert.is(feed.watch('nobody', () => {}), undefined);
  host.stopAll();
  await bus.close();
});

test('nothing is inspected until watched; then each event and the state it led to; the last watcher leaving detaches', async () => {
  const { host, feed, bus, api, clock } = await cluster();
  tell(api, 'work');
  await clock.advance(0);
  assert.equal(feed.watching(), []);
  // Before it is watched, its recent events are the bus messages it received.
  assert.equal(feed.events('worker.1').map((e) => [e.type, (e.event as { from: string }).from]), [['work', 'apiserver']]);
  const updates: ActorUpdate[] = [];
  const off = feed.watch('worker.1', (u) => updates.push(u))!;
  assert.equal(feed.watching(), ['worker.1']);
  tell(api, 'rest');
  await clock.advance(0);
  const last = updates.at(-1)!;
  assert.is(last.type, 'state');
  if (last.type !== 'state') return;
  assert.equal([last.state.value, last.state.active, last.event?.type], ['idle', ['worker', 'worker.idle'], 'rest']);
  assert.equal(feed.events('worker.1').map((e) => e.type), ['rest']);
  off();
  assert.equal(feed.watching(), []);
  const n = updates.length;
  tell(api, 'work');
  await clock.advance(0);
  assert.is(updates.length, n, 'no updates once unwatched');
  host.stopAll();
  await bus.close();
});

test('a watched actor is followed across a restart, and reported gone when stopped', async () => {
  const { host, feed, bus, api, clock } = await cluster();
  const updates: ActorUpdate[] = [];
  feed.watch('worker.1', (u) => updates.push(u));
  tell(api, 'work');
  await clock.advance(0);
  tell(api, 'boom');
  await clock.advance(0);
  assert.is(host.get('worker.1')!.state, 'restarting');
  await clock.advance(1_000);
  assert.is(host.get('worker.1')!.state, 'running');
  // The new incarnation's first state, then its events, through the new system.
  const fresh = updates.at(-1)!;
  assert.ok(fresh.type === 'state' && fresh.state.value === 'idle' && (fresh.state.context as { n: number }).n === 0, JSON.stringify(fresh));
  tell(api, 'work');
  await clock.advance(0);
  const after = updates.at(-1)!;
  assert.ok(after.type === 'state' && after.state.value === 'busy' && after.event?.type === 'work');
  host.stop('worker.1');
  assert.equal(updates.at(-1), { type: 'gone', address: 'worker.1' });
  host.stopAll();
  await bus.close();
});

test('pods: noted through inspectFor as they start, watched on demand, gone when they stop', async () => {
  const { host, feed, bus } = await cluster();
  assert.is(feed.inspectFor('kv'), undefined, 'hosted actors are inspected on demand, not from their start');
  const inspect = feed.inspectFor('pod.uid-1')!;
  const pod = createActor(worker, { inspect }).start();
  assert.equal(feed.list({ select: 'pod.*' }).rows.map((a) => [a.address, a.group, a.machine]), [['pod.uid-1', 'pod', 'worker']]);
  const updates: ActorUpdate[] = [];
  feed.watch('pod.uid-1', (u) => updates.push(u));
  pod.send({ type: 'work' });
  const u = updates.at(-1)!;
  assert.ok(u.type === 'state' && u.state.value === 'busy' && u.event?.type === 'work');
  pod.stop();
  assert.equal(updates.at(-1), { type: 'gone', address: 'pod.uid-1' });
  assert.equal(feed.list({ select: 'pod.*' }).total, 0);
  host.stopAll();
  await bus.close();
});

test('a feed made before its host sees the pods a hosted actor runs (through the host inspectFor its kubelets hand their pods)', async () => {
  const clock = new VirtualClock();
  const bus = new InProcessBus({ clock });
  const feed = new ActorFeed({ clock });
  const host = new ActorHost({ bus, clock, seed: 1, inspectFor: feed.inspectFor });
  feed.follow(host);
  // A kubelet-like actor: it runs a pod actor outside the host, with the inspection ctx.observe gives it.
  host.spawn({
    address: 'kubelet.n1',
    create: (ctx) => {
      createActor(worker, { inspect: ctx.observe?.('pod.uid-2', { machine: 'worker' }) }).start();
      return { machine: worker };
    },
  });
  assert.equal(feed.list().rows.map((a) => [a.address, a.group]), [['kubelet.n1', 'kubelet'], ['pod.uid-2', 'pod']]);
  assert.is(feed.state('pod.uid-2')!.value, 'idle');
  host.stopAll();
  feed.close();
  await bus.close();
});

test('a large context is shown by its top-level keys, shortened', () => {
  const big = { small: 1, items: Array.from({ length: 20_000 }, (_, i) => ({ name: `pod-${i}`, password: 'x' })) };
  const c = contextJson(big, 10_000) as { small: unknown; items: string };
  assert.is(c.small, 1);
  assert.is(typeof c.items, 'string');
  assert.ok(c.items.length <= 1024 && c.items.endsWith('…'));
  assert.not.match(c.items, /"x"/);
});

test.run();
