import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { VirtualClock } from '../../../actors/clock/virtual.ts';
import type { ContainerExit } from '../../../actors/runtime/runtime.ts';
import { simRuntime } from '../../../actors/runtime/sim.ts';
import { simConfig } from '../../../actors/runtime/sim-annotations.ts';
import { runtimeContract } from './contract.ts';

const A = 'sim.kubeactor.io/';

runtimeContract('sim', () => {
  const clock = new VirtualClock();
  return {
    runtime: simRuntime(clock),
    pass: async (ms) => void (await clock.advance(ms)),
    longRunning: (name) => ({ name, image: 'nginx:1.27' }),
    stubborn: (name) => ({ name, image: 'nginx:1.27' }),
    annotations: { [`${A}ignore-sigterm.hard`]: 'true' },
  };
}).run();

const pod = (annotations: Record<string, string>, names = ['app']): Pod => ({
  metadata: { name: 'p', namespace: 'default', uid: 'u1', annotations },
  spec: { containers: names.map((name) => ({ name, image: `${name}:1` })) },
});

async function started(annotations: Record<string, string>) {
  const clock = new VirtualClock();
  const rt = simRuntime(clock);
  const exits: ContainerExit[] = [];
  const p = pod(annotations);
  const sb = await rt.runPodSandbox(p, { onExit: (e) => exits.push(e) });
  const sandboxId = sb.ok ? sb.value.sandboxId : '';
  const cr = await rt.createContainer(sandboxId, p.spec!.containers[0]!, 0);
  const id = cr.ok ? cr.value.containerId : '';
  await rt.startContainer(id);
  return { clock, rt, exits, id };
}

test('annotations: pod-wide keys, per-container overrides, defaults, junk ignored', () => {
  const ann = { [`${A}pull-ms`]: '1500', [`${A}pull-ms.db`]: '200', [`${A}exit-after-s.db`]: '2.5', [`${A}start-ms`]: 'soon', [`${A}liveness-fail-after-s`]: '30' };
  const app = simConfig(ann, 'app');
  const db = simConfig(ann, 'db');
  assert.is(app.pullMs, 1500);
  assert.is(db.pullMs, 200);
  assert.is(db.exitAfterMs, 2500);
  assert.is(app.exitAfterMs, null);
  assert.is(app.startMs, 0);
  assert.equal(app.probes.liveness, { kind: 'fail-after', ms: 30_000 });
  assert.equal(app.probes.readiness, { kind: 'success' });
  assert.equal(simConfig({ [`${A}readiness`]: 'success-after:4' }, 'x').probes.readiness, { kind: 'success-after', ms: 4000 });
});

test('pull and start latency are on the clock', async () => {
  const clock = new VirtualClock();
  const rt = simRuntime(clock);
  const p = pod({ [`${A}pull-ms`]: '1200', [`${A}start-ms`]: '300' });
  let pulled = false;
  const pulling = rt.pullImage('app:1', p).then((r) => (pulled = r.ok && r.value.durationMs === 1200));
  await clock.advance(1199);
  assert.not.ok(pulled);
  await clock.advance(1);
  await pulling;
  assert.ok(pulled);
});

test('exit after N seconds with the configured code', async () => {
  const { clock, exits } = await started({ [`${A}exit-after-s`]: '3', [`${A}exit-code`]: '42' });
  await clock.advance(2999);
  assert.is(exits.length, 0);
  await clock.advance(1);
  assert.is(exits[0]!.exitCode, 42);
  assert.is(exits[0]!.finishedAt, clock.now());
});

test('SIGTERM honoured after stop-ms with term-exit-code', async () => {
  const { clock, rt, exits, id } = await started({ [`${A}stop-ms`]: '700', [`${A}term-exit-code`]: '143' });
  const r = rt.stopContainer(id, 30);
  await clock.advance(700);
  assert.equal(await r, { ok: true, value: { exitCode: 143 } });
  assert.is(exits.length, 1);
});

test('probe behaviours over time', async () => {
  const { clock, rt, id } = await started({ [`${A}ready-after-s`]: '5', [`${A}liveness`]: 'fail-after:8', [`${A}startup`]: 'failure' });
  const at = async (kind: 'readiness' | 'liveness' | 'startup') => {
    const r = await rt.execProbe(id, { httpGet: { port: 80 } }, kind);
    return r.ok ? r.value.result : 'error';
  };
  assert.is(await at('readiness'), 'failure');
  assert.is(await at('liveness'), 'success');
  assert.is(await at('startup'), 'failure');
  await clock.advance(5000);
  assert.is(await at('readiness'), 'success');
  await clock.advance(3000);
  assert.is(await at('liveness'), 'failure');
});

test('logs: a line every N seconds, fixed text, tail, timestamps, previous, follow', async () => {
  const { clock, rt, id } = await started({ [`${A}log-every-s`]: '2', [`${A}log-text`]: 'hello\nworld' });
  await clock.advance(7000);
  const t = { podUid: 'u1', container: 'app' };
  assert.equal(await rt.logs(t), { ok: true, value: ['hello', 'world', 'line 1', 'line 2', 'line 3'] });
  assert.equal(await rt.logs(t, { tailLines: 2 }), { ok: true, value: ['line 2', 'line 3'] });
  const ts = await rt.logs(t, { tailLines: 1, timestamps: true });
  assert.equal(ts, { ok: true, value: ['2025-01-01T00:00:06.000000000Z line 3'] });
  const f = rt.followLogs(t, { tailLines: 1 });
  assert.ok(f.ok);
  if (!f.ok) return;
  const got: string[] = [];
  const reading = (async () => {
    for await (const l of f.value) got.push(l);
  })();
  await clock.advance(4000);
  await rt.stopContainer(id, 0);
  await clock.advance(0);
  f.value.close();
  await reading;
  assert.equal(got, ['line 3', 'line 4', 'line 5']);
  assert.not.ok((await rt.logs(t, { previous: true })).ok);
});

test('deterministic: two runs give the same ids and digests', async () => {
  const a = await started({});
  const b = await started({});
  assert.is(a.id, b.id);
});

test.run();
