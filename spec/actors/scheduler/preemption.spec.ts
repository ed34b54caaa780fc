/**
 * DefaultPreemption in virtual time, on the real apiserver with sim nodes: a high-priority
 * pod that fits nowhere evicts the fewest, least important lower-priority pods from one
 * node (DisruptionTarget condition, the Preempted event, deletion), is nominated there and
 * then bound; preemptionPolicy Never and equal priorities preempt nothing; a
 * PodDisruptionBudget steers the choice to the node whose victims it does not protect.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import type { ApiTarget } from '../../../bus/catalogue/api.ts';
import { t, type Harness } from '../apiserver/harness.ts';
import { schedulerCluster, type SchedulerCluster } from './cluster.ts';

let c: SchedulerCluster;
let h: Harness;
test.after.each(() => c.stop());

const pcTarget: ApiTarget = { group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses' };
const pdbTarget: ApiTarget = { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets', namespace: 'default' };

async function cluster(nodes: number, cpu: string): Promise<void> {
  c = await schedulerCluster(nodes, { cpu });
  h = c.h;
  for (const [name, value, policy] of [['low', 10, 'PreemptLowerPriority'], ['mid', 100, 'PreemptLowerPriority'], ['high', 1000, 'PreemptLowerPriority'], ['polite', 1000, 'Never']] as const) {
    await h.client().must('api.create', { target: pcTarget, object: { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, preemptionPolicy: policy } });
  }
}
const pod = (name: string, cpu: string, priorityClassName: string, labels?: Record<string, string>, node?: string): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, ...(labels ? { labels } : {}) },
  spec: { priorityClassName, terminationGracePeriodSeconds: 1, ...(node ? { nodeName: node } : {}), containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu } } }] },
});
const create = (p: KubeObject) => h.client().must('api.create', { target: t.pods('default'), object: p });
const getPod = async (name: string): Promise<Pod | undefined> => {
  const r = await h.client().call('api.get', { target: t.pods('default', name) });
  return r.ok ? (r.value as Pod) : undefined;
};
async function events(name: string, reason: string): Promise<Event[]> {
  const list = (await h.client().must('api.list', { target: t.events('default') })) as { items: Event[] };
  return list.items.filter((e) => e.involvedObject.name === name && e.reason === reason);
}

test('a high-priority pod preempts the lower-priority pod on a full node, is nominated there and bound', async () => {
  await cluster(1, '4');
  await create(pod('small', '1', 'low'));
  await create(pod('filler', '3', 'mid'));
  await c.advance(2000);
  assert.ok((await getPod('filler'))?.spec?.nodeName);
  await h.client().must('api.watch', { target: t.pods('default'), id: 'pods' });
  await create(pod('vip', '1', 'high'));
  await c.advance(300);
  // The sim kubelet stops a container at once, so the victim's terminating version is seen on the watch.
  const versions = (h.client().events.get('pods') ?? []).map((e) => e.object as Pod).filter((p) => p.metadata?.name === 'small');
  const terminating = versions.find((p) => p.metadata?.deletionTimestamp);
  const preemptor = (await getPod('vip'))!;
  assert.is(preemptor.status?.nominatedNodeName, 'node-1');
  assert.ok(terminating?.metadata?.deletionTimestamp, 'the victim is terminating (its 1 s grace period)');
  const dt = terminating?.status?.conditions?.find((x) => x.type === 'DisruptionTarget');
  assert.equal([dt?.status, dt?.reason, dt?.message], ['True', 'PreemptionByScheduler', 'default-scheduler: preempting to accommodate a higher priority pod']);
  const [ev] = await events('small', 'Preempted');
  assert.is(ev?.message, `Preempted by pod ${preemptor.metadata?.uid} on node node-1`);
  assert.is(ev?.type, 'Normal');
  const failed = await events('vip', 'FailedScheduling');
  assert.is(failed[0]?.message, '0/1 nodes are available: 1 Insufficient cpu.');
  await c.advance(10_000, 200);
  assert.is(await getPod('small'), undefined, 'the victim is deleted');
  assert.is((await getPod('vip'))?.spec?.nodeName, 'node-1');
  assert.is((await getPod('filler'))?.metadata?.deletionTimestamp, undefined, 'the more important pod stays');
});

test('the victims are minimal: one lower-priority pod is enough, the higher of two is spared', async () => {
  await cluster(1, '4');
  await create(pod('least', '2', 'low'));
  await create(pod('some', '2', 'mid'));
  await c.advance(2000);
  await create(pod('vip', '2', 'high'));
  await c.advance(10_000, 200);
  assert.is(await getPod('least'), undefined);
  assert.ok(await getPod('some'));
  assert.is((await getPod('vip'))?.spec?.nodeName, 'node-1');
});

test('preemptionPolicy Never and equal priority preempt nothing, with upstream messages', async () => {
  await cluster(1, '2');
  await create(pod('busy', '2', 'high'));
  await c.advance(2000);
  await create(pod('polite', '1', 'polite'));
  await create(pod('peer', '1', 'high'));
  await c.advance(2000);
  assert.ok(await getPod('busy'));
  const polite = (await events('polite', 'FailedScheduling'))[0]?.message;
  assert.is(polite, '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');
  const peer = (await events('peer', 'FailedScheduling'))[0]?.message;
  assert.is(peer, '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.');
  assert.is((await getPod('peer'))?.status?.nominatedNodeName, undefined);
});

test('a PodDisruptionBudget steers preemption to the node whose victim it does not protect', async () => {
  await cluster(2, '2');
  await create(pod('guarded', '2', 'low', { app: 'db' }, 'node-1'));
  await create(pod('free', '2', 'low', { app: 'web' }, 'node-2'));
  await h.client().must('api.create', { target: pdbTarget, object: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'db' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'db' } } } } });
  await c.advance(3000);
  await create(pod('vip', '2', 'high'));
  await c.advance(10_000, 200);
  assert.ok(await getPod('guarded'), 'the budgeted pod stays');
  assert.is(await getPod('free'), undefined);
  assert.is((await getPod('vip'))?.spec?.nodeName, 'node-2');
});

test.run();
