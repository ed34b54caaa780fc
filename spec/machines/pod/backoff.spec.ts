import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { next, restartAt } from '../../../machines/pod/backoff.ts';
import { c, pod, run } from './harness.ts';

const A = 'sim.kubeactor.io/';

/** Seconds between each exit and the next start, from the events. */
function gaps(starts: number[], runFor: number): number[] {
  return starts.slice(1).map((s, k) => Math.round((s - (starts[k]! + runFor)) * 1000) / 1000);
}

test('restart back-off: immediate first restart, then 10, 20, 40, 80, 160, 300, 300 s exactly', async () => {
  const h = await run(pod([c('crash')], { annotations: { [`${A}exit-after-s`]: '1', [`${A}exit-code`]: '1' } }));
  await h.clock.advance(1500_000);
  const starts = h.events.filter((e) => e.reason === 'Started').map((e) => e.t);
  assert.equal(gaps(starts, 1).slice(0, 9), [0, 10, 20, 40, 80, 160, 300, 300, 300]);
  const backoffs = h.events.filter((e) => e.reason === 'BackOff');
  assert.is(backoffs[0]!.message, 'Back-off restarting failed container crash in pod web_default(uid-1)');
  assert.is(backoffs[0]!.type, 'Warning');
});

test('CrashLoopBackOff is the waiting reason while backing off; restartCount and lastState', async () => {
  const h = await run(pod([c('crash')], { annotations: { [`${A}exit-after-s`]: '1', [`${A}exit-code`]: '1' } }));
  await h.clock.advance(2500); // crash at 1, restart at 1, crash at 2: back-off 10 s
  const s = h.ctr('crash');
  assert.equal(s.state, { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=crash pod=web_default(uid-1)' } });
  assert.is(s.restartCount, 2);
  assert.is(s.lastState!.terminated!.exitCode, 1);
  assert.is(s.lastState!.terminated!.reason, 'Error');
  assert.is(s.lastState!.terminated!.finishedAt, '2025-01-01T00:00:02Z');
  assert.is(h.last().phase, 'Running');
  assert.is(h.cond('Ready'), 'False');
  await h.clock.advance(10_000);
  assert.ok(h.ctr('crash').state!.running);
  await h.clock.advance(1000_000);
  const messages = new Set(h.statuses.map((x) => x.containerStatuses![0]!.state!.waiting?.message?.split(' ')[1]).filter(Boolean));
  assert.equal([...messages], ['10s', '20s', '40s', '1m20s', '2m40s', '5m0s']);
});

test('back-off resets after 10 minutes of clean running', async () => {
  // Runs 601 s each time: every crash finds the entry expired and restarts at once.
  const h = await run(pod([c('slow')], { annotations: { [`${A}exit-after-s`]: '601', [`${A}exit-code`]: '1' } }));
  await h.clock.advance(601_000 * 4 + 1000);
  const starts = h.events.filter((e) => e.reason === 'Started').map((e) => e.t);
  assert.equal(gaps(starts, 601), [0, 0, 0, 0]);
  // Just under the expiry, the window keeps growing.
  const g = await run(pod([c('mid')], { annotations: { [`${A}exit-after-s`]: '599', [`${A}exit-code`]: '1' } }));
  await g.clock.advance(599_000 * 4 + 100_000);
  assert.equal(gaps(g.events.filter((e) => e.reason === 'Started').map((e) => e.t), 599), [0, 10, 20, 40]);
});

test('back-off entry arithmetic (kubelet flowcontrol.Backoff)', () => {
  let e = { backoffMs: 0, backoffAt: 0 };
  assert.is(restartAt(e, 5000), 5000);
  e = next(e, 5000, 5000);
  assert.equal(e, { backoffMs: 10_000, backoffAt: 5000 });
  assert.is(restartAt(e, 6000), 16_000);
  e = next(e, 6000, 16_000);
  assert.is(e.backoffMs, 20_000);
  for (let k = 0; k < 10; k++) e = next(e, e.backoffAt, e.backoffAt);
  assert.is(e.backoffMs, 300_000);
  assert.is(restartAt(e, e.backoffAt + 600_000), e.backoffAt + 900_000);
  assert.is(restartAt(e, e.backoffAt + 600_001), e.backoffAt + 600_001);
  assert.is(next(e, e.backoffAt + 600_001, 0).backoffMs, 10_000);
});

test.run();
