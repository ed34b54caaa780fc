import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { c, pod, run } from './harness.ts';

const A = 'sim.kubeactor.io/';

test('graceful delete: Killing, SIGTERM honoured quickly, torn down, terminated', async () => {
  const h = await run(pod([c('app')], { annotations: { [`${A}stop-ms`]: '2000' } }));
  await h.clock.advance(10_000);
  h.pod.delete();
  await h.clock.advance(0);
  assert.is(h.events.at(-1)!.reason, 'Killing');
  assert.is(h.events.at(-1)!.message, 'Stopping container app');
  assert.is(h.cond('Ready'), 'False');
  await h.clock.advance(2000);
  assert.is(h.terminated, 12);
  assert.is(h.last().phase, 'Succeeded');
  assert.is(h.ctr('app').state!.terminated!.finishedAt, '2025-01-01T00:00:12Z');
  assert.is(h.pod.actor.getSnapshot().status, 'stopped');
});

test('a container ignoring SIGTERM is killed at exactly the grace deadline', async () => {
  const h = await run(pod([c('app'), c('side')], { grace: 30, annotations: { [`${A}ignore-sigterm.app`]: 'true' } }));
  await h.clock.advance(5000);
  h.pod.delete();
  await h.clock.advance(29_999);
  assert.is(h.terminated, null);
  assert.ok(h.ctr('app').state!.running);
  assert.ok(h.ctr('side').state!.terminated);
  await h.clock.advance(1);
  assert.is(h.terminated, 35);
  assert.is(h.ctr('app').state!.terminated!.exitCode, 137);
  assert.is(h.last().phase, 'Failed');
});

test('delete gracePeriodSeconds overrides the pod spec; 0 kills at once', async () => {
  const h = await run(pod([c('app')], { grace: 30, annotations: { [`${A}ignore-sigterm`]: 'true' } }));
  h.pod.delete(3);
  await h.clock.advance(3000);
  assert.is(h.terminated, 3);
  const z = await run(pod([c('app')], { grace: 30, annotations: { [`${A}ignore-sigterm`]: 'true' } }));
  z.pod.delete(0);
  await z.clock.advance(0);
  assert.is(z.terminated, 0);
});

test('preStop runs first; SIGTERM follows with what is left of the grace period', async () => {
  const preStop = { exec: { command: ['sleep', '5'] } };
  const h = await run(pod([c('app', { lifecycle: { preStop } })], { grace: 20, annotations: { [`${A}prestop-ms`]: '5000', [`${A}ignore-sigterm`]: 'true' } }));
  h.pod.delete();
  await h.clock.advance(19_999);
  assert.is(h.terminated, null);
  await h.clock.advance(1);
  assert.is(h.terminated, 20);
  // A hook that outlives the grace period leaves the 2 s minimum.
  const g = await run(pod([c('app', { lifecycle: { preStop } })], { grace: 3, annotations: { [`${A}prestop-ms`]: '60000', [`${A}ignore-sigterm`]: 'true' } }));
  g.pod.delete();
  await g.clock.advance(60_000);
  assert.is(g.terminated, 5);
  assert.ok(g.events.some((e) => e.reason === 'FailedPreStopHook'));
});

test('delete during start-up, in back-off, and after completion', async () => {
  const a = await run(pod([c('app')], { annotations: { [`${A}pull-ms`]: '5000' } }));
  a.pod.delete();
  await a.clock.advance(6000);
  assert.is(a.terminated, 5);
  assert.not.ok(a.events.some((e) => e.reason === 'Started'));
  const b = await run(pod([c('app')], { annotations: { [`${A}exit-after-s`]: '1', [`${A}exit-code`]: '1' } }));
  await b.clock.advance(3000);
  b.pod.delete();
  await b.clock.advance(0);
  assert.is(b.terminated, 3);
  const d = await run(pod([c('job')], { restartPolicy: 'Never', annotations: { [`${A}exit-after-s`]: '1' } }));
  await d.clock.advance(2000);
  d.pod.delete();
  await d.clock.advance(0);
  assert.is(d.terminated, 2);
  assert.is(d.last().phase, 'Succeeded');
});

test('evict: every container killed at once (no grace), the pod ends Failed with reason Evicted and the message', async () => {
  const h = await run(pod([c('app')], { grace: 30, annotations: { [`${A}ignore-sigterm`]: 'true' } }));
  await h.clock.advance(5000);
  h.pod.evict('Usage of EmptyDir volume "cache" exceeds the limit "1Mi". ');
  await h.clock.advance(0);
  assert.is(h.terminated, 5);
  assert.is(h.last().phase, 'Failed');
  assert.is(h.last().reason, 'Evicted');
  assert.is(h.last().message, 'Usage of EmptyDir volume "cache" exceeds the limit "1Mi". ');
  assert.is(h.ctr('app').state!.terminated!.exitCode, 137);
  h.pod.delete();
  await h.clock.advance(0);
  assert.is(h.last().reason, 'Evicted', 'a later delete changes nothing');
});

test.run();
