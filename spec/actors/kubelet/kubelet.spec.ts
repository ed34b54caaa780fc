import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import { start, t, type Harness } from '../apiserver/harness.ts';
import { startSimNodes, stopKubelet, type SimNodes } from '../../../actors/kubelet/index.ts';

let h: Harness;
let nodes: SimNodes;

test.before.each(async () => {
  h = await start();
  nodes = await startSimNodes({ host: h.host, clock: h.clock, count: 2, namePrefix: 'node-', lister: h.client().port });
  await h.settle();
});
test.after.each(async () => {
  nodes.stop();
  await h.close();
});

const getNode = async (name: string) => (await h.client().must('api.get', { target: t.nodes(name) })) as Node;
const getLease = async (name: string) => (await h.client().must('api.get', { target: t.leases('kube-node-lease', name) })) as Lease;
const getPod = async (name: string) => (await h.client().must('api.get', { target: t.pods('default', name) })) as Pod;

async function advance(ms: number, step = 1000): Promise<void> {
  for (let done = 0; done < ms; done += step) {
    await h.clock.advance(Math.min(step, ms - done));
    await h.settle();
  }
}

test('a kubelet registers its Node: nodeInfo complete, Ready, addresses, capacity, labels, pod range', async () => {
  const n = await getNode('node-1');
  const info = n.status!.nodeInfo!;
  for (const k of ['architecture', 'bootID', 'containerRuntimeVersion', 'kernelVersion', 'kubeProxyVersion', 'kubeletVersion', 'machineID', 'operatingSystem', 'osImage', 'systemUUID'] as const) {
    assert.ok(typeof info[k] === 'string' && info[k].length > 0, `nodeInfo.${k}`);
  }
  assert.is(info.containerRuntimeVersion, 'kubeactor-sim://0.1.0');
  assert.match(info.kubeletVersion, /^v1\.32\./);
  assert.is(info.operatingSystem, 'linux');
  assert.is(info.architecture, 'amd64');
  const cond = Object.fromEntries((n.status!.conditions ?? []).map((c) => [c.type, c]));
  assert.is(cond.Ready?.status, 'True');
  assert.is(cond.Ready?.reason, 'KubeletReady');
  assert.is(cond.MemoryPressure?.reason, 'KubeletHasSufficientMemory');
  assert.is(cond.DiskPressure?.reason, 'KubeletHasNoDiskPressure');
  assert.is(cond.PIDPressure?.reason, 'KubeletHasSufficientPID');
  assert.ok(cond.Ready?.lastHeartbeatTime && cond.Ready.lastTransitionTime);
  assert.equal(n.status!.capacity, { cpu: '32', memory: '256Gi', 'ephemeral-storage': '1Ti', pods: '110' });
  assert.equal(n.status!.allocatable, n.status!.capacity);
  assert.equal(n.status!.addresses, [{ type: 'InternalIP', address: '127.0.1.1' }, { type: 'Hostname', address: 'node-1' }]);
  assert.is(n.metadata!.labels!['kubernetes.io/hostname'], 'node-1');
  assert.is(n.metadata!.labels!['kubernetes.io/os'], 'linux');
  assert.is(n.metadata!.labels!['kubernetes.io/arch'], 'amd64');
  assert.is(n.spec!.podCIDR, '127.244.0.0/24');
  assert.equal(n.spec!.podCIDRs, ['127.244.0.0/24']);
  const n2 = await getNode('node-2');
  assert.is(n2.spec!.podCIDR, '127.244.1.0/24');
  assert.is(n2.status!.addresses![0]!.address, '127.0.1.2');
});

