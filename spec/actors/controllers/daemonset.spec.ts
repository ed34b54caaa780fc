import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import { startSimNodes, stopKubelet } from '../../../actors/kubelet/index.ts';
import { startScheduler, type RunningScheduler } from '../../../actors/scheduler/index.ts';
import { nodeShouldRunDaemonPod } from '../../../machines/controllers/daemonset/nodes.ts';
import { activePods, cluster, targets, type Cluster } from './helpers.ts';
import { eventually } from '../../helpers/wait.ts';

let c: Cluster;
let sched: RunningScheduler | undefined;
test.after.each(async () => {
  sched?.stop();
  sched = undefined;
  await c?.close();
});

function daemonSet(name: string, extra: { image?: string; maxUnavailable?: number; tolerations?: unknown[] } = {}): KubeObject {
  const labels = { app: name };
  const ds: DaemonSet = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'default' },
    spec: {
      selector: { matchLabels: labels },
      ...(extra.maxUnavailable !== undefined ? { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: extra.maxUnavailable } } } : {}),
      template: { metadata: { labels }, spec: { containers: [{ name: 'agent', image: extra.image ?? 'agent:1' }], ...(extra.tolerations ? { tolerations: extra.tolerations as never } : {}) } },
    },
  };
  return ds as KubeObject;
}

const pods = async () => activePods(await c.list<Pod>(targets.pods('default'), 'app=agent'));
const getDs = async () => (await c.get<DaemonSet>(targets.daemonsets('default', 'agent')))!;
/** What `kubectl rollout status ds/agent` waits for. */
const rolledOut = (ds: DaemonSet) =>
  (ds.status?.observedGeneration ?? 0) >= (ds.metadata?.generation ?? 1) &&
  (ds.status?.updatedNumberScheduled ?? 0) >= (ds.status?.desiredNumberScheduled ?? 0) &&
  (ds.status?.numberAvailable ?? 0) >= (ds.status?.desiredNumberScheduled ?? 0);
const byNode = (ps: Pod[]) => ps.map((p) => p.spec?.nodeName).sort();

test('a DaemonSet runs one pod per node, follows a node joining and one leaving, and reports its status', async () => {
  c = await cluster('daemonset', { nodes: 3 });
  sched = startScheduler(c.h.host);
  await c.h.client().must('api.create', { target: targets.daemonsets('default'), object: daemonSet('agent') });
  await c.advance(10_000, 500);
  let ps = await pods();
  assert.equal(byNode(ps), ['node-1', 'node-2', 'node-3']);
  const p0 = ps[0]!;
  assert.equal(p0.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms, [
    { matchFields: [{ key: 'metadata.name', operator: 'In', values: [p0.spec?.nodeName!] }] },
  ]);
  assert.ok(p0.spec?.tolerations?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute' && t.tolerationSeconds === undefined));
  assert.ok(p0.metadata?.labels?.['controller-revision-hash']);
  let ds = await getDs();
  assert.equal(
    [ds.status?.desiredNumberScheduled, ds.status?.currentNumberScheduled, ds.status?.numberReady, ds.status?.numberAvailable, ds.status?.updatedNumberScheduled, ds.status?.numberMisscheduled ?? 0],
    [3, 3, 3, 3, 3, 0],
  );
  assert.ok(rolledOut(ds));

  await startSimNodes({ host: c.h.host, clock: c.h.clock, count: 1, startIndex: 4, runtime: c.nodes!.runtime, pool: c.nodes!.pool });
  await c.advance(10_000, 500);
  assert.equal(byNode(await pods()), ['node-1', 'node-2', 'node-3', 'node-4']);
  assert.is((await getDs()).status?.numberReady, 4);

  stopKubelet(c.h.host, 'node-2');
  await c.h.client().must('api.delete', { target: targets.nodes(undefined, 'node-2') });
  await c.advance(5_000, 500);
  ps = await c.list<Pod>(targets.pods('default'), 'app=agent');
  assert.equal(byNode(ps), ['node-1', 'node-3', 'node-4'], 'the pod of the deleted node is gone');
  ds = await getDs();
  assert.equal([ds.status?.desiredNumberScheduled, ds.status?.numberAvailable], [3, 3]);
  stopKubelet(c.h.host, 'node-4');
});

test('a node tainted NoSchedule gets no daemon pod unless tolerated; NoExecute removes a running one', async () => {
  c = await cluster('daemonset', { nodes: 3 });
  sched = startScheduler(c.h.host);
  await c.advance(1_000);
  await c.h.client().must('api.patch', { target: targets.nodes(undefined, 'node-2'), patchType: 'merge', patch: { spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] } } });
  await c.h.client().must('api.create', { target: targets.daemonsets('default'), object: daemonSet('agent') });
  await c.advance(10_000, 500);
  assert.equal(byNode(await pods()), ['node-1', 'node-3']);
  assert.is((await getDs()).status?.desiredNumberScheduled, 2);

  await c.h.client().must('api.patch', { target: targets.nodes(undefined, 'node-3'), patchType: 'merge', patch: { spec: { taints: [{ key: 'evict', effect: 'NoExecute' }] } } });
  await c.advance(5_000, 500);
  assert.equal(byNode(await pods()), ['node-1']);

  await c.h.client().must('api.patch', { target: targets.daemonsets('default', 'agent'), patchType: 'merge', patch: { spec: { template: { spec: { tolerations: [{ key: 'dedicated', operator: 'Exists' }] } } } } });
  await c.advance(15_000, 500);
  assert.equal(byNode(await pods()), ['node-1', 'node-2']);
  assert.ok(rolledOut(await getDs()));
});

