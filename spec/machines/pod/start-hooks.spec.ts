/**
 * postStart hooks and commands that cannot start, as kubelet has them, on the sim runtime in
 * virtual time: a container is not Running until its postStart hook returns; a failed hook
 * kills it (FailedPostStartHook) and the restart policy follows; a start that fails is a
 * terminated StartError with exit code 128.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { c, pod, run } from './harness.ts';

const A = 'sim.kubeactor.io/';
const postStart = { exec: { command: ['sh', '-c', 'echo started > /tmp/hook'] } };

test('a container is not Running, ready or probed until its postStart hook returns', async () => {
  const readinessProbe = { exec: { command: ['true'] }, periodSeconds: 1 };
  const h = await run(pod([c('app', { lifecycle: { postStart }, readinessProbe })], { annotations: { [`${A}poststart-ms`]: '3000' } }));
  await h.clock.advance(2999);
  assert.ok(h.reasons().includes('Started'), 'StartContainer returned before the hook ran');
  assert.equal(h.ctr('app').state, { waiting: { reason: 'ContainerCreating' } });
  assert.is(h.last().phase, 'Pending');
  assert.is(h.cond('Ready'), 'False');
  await h.clock.advance(1);
  assert.ok(h.ctr('app').state!.running);
  await h.clock.advance(1000);
  assert.is(h.cond('Ready'), 'True');
  assert.is(h.ctr('app').state!.running!.startedAt, '2025-01-01T00:00:00Z', 'startedAt is when the process started');
});

test('the next container starts only after the previous one\'s postStart hook', async () => {
  const h = await run(pod([c('first', { lifecycle: { postStart } }), c('second')], { annotations: { [`${A}poststart-ms.first`]: '5000' } }));
  await h.clock.advance(4999);
  assert.equal(h.ctr('second').state, { waiting: { reason: 'ContainerCreating' } });
  await h.clock.advance(1);
  assert.ok(h.ctr('first').state!.running);
  assert.ok(h.ctr('second').state!.running);
});

test('a failed postStart hook: FailedPostStartHook, the container is killed and restarted with back-off', async () => {
  const h = await run(pod([c('app', { lifecycle: { postStart } })], { annotations: { [`${A}poststart-fail`]: 'exit code 1', [`${A}poststart-ms`]: '1000', [`${A}term-exit-code`]: '143' } }));
  await h.clock.advance(1000);
  const failed = h.events.find((e) => e.reason === 'FailedPostStartHook')!;
  assert.is(failed.type, 'Warning');
  assert.is(failed.message, 'PostStartHook failed', 'the hook\'s output stays out of the event');
  assert.ok(h.events.some((e) => e.reason === 'Killing' && e.message === 'FailedPostStartHook'));
  assert.is(h.ctr('app').lastState!.terminated!.reason, 'Error');
  assert.is(h.ctr('app').lastState!.terminated!.exitCode, 143);
  // The hook fails again on every restart: kubelet restarts once at once, then backs off 10 s.
  await h.clock.advance(1000);
  assert.is(h.ctr('app').restartCount, 2);
  assert.is(h.ctr('app').state!.waiting!.reason, 'CrashLoopBackOff');
  await h.clock.advance(11_000);
  assert.is(h.ctr('app').restartCount, 3);
});

test('a failed postStart hook runs the preStop hook before the kill, within the grace period', async () => {
  const preStop = { exec: { command: ['sleep', '5'] } };
  const annotations = { [`${A}poststart-fail`]: 'exit code 1', [`${A}poststart-ms`]: '1000', [`${A}prestop-ms`]: '5000', [`${A}term-exit-code`]: '143' };
  const h = await run(pod([c('app', { lifecycle: { postStart, preStop } })], { annotations }));
  await h.clock.advance(1000);
  assert.ok(h.events.some((e) => e.reason === 'Killing' && e.message === 'FailedPostStartHook'));
  await h.clock.advance(4999);
  assert.is(h.ctr('app').restartCount, 0, 'the preStop hook still runs: nothing was stopped yet');
  await h.clock.advance(1);
  assert.is(h.ctr('app').restartCount, 1);
  assert.is(h.ctr('app').lastState!.terminated!.exitCode, 143);
});

test('a command that cannot start is a terminated StartError with exit code 128, then CrashLoopBackOff', async () => {
  const why = 'failed to create task: exec: "nope": executable file not found in $PATH';
  const h = await run(pod([c('app')], { annotations: { [`${A}start-fail`]: why } }));
  await h.clock.advance(0);
  // kubelet restarts once at once, then backs off: two attempts at t=0.
  const failed = h.events.filter((e) => e.reason === 'Failed').map((e) => e.message);
  assert.equal(failed, [`Error: ${why}`, `Error: ${why}`]);
  assert.not.ok(h.reasons().includes('Started'));
  const last = h.ctr('app').lastState!.terminated!;
  assert.is(last.reason, 'StartError');
  assert.is(last.exitCode, 128);
  assert.is(last.message, why);
  assert.is(last.startedAt, '1970-01-01T00:00:00Z');
  assert.is(h.ctr('app').state!.waiting!.reason, 'CrashLoopBackOff');
  assert.is(h.ctr('app').restartCount, 2);

  // restartPolicy Never: it stays terminated and the pod fails.
  const never = await run(pod([c('app')], { restartPolicy: 'Never', annotations: { [`${A}start-fail`]: 'true' } }));
  await never.clock.advance(0);
  assert.is(never.ctr('app').state!.terminated!.reason, 'StartError');
  assert.is(never.ctr('app').state!.terminated!.exitCode, 128);
  assert.is(never.last().phase, 'Failed');
});

test('a pod deleted while a postStart hook runs is stopped like a running one', async () => {
  const h = await run(pod([c('app', { lifecycle: { postStart } })], { grace: 5, annotations: { [`${A}poststart-ms`]: '60000' } }));
  await h.clock.advance(1000);
  h.pod.delete();
  await h.clock.advance(0);
  assert.ok(h.events.some((e) => e.reason === 'Killing' && e.message === 'Stopping container app'));
  await h.clock.advance(5000);
  assert.is(h.terminated, 1);
});

test.run();
