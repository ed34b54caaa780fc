import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMachine, type InspectionEvent } from 'xstate';
import type { ActorDef } from '../../actors/actor-def.ts';
import { VirtualClock } from '../../actors/clock/virtual.ts';
import { ActorHost, type ActorHostOptions } from '../../actors/host.ts';
import type { LifecycleEvent } from '../../actors/lifecycle.ts';
import { memoryLogger } from '../../actors/logger.ts';
import type { Port } from '../../bus/bus.ts';
import { InProcessBus } from '../../bus/inprocess.ts';
import { ok } from '../../base/status.ts';

function setup(opts: Partial<ActorHostOptions> = {}) {
  const clock = new VirtualClock();
  const bus = new InProcessBus({ clock });
  const logger = memoryLogger();
  const host = new ActorHost({ bus, clock, seed: 1, logger, ...opts });
  const events: LifecycleEvent[] = [];
  host.onLifecycle((e) => events.push(e));
  const client = bus.register('client', () => {});
  return { clock, bus, host, logger, events, client };
}

/** A chart whose action throws on sys.fail (its host answers sys.ping). */
function pinger(address: string, more: Partial<ActorDef> = {}): ActorDef {
  return {
    address,
    create: () => ({
      machine: createMachine({
        on: {
          'sys.fail': {
            actions: ({ event }) => {
              throw new Error(event.payload.message);
            },
          },
        },
      }),
    }),
    ...more,
  };
}

/** Makes a pinger's action throw while it handles this request. */
const crash = (client: Port, address: string, message = 'boom') =>
  client.request(address, 'sys.fail', { code: 500, reason: 'InternalError', message });

test('the host answers sys.ping for the actor bound to an address', async () => {
  const { host, client, events } = setup();
  host.spawn(pinger('echo'));
  assert.equal(await client.request('echo', 'sys.ping', { n: 7 }), ok({ address: 'echo', n: 7 }));
  assert.equal(host.list(), ['echo']);
  assert.is(host.get('echo')?.state, 'running');
  assert.is(host.get('echo')?.snapshot?.status, 'active');
  assert.equal(events.map((e) => [e.type, e.address]), [['start', 'echo']]);
});

test("actors sharing one machine each find their own effects: bind is given the actor before its entry actions run, again on restart", async () => {
  const { host, client, clock } = setup();
  const effects = new WeakMap<object, string>();
  const heard: string[] = [];
  // One machine for both: its actions know an actor only by `self`.
  const machine = createMachine({
    entry: ({ self }) => void heard.push(`entry ${effects.get(self)}`),
    on: {
      'sys.fail': {
        actions: ({ self }) => {
          throw new Error(`boom in ${effects.get(self)}`);
        },
      },
    },
  });
  const incarnations = new Map<string, number>();
  const def = (address: string): ActorDef => ({
    address,
    create: () => {
      const n = (incarnations.get(address) ?? 0) + 1;
      incarnations.set(address, n);
      return { machine, bind: (actor) => void effects.set(actor, `${address}#${n}`) };
    },
  });
  host.spawn(def('a'));
  host.spawn(def('b'));
  assert.equal(heard, ['entry a#1', 'entry b#1']);
  await crash(client, 'b');
  await clock.advance(1000);
  assert.equal(heard, ['entry a#1', 'entry b#1', 'entry b#2']);
});

test('sys.ping never reaches toEvent or the chart: the host answers it even for an actor that drops everything', async () => {
  const { host, client } = setup();
  const seen: string[] = [];
  host.spawn(pinger('deaf', { toEvent: (env) => (seen.push(env.type), null) }));
  assert.equal(await client.request('deaf', 'sys.ping', { n: 3 }), ok({ address: 'deaf', n: 3 }));
  assert.equal(seen, []);
});

test('a delayed transition fires on the virtual clock exactly at its due time', async () => {
  const { clock, host } = setup();
  const firedAt: number[] = [];
  const t0 = clock.now();
  host.spawn({
    address: 'timer',
    create: (ctx) => ({
      machine: createMachine({
        initial: 'waiting',
        states: {
          waiting: { after: { 1500: { target: 'fired', actions: () => firedAt.push(ctx.clock.now()) } } },
          fired: {},
        },
      }),
    }),
  });
  await clock.advance(1499);
  assert.is(host.get('timer')?.ref?.getSnapshot().value, 'waiting');
  assert.equal(firedAt, []);
  await clock.advance(1);
  assert.equal(firedAt, [t0 + 1500]);
  assert.is(host.get('timer')?.ref?.getSnapshot().value, 'fired');
});

