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
  // AlwaysAllow: the status writes come from a kubelet's address (system:node:n1), for pods bound to n1.
  h = await start({ authorizationModes: ['AlwaysAllow'] });
  patches = [];
  h.bus.tap((env) => {
    const p = env.payload as { target?: { subresource?: string }; patch?: { status?: PodStatus } } | undefined;
    if (env.type === 'api.patch' && p?.target?.subresource === 'status') patches.push(p.patch?.status?.message ?? '');
  });
});
test.after.each(() => h.close());

const status = (message: string): PodStatus => ({ phase: 'Pending', message });

async function tracked(name: string): Promise<{ sm: StatusManager; uid: string }> {
  const created = (await h.client().must('api.create', { target: t.pods('default'), object: pod(name, { nodeName: 'n1' }) })).object as Pod;
  const sm = new StatusManager(h.client('kubelet.n1').port, silentLogger, h.clock);
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

const FC = { group: 'flowcontrol.apiserver.k8s.io', version: 'v1' };
const REJECT_NODE = {
  apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name: 'reject-n1' },
  spec: { priorityLevelConfiguration: { name: 'reject' }, matchingPrecedence: 100, rules: [{ subjects: [{ kind: 'User', user: { name: 'system:node:n1' } }], resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'], clusterScope: true }] }] },
};

test('a write refused under overload (429) is written again on the sync period, without another report', async () => {
  const { sm, uid } = await tracked('p4');
  const admin = h.client();
  await admin.must('api.create', { target: { ...FC, resource: 'prioritylevelconfigurations' }, object: { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name: 'reject' }, spec: { type: 'Limited', limited: { nominalConcurrencyShares: 0, limitResponse: { type: 'Reject' } } } } });
  await admin.must('api.create', { target: { ...FC, resource: 'flowschemas' }, object: REJECT_NODE });
  await h.settle();
  sm.set(uid, status('running'));
  await h.settle();
  assert.equal(patches, ['running'], 'sent once and refused');
  assert.is(await stored('p4'), undefined);
  await admin.must('api.delete', { target: { ...FC, resource: 'flowschemas', name: 'reject-n1' } });
  await h.clock.advance(9_000);
  await h.settle();
  assert.equal(patches, ['running'], 'not before the sync period');
  await h.clock.advance(1_000);
  await h.settle();
  assert.equal(patches, ['running', 'running']);
  assert.is(await stored('p4'), 'running');
  sm.stop();
});

test.run();
