/**
 * The real clock's contract, on the real event loop: a timer never runs before `now()` has
 * reached the time it was set for (Node's own timers do, by a millisecond, about one in
 * five of these), and a cleared timer never runs. A recording of a real-time run relies on
 * the first: its replay refuses a timer firing earlier than the time it was set for.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { realClock } from '../../base/real-clock.ts';

// The clock's timers are unref'd: this keeps the spec's process alive while they are pending.
const keepAlive = setInterval(() => {}, 1000);
test.after(() => clearInterval(keepAlive));

/** Waits about `ms` without yielding, so timers are set at varied sub-millisecond phases. */
const spin = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

test('6,000 timers of 1 to 5 ms set at varied phases: none runs before now() reaches its due time', async () => {
  let early = 0;
  let ran = 0;
  for (let batch = 0; batch < 150; batch++) {
    const done: Promise<void>[] = [];
    for (let i = 0; i < 40; i++) {
      spin(0.05);
      const ms = 1 + (i % 5);
      const due = realClock.now() + ms;
      done.push(
        new Promise((resolve) =>
          realClock.setTimeout(() => {
            ran++;
            if (realClock.now() < due) early++;
            resolve();
          }, ms),
        ),
      );
    }
    await Promise.all(done);
  }
  assert.is(ran, 6000);
  assert.is(early, 0);
});

test('time stands still within a macrotask, moves on in the next, and a timer that fires reads it afresh', async () => {
  const t0 = realClock.now();
  spin(3);
  assert.is(realClock.now(), t0, 'the same macrotask: the same instant');
  await new Promise((r) => setImmediate(r));
  const t1 = realClock.now();
  assert.ok(t1 >= t0 + 3, `the next macrotask reads the clock again (${t1 - t0} ms later)`);
  // Timers firing in one turn, each spinning: each reads the clock afresh, and the turn after them too.
  const seen: number[] = [];
  await Promise.all(Array.from({ length: 20 }, () => new Promise<void>((resolve) => realClock.setTimeout(() => {
    seen.push(realClock.now());
    spin(1);
    resolve();
  }, 2))));
  assert.ok(seen.every((t, i) => i === 0 || t >= seen[i - 1]! + 1), seen.join(' '));
  spin(2);
  const last = seen.at(-1)!;
  await new Promise((r) => setImmediate(r));
  assert.ok(realClock.now() >= last + 2, 'after the timers, the next macrotask reads the clock again');
});

test('a cleared timer does not run; the others do', async () => {
  const fired: number[] = [];
  const timers = Array.from({ length: 200 }, (_, i) => {
    spin(0.02);
    return realClock.setTimeout(() => fired.push(i), 1 + (i % 3));
  });
  timers.forEach((t, i) => i % 2 === 1 && realClock.clearTimeout(t));
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(fired.sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => 2 * i));
});

test.run();
