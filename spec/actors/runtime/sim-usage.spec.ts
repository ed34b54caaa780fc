import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { VirtualClock } from '../../../actors/clock/virtual.ts';
import { simRuntime } from '../../../actors/runtime/sim.ts';
import { DEFAULT_CPU_NANOCORES, DEFAULT_MEMORY_BYTES, simConfig } from '../../../actors/runtime/sim-annotations.ts';

const A = 'sim.kubeactor.io/';

test('cpu-usage and memory-usage: pod-wide, per container, defaults, junk ignored', () => {
  const ann = { [`${A}cpu-usage`]: '250m', [`${A}memory-usage`]: '64Mi', [`${A}cpu-usage.side`]: '1.5', [`${A}memory-usage.side`]: 'lots' };
  assert.is(simConfig(ann, 'app').cpuNanoCores, 250_000_000);
  assert.is(simConfig(ann, 'app').memoryBytes, 64 * 1024 * 1024);
  assert.is(simConfig(ann, 'side').cpuNanoCores, 1_500_000_000);
  assert.is(simConfig(ann, 'side').memoryBytes, DEFAULT_MEMORY_BYTES, 'the container key wins, and junk gives the default');
  assert.is(simConfig({}, 'x').cpuNanoCores, DEFAULT_CPU_NANOCORES);
  assert.is(simConfig(undefined, 'x').memoryBytes, DEFAULT_MEMORY_BYTES);
  assert.is(simConfig({ [`${A}cpu-usage`]: '-1' }, 'x').cpuNanoCores, DEFAULT_CPU_NANOCORES);
});

test('cumulative CPU grows with virtual time while the container runs; none once it stopped', async () => {
  const clock = new VirtualClock();
  const rt = simRuntime(clock);
  const pod: Pod = { metadata: { name: 'p', namespace: 'default', uid: 'u1', annotations: { [`${A}cpu-usage`]: '250m', [`${A}memory-usage`]: '64Mi' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } };
  const sb = await rt.runPodSandbox(pod, { onExit: () => undefined });
  const sandboxId = sb.ok ? sb.value.sandboxId : '';
  const target = { podUid: 'u1', container: 'app' };
  const cr = await rt.createContainer(sandboxId, pod.spec!.containers[0]!, 0);
  const id = cr.ok ? cr.value.containerId : '';
  assert.is((await rt.containerStats(target)).ok, false, 'not started');
  await rt.startContainer(id);
  const t0 = clock.now();
  await clock.advance(60_000);
  const s = await rt.containerStats(target);
  assert.equal(s.ok && s.value, { cpuCoreNanoSeconds: 15_000_000_000, memoryWorkingSetBytes: 64 * 1024 * 1024, timestamp: t0 + 60_000 });
  await rt.stopContainer(id, 0);
  const after = await rt.containerStats(target);
  assert.is(after.ok, false);
  assert.is(!after.ok && after.status.code, 404);
});

test.run();