test('nodeSelector and required node affinity decide eligibility (pure)', () => {
  const node = (name: string, labels: Record<string, string>) => ({ metadata: { name, labels } });
  const ds = (spec: Record<string, unknown>): DaemonSet => ({ spec: { selector: {}, template: { spec: { containers: [], ...spec } } } });
  assert.ok(nodeShouldRunDaemonPod(node('a', { disk: 'ssd' }), ds({ nodeSelector: { disk: 'ssd' } })).shouldRun);
  assert.not.ok(nodeShouldRunDaemonPod(node('a', { disk: 'hdd' }), ds({ nodeSelector: { disk: 'ssd' } })).shouldRun);
  const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } };
  assert.ok(nodeShouldRunDaemonPod(node('a', { zone: 'a' }), ds({ affinity })).shouldRun);
  assert.not.ok(nodeShouldRunDaemonPod(node('a', { zone: 'b' }), ds({ affinity })).shouldContinueRunning);
  const unreachable = { metadata: { name: 'a' }, spec: { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] } };
  assert.ok(nodeShouldRunDaemonPod(unreachable, ds({})).shouldContinueRunning, 'daemon pods tolerate unreachable');
});

test('a rolling update replaces pods node by node within maxUnavailable, and rollout status completes', async () => {
  c = await cluster('daemonset', { nodes: 5 });
  sched = startScheduler(c.h.host);
  await c.h.client().must('api.create', { target: targets.daemonsets('default'), object: daemonSet('agent', { maxUnavailable: 2 }) });
  await c.advance(10_000, 500);
  const before = await getDs();
  assert.ok(rolledOut(before));
  const initial = await pods();
  const client = c.h.client();
  await client.must('api.watch', { target: targets.pods('default'), id: 'pods', options: { resourceVersion: before.metadata!.resourceVersion! } });
  await client.must('api.patch', { target: targets.daemonsets('default', 'agent'), patchType: 'merge', patch: { spec: { template: { spec: { containers: [{ name: 'agent', image: 'agent:2' }] } } } } });
  const ds = await eventually(async () => {
    const d = await getDs();
    return rolledOut(d) && d;
  }, { pace: c.pace(250), intervalMs: 1_000, timeoutMs: 120_000, what: 'the DaemonSet rolled out', detail: async () => (await getDs()).status });
  const now = await pods();
  assert.is(now.length, 5);
  for (const p of now) assert.is(p.spec?.containers[0]?.image, 'agent:2');
  // Replay the watch: nodes without a ready, not terminating pod never exceed maxUnavailable.
  const live = new Map<string, Pod>(initial.map((p) => [p.metadata!.name!, p]));
  let worst = 0;
  for (const e of client.events.get('pods') ?? []) {
    const p = e.object as Pod;
    if (e.type === 'DELETED') live.delete(p.metadata!.name!);
    else live.set(p.metadata!.name!, p);
    const ok = new Set([...live.values()].filter((x) => !x.metadata?.deletionTimestamp && x.status?.conditions?.some((k) => k.type === 'Ready' && k.status === 'True')).map((x) => x.spec?.nodeName));
    worst = Math.max(worst, 5 - ok.size);
  }
  assert.ok(worst > 0 && worst <= 2, `unavailable nodes at most 2, saw ${worst}`);
});

test.run();
