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
/** The jitter's source: each retry waits its back-off and up to half as much again (a quarter at 0.5). */
let random = (): number => 0.5;

async function tracked(name: string): Promise<{ sm: StatusManager; uid: string }> {
  const created = (await h.client().must('api.create', { target: t.pods('default'), object: pod(name, { nodeName: 'n1' }) })).object as Pod;
  const sm = new StatusManager(h.client('kubelet.n1').port, silentLogger, h.clock, random);
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

/** Makes every request of kubelet n1 answered 429 (Retry-After 1 s) until `allow` deletes the FlowSchema. */
async function rejectNode(): Promise<{ allow: () => Promise<void> }> {
  const admin = h.client();
  await admin.must('api.create', { target: { ...FC, resource: 'prioritylevelconfigurations' }, object: { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name: 'reject' }, spec: { type: 'Limited', limited: { nominalConcurrencyShares: 0, limitResponse: { type: 'Reject' } } } } });
  await admin.must('api.create', { target: { ...FC, resource: 'flowschemas' }, object: REJECT_NODE });
  await h.settle();
  return { allow: async () => void (await admin.must('api.delete', { target: { ...FC, resource: 'flowschemas', name: 'reject-n1' } })) };
}

const advance = async (ms: number): Promise<void> => {
  await h.clock.advance(ms);
  await h.settle();
};

test('a write refused under overload (429) is written again after Retry-After, backing off as client-go does while refusals go on', async () => {
  const { sm, uid } = await tracked('p4');
  const { allow } = await rejectNode();
  sm.set(uid, status('running'));
  await h.settle();
  assert.equal(patches, ['running'], 'sent once and refused');
  // Retry-After 1 s; client-go's back-off 1 s, 2 s, 4 s …; the jitter adds a quarter here.
  for (const [wait, sent] of [[1_249, 1], [1, 2], [2_499, 2], [1, 3], [4_999, 3], [1, 4]] as const) {
    await advance(wait);
    assert.is(patches.length, sent, `${sent} write(s) after ${wait} ms more`);
  }
  assert.is(await stored('p4'), undefined);
  await allow();
  await advance(12_000);
  assert.equal(patches, ['running', 'running', 'running', 'running', 'running']);
  assert.is(await stored('p4'), 'running');
  await advance(60_000);
  assert.is(patches.length, 5, 'nothing more once written');
  sm.stop();
});

test('a refused write is retried with the latest status, and a new report is written at once', async () => {
  random = () => 0;
  const { sm, uid } = await tracked('p5');
  const { allow } = await rejectNode();
  sm.set(uid, status('starting'));
  await h.settle();
  await advance(500);
  sm.set(uid, status('running'));
  await h.settle();
  assert.equal(patches, ['starting', 'running'], 'the new report is not held back by the retry');
  await allow();
  // The second refusal is the first of its own run of retries: after 1 s, with the latest status.
  await advance(1_000);
  assert.equal(patches, ['starting', 'running', 'running']);
  assert.is(await stored('p5'), 'running');
  sm.stop();
});

test('after client-go\'s ten retries a write still refused waits for the sync period', async () => {
  random = () => 0;
  const { sm, uid } = await tracked('p6');
  const { allow } = await rejectNode();
  sm.set(uid, status('running'));
  await h.settle();
  // 1 + 2 + 4 + 8 + 16 + 30 × 5 s: the back-off stops doubling at 30 s.
  for (const wait of [1, 2, 4, 8, 16, 30, 30, 30, 30, 30]) await advance(wait * 1000);
  assert.is(patches.length, 11, 'the first write and ten retries');
  await allow();
  await advance(9_000);
  assert.is(patches.length, 11, 'not before the sync period');
  await advance(1_000);
  assert.is(patches.length, 12);
  assert.is(await stored('p6'), 'running');
  sm.stop();
});

test.run();
