import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VIRTUAL_EPOCH, VirtualClock, type TimerFiring } from '../../../actors/clock/virtual.ts';
import { xoshiro128 } from '../../../actors/random.ts';
import { InProcessBus } from '../../../bus/inprocess.ts';

test('starts at the fixed epoch, or where told', () => {
  assert.is(new VirtualClock().now(), VIRTUAL_EPOCH);
  assert.is(new VirtualClock({ start: 0 }).now(), 0);
});

test('fires by due time, then insertion order, with now() at each due time', async () => {
  const clock = new VirtualClock({ start: 0 });
  const seen: string[] = [];
  const at = (name: string) => () => seen.push(`${name}@${clock.now()}`);
  clock.setTimeout(at('c'), 30);
  clock.setTimeout(at('a1'), 10);
  clock.setTimeout(at('b'), 20);
  clock.setTimeout(at('a2'), 10);
  clock.setTimeout(at('late'), 31);
  assert.is(clock.pending, 5);
  assert.is(await clock.advance(30), 4);
  assert.equal(seen, ['a1@10', 'a2@10', 'b@20', 'c@30']);
  assert.is(clock.now(), 30);
  assert.is(clock.pending, 1);
  assert.is(clock.nextDue(), 31);
});

test('a timer due exactly at the window end fires; one a millisecond later does not', () => {
  const clock = new VirtualClock({ start: 0 });
  let fired = 0;
  clock.setTimeout(() => fired++, 1000);
  clock.setTimeout(() => fired++, 1001);
  clock.advanceSync(999);
  assert.is(fired, 0);
  clock.advanceSync(1);
  assert.is(fired, 1);
  assert.is(clock.now(), 1000);
});

test('timers scheduled while firing fire within the same window, in order', async () => {
  const clock = new VirtualClock({ start: 0 });
  const seen: string[] = [];
  clock.setTimeout(() => {
    seen.push(`outer@${clock.now()}`);
    clock.setTimeout(() => seen.push(`inner@${clock.now()}`), 5);
    clock.setTimeout(() => seen.push(`zero@${clock.now()}`), 0);
    clock.setTimeout(() => seen.push(`outside@${clock.now()}`), 100);
  }, 10);
  clock.setTimeout(() => seen.push(`peer@${clock.now()}`), 10);
  await clock.advance(50);
  assert.equal(seen, ['outer@10', 'peer@10', 'zero@10', 'inner@15']);
  assert.is(clock.pending, 1);
  await clock.advance(60);
  assert.equal(seen.at(-1), 'outside@110');
});

test('clearTimeout: cleared timers never fire; double clears and foreign ids are ignored', async () => {
  const clock = new VirtualClock({ start: 0 });
  const seen: number[] = [];
  const ids = [1, 2, 3, 4].map((n) => clock.setTimeout(() => seen.push(n), n * 10));
  clock.clearTimeout(ids[1]);
  clock.clearTimeout(ids[1]);
  clock.clearTimeout({});
  clock.clearTimeout(undefined);
  assert.is(clock.pending, 3);
  clock.setTimeout(() => clock.clearTimeout(ids[3]), 15);
  await clock.advance(100);
  assert.equal(seen, [1, 3]);
  assert.is(clock.pending, 0);
  clock.clearTimeout(ids[0]); // already fired
  assert.is(clock.pending, 0);
});

test('negative and NaN delays count as zero', () => {
  const clock = new VirtualClock({ start: 5 });
  let fired = 0;
  clock.setTimeout(() => fired++, -10);
  clock.setTimeout(() => fired++, Number.NaN);
  assert.is(clock.advanceSync(0), 2);
  assert.is(fired, 2);
});

test('time never goes backwards', () => {
  const clock = new VirtualClock({ start: 100 });
  assert.throws(() => clock.advanceToSync(99), RangeError);
  assert.throws(() => clock.advanceSync(Number.NaN), RangeError);
});