test('the Lease is renewed every 10 s of virtual time', async () => {
  const l0 = await getLease('node-1');
  assert.is(l0.spec!.holderIdentity, 'node-1');
  assert.is(l0.spec!.leaseDurationSeconds, 40);
  assert.is(l0.metadata!.ownerReferences?.[0]?.kind, 'Node');
  const t0 = Date.parse(l0.spec!.renewTime!);
  await advance(10_000);
  const t1 = Date.parse((await getLease('node-1')).spec!.renewTime!);
  assert.is(t1 - t0, 10_000);
  await advance(30_000);
  const t2 = Date.parse((await getLease('node-1')).spec!.renewTime!);
  assert.is(t2 - t0, 40_000);
});

test('an unchanged node status is reported every 5 minutes, heartbeats only', async () => {
  const hb = async () => (await getNode('node-1')).status!.conditions!.find((c) => c.type === 'Ready')!;
  const c0 = await hb();
  await advance(60_000, 10_000);
  assert.is((await hb()).lastHeartbeatTime, c0.lastHeartbeatTime);
  await advance(250_000, 10_000);
  const c1 = await hb();
  assert.is.not(c1.lastHeartbeatTime, c0.lastHeartbeatTime);
  assert.is(c1.lastTransitionTime, c0.lastTransitionTime);
});

test('a pod bound to the node runs: Pending → Running with IP, conditions, container statuses and events', async () => {
  const admin = h.client();
  await admin.must('api.create', {
    target: t.pods(),
    object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', annotations: { 'sim.kubeactor.io/pull-ms': '2000' } }, spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'nginx:1.27' }] } },
  });
  await h.settle();
  assert.is((await getPod('web')).status?.phase, 'Pending');
  await advance(3000);
  const p = await getPod('web');
  assert.is(p.status?.phase, 'Running');
  assert.is(p.status?.hostIP, '127.0.1.1');
  assert.match(p.status?.podIP ?? '', /^127\.244\.0\.\d+$/);
  assert.is(p.status?.podIP, '127.244.0.2');
  const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
  assert.is(ready?.status, 'True');
  assert.ok(p.status?.containerStatuses?.[0]?.state?.running, 'container running');
  const evs = (await admin.must('api.list', { target: t.events(), options: { fieldSelector: `involvedObject.name=web,involvedObject.kind=Pod` } })).items as { reason: string; source: { component: string; host: string } }[];
  const reasons = evs.map((e) => e.reason);
  for (const r of ['Pulling', 'Pulled', 'Created', 'Started']) assert.ok(reasons.includes(r), `event ${r} in ${reasons.join(',')}`);
  assert.equal(evs[0]!.source, { component: 'kubelet', host: 'node-1' });
});

test('--kubelet-events=false: a kubelet runs its pods and records no Event at all', async () => {
  const quiet = await startSimNodes({ host: h.host, clock: h.clock, count: 1, namePrefix: 'quiet-', lister: h.client().port, configure: () => ({ events: false }) });
  const admin = h.client();
  await admin.must('api.create', { target: t.pods(), object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'hushed' }, spec: { nodeName: 'quiet-1', containers: [{ name: 'app', image: 'nginx:1.27' }] } } });
  await advance(3000);
  assert.is((await getPod('hushed')).status?.phase, 'Running');
  const evs = (await admin.must('api.list', { target: t.events() })).items as { source?: { host?: string } }[];
  assert.equal(evs.filter((e) => e.source?.host === 'quiet-1'), []);
  assert.ok(evs.some((e) => e.source?.host === 'node-1'), 'the other kubelets still record theirs');
  quiet.stop();
});