test('a throwing action: error snapshot, logged with address, restarted after 1 s then 2 s, serves again', async () => {
  const { clock, host, client, logger, events } = setup();
  host.spawn(pinger('flaky'));
  const t0 = clock.now();

  const crashed = await crash(client, 'flaky', 'boom -1');
  assert.is(crashed.ok ? 0 : crashed.status.code, 500, 'the request that crashed it is answered 500');
  const down = host.get('flaky')!;
  assert.is(down.state, 'restarting');
  assert.is(down.snapshot?.status, 'error');
  assert.is(down.restartAt, t0 + 1000);
  const rec = logger.records.find((r) => r.level === 'error');
  assert.is(rec?.fields.address, 'flaky');
  assert.is((rec?.fields.error as Error).message, 'boom -1');
  assert.equal(events.at(-1), { type: 'error', address: 'flaky', at: t0, error: rec?.fields.error, failures: 1, restartInMs: 1000 });

  // While down: requests get 503 with a retry hint; one-way messages are dropped.
  const refused = await client.request('flaky', 'sys.ping', { n: 1 });
  assert.is(refused.ok ? 0 : refused.status.code, 503);
  assert.is(refused.ok ? 0 : refused.status.details?.retryAfterSeconds, 1);
  client.send('flaky', 'sys.note', { n: 1 });
  await clock.advance(999);
  assert.is(host.get('flaky')?.state, 'restarting');
  assert.is(host.get('flaky')?.dropped, 2);

  await clock.advance(1);
  assert.is(host.get('flaky')?.state, 'running');
  assert.is(events.at(-1)?.type, 'restart');
  assert.is(events.at(-1)?.at, t0 + 1000);
  assert.equal(await client.request('flaky', 'sys.ping', { n: 2 }), ok({ address: 'flaky', n: 2 }));

  // A second failure soon after doubles the delay.
  await crash(client, 'flaky');
  assert.is(host.get('flaky')?.restartAt, t0 + 1000 + 2000);
  await clock.advance(1999);
  assert.is(host.get('flaky')?.state, 'restarting');
  await clock.advance(1);
  assert.is(host.get('flaky')?.state, 'running');
  assert.is(host.get('flaky')?.restarts, 2);
  assert.equal(await client.request('flaky', 'sys.ping', { n: 3 }), ok({ address: 'flaky', n: 3 }));

  // After a stable period (2 × max = 60 s) the backoff starts again from 1 s.
  await clock.advance(60_000);
  await crash(client, 'flaky');
  const last = events.at(-1);
  assert.is(last?.type === 'error' && last.restartInMs, 1000);
});

test('the delay doubles up to the cap, on an actor that fails while starting', async () => {
  const { clock, host, events } = setup({ restart: { initialMs: 100, maxMs: 500, resetAfterMs: 10_000 } });
  let creates = 0;
  host.spawn({
    address: 'crashloop',
    create: () => {
      creates++;
      return { machine: createMachine({ entry: () => { throw new Error('no config'); } }) };
    },
  });
  await clock.advance(100 + 200 + 400 + 500 + 500);
  const delays = events.flatMap((e) => (e.type === 'error' ? [e.restartInMs] : []));
  assert.equal(delays, [100, 200, 400, 500, 500, 500]);
  assert.is(creates, 6);
});

test('create, toEvent and onStart throwing count as failures too; toEvent may translate or drop', async () => {
  const { clock, host, client, events } = setup();
  let createFails = 1;
  const seen: unknown[] = [];
  host.spawn({
    address: 'picky',
    create: () => {
      if (createFails-- > 0) throw new Error('create failed');
      return { machine: createMachine({ on: { '*': { actions: ({ event }) => seen.push(event) } } }) };
    },
    toEvent: (env) => {
      if (env.type === 'sys.fail') throw new Error('cannot translate');
      return (env.payload as { n: number }).n === 0 ? null : { type: 'note', n: (env.payload as { n: number }).n };
    },
  });
  assert.is(host.get('picky')?.ref, undefined);
  await clock.advance(1000);
  client.send('picky', 'sys.note', { n: 0 });
  client.send('picky', 'sys.note', { n: 5 });
  await clock.advance(0);
  assert.equal(seen, [{ type: 'note', n: 5 }]);
  const r = await crash(client, 'picky');
  assert.is(r.ok ? 0 : r.status.code, 500);
  assert.is(host.get('picky')?.snapshot?.status, 'stopped');
  assert.equal(
    events.map((e) => e.type),
    ['error', 'restart', 'error'], // no start: the first create threw before there was an actor
  );

  let starts = 0;
  host.spawn({ ...pinger('hooked'), onStart: () => { if (starts++ === 0) throw new Error('watch failed'); } });
  assert.is(host.get('hooked')?.state, 'restarting');
  await clock.advance(1000);
  assert.is(host.get('hooked')?.state, 'running');
});

