import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { c, pod, run } from './harness.ts';

const A = 'sim.kubeactor.io/';
const http = { httpGet: { path: '/healthz', port: 8080 } };

test('readiness: not ready until successThreshold passes after initialDelaySeconds', async () => {
  const probe = { ...http, initialDelaySeconds: 5, periodSeconds: 2, successThreshold: 2 };
  const h = await run(pod([c('app', { readinessProbe: probe })], { annotations: { [`${A}ready-after-s`]: '6' } }));
  assert.ok(h.ctr('app').started);
  assert.not.ok(h.ctr('app').ready);
  // attempts at 5 (fail), 7 (ok), 9 (ok: 2 in a row → ready)
  await h.clock.advance(8500);
  assert.is(h.cond('Ready'), 'False');
  await h.clock.advance(500);
  assert.is(h.cond('Ready'), 'True');
  assert.is(h.last().conditions!.find((x) => x.type === 'Ready')!.lastTransitionTime, '2025-01-01T00:00:09Z');
  const unhealthy = h.events.filter((e) => e.reason === 'Unhealthy');
  assert.equal(unhealthy.map((e) => [e.t, e.message]), [[5, 'Readiness probe failed: HTTP probe failed with statuscode: 503']]);
});

test('readiness flips back to not ready after failureThreshold failures, without a restart', async () => {
  const probe = { ...http, periodSeconds: 1, failureThreshold: 3 };
  const h = await run(pod([c('app', { readinessProbe: probe })], { annotations: { [`${A}readiness`]: 'fail-after:10' } }));
  await h.clock.advance(11_500);
  assert.is(h.cond('Ready'), 'True');
  await h.clock.advance(499); // failures at 10, 11; the third at 12
  assert.is(h.cond('Ready'), 'True');
  await h.clock.advance(1);
  assert.is(h.cond('Ready'), 'False');
  assert.is(h.ctr('app').restartCount, 0);
  assert.ok(h.ctr('app').state!.running);
});

test('liveness failure: Unhealthy per failure, then Killing and a restart, at the threshold', async () => {
  const probe = { ...http, periodSeconds: 10, failureThreshold: 3 };
  const h = await run(pod([c('app', { livenessProbe: probe })], { grace: 5, annotations: { [`${A}liveness-fail-after-s`]: '15' } }));
  await h.clock.advance(40_000);
  // attempts at 0, 10 ok; 20, 30, 40 fail → killed at 40
  const unhealthy = h.events.filter((e) => e.reason === 'Unhealthy').map((e) => e.t);
  assert.equal(unhealthy, [20, 30, 40]);
  const killing = h.events.find((e) => e.reason === 'Killing')!;
  assert.is(killing.t, 40);
  assert.is(killing.message, 'Container app failed liveness probe, will be restarted');
  assert.is(h.ctr('app').restartCount, 1);
  assert.is(h.ctr('app').lastState!.terminated!.finishedAt, '2025-01-01T00:00:40Z');
  assert.ok(h.ctr('app').state!.running);
  assert.is(h.events.filter((e) => e.reason === 'Started').length, 2);
});

test('liveness kill restarts even under OnFailure when the exit code is 0, not under Never', async () => {
  const probe = { ...http, periodSeconds: 1, failureThreshold: 1 };
  const ann = { [`${A}liveness`]: 'failure' };
  const on = await run(pod([c('app', { livenessProbe: probe })], { restartPolicy: 'OnFailure', annotations: ann }));
  await on.clock.advance(500);
  assert.ok(on.ctr('app').restartCount >= 1);
  const never = await run(pod([c('app', { livenessProbe: probe })], { restartPolicy: 'Never', annotations: ann }));
  await never.clock.advance(5000);
  assert.is(never.ctr('app').restartCount, 0);
  assert.is(never.last().phase, 'Succeeded');
});

test('startup probe gates liveness and readiness; started flips when it passes', async () => {
  const h = await run(pod([c('app', {
    startupProbe: { ...http, periodSeconds: 5, failureThreshold: 10 },
    livenessProbe: { ...http, periodSeconds: 1, failureThreshold: 1 },
    readinessProbe: { ...http, periodSeconds: 1 },
  })], { annotations: { [`${A}startup-after-s`]: '12', [`${A}liveness`]: 'success-after:0' } }));
  await h.clock.advance(14_000);
  assert.not.ok(h.ctr('app').started);
  assert.is(h.cond('Ready'), 'False');
  await h.clock.advance(1000); // startup attempts at 0, 5, 10 fail, 15 ok
  assert.ok(h.ctr('app').started);
  assert.is(h.cond('Ready'), 'True');
  assert.is(h.ctr('app').restartCount, 0);
  assert.equal(h.events.filter((e) => e.reason === 'Unhealthy').map((e) => e.message.split(':')[0]), ['Startup probe failed', 'Startup probe failed', 'Startup probe failed']);
});

test('startup probe failing failureThreshold times kills the container', async () => {
  const h = await run(pod([c('app', { startupProbe: { ...http, periodSeconds: 1, failureThreshold: 3 } })], { annotations: { [`${A}startup`]: 'failure' } }));
  await h.clock.advance(2500);
  assert.is(h.events.find((e) => e.reason === 'Killing')!.message, 'Container app failed startup probe, will be restarted');
});

test('a probe slower than timeoutSeconds fails', async () => {
  const h = await run(pod([c('app', { readinessProbe: { ...http, timeoutSeconds: 1, periodSeconds: 5 } })], { annotations: { [`${A}probe-ms`]: '1500' } }));
  await h.clock.advance(11_000);
  assert.is(h.cond('Ready'), 'False');
  assert.is(h.events.find((e) => e.reason === 'Unhealthy')!.message, 'Readiness probe failed: probe timed out after 1s');
  assert.is(h.events.find((e) => e.reason === 'Unhealthy')!.t, 1);
});

test.run();