test('deleting a pod terminates it gracefully; it disappears after the grace period', async () => {
  const admin = h.client();
  await admin.must('api.create', {
    target: t.pods(),
    object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'slow', annotations: { 'sim.kubeactor.io/ignore-sigterm': 'true' } }, spec: { nodeName: 'node-1', terminationGracePeriodSeconds: 5, containers: [{ name: 'app', image: 'nginx:1.27' }] } },
  });
  await advance(1000);
  assert.is((await getPod('slow')).status?.phase, 'Running');
  const ip = (await getPod('slow')).status?.podIP;
  await admin.must('api.delete', { target: t.pods('default', 'slow') });
  await advance(1000);
  const marked = await getPod('slow');
  assert.ok(marked.metadata?.deletionTimestamp, 'marked for deletion');
  await advance(3000);
  assert.ok((await admin.call('api.get', { target: t.pods('default', 'slow') })).ok, 'still there within the grace period');
  await advance(2000);
  const gone = await admin.call('api.get', { target: t.pods('default', 'slow') });
  assert.ok(!gone.ok && gone.status.code === 404, 'gone after the grace period');
  const kill = (await admin.must('api.list', { target: t.events(), options: { fieldSelector: 'involvedObject.name=slow,reason=Killing' } })).items as unknown[];
  assert.is(kill.length, 1);
  assert.is(nodes.handle('node-1')!.pods(), 0);
  // The IP went back to the range: a later pod may get it again once the cursor wraps; the next one is fresh.
  await admin.must('api.create', { target: t.pods(), object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'next' }, spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'nginx:1.27' }] } } });
  await advance(1000);
  assert.is.not((await getPod('next')).status?.podIP, ip);
});

test('a pod that completes is reported Succeeded; a force delete stops its actor without a write', async () => {
  const admin = h.client();
  await admin.must('api.create', {
    target: t.pods(),
    object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'job', annotations: { 'sim.kubeactor.io/exit-after-s': '2' } }, spec: { nodeName: 'node-2', restartPolicy: 'Never', containers: [{ name: 'app', image: 'busybox:1.36' }] } },
  });
  await admin.must('api.create', { target: t.pods(), object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'svc' }, spec: { nodeName: 'node-2', containers: [{ name: 'app', image: 'nginx:1.27' }] } } });
  await advance(3000);
  const done = await getPod('job');
  assert.is(done.status?.phase, 'Succeeded');
  const term = done.status?.containerStatuses?.[0]?.state;
  assert.is(term?.terminated?.reason, 'Completed');
  assert.not.ok(term?.running, 'no stale running state left by the merge patch');
  assert.is(nodes.handle('node-2')!.pods(), 2);
  await admin.must('api.delete', { target: t.pods('default', 'svc'), options: { gracePeriodSeconds: 0 } });
  await advance(1000);
  assert.is(nodes.handle('node-2')!.pods(), 1);
  await admin.must('api.delete', { target: t.pods('default', 'job') });
  await advance(1000);
  assert.is(nodes.handle('node-2')!.pods(), 0);
});

test('NodeRestriction: kubelet.node-1 cannot write node-2\'s Node or Lease', async () => {
  // The spec speaks as node-1's kubelet, so the real one steps aside.
  stopKubelet(h.host, 'node-1');
  const k = h.client('kubelet.node-1');
  const n2 = await getNode('node-2');
  const r = await k.call('api.patch', { target: t.nodes('node-2', 'status'), patchType: 'merge', patch: { status: { conditions: [] } } });
  assert.ok(!r.ok && r.status.code === 403, 'node status');
  const u = await k.call('api.update', { target: t.nodes('node-2'), object: { ...n2, metadata: { ...n2.metadata, labels: { x: 'y' } } } as KubeObject });
  assert.ok(!u.ok && u.status.code === 403, 'node');
  const l2 = await getLease('node-2');
  const lr = await k.call('api.update', { target: t.leases('kube-node-lease', 'node-2'), object: { ...l2, spec: { ...l2.spec, holderIdentity: 'node-1' } } as KubeObject });
  assert.ok(!lr.ok && lr.status.code === 403, 'lease');
});

