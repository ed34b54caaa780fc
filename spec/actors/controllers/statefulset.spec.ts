import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import { startScheduler, type RunningScheduler } from '../../../actors/scheduler/index.ts';
import { activePods, cluster, targets, type Cluster } from './helpers.ts';
import { eventually, type EventuallyOptions } from '../../helpers/wait.ts';

let c: Cluster;
let sched: RunningScheduler | undefined;
test.after.each(async () => {
  sched?.stop();
  sched = undefined;
  await c?.close();
});

function statefulSet(name: string, replicas: number, extra: { parallel?: boolean; partition?: number; onDelete?: boolean; image?: string; readyAfter?: number } = {}): KubeObject {
  const labels = { app: name };
  const sts: StatefulSet = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      serviceName: name,
      selector: { matchLabels: labels },
      ...(extra.parallel ? { podManagementPolicy: 'Parallel' } : {}),
      ...(extra.onDelete ? { updateStrategy: { type: 'OnDelete' } } : {}),
      ...(extra.partition !== undefined ? { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: extra.partition } } } : {}),
      template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: extra.image ?? 'nginx:1.27', ...(extra.readyAfter ? { readinessProbe: { exec: { command: ['true'] }, initialDelaySeconds: extra.readyAfter, periodSeconds: 1 } } : {}) }] } },
    },
  };
  return sts as KubeObject;
}

const getSts = async () => (await c.get<StatefulSet>(targets.statefulsets('default', 'web')))!;
const names = async () => activePods(await c.list<Pod>(targets.pods('default'), 'app=web')).map((p) => p.metadata!.name!).sort();
const image = async (name: string) => (await c.get<Pod>(targets.pods('default', name)))?.spec?.containers[0]?.image;
/** The first ADDED/DELETED of each pod from the watch, in order ("ADDED web-0"). */
const history = (type: 'ADDED' | 'DELETED') =>
  (c.h.client().events.get('pods') ?? []).filter((e) => e.type === type).map((e) => `${e.type} ${e.object.metadata?.name}`);
const watchPods = async () => {
  await c.h.client().must('api.watch', { target: targets.pods('default'), id: 'pods' });
};
/** Polls in virtual time: 500 ms between tries, at most `timeoutMs`. */
const inVirtualTime = (timeoutMs = 120_000): EventuallyOptions => ({ pace: c.pace(250), intervalMs: 500, timeoutMs });
const settled = async (n: number) => {
  const s = await getSts();
  return (s.status?.readyReplicas ?? 0) === n && (s.status?.replicas ?? 0) === n && s.status?.currentRevision === s.status?.updateRevision;
};

test('OrderedReady creates web-0, waits for it to be Ready, then web-1 …; identity and status', async () => {
  c = await cluster('statefulset', { nodes: 2 });
  sched = startScheduler(c.h.host);
  await watchPods();
  await c.h.client().must('api.create', { target: targets.statefulsets('default'), object: statefulSet('web', 3, { readyAfter: 5 }) });
  await c.advance(4_000, 250);
  assert.equal(await names(), ['web-0'], 'only web-0 until it is ready');
  await c.advance(2_000, 250);
  assert.equal(await names(), ['web-0', 'web-1']);
  await eventually(() => settled(3), inVirtualTime());
  assert.equal(history('ADDED'), ['ADDED web-0', 'ADDED web-1', 'ADDED web-2']);
  // web-1 appears only after web-0 reported Ready.
  const events = c.h.client().events.get('pods') ?? [];
  const ready0 = events.findIndex((e) => e.object.metadata?.name === 'web-0' && (e.object as Pod).status?.conditions?.some((k) => k.type === 'Ready' && k.status === 'True'));
  const add1 = events.findIndex((e) => e.type === 'ADDED' && e.object.metadata?.name === 'web-1');
  assert.ok(ready0 >= 0 && ready0 < add1, `web-0 ready (${ready0}) before web-1 added (${add1})`);
  const p1 = (await c.get<Pod>(targets.pods('default', 'web-1')))!;
  assert.equal([p1.spec?.hostname, p1.spec?.subdomain], ['web-1', 'web']);
  assert.is(p1.metadata?.labels?.['statefulset.kubernetes.io/pod-name'], 'web-1');
  assert.is(p1.metadata?.labels?.['apps.kubernetes.io/pod-index'], '1');
  const s = await getSts();
  assert.match(p1.metadata!.labels!['controller-revision-hash']!, /^web-[a-z0-9]+$/);
  assert.equal(
    [s.status?.replicas, s.status?.readyReplicas, s.status?.availableReplicas, s.status?.currentReplicas, s.status?.updatedReplicas, s.status?.observedGeneration],
    [3, 3, 3, 3, 3, s.metadata?.generation],
  );
  assert.is(s.status?.currentRevision, p1.metadata!.labels!['controller-revision-hash']);
  const created = (await c.list<{ reason: string; message: string }>(targets.events('default'))).filter((e) => e.reason === 'SuccessfulCreate');
  assert.ok(created.some((e) => e.message === 'create Pod web-0 in StatefulSet web successful'));
});

