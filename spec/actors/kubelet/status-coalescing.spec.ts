import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { start, t, pod, type Harness } from '../apiserver/harness.ts';
import { StatusManager } from '../../../actors/kubelet/status-manager.ts';
import { silentLogger } from '../../../actors/logger.ts';

// Issue 21's coalescing: a kubelet that is behind writes each pod's latest status, not every intermediate one.
let h: Harness;
let patches: string[];
test.before.each(async () => {
  h = await start();
  patches = [];
  h.bus.tap((env) => {
    const p = env.payload as { target?: { subresource?: string }; patch?: { status?: PodStatus } } | undefined;
    if (env.type === 'api.patch' && p?.target?.subresource === 'status') patches.push(p.patch?.status?.message ?? '');
  });
});
test.after.each(() => h.close());

const status = (message: string): PodStatus => ({ phase: 'Pending', message });

async function tracked(name: string): Promise<{ sm: StatusManager; uid: string }> {
  const created = (await h.client().must('api.create', { target: t.pods('default'), object: pod(name) })).object as Pod;
  const sm = new StatusManager(h.client().port, silentLogger);
  sm.track(created.metadata!.uid!, 'default', name, created.status);
  return { sm, uid: created.metadata!.uid! };
}
const stored = async (name: string) => ((await h.client().must('api.get', { target: t.pods('default', name) })) as Pod).status?.message;

test('reports of one turn become one write of the latest', async () => {
  const { sm, uid } = await tracked('p1');
  for (const m of ['a', 'b', 'c']) sm.set(uid, status(m));
  await h.settle();
  assert.equal(patches, ['c']);
  assert.is(await stored('p1'), 'c');
});

test('reports that arrive while a write is in flight become one write of the latest, sent when it is answered', async () => {
  const { sm, uid } = await tracked('p2');
  sm.set(uid, status('first'));
  // Let the first write leave, but not be answered.
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(patches, ['first']);
  for (const m of ['x1', 'x2', 'x3', 'latest']) sm.set(uid, status(m));
  await h.settle();
  assert.equal(patches, ['first', 'latest']);
  assert.is(await stored('p2'), 'latest');
});

test('a status equal to the one last written is not sent again', async () => {
  const { sm, uid } = await tracked('p3');
  sm.set(uid, status('same'));
  await h.settle();
  sm.set(uid, status('same'));
  await h.settle();
  assert.equal(patches, ['same']);
});

test.run();
