/**
 * The pod chart as the inspector shows it: the `life` region names the pod's stage and the
 * `timer` region whether a wake-up is armed, after every step; and a step that moves
 * neither costs XState one microstep (the chart once followed its context with eventless
 * transitions, two to three microsteps per step).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { InspectionEvent } from 'xstate';
import { VirtualClock } from '../../../actors/clock/virtual.ts';
import { startPodActor } from '../../../actors/pod/index.ts';
import { simRuntime } from '../../../actors/runtime/sim.ts';
import type { PodCtx } from '../../../machines/pod/index.ts';
import { c, pod } from './harness.ts';

const A = 'sim.kubeactor.io/';

interface Step {
  life: string;
  timer: string;
  ctx: PodCtx;
  microsteps: number;
}

/** Runs `p` for `seconds`, deleting it at `deleteAt`; one entry per macrostep the inspector saw. */
async function steps(p: ReturnType<typeof pod>, seconds: number, deleteAt: number): Promise<Step[]> {
  const clock = new VirtualClock();
  const out: Step[] = [];
  let microsteps = 0;
  const inspect = (ev: InspectionEvent): void => {
    if (ev.type === '@xstate.microstep') microsteps++;
    if (ev.type !== '@xstate.snapshot') return;
    const s = ev.snapshot as unknown as { value: { life: string; timer: string }; context: PodCtx };
    out.push({ life: s.value.life, timer: s.value.timer, ctx: s.context, microsteps });
    microsteps = 0;
  };
  const a = startPodActor({
    pod: p, nodeName: 'node-1', hostIP: '10.0.0.1', podIP: '10.244.0.5', clock, runtime: simRuntime(clock),
    output: { onStatus() {}, onEvent() {}, onTerminated() {} },
    observe: () => inspect,
  });
  for (let t = 0; t < seconds; t++) {
    if (t === deleteAt) a.delete(5);
    await clock.advance(1000);
  }
  return out;
}

test('after every step the life region shows the stage and the timer region the armed wake-up', async () => {
  const p = pod([c('app', { readinessProbe: { exec: { command: ['true'] }, periodSeconds: 3 } }), c('crash')], {
    init: [c('setup')],
    annotations: { [`${A}exit-after-s.setup`]: '2', [`${A}exit-after-s.crash`]: '4', [`${A}exit-code.crash`]: '1' },
  });
  const seen = await steps(p, 120, 60);
  for (const s of seen) {
    assert.is(s.life, s.ctx.stage);
    assert.is(s.timer, s.ctx.wakeAt === Infinity ? 'idle' : 'armed');
    assert.is(s.ctx.armedAt, s.ctx.wakeAt);
  }
  assert.equal([...new Set(seen.map((s) => s.life))], ['sandbox', 'init', 'main', 'terminating', 'gone']);
  assert.ok(seen.some((s) => s.timer === 'armed'));
});

test('a step that moves neither the stage nor the wake-up is one microstep', async () => {
  const p = pod([c('app', { readinessProbe: { exec: { command: ['true'] }, periodSeconds: 2 } })], { annotations: { [`${A}pull-ms`]: '500' } });
  const seen = await steps(p, 40, 30);
  let still = 0;
  for (let i = 1; i < seen.length; i++) {
    const [before, after] = [seen[i - 1]!, seen[i]!];
    // A timer firing re-arms the timer before it flushes: two microsteps.
    const fired = after.ctx.now === before.ctx.armedAt;
    if (fired || after.life !== before.life || after.timer !== before.timer || after.ctx.armedAt !== before.ctx.armedAt) continue;
    assert.is(after.microsteps, 1, `step ${i} (${after.life})`);
    still++;
  }
  assert.ok(still >= 3, `${still} steps that moved nothing`);
});

test.run();
