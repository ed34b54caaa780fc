/** The host's seams a simulation uses: `crash` (a failure through the supervisor) and `clockFor` (a skewed clock). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMachine } from 'xstate';
import type { ActorContext } from '../../../actors/actor-def.ts';
import { VirtualClock } from '../../../actors/clock/virtual.ts';
import { ActorHost } from '../../../actors/host.ts';
import type { LifecycleEvent } from '../../../actors/lifecycle.ts';
import { silentLogger } from '../../../actors/logger.ts';
import { InProcessBus } from '../../../bus/inprocess.ts';
import type { Clock } from '../../../base/clock.ts';

test('crash fails a running actor as if it threw: reported, restarted after the back-off', async () => {
  const clock = new VirtualClock();
  const host = new ActorHost({ bus: new InProcessBus({ clock }), clock, seed: 1, logger: silentLogger });
  const events: LifecycleEvent[] = [];
  host.onLifecycle((e) => void events.push(e));
  host.spawn({ address: 'worker', create: () => ({ machine: createMachine({}) }) });
  assert.ok(host.crash('worker', new Error('simulated crash')));
  assert.is(host.get('worker')?.state, 'restarting');
  assert.not.ok(host.crash('worker', new Error('again')), 'an actor already down is not crashed twice');
  assert.not.ok(host.crash('nobody', new Error('x')));
  await clock.advance(1000);
  assert.is(host.get('worker')?.state, 'running');
  assert.equal(events.map((e) => e.type), ['start', 'error', 'restart']);
  host.stopAll();
});

test('clockFor gives an actor its own view of time; timers still run on the host clock', async () => {
  const clock = new VirtualClock();
  const skewed = (base: Clock): Clock => ({ now: () => base.now() + 5000, setTimeout: (f, ms, o) => base.setTimeout(f, ms, o), clearTimeout: (id) => base.clearTimeout(id) });
  const host = new ActorHost({ bus: new InProcessBus({ clock }), clock, seed: 1, logger: silentLogger, clockFor: (a, c) => (a === 'late' ? skewed(c) : c) });
  const seen: Record<string, ActorContext> = {};
  for (const address of ['late', 'plain']) host.spawn({ address, create: (ctx) => ((seen[address] = ctx), { machine: createMachine({}) }) });
  assert.is(seen.late!.clock.now() - seen.plain!.clock.now(), 5000);
  let fired = false;
  seen.late!.clock.setTimeout(() => (fired = true), 100);
  await clock.advance(100);
  assert.ok(fired);
  host.stopAll();
});

test.run();
