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

async function rejectNode(): Promise<void> {
  const admin = h.client();
  await admin.must('api.create', { target: { ...FC, resource: 'prioritylevelconfigurations' }, object: { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name: 'reject' }, spec: { type: 'Limited', limited: { nominalConcurrencyShares: 0, limitResponse: { type: 'Reject' } } } } });
  await admin.must('api.create', { target: { ...FC, resource: 'flowschemas' }, object: REJECT_NODE });
  await h.settle();
}

/** Advances the virtual clock by `ms` and lets everything that was due run. */
async function after(ms: number): Promise<void> {
  await h.clock.advance(ms);
  await h.settle();
}

// The status manager's writes go through client-go upstream, which sends a 429 again after its
// Retry-After (1 s here), and the longer waits of actors/client/backoff.ts after each refusal.
test('a write refused under overload (429) is written again after its Retry-After, without another report', async () => {
  const { sm, uid } = await tracked('p4');
  await rejectNode();
  sm.set(uid, status('running'));
  await h.settle();
  assert.equal(patches, ['running'], 'sent once and refused');
  assert.is(await stored('p4'), undefined);
  await after(999);
  assert.equal(patches, ['running'], 'not before the Retry-After');
  await after(1);
  assert.equal(patches, ['running', 'running'], 'sent again after 1 s, and refused again');
  await h.client().must('api.delete', { target: { ...FC, resource: 'flowschemas', name: 'reject-n1' } });
  await after(1_999);
  assert.equal(patches.length, 2, 'the second wait is the doubled back-off, 2 s');
  await after(1);
  assert.equal(patches, ['running', 'running', 'running']);
  assert.is(await stored('p4'), 'running');
  sm.stop();
});

test('a write refused 11 times (client-go\'s 10 retries spent) is written again on the sync period', async () => {
  const { sm, uid } = await tracked('p5');
  await rejectNode();
  sm.set(uid, status('running'));
  await h.settle();
  // The back-off doubles from 1 s and stops at 30 s (no jitter: the manager's random source is 0 here).
  for (const wait of [1, 2, 4, 8, 16, 30, 30, 30, 30, 30]) {
    const before = patches.length;
    await after(wait * 1000);
    assert.is(patches.length, before + 1, `retried after ${wait} s`);
  }
  assert.is(patches.length, 11);
  await h.client().must('api.delete', { target: { ...FC, resource: 'flowschemas', name: 'reject-n1' } });
  await after(9_999);
  assert.is(patches.length, 11, 'not before the sync period');
  await after(1);
  assert.is(patches.length, 12);
  assert.is(await stored('p5'), 'running');
  sm.stop();
});

test('a new report while a refused write waits is written at once, and the wait is dropped', async () => {
  const { sm, uid } = await tracked('p6');
  await rejectNode();
  sm.set(uid, status('starting'));
  await h.settle();
  await h.client().must('api.delete', { target: { ...FC, resource: 'flowschemas', name: 'reject-n1' } });
  sm.set(uid, status('running'));
  await h.settle();
  assert.equal(patches, ['starting', 'running']);
  await after(5_000);
  assert.equal(patches, ['starting', 'running'], 'the dropped wait sends nothing');
  assert.is(await stored('p6'), 'running');
  sm.stop();
});

test.run();
