import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { cluster, deployment, targets, type Cluster } from './helpers.ts';
import { eventually, type EventuallyOptions } from '../../helpers/wait.ts';

let c: Cluster;
test.after.each(async () => {
  await c?.close();
});

const getD = async () => (await c.get<Deployment>(targets.deployments('default', 'web')))!;
const rsList = async () => c.list<ReplicaSet>(targets.replicasets('default'));
const complete = (d: Deployment) => d.status?.updatedReplicas === d.spec?.replicas && d.status?.availableReplicas === d.spec?.replicas && d.status?.replicas === d.spec?.replicas && (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);

/** Polls in virtual time: 500 ms between tries, at most `timeoutMs`. */
const inVirtualTime = (timeoutMs = 60_000): EventuallyOptions => ({ pace: c.pace(), intervalMs: 500, timeoutMs });

test('a rolling update stays within maxSurge and maxUnavailable at every step', async () => {
  c = await cluster('replicaset,deployment', { nodes: 1 });
  const strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } };
  await c.h.client().must('api.create', { target: targets.deployments('default'), object: deployment('web', 4, { nodeName: 'node-1', strategy }) });
  await eventually(async () => complete(await getD()), inVirtualTime());
  const d1 = await getD();
  assert.is(d1.metadata?.annotations?.['deployment.kubernetes.io/revision'], '1');
  const cond = Object.fromEntries((d1.status?.conditions ?? []).map((x) => [x.type, x]));
  assert.is(cond.Available?.reason, 'MinimumReplicasAvailable');
  assert.is(cond.Progressing?.reason, 'NewReplicaSetAvailable');
  const [rs1] = await rsList();
  assert.match(rs1!.metadata!.name!, new RegExp(`^web-${rs1!.metadata!.labels!['pod-template-hash']}$`));

  const client = c.h.client();
  await client.must('api.watch', { target: targets.pods('default'), id: 'pods', options: { resourceVersion: d1.metadata!.resourceVersion! } });
  await client.must('api.watch', { target: targets.replicasets('default'), id: 'rs', options: { resourceVersion: d1.metadata!.resourceVersion! } });
  await client.must('api.patch', { target: targets.deployments('default', 'web'), patchType: 'merge', patch: { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:1.28' }] } } } } });
  await eventually(async () => {
    const d = await getD();
    return complete(d) && d.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '2';
  }, inVirtualTime());
  const podEvents = client.events.get('pods') ?? [];
  let minReady = Infinity, maxActive = 0;
  // RS history: the sum of spec.replicas never exceeds replicas + maxSurge.
  const specs = new Map<string, number>([[rs1!.metadata!.name!, 4]]);
  for (const e of client.events.get('rs') ?? []) {
    const rs = e.object as ReplicaSet;
    specs.set(rs.metadata!.name!, e.type === 'DELETED' ? 0 : rs.spec?.replicas ?? 0);
    const total = [...specs.values()].reduce((a, b) => a + b, 0);
    maxActive = Math.max(maxActive, total);
  }
  assert.ok(maxActive <= 5, `replica sets sum to at most 5, saw ${maxActive}`);
  // Pods: the ready, not terminating pods never drop below replicas − maxUnavailable.
  const live = new Map<string, boolean>();
  const all = podEvents;
  const names0 = new Set<string>();
  for (const e of all) if (e.object.metadata?.ownerReferences?.[0]?.name === rs1!.metadata!.name) names0.add(e.object.metadata!.name!);
  for (const n of names0) live.set(n, true);
  for (const e of all) {
    const p = e.object as Pod;
    const name = p.metadata!.name!;
    if (e.type === 'DELETED' || p.metadata?.deletionTimestamp) live.delete(name);
    else live.set(name, p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false);
    minReady = Math.min(minReady, [...live.values()].filter(Boolean).length);
  }
  assert.ok(minReady >= 3, `at least 3 ready pods at every step, saw ${minReady}`);
  // Pods may briefly exceed maxSurge, as in Kubernetes: the bound is on the ReplicaSets' sizes, and an
  // old ReplicaSet's pod deletions can trail the new one's creations by one ReplicaSet sync.
  const rss = await rsList();
  assert.is(rss.length, 2);
  const events = await c.list<{ reason: string; message: string }>(targets.events('default'));
  assert.ok(events.some((e) => e.reason === 'ScalingReplicaSet' && /^Scaled down replica set web-\w+ to \d from \d$/.test(e.message)));
});

test('Recreate scales the old ReplicaSet to zero before the new one comes up; undo restores the template', async () => {
  c = await cluster('replicaset,deployment', { nodes: 1 });
  await c.h.client().must('api.create', { target: targets.deployments('default'), object: deployment('web', 2, { nodeName: 'node-1', strategy: { type: 'Recreate' } }) });
  await eventually(async () => complete(await getD()), inVirtualTime());
  await c.h.client().must('api.patch', { target: targets.deployments('default', 'web'), patchType: 'merge', patch: { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:1.28' }] } } } } });
  await eventually(async () => {
    const d = await getD();
    return complete(d) && d.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '2';
  }, inVirtualTime());
  // kubectl rollout undo: the template of the revision-1 ReplicaSet, without pod-template-hash.
  const old = (await rsList()).find((rs) => rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '1')!;
  const template = structuredClone(old.spec!.template!);
  delete template.metadata!.labels!['pod-template-hash'];
  await c.h.client().must('api.patch', { target: targets.deployments('default', 'web'), patchType: 'json', patch: [{ op: 'replace', path: '/spec/template', value: template }] });
  await eventually(async () => {
    const d = await getD();
    return complete(d) && d.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '3';
  }, inVirtualTime());
  const rss = await rsList();
  assert.is(rss.length, 2, 'the old ReplicaSet is reused');
  const back = rss.find((rs) => rs.metadata?.uid === old.metadata?.uid)!;
  assert.is(back.metadata?.annotations?.['deployment.kubernetes.io/revision'], '3');
  assert.is(back.metadata?.annotations?.['deployment.kubernetes.io/revision-history'], '1');
  assert.is(back.spec?.replicas, 2);
  assert.is((await getD()).spec?.template?.spec?.containers?.[0]?.image, 'nginx:1.27');
});

test('revisionHistoryLimit deletes the oldest scaled-down ReplicaSets', async () => {
  c = await cluster('replicaset,deployment', { nodes: 1 });
  await c.h.client().must('api.create', { target: targets.deployments('default'), object: deployment('web', 1, { nodeName: 'node-1', revisionHistoryLimit: 1 }) });
  for (const image of ['nginx:1.28', 'nginx:1.29', 'nginx:1.30']) {
    await eventually(async () => complete(await getD()), inVirtualTime());
    await c.h.client().must('api.patch', { target: targets.deployments('default', 'web'), patchType: 'merge', patch: { spec: { template: { spec: { containers: [{ name: 'app', image }] } } } } });
  }
  await eventually(async () => complete(await getD()) && (await rsList()).length === 2, inVirtualTime());
  const revs = (await rsList()).map((rs) => rs.metadata?.annotations?.['deployment.kubernetes.io/revision']).sort();
  assert.equal(revs, ['3', '4']);
});

test('a paused deployment does not roll out; ProgressDeadlineExceeded when pods never become ready', async () => {
  c = await cluster('replicaset,deployment', { nodes: 1 });
  await c.h.client().must('api.create', { target: targets.deployments('default'), object: deployment('web', 2, { nodeName: 'node-1' }) });
  await eventually(async () => complete(await getD()), inVirtualTime());
  await c.h.client().must('api.patch', { target: targets.deployments('default', 'web'), patchType: 'merge', patch: { spec: { paused: true, template: { spec: { containers: [{ name: 'app', image: 'nginx:1.28' }] } } } } });
  await c.advance(5000);
  assert.is((await rsList()).length, 1);
  assert.is(((await getD()).status?.conditions ?? []).find((x) => x.type === 'Progressing')?.reason, 'DeploymentPaused');
  // Resumed with a template whose pods are never scheduled (no such node): the deadline passes.
  await c.h.client().must('api.patch', { target: targets.deployments('default', 'web'), patchType: 'merge', patch: { spec: { paused: false, progressDeadlineSeconds: 30, template: { spec: { nodeName: 'nowhere' } } } } });
  await eventually(async () => ((await getD()).status?.conditions ?? []).find((x) => x.type === 'Progressing')?.reason === 'ProgressDeadlineExceeded', inVirtualTime(120_000));
});

test.run();