test('a chart that reaches a final state is stopped and frees its address', async () => {
  const { clock, bus, host, client, events } = setup();
  host.spawn({ address: 'once', create: () => ({ machine: createMachine({ on: { 'sys.note': '.done' }, initial: 'up', states: { up: {}, done: { type: 'final' } } }) }) });
  client.send('once', 'sys.note', { n: 1 });
  await clock.advance(0);
  assert.equal(events.at(-1), { type: 'stop', address: 'once', at: clock.now(), reason: 'done' });
  assert.equal(host.list(), []);
  bus.register('once', () => {}).close();
});

test('stopAll stops every actor, cancels restarts and closes every port; queued requests get 503', async () => {
  const { clock, bus, host, client, events } = setup();
  for (const a of ['a', 'b', 'c']) host.spawn(pinger(a));
  await crash(client, 'c'); // c is now waiting to restart
  const queued = ['a', 'b', 'c'].map((a) => client.request(a, 'sys.ping', { n: 1 }));
  host.stopAll();
  for (const r of await Promise.all(queued)) assert.is(r.ok ? 0 : r.status.code, 503);
  assert.equal(host.list(), []);
  assert.equal(events.filter((e) => e.type === 'stop').map((e) => e.address), ['a', 'b', 'c']);
  assert.is(clock.pending, 0, 'no restart timer and no request timer left');
  await clock.advance(10_000);
  assert.is(events.at(-1)?.type, 'stop');
  const late = await client.request('a', 'sys.ping', { n: 1 });
  assert.is(late.ok ? 0 : late.status.code, 503);
  for (const a of ['a', 'b', 'c']) bus.register(a, () => {}); // every address is free again
  assert.is(host.stop('a'), false);
});

test('inspection is attached only where asked, and follows restarts through inspectFor', async () => {
  const asked: string[] = [];
  const seen: InspectionEvent[] = [];
  const { clock, host, client } = setup({
    inspectFor: (address) => {
      asked.push(address);
      return address === 'watched' ? (e) => seen.push(e) : undefined;
    },
  });
  host.spawn(pinger('watched'));
  host.spawn(pinger('quiet'));
  client.send('quiet', 'sys.note', { n: 1 });
  await clock.advance(0);
  assert.equal(seen.filter((e) => e.type === '@xstate.event' && e.event.type === 'sys.note'), []);
  await crash(client, 'watched');
  await clock.advance(1000);
  client.send('watched', 'sys.note', { n: 2 });
  await clock.advance(0);
  const got = seen.filter((e) => e.type === '@xstate.event' && (e.event.type === 'sys.fail' || e.event.type === 'sys.note'));
  assert.is(got.length, 2);
  assert.equal(asked, ['watched', 'quiet', 'watched']);

  const own: InspectionEvent[] = [];
  host.spawn(pinger('own'), { inspect: (e) => own.push(e) });
  assert.ok(own.some((e) => e.type === '@xstate.actor'));
});

test('each actor gets seeded sources that depend only on the host seed and its address', () => {
  const draw = (seed: number, address: string) => {
    const { host } = setup({ seed });
    let got: string[] = [];
    host.spawn({ address, create: (ctx) => ((got = [ctx.newId(), String(ctx.random())]), { machine: createMachine({}) }) });
    return got;
  };
  assert.equal(draw(1, 'x'), draw(1, 'x'));
  assert.not.equal(draw(1, 'x'), draw(2, 'x'));
  assert.not.equal(draw(1, 'x'), draw(1, 'y'));
});

test('10k root actors spawn, answer and stop', async () => {
  const { host, client } = setup();
  const N = 10_000;
  for (let i = 0; i < N; i++) host.spawn(pinger(`pod.${i}`));
  assert.is(host.size, N);
  const replies = await Promise.all([0, 4321, N - 1].map((i) => client.request(`pod.${i}`, 'sys.ping', { n: i })));
  assert.equal(replies, [0, 4321, N - 1].map((i) => ok({ address: `pod.${i}`, n: i })));
  host.stopAll();
  assert.is(host.size, 0);
});

test('a throwing lifecycle listener does not stop supervision', async () => {
  const { clock, host, client, logger } = setup();
  host.onLifecycle(() => {
    throw new Error('recorder bug');
  });
  host.spawn(pinger('sturdy'));
  await crash(client, 'sturdy');
  await clock.advance(1000);
  assert.equal(await client.request('sturdy', 'sys.ping', { n: 1 }), ok({ address: 'sturdy', n: 1 }));
  assert.ok(logger.records.some((r) => r.msg.includes('lifecycle listener threw')));
});

test('spawning a taken address fails fast', () => {
  const { host } = setup();
  host.spawn(pinger('dup'));
  assert.throws(() => host.spawn(pinger('dup')), /already/);
});

test.run();