test('logs of a sim pod come back through kubelet.logs, with tail, timestamps and follow', async () => {
  const admin = h.client();
  await admin.must('api.create', {
    target: t.pods(),
    object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'chatty', annotations: { 'sim.kubeactor.io/log-every-s': '1' } }, spec: { nodeName: 'node-2', containers: [{ name: 'app', image: 'busybox:1.36' }] } },
  });
  await advance(4500);
  const uid = (await getPod('chatty')).metadata!.uid!;
  const chunks: string[] = [];
  let ended = false;
  const asker = h.bus.register('edge.logs-spec', (env) => {
    if (env.type === 'kubelet.log-chunk') chunks.push((env.payload as { text: string }).text);
    if (env.type === 'kubelet.log-end') ended = true;
  });
  const ask = (p: Record<string, unknown>) =>
    (asker.request as (to: string, type: string, payload: unknown) => Promise<{ ok: boolean; value?: { text: string }; status?: { code: number } }>)('kubelet.node-2', 'kubelet.logs', { namespace: 'default', pod: 'chatty', container: 'app', ...p });
  const all = await ask({ id: 'a', uid });
  assert.ok(all.ok);
  assert.is(all.value!.text, 'line 1\nline 2\nline 3\nline 4\n');
  const tail = await ask({ id: 'b', tailLines: 2, timestamps: true });
  assert.match(tail.value!.text, /^2025-01-01T00:00:0\d\.\d+Z line 3\n\S+ line 4\n$/);
  const since = await ask({ id: 's', sinceSeconds: 2 });
  assert.is(since.value!.text, 'line 3\nline 4\n');
  const missing = await ask({ id: 'c', pod: 'nope' });
  assert.is(missing.status?.code, 404);
  const wrongUid = await ask({ id: 'd', uid: 'other' });
  assert.is(wrongUid.status?.code, 404);
  const f = await ask({ id: 'f', follow: true, tailLines: 1 });
  assert.is(f.value!.text, 'line 4\n');
  await advance(2000);
  assert.equal(chunks, ['line 5\n', 'line 6\n']);
  (asker.send as (to: string, type: string, p: unknown) => void)('kubelet.node-2', 'kubelet.logs-stop', { id: 'f' });
  await advance(2000);
  assert.is(chunks.length, 2);
  assert.not.ok(ended);
  // A followed pod that is deleted ends its stream.
  await ask({ id: 'g', follow: true });
  await admin.must('api.delete', { target: t.pods('default', 'chatty'), options: { gracePeriodSeconds: 1 } });
  await advance(3000);
  assert.ok(ended, 'stream ended with the container');
  asker.close();
});

test('a restarted control plane view: a second batch continues names and ranges; adopting an existing Node keeps its range and IP', async () => {
  const more = await startSimNodes({ host: h.host, clock: h.clock, count: 1, lister: h.client().port, runtime: nodes.runtime });
  await h.settle();
  assert.equal(more.names, ['node-3']);
  const n3 = await getNode('node-3');
  assert.is(n3.spec!.podCIDR, '127.244.2.0/24');
  assert.is(n3.status!.addresses![0]!.address, '127.0.1.3');
  // Restarting a kubelet adopts its Node (create → 409 → patch) and keeps the transition times.
  const before = (await getNode('node-1')).status!.conditions!.find((c) => c.type === 'Ready')!;
  nodes.stop();
  await advance(10_000);
  const again = await startSimNodes({ host: h.host, clock: h.clock, count: 1, startIndex: 1, lister: h.client().port, runtime: nodes.runtime });
  await h.settle();
  const after = await getNode('node-1');
  assert.is(after.spec!.podCIDR, '127.244.0.0/24');
  assert.is(after.status!.addresses![0]!.address, '127.0.1.1', 'the adopted Node keeps its InternalIP');
  const ready = after.status!.conditions!.find((c) => c.type === 'Ready')!;
  assert.is(ready.lastTransitionTime, before.lastTransitionTime);
  assert.is.not(ready.lastHeartbeatTime, before.lastHeartbeatTime);
  more.stop();
  again.stop();
  nodes = { ...nodes, stop() {} };
});

test.run();
