/** The specs' one polling helper: what it returns, how it paces, what a timeout says. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually, type Pace } from './wait.ts';

/** Virtual time: a pause only moves the counter. */
const counter = (): Pace & { t: number } => {
  const p = { t: 0, now: () => p.t, sleep: async (ms: number) => void (p.t += ms) };
  return p;
};

test('returns the first truthy value, retrying through falsy values and throws', async () => {
  let n = 0;
  const got = await eventually(() => {
    n++;
    if (n === 1) throw new Error('not yet');
    return n >= 3 && { n };
  });
  assert.equal(got, { n: 3 });
});

test('accept decides instead of truthiness, and the value is returned as it is', async () => {
  const pace = counter();
  assert.is(await eventually(() => pace.t, { pace, intervalMs: 100, accept: (t) => t >= 300 }), 300);
  assert.is(await eventually(() => '', { accept: (s) => s === '' }), '');
});

test('a timeout names what was awaited, the last value or error, and the detail', async () => {
  const pace = counter();
  try {
    await eventually(() => pace.t, { pace, timeoutMs: 1000, intervalMs: 250, what: 'five', accept: (t) => t === 5, detail: () => 'more' });
    assert.unreachable('resolved');
  } catch (err) {
    assert.is((err as Error).message, 'timed out after 1000 ms waiting for five; last value: 1000\nmore');
    assert.is(pace.t, 1000, 'tried at 0, 250, …, 1000, then gave up');
  }
  try {
    await eventually(() => { throw new Error('boom'); }, { pace: counter(), timeoutMs: 10 });
    assert.unreachable('resolved');
  } catch (err) {
    // Unnamed, the wait is named by the check's source text.
    assert.match((err as Error).message, /^timed out after 10 ms waiting for \(\) ?=> ?\{.*boom.*\}; last error: boom$/);
  }
});

test.run();