test('scale-down removes the highest ordinal first, one at a time', async () => {
  c = await cluster('statefulset', { nodes: 2 });
  sched = startScheduler(c.h.host);
  await c.h.client().must('api.create', { target: targets.statefulsets('default'), object: statefulSet('web', 4) });
  await eventually(() => settled(4), inVirtualTime());
  await watchPods();
  await c.h.client().must('api.patch', { target: targets.statefulsets('default', 'web'), patchType: 'merge', patch: { spec: { replicas: 1 } } });
  await eventually(() => settled(1), inVirtualTime());
  assert.equal(await names(), ['web-0']);
  assert.equal(history('DELETED'), ['DELETED web-3', 'DELETED web-2', 'DELETED web-1']);
  // OrderedReady: web-2 is not marked for deletion before web-3 is gone.
  const events = c.h.client().events.get('pods') ?? [];
  const gone3 = events.findIndex((e) => e.type === 'DELETED' && e.object.metadata?.name === 'web-3');
  const mark2 = events.findIndex((e) => e.object.metadata?.name === 'web-2' && e.object.metadata?.deletionTimestamp);
  assert.ok(gone3 < mark2, 'web-3 gone before web-2 terminates');
});

test('Parallel creates every pod at once, without waiting for readiness', async () => {
  c = await cluster('statefulset', { nodes: 2 });
  sched = startScheduler(c.h.host);
  await c.h.client().must('api.create', { target: targets.statefulsets('default'), object: statefulSet('web', 4, { parallel: true, readyAfter: 5 }) });
  await c.advance(1_000, 250);
  assert.is((await getSts()).status?.readyReplicas ?? 0, 0, 'none ready yet');
  assert.equal(await names(), ['web-0', 'web-1', 'web-2', 'web-3']);
  await eventually(() => settled(4), inVirtualTime());
});

test('RollingUpdate with a partition updates only ordinals >= partition, highest first; lowering it finishes the rollout', async () => {
  c = await cluster('statefulset', { nodes: 2 });
  sched = startScheduler(c.h.host);
  await c.h.client().must('api.create', { target: targets.statefulsets('default'), object: statefulSet('web', 4, { partition: 2 }) });
  await eventually(() => settled(4), inVirtualTime());
  const rev1 = (await getSts()).status?.currentRevision;
  await watchPods();
  await c.h.client().must('api.patch', { target: targets.statefulsets('default', 'web'), patchType: 'merge', patch: { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:1.28' }] } } } } });
  await eventually(async () => (await getSts()).status?.updatedReplicas === 2 && (await getSts()).status?.readyReplicas === 4, inVirtualTime());
  assert.equal([await image('web-0'), await image('web-1'), await image('web-2'), await image('web-3')], ['nginx:1.27', 'nginx:1.27', 'nginx:1.28', 'nginx:1.28']);
  assert.equal(history('DELETED'), ['DELETED web-3', 'DELETED web-2']);
  let s = await getSts();
  assert.is(s.status?.currentRevision, rev1);
  assert.is.not(s.status?.updateRevision, rev1);
  assert.equal([s.status?.currentReplicas, s.status?.updatedReplicas], [2, 2]);
  // A deleted pod below the partition comes back at the current revision.
  await c.h.client().must('api.delete', { target: targets.pods('default', 'web-0') });
  await eventually(async () => (await getSts()).status?.readyReplicas === 4 && (await names()).includes('web-0'), inVirtualTime(60_000));
  assert.is(await image('web-0'), 'nginx:1.27');
  await c.h.client().must('api.patch', { target: targets.statefulsets('default', 'web'), patchType: 'merge', patch: { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } } });
  await eventually(() => settled(4), inVirtualTime());
  s = await getSts();
  assert.equal([s.status?.currentReplicas, s.status?.updatedReplicas, s.status?.currentRevision], [4, 4, s.status?.updateRevision]);
  for (const n of ['web-0', 'web-1', 'web-2', 'web-3']) assert.is(await image(n), 'nginx:1.28', n);
});

test('OnDelete leaves pods alone until they are deleted', async () => {
  c = await cluster('statefulset', { nodes: 2 });
  sched = startScheduler(c.h.host);
  await c.h.client().must('api.create', { target: targets.statefulsets('default'), object: statefulSet('web', 2, { onDelete: true }) });
  await eventually(() => settled(2), inVirtualTime());
  await c.h.client().must('api.patch', { target: targets.statefulsets('default', 'web'), patchType: 'merge', patch: { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:1.28' }] } } } } });
  await c.advance(20_000, 500);
  assert.equal([await image('web-0'), await image('web-1')], ['nginx:1.27', 'nginx:1.27']);
  await c.h.client().must('api.delete', { target: targets.pods('default', 'web-1') });
  await eventually(async () => (await image('web-1')) === 'nginx:1.28' && (await getSts()).status?.readyReplicas === 2, inVirtualTime());
  assert.equal([await image('web-0'), await image('web-1')], ['nginx:1.27', 'nginx:1.28']);
  assert.is((await getSts()).status?.updatedReplicas, 1);
});

test.run();
