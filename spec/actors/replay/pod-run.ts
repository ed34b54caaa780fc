import type { Pod } from 'kubernetes-types/core/v1.js';
import { createActor } from 'xstate';
import { InProcessBus } from '../../../bus/inprocess.ts';
import { VirtualClock } from '../../../actors/clock/virtual.ts';
import { runCommands } from '../../../actors/pod/bridge.ts';
import { simRuntime } from '../../../actors/runtime/sim.ts';
import { startRecorder } from '../../../actors/record/recorder.ts';
import { POD_EFFECTS } from '../../../actors/pod/index.ts';
import { podMachine } from '../../../machines/pod/index.ts';

const A = 'sim.kubeactor.io/';

/** A pod that crashes every second (restart back-off timers) and is deleted after a minute. */
export const crashingPod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default', uid: 'uid-1', annotations: { [`${A}exit-after-s`]: '1', [`${A}exit-code`]: '1' } },
  spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'app:1.0' }] },
};

/** Records one pod-chart run (sim runtime, virtual clock) into `file`; returns how many reports the pod made. */
export async function recordPodRun(file: string, pod: Pod = crashingPod): Promise<number> {
  const clock = new VirtualClock();
  const bus = new InProcessBus({ clock });
  const rec = startRecorder({ bus, clock, file, clusterId: 'spec', seed: 7 });
  const runtime = simRuntime(clock);
  let reports = 0;
  const machine = podMachine.provide({
    actions: { runCommands: runCommands(() => ({ runtime, clock })), report: () => void reports++, emitTerminated: () => undefined },
  });
  const input = { pod, now: clock.now(), hostIP: '10.0.0.1', podIP: '10.244.0.5', runtime: runtime.name };
  const inspect = rec.observe('pod.uid-1', { machine: 'pod', input, effects: POD_EFFECTS });
  const actor = createActor(machine, { input, clock, inspect });
  actor.start();
  await clock.advance(60_000);
  actor.send({ type: 'delete', at: clock.now(), gracePeriodSeconds: 5 });
  await clock.advance(10_000);
  actor.stop();
  await rec.stop();
  await bus.close();
  return reports;
}