test('async advance drains microtasks between firings; advanceSync does not', async () => {
  for (const mode of ['async', 'sync'] as const) {
    const clock = new VirtualClock({ start: 0 });
    const seen: string[] = [];
    let second: unknown;
    clock.setTimeout(() => {
      seen.push('first');
      queueMicrotask(() => clock.clearTimeout(second));
    }, 10);
    second = clock.setTimeout(() => seen.push('second'), 10);
    if (mode === 'async') await clock.advance(10);
    else clock.advanceSync(10);
    assert.equal(seen, mode === 'async' ? ['first'] : ['first', 'second'], mode);
  }
});

test('bus deliveries caused by one firing happen before the next firing', async () => {
  const clock = new VirtualClock({ start: 0 });
  const bus = new InProcessBus({ clock });
  const seen: string[] = [];
  const a = bus.register('a', () => {});
  bus.register('b', (env) => seen.push(`${env.type}@${clock.now()}`));
  clock.setTimeout(() => a.send('b', 'sys.note', { n: 1 }), 10);
  clock.setTimeout(() => seen.push(`timer@${clock.now()}`), 10);
  a.send('b', 'sys.note', { n: 0 }); // delivered by the first flush, at time 0
  await clock.advance(10);
  assert.equal(seen, ['sys.note@0', 'sys.note@10', 'timer@10']);
});

test('next and runUntilIdle', async () => {
  const clock = new VirtualClock({ start: 0 });
  const seen: number[] = [];
  assert.is(await clock.next(), false);
  clock.setTimeout(() => seen.push(clock.now()), 500);
  clock.setTimeout(() => {
    seen.push(clock.now());
    clock.setTimeout(() => seen.push(clock.now()), 10_000);
  }, 100);
  assert.is(await clock.next(), true);
  assert.equal(seen, [100]);
  assert.is(await clock.runUntilIdle(5000), 1);
  assert.equal(seen, [100, 500]);
  assert.is(clock.now(), 500);
  assert.is(await clock.runUntilIdle(), 1);
  assert.equal(seen, [100, 500, 10_100]);
  assert.is(clock.pending, 0);
});

test('onFire reports each firing before its callback runs, until removed', async () => {
  const clock = new VirtualClock({ start: 0 });
  const log: (TimerFiring | string)[] = [];
  const off = clock.onFire((f) => log.push(f));
  clock.setTimeout(() => log.push('a'), 10);
  clock.advanceSync(5);
  clock.setTimeout(() => log.push('b'), 1);
  await clock.advance(10);
  off();
  clock.setTimeout(() => log.push('c'), 1);
  await clock.advance(1);
  assert.equal(log, [{ seq: 2, at: 6, scheduledAt: 5 }, 'b', { seq: 1, at: 10, scheduledAt: 0 }, 'a', 'c']);
});

test('100k timers across an hour fire exactly once each, in (due, insertion) order', async () => {
  const clock = new VirtualClock({ start: 0 });
  const rand = xoshiro128(42);
  const HOUR = 3_600_000;
  const N = 100_000;
  const due = new Float64Array(N);
  const count = new Uint8Array(N);
  const ids: unknown[] = [];
  let last = -1, lastDue = -1, misordered = 0;
  for (let i = 0; i < N; i++) {
    due[i] = rand() % HOUR;
    ids.push(
      clock.setTimeout(() => {
        count[i]!++;
        if (clock.now() !== due[i]) misordered++;
        if (due[i]! < lastDue || (due[i] === lastDue && i < last)) misordered++;
        lastDue = due[i]!;
        last = i;
      }, due[i]!),
    );
  }
  // Clear every tenth one (exercising the heap's compaction of cleared timers).
  for (let i = 0; i < N; i += 10) clock.clearTimeout(ids[i]);
  assert.is(clock.pending, N - N / 10);
  assert.is(await clock.advance(HOUR), N - N / 10);
  assert.is(misordered, 0);
  for (let i = 0; i < N; i++) if (count[i] !== (i % 10 === 0 ? 0 : 1)) assert.unreachable(`timer ${i} fired ${count[i]} times`);
  assert.is(clock.pending, 0);
  assert.is(clock.now(), HOUR);
});

test.run();
