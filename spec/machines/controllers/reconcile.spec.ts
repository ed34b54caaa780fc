import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, fromPromise, SimulatedClock } from 'xstate';
import { reconcileMachine, type SyncResult } from '../../../machines/controllers/reconcile.ts';
import { isTerminal, TerminalError } from '../../../machines/controllers/terminal.ts';

const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

/** The chart on a simulated clock, its sync failing as `fail(key, attempt)` says. */
function run(fail: (key: string, attempt: number) => Error | null) {
  const clock = new SimulatedClock();
  const calls: string[] = [];
  const reported: Array<{ kind: string; key: string }> = [];
  const machine = reconcileMachine.provide({
    actions: {
      reportError: (_, p: { key: string }) => void reported.push({ kind: 'retry', key: p.key }),
      reportTerminal: (_, p: { key: string }) => void reported.push({ kind: 'terminal', key: p.key }),
    },
    actors: {
      sync: fromPromise<SyncResult | void, { key: string }>(async ({ input }) => {
        calls.push(input.key);
        const e = fail(input.key, calls.filter((k) => k === input.key).length);
        if (e) throw e;
      }),
    },
  });
  const actor = createActor(machine, { clock }).start();
  actor.send({ type: 'synced' });
  return { clock, calls, reported, actor };
}

test('a terminal error is reported and not retried; the key is forgotten', async () => {
  const { clock, calls, reported, actor } = run(() => new TerminalError('invalid selector'));
  actor.send({ type: 'enqueue', key: 'default/web' });
  await flush();
  assert.equal(calls, ['default/web']);
  assert.equal(reported, [{ kind: 'terminal', key: 'default/web' }]);
  const s = actor.getSnapshot();
  assert.is(s.value, 'idle');
  assert.equal(s.context.failures, {});
  assert.is(s.context.waiting, 0);
  assert.is(s.context.lastError, 'invalid selector');
  clock.increment(1_000_000);
  await flush();
  assert.equal(calls, ['default/web']);
  // A later change of the object queues the key again as usual.
  actor.send({ type: 'enqueue', key: 'default/web' });
  await flush();
  assert.equal(calls, ['default/web', 'default/web']);
});

test('a normal error is retried with exponential backoff (5 ms, 10 ms, …) until it succeeds', async () => {
  const { clock, calls, reported, actor } = run((_, attempt) => (attempt < 3 ? new Error('flaky') : null));
  actor.send({ type: 'enqueue', key: 'a' });
  await flush();
  assert.equal(calls, ['a']);
  assert.is(actor.getSnapshot().value, 'backoff');
  clock.increment(4);
  await flush();
  assert.equal(calls, ['a']);
  clock.increment(1);
  await flush();
  assert.equal(calls, ['a', 'a']);
  clock.increment(9);
  await flush();
  assert.equal(calls, ['a', 'a']);
  clock.increment(1);
  await flush();
  assert.equal(calls, ['a', 'a', 'a']);
  assert.equal(reported, [{ kind: 'retry', key: 'a' }, { kind: 'retry', key: 'a' }]);
  assert.is(actor.getSnapshot().value, 'idle');
  assert.equal(actor.getSnapshot().context.failures, {});
});

test('isTerminal recognises the class and the mark', () => {
  assert.ok(isTerminal(new TerminalError('x')));
  assert.ok(isTerminal({ terminal: true }));
  assert.not.ok(isTerminal(new Error('x')));
  assert.not.ok(isTerminal(undefined));
});

test.run();
