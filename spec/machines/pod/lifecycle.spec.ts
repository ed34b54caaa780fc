import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { c, pod, run } from './harness.ts';

const A = 'sim.kubeactor.io/';

test('Pending → Running: conditions, container status and events', async () => {
  const h = await run(pod([c('nginx', { image: 'nginx' })], { annotations: { [`${A}pull-ms`]: '1200', [`${A}start-ms`]: '300' } }));
  assert.is(h.statuses[0]!.phase, 'Pending');
  assert.equal(h.statuses[0]!.containerStatuses![0]!.state, { waiting: { reason: 'ContainerCreating' } });
  await h.clock.advance(2000);
  const s = h.last();
  assert.is(s.phase, 'Running');
  assert.is(s.podIP, '10.244.0.5');
  assert.is(s.hostIP, '10.0.0.1');
  assert.is(s.startTime, '2025-01-01T00:00:00Z');
  for (const t of ['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready', 'PodScheduled']) assert.is(h.cond(t), 'True', t);
  assert.is(s.conditions!.find((x) => x.type === 'Ready')!.lastTransitionTime, '2025-01-01T00:00:01Z');
  const n = h.ctr('nginx');
  assert.equal(n.state, { running: { startedAt: '2025-01-01T00:00:01Z' } });
  assert.ok(n.ready && n.started);
  assert.is(n.restartCount, 0);
  assert.match(n.containerID!, /^sim:\/\/[0-9a-f]{64}$/);
  assert.match(n.imageID, /^nginx@sha256:[0-9a-f]{64}$/);
  assert.equal(h.events.map((e) => [e.t, e.reason, e.message]), [
    [0, 'Pulling', 'Pulling image "nginx"'],
    [1.2, 'Pulled', 'Successfully pulled image "nginx" in 1.2s (1.2s including waiting)'],
    [1.2, 'Created', 'Created container nginx'],
    [1.5, 'Started', 'Started container nginx'],
  ]);
  assert.is(h.events[0]!.fieldPath, 'spec.containers{nginx}');
});

for (const [policy, code, phase] of [
  ['Never', 0, 'Succeeded'], ['Never', 3, 'Failed'], ['OnFailure', 0, 'Succeeded'], ['Always', 0, 'Running'],
] as const) {
  test(`restartPolicy ${policy}, exit ${code} → ${phase}`, async () => {
    const h = await run(pod([c('job')], { restartPolicy: policy, annotations: { [`${A}exit-after-s`]: '5', [`${A}exit-code`]: String(code) } }));
    await h.clock.advance(6000);
    assert.is(h.last().phase, phase);
    if (phase !== 'Running') {
      const t = h.ctr('job').state!.terminated!;
      assert.is(t.exitCode, code);
      assert.is(t.reason, code === 0 ? 'Completed' : 'Error');
      assert.is(h.cond('Ready'), 'False');
      assert.is(h.last().conditions!.find((x) => x.type === 'Ready')!.reason, 'PodCompleted');
      assert.is(h.ctr('job').restartCount, 0);
    } else {
      assert.is(h.ctr('job').restartCount, 1);
    }
  });
}

test('OnFailure restarts a failing container until it stops failing; Never does not', async () => {
  const h = await run(pod([c('a'), c('b')], { restartPolicy: 'OnFailure', annotations: { [`${A}exit-after-s.a`]: '2', [`${A}exit-code.a`]: '1', [`${A}exit-after-s.b`]: '1' } }));
  await h.clock.advance(30_000);
  assert.is(h.last().phase, 'Running');
  assert.is(h.ctr('b').state!.terminated!.reason, 'Completed');
  assert.ok(h.ctr('a').restartCount >= 2);
});

test('init containers run in order, each to completion, before the containers', async () => {
  const ann = { [`${A}exit-after-s.init-a`]: '3', [`${A}exit-after-s.init-b`]: '4' };
  const h = await run(pod([c('app')], { init: [c('init-a'), c('init-b')], annotations: ann }));
  assert.is(h.ctr('app').state!.waiting!.reason, 'PodInitializing');
  assert.is(h.cond('Initialized'), 'False');
  assert.is(h.last().conditions!.find((x) => x.type === 'Initialized')!.message, 'containers with incomplete status: [init-a init-b]');
  await h.clock.advance(3000);
  assert.is(h.ctr('init-a').state!.terminated!.reason, 'Completed');
  assert.ok(h.ctr('init-b').state!.running);
  assert.is(h.last().phase, 'Pending');
  await h.clock.advance(4000);
  assert.is(h.cond('Initialized'), 'True');
  assert.ok(h.ctr('app').state!.running);
  assert.is(h.last().phase, 'Running');
  const started = h.events.filter((e) => e.reason === 'Started').map((e) => [e.t, e.fieldPath]);
  assert.equal(started, [[0, 'spec.initContainers{init-a}'], [3, 'spec.initContainers{init-b}'], [7, 'spec.containers{app}']]);
});

test('a failing init container: restarted with back-off (Always), pod Failed (Never)', async () => {
  const ann = { [`${A}exit-after-s.setup`]: '1', [`${A}exit-code.setup`]: '2' };
  const h = await run(pod([c('app')], { init: [c('setup')], annotations: ann }));
  await h.clock.advance(15_000);
  assert.is(h.last().phase, 'Pending');
  assert.ok(h.ctr('setup').restartCount >= 2);
  assert.is(h.ctr('setup').state!.waiting!.reason, 'CrashLoopBackOff');
  assert.is(h.ctr('app').state!.waiting!.reason, 'PodInitializing');
  const never = await run(pod([c('app')], { init: [c('setup')], annotations: ann, restartPolicy: 'Never' }));
  await never.clock.advance(5000);
  assert.is(never.last().phase, 'Failed');
  assert.is(never.ctr('setup').state!.terminated!.exitCode, 2);
  assert.not.ok(never.events.some((e) => e.fieldPath === 'spec.containers{app}'));
});

test('image pull failure: ErrImagePull, then ImagePullBackOff until the retry, with back-off', async () => {
  const h = await run(pod([c('app')], { annotations: { [`${A}pull-fail`]: 'not found' } }));
  assert.is(h.ctr('app').state!.waiting!.reason, 'ErrImagePull');
  assert.ok(h.events.some((e) => e.reason === 'Failed' && e.message.startsWith('Failed to pull image "app:1.0": ')));
  await h.clock.advance(999);
  assert.is(h.ctr('app').state!.waiting!.reason, 'ErrImagePull');
  await h.clock.advance(1);
  assert.equal(h.ctr('app').state!.waiting, { reason: 'ImagePullBackOff', message: 'Back-off pulling image "app:1.0"' });
  assert.ok(h.events.some((e) => e.type === 'Normal' && e.reason === 'BackOff' && e.message === 'Back-off pulling image "app:1.0"' && e.t === 1));
  assert.ok(h.events.some((e) => e.type === 'Warning' && e.reason === 'Failed' && e.message === 'Error: ImagePullBackOff'));
  await h.clock.advance(30_000);
  assert.is(h.events.filter((e) => e.reason === 'Pulling').map((e) => e.t).join(), '0,10,30');
  assert.is(h.events.filter((e) => e.reason === 'BackOff').map((e) => e.t).join(), '1,11,31');
});

test.run();
