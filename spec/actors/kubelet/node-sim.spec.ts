/**
 * Regression (found by `kubeactor simulate --seed 1`): a sim node's kubelet that stopped or
 * restarted left its pods running in the shared sim runtime, so a restarted kubelet ran them
 * twice. Each node's view of the shared runtime now ends what the node started.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { VirtualClock } from '../../../actors/clock/virtual.ts';
import { simRuntime } from '../../../actors/runtime/sim.ts';
import { nodeSim } from '../../../actors/kubelet/node-runtimes.ts';
import type { Runtime } from '../../../actors/runtime/runtime.ts';

const pod = (name: string): Pod => ({ metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } });

async function run(rt: Runtime, name: string): Promise<string> {
  const sb = await rt.runPodSandbox(pod(name), { onExit: () => {} });
  assert.ok(sb.ok);
  const c = await rt.createContainer(sb.ok ? sb.value.sandboxId : '', { name: 'app', image: 'nginx:1.27' }, 0);
  assert.ok(c.ok);
  const id = c.ok ? c.value.containerId : '';
  assert.ok((await rt.startContainer(id)).ok);
  return id;
}

const state = async (rt: Runtime, id: string) => {
  const s = await rt.containerStatus(id);
  return s.ok ? s.value.state : 'gone';
};

test("a node's shutdown ends the sim pods it started, and no other node's", async () => {
  const shared = simRuntime(new VirtualClock());
  const one = nodeSim(shared);
  const two = nodeSim(shared);
  const a = await run(one, 'a');
  const b = await run(two, 'b');
  await one.shutdown!();
  assert.is.not(await state(shared, a), 'running');
  assert.is(await state(shared, b), 'running');
  assert.is(one.name, shared.name);
});

test.run();
