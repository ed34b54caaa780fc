import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, fromPromise } from 'xstate';
import { apiserverMachine } from '../../machines/apiserver.ts';
import { VirtualClock, settle } from '../../actors/clock/virtual.ts';

function harness(opts: { bootFails?: number } = {}) {
  const log: string[] = [];
  let boots = 0;
  let reprimes = 0;
  let releaseReprime: () => void = () => {};
  const clock = new VirtualClock();
  const machine = apiserverMachine.provide({
    actions: {
      handleRequest: (_, p) => log.push(`handle ${(p.event as { corr?: string }).corr}`),
      deferRequest: (_, p) => log.push(`defer ${(p.event as { corr?: string }).corr}`),
      flushDeferred: () => log.push('flush'),
      applyKvEvents: () => log.push('kv'),
      tick: () => log.push('tick'),
      shutdown: () => log.push('shutdown'),
    },
    actors: {
      boot: fromPromise(async () => {
        boots++;
        if (boots <= (opts.bootFails ?? 0)) throw new Error('kv unreachable');
      }),
      reprime: fromPromise(
        () =>
          new Promise<void>((resolve) => {
            reprimes++;
            releaseReprime = resolve;
          }),
      ),
    },
  });
  const actor = createActor(machine, { clock });
  actor.start();
  return { actor, log, clock, boots: () => boots, reprimes: () => reprimes, release: () => releaseReprime() };
}

const req = (corr: string) => ({ type: 'api.get' as const, from: 'x', corr, payload: {} });

test('starting defers requests, serving flushes and handles them', async () => {
  const h = harness();
  h.actor.send(req('1'));
  await settle();
  assert.ok(h.actor.getSnapshot().matches('serving'));
  h.actor.send(req('2'));
  assert.equal(h.log, ['defer 1', 'flush', 'handle 2']);
});

test('a failed boot retries after the delay', async () => {
  const h = harness({ bootFails: 1 });
  await settle();
  assert.ok(h.actor.getSnapshot().matches('retrying'));
  assert.is(h.actor.getSnapshot().context.lastError, 'kv unreachable');
  await h.clock.advance(1000);
  await settle();
  assert.ok(h.actor.getSnapshot().matches('serving'));
  assert.is(h.boots(), 2);
});

test('kv watch end → degraded (deferring) → serving after reprime', async () => {
  const h = harness();
  await settle();
  h.actor.send({ type: 'kv.watch-ended', from: 'kv', payload: {} });
  assert.ok(h.actor.getSnapshot().matches('degraded'));
  h.actor.send(req('3'));
  h.actor.send({ type: 'kv.events', from: 'kv', payload: {} });
  h.release();
  await settle();
  assert.ok(h.actor.getSnapshot().matches('serving'));
  assert.equal(h.log.slice(1), ['defer 3', 'kv', 'flush']);
});

test('ticks while serving; stop shuts down', async () => {
  const h = harness();
  await settle();
  await h.clock.advance(120_000);
  assert.equal(h.log.filter((l) => l === 'tick').length, 2);
  h.actor.send({ type: 'apiserver.stop' });
  assert.is(h.actor.getSnapshot().status, 'done');
  assert.is(h.log.at(-1), 'shutdown');
});

test.run();
