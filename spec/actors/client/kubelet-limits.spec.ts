import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Envelope } from '../../../base/envelope.ts';
import type { KubeletOptions } from '../../../actors/kubelet/config.ts';
import { startSimNodes } from '../../../actors/kubelet/index.ts';
import { pod, start, t } from '../apiserver/harness.ts';

const THROTTLED = new Set(['api.get', 'api.list', 'api.create', 'api.update', 'api.patch', 'api.delete', 'api.deletecollection']);

/** One sim node starting three pods; the kubelet's own requests to the apiserver (Events excepted: they have their own client), as [virtual ms, "type resource"]. */
async function kubeletRequests(limits: Partial<KubeletOptions>): Promise<[number, string][]> {
  const h = await start();
  const seen: [number, string][] = [];
  const untap = h.bus.tap((env: Envelope) => {
    const target = (env.payload as { target?: { resource?: string } } | undefined)?.target;
    if (env.from !== 'kubelet.node-1' || env.to !== 'apiserver' || !THROTTLED.has(env.type) || target?.resource === 'events') return;
    seen.push([env.at, `${env.type} ${target?.resource}`]);
  });
  const nodes = await startSimNodes({ host: h.host, clock: h.clock, count: 1, namePrefix: 'node-', lister: h.client().port, configure: () => limits });
  try {
    for (const name of ['a', 'b', 'c']) await h.client().must('api.create', { target: t.pods(), object: pod(name, { nodeName: 'node-1' }) });
    for (let ms = 0; ms < 30_000; ms += 250) {
      await h.clock.advance(250);
      await h.settle();
    }
    return seen;
  } finally {
    untap();
    nodes.stop();
    await h.close();
  }
}

const gaps = (seen: [number, string][]): number[] => seen.slice(1).map(([at], i) => at - seen[i]![0]);

test('the kubelet\'s modules share one bucket: at kubeAPIQPS 1, burst 1, its Node, Lease and pod status writes go one a second', async () => {
  const seen = await kubeletRequests({ kubeAPIQPS: 1, kubeAPIBurst: 1 });
  const kinds = new Set(seen.map(([, what]) => what.split(' ')[1]));
  for (const resource of ['nodes', 'leases', 'pods']) assert.ok(kinds.has(resource), `the kubelet sent ${resource} requests: ${[...kinds].join(', ')}`);
  assert.ok(seen.length >= 8, `${seen.length} requests`);
  for (const [i, g] of gaps(seen).entries()) assert.ok(g >= 1000, `request ${i + 1} (${seen[i + 1]![1]}) came ${g} ms after ${seen[i]![1]}`);
});

test('at the default (kubeAPIQPS 50, burst 100) the same start is not held back: several requests in one instant', async () => {
  const seen = await kubeletRequests({});
  assert.ok(gaps(seen).some((g) => g === 0), 'requests of different modules go together');
});

test.run();
