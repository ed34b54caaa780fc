import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { explainLines, simulatorAnnotations } from '../../../machines/scheduler/explain.ts';
import { fitErrorMessage } from '../../../machines/scheduler/fit-error.ts';
import { unschedulable, type Plugin } from '../../../machines/scheduler/framework.ts';
import { DEFAULT_PLUGINS, pluginSet } from '../../../machines/scheduler/plugins/registry.ts';
import { numFeasibleNodesToFind } from '../../../machines/scheduler/sampling.ts';
import { scheduleOne, type ScheduleResult } from '../../../machines/scheduler/schedule-one.ts';
import { node, pod, snapshot } from './fixtures/build.ts';

const CP_TAINT = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

function unschedulableMessage(r: ScheduleResult): string {
  if (r.type !== 'unschedulable') throw new Error(`expected unschedulable, got ${r.type}`);
  return r.error.message;
}

test('FitError: taint and cpu, counted and sorted as kube-scheduler prints them', () => {
  const snap = snapshot(
    [node('cp', { taints: [CP_TAINT] }), node('w1', { cpu: '1' }), node('w2', { cpu: '1' })],
    [pod('x', { nodeName: 'w1', requests: { cpu: '800m' } }), pod('y', { nodeName: 'w2', requests: { cpu: '900m' } })],
  );
  const r = scheduleOne({ snapshot: snap, pod: pod('p', { requests: { cpu: '500m' } }), startIndex: 0, tieBreak: 0 });
  assert.is(unschedulableMessage(r), '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu.');
  if (r.type === 'unschedulable') assert.equal([...r.error.unschedulablePlugins].sort(), ['NodeResourcesFit', 'TaintToleration']);
});

test('FitError: every reason of a node counts; counts sort as strings ("10 …" before "2 …")', () => {
  const nodes = Array.from({ length: 10 }, (_, i) => node(`small-${i}`, { cpu: '100m', memory: '100Mi' }));
  nodes.push(node('c1', { unschedulable: true }), node('c2', { unschedulable: true }));
  const r = scheduleOne({ snapshot: snapshot(nodes), pod: pod('p', { requests: { cpu: '1', memory: '1Gi' } }), startIndex: 3, tieBreak: 0 });
  assert.is(unschedulableMessage(r), '0/12 nodes are available: 10 Insufficient cpu, 10 Insufficient memory, 2 node(s) were unschedulable.');
});

test('FitError message with PreFilter and PostFilter messages', () => {
  assert.is(fitErrorMessage(3, [], { preFilterMsg: "node(s) didn't satisfy plugin X" }), "0/3 nodes are available: node(s) didn't satisfy plugin X.");
  assert.is(
    fitErrorMessage(2, [unschedulable('A', 'r1'), unschedulable('A', 'r1')], { postFilterMsg: 'preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.' }),
    '0/2 nodes are available: 2 r1. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.',
  );
});

test('no nodes at all', () => {
  const r = scheduleOne({ snapshot: snapshot([]), pod: pod('p'), startIndex: 0, tieBreak: 0 });
  assert.equal(r.type === 'error' && r.message, 'no nodes available to schedule pods');
});

test('picks the least allocated node and reports every score', () => {
  const snap = snapshot([node('busy'), node('idle'), node('half')], [
    pod('a', { nodeName: 'busy', requests: { cpu: '3', memory: '6Gi' } }),
    pod('b', { nodeName: 'half', requests: { cpu: '2', memory: '4Gi' } }),
  ]);
  const r = scheduleOne({ snapshot: snap, pod: pod('p', { requests: { cpu: '500m', memory: '512Mi' } }), startIndex: 0, tieBreak: 0 });
  assert.is(r.type, 'scheduled');
  if (r.type !== 'scheduled') return;
  assert.is(r.node, 'idle');
  assert.is(r.feasibleNodes, 3);
  const idle = r.scores.find((s) => s.node === 'idle');
  assert.ok(idle);
  const fit = idle.plugins.find((p) => p.plugin === 'NodeResourcesFit');
  // cpu (4000-500)*100/4000 = 87, memory (8Gi-512Mi)*100/8Gi = 93 → 90
  assert.equal(fit, { plugin: 'NodeResourcesFit', raw: 90, score: 90, weight: 1, weighted: 90 });
  assert.is(idle.total, idle.plugins.reduce((a, p) => a + p.weighted, 0));
  // TaintToleration scores 100 everywhere (no taints), weight 3.
  assert.equal(idle.plugins.find((p) => p.plugin === 'TaintToleration')?.weighted, 300);
});

test('preferred node affinity outweighs a slightly emptier node', () => {
  const snap = snapshot([node('plain'), node('ssd', { labels: { disk: 'ssd' } })], [pod('a', { nodeName: 'ssd', requests: { cpu: '100m' } })]);
  const p = pod('p', { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }] } } });
  const r = scheduleOne({ snapshot: snap, pod: p, startIndex: 0, tieBreak: 0 });
  assert.equal(r.type === 'scheduled' && r.node, 'ssd');
});

test('a single feasible node is chosen without scoring', () => {
  const snap = snapshot([node('a'), node('b', { labels: { disk: 'ssd' } }), node('c')]);
  const p = pod('p', { nodeSelector: { disk: 'ssd' } });
  const r = scheduleOne({ snapshot: snap, pod: p, startIndex: 0, tieBreak: 0 });
  assert.equal(r.type === 'scheduled' && [r.node, r.scores], ['b', []]);
  // explain-schedule still shows the lone node's scores and every node's filter verdict.
  const e = scheduleOne({ snapshot: snap, pod: p, startIndex: 0, tieBreak: 0, explain: true });
  assert.is(e.type, 'scheduled');
  if (e.type !== 'scheduled') return;
  assert.equal(e.scores.map((s) => s.node), ['b']);
  assert.equal(e.filtered?.map((v) => [v.node, v.status?.plugin ?? null]), [['a', 'NodeAffinity'], ['b', null], ['c', 'NodeAffinity']]);
});

test('PreFilter node names (spec.nodeName, matchFields metadata.name) narrow the search', () => {
  const snap = snapshot([node('a'), node('b', { cpu: '1' }), node('c')]);
  const pinned = pod('p', { nodeName: 'b', requests: { cpu: '2' } });
  const r = scheduleOne({ snapshot: snap, pod: pinned, startIndex: 1, tieBreak: 0, explain: true });
  assert.is(unschedulableMessage(r), "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeName].");
  assert.equal([r.evaluatedNodes, r.nextStartIndex, r.filtered?.map((v) => v.node)], [1, 1, ['b']]);

  // A DaemonSet pod: node affinity on metadata.name.
  const onNode = (names: string[][]) => pod('ds', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {
    nodeSelectorTerms: names.map((values) => ({ matchFields: [{ key: 'metadata.name', operator: 'In', values }] })),
  } } } });
  const ds = scheduleOne({ snapshot: snap, pod: onNode([['c']]), startIndex: 0, tieBreak: 0 });
  assert.equal(ds.type === 'scheduled' && [ds.node, ds.evaluatedNodes], ['c', 1]);
  const none = scheduleOne({ snapshot: snap, pod: { ...onNode([['a']]), spec: { ...onNode([['a']]).spec!, nodeName: 'c' } }, startIndex: 0, tieBreak: 0 });
  assert.is(unschedulableMessage(none), "0/3 nodes are available: node(s) didn't satisfy plugin(s) [NodeName NodeAffinity] simultaneously.");
});

test('ties are broken by the tie-breaker, deterministically', () => {
  const snap = snapshot([node('a'), node('b'), node('c')]);
  const picks = [0, 1, 2, 3].map((tieBreak) => {
    const r = scheduleOne({ snapshot: snap, pod: pod('p'), startIndex: 0, tieBreak });
    return r.type === 'scheduled' ? r.node : r.type;
  });
  assert.equal(picks, ['a', 'b', 'c', 'a']);
});

test('numFeasibleNodesToFind: adaptive percentage with a floor of 100 nodes and 5%', () => {
  const rows: Array<[number, number, number]> = [
    [50, 0, 50],
    [100, 0, 100],
    [150, 0, 100],
    [1000, 0, 420],
    [5000, 0, 500],
    [6000, 0, 300],
    [10000, 0, 500],
    [1000, 30, 300],
    [1000, 100, 1000],
  ];
  for (const [n, pct, want] of rows) assert.is(numFeasibleNodesToFind(n, pct), want, `${n} nodes at ${pct}%`);
});

test('sampling stops after enough feasible nodes and rotates the start index', () => {
  const snap = snapshot(Array.from({ length: 1000 }, (_, i) => node(`n${String(i).padStart(4, '0')}`)));
  let start = 0;
  const seen: Array<[number, number, string]> = [];
  for (let i = 0; i < 3; i++) {
    const r = scheduleOne({ snapshot: snap, pod: pod('p'), startIndex: start, tieBreak: 0 });
    assert.is(r.type, 'scheduled');
    if (r.type !== 'scheduled') return;
    seen.push([r.evaluatedNodes, r.nextStartIndex, r.node]);
    start = r.nextStartIndex;
  }
  assert.equal(seen, [[420, 420, 'n0000'], [420, 840, 'n0420'], [420, 260, 'n0840']]);
});

test('rejected nodes count toward the rotation too', () => {
  const nodes = Array.from({ length: 200 }, (_, i) => node(`n${i}`, { unschedulable: i % 2 === 0 }));
  const r = scheduleOne({ snapshot: snapshot(nodes), pod: pod('p'), startIndex: 0, tieBreak: 0 });
  // 200 nodes → find 100 feasible: all 200 must be visited.
  assert.equal([r.evaluatedNodes, r.nextStartIndex], [200, 0]);
});

test('a PreFilter rejection marks every node with the same status', () => {
  const gate: Plugin = { name: 'Gate', events: [], preFilter: () => unschedulable('Gate', 'pod is gated'), filter: () => null };
  const r = scheduleOne({ snapshot: snapshot([node('a'), node('b')]), pod: pod('p'), startIndex: 0, tieBreak: 0, plugins: pluginSet([gate, ...DEFAULT_PLUGINS]) });
  assert.is(unschedulableMessage(r), '0/2 nodes are available: pod is gated.');
  if (r.type === 'unschedulable') assert.equal([r.error.nodeToStatus.size, r.error.absentStatus?.plugin], [0, 'Gate']);
});

test('an invalid spread selector is an error, not a fit failure', () => {
  const p = pod('p', { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchExpressions: [{ key: 'a', operator: 'Bogus' }] } }] });
  const r = scheduleOne({ snapshot: snapshot([node('a')]), pod: p, startIndex: 0, tieBreak: 0 });
  assert.is(r.type, 'error');
});

test('explain: simulator annotations and one line per node', () => {
  const snap = snapshot([node('cp', { taints: [CP_TAINT] }), node('w1'), node('w2')], [pod('x', { nodeName: 'w1', requests: { cpu: '2' } })]);
  const r = scheduleOne({ snapshot: snap, pod: pod('p', { requests: { cpu: '1' } }), startIndex: 0, tieBreak: 0, explain: true });
  const a = simulatorAnnotations(r);
  const filter = JSON.parse(a['kube-scheduler-simulator.sigs.k8s.io/filter-result'] ?? '{}');
  assert.equal(filter.cp, { NodeUnschedulable: 'passed', TaintToleration: 'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }' });
  assert.is(filter.w2.NodeResourcesFit, 'passed');
  const final = JSON.parse(a['kube-scheduler-simulator.sigs.k8s.io/finalscore-result'] ?? '{}');
  assert.is(final.w2.TaintToleration, '300');
  assert.is(a['kube-scheduler-simulator.sigs.k8s.io/selected-node'], 'w2');
  const lines = explainLines(r);
  assert.is(lines[0], 'cp: rejected by TaintToleration: node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }');
  assert.match(lines[2] ?? '', /^w2: score \d+ \(selected\) \[TaintToleration=100×3 /);
});

test('replicas spread over zones and repel by hostname as they are bound one by one', () => {
  const zones = ['a', 'b', 'c'];
  const snap = snapshot(zones.map((z) => node(`n-${z}`, { labels: { 'topology.kubernetes.io/zone': z } })));
  let start = 0;
  const placed: string[] = [];
  for (let i = 0; i < 6; i++) {
    const p = pod(`web-${i}`, {
      labels: { app: 'web' },
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }],
    });
    const r = scheduleOne({ snapshot: snap, pod: p, startIndex: start, tieBreak: 0 });
    assert.is(r.type, 'scheduled');
    if (r.type !== 'scheduled') return;
    start = r.nextStartIndex;
    placed.push(r.node);
    snap.upsertPod({ ...p, spec: { ...p.spec!, nodeName: r.node } });
  }
  assert.equal(zones.map((z) => placed.filter((n) => n === `n-${z}`).length), [2, 2, 2]);

  const anti = (name: string) => pod(name, {
    labels: { app: 'solo' },
    affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'solo' } } }] } },
  });
  for (let i = 0; i < 3; i++) {
    const p = anti(`solo-${i}`);
    const r = scheduleOne({ snapshot: snap, pod: p, startIndex: 0, tieBreak: 0 });
    assert.is(r.type, 'scheduled');
    if (r.type === 'scheduled') snap.upsertPod({ ...p, spec: { ...p.spec!, nodeName: r.node } });
  }
  const r = scheduleOne({ snapshot: snap, pod: anti('solo-3'), startIndex: 0, tieBreak: 0 });
  assert.is(unschedulableMessage(r), "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules.");
});

test('the registry fails fast on a duplicate plugin name', () => {
  assert.throws(() => pluginSet([...DEFAULT_PLUGINS, DEFAULT_PLUGINS[0] as Plugin]), /registered twice/);
});

test('a node nominated to a preemptor keeps its room from pods of lower priority, and the preemptor tries that node first', () => {
  // node-1's victims are gone; the preemptor (priority 100, 2 cpu) is nominated there and not yet bound.
  const snap = snapshot([node('node-1', { cpu: '2' }), node('node-2', { cpu: '1' })]);
  const preemptor = pod('urgent', { priority: 100, requests: { cpu: '2' } });
  snap.nominate(preemptor, 'node-1');
  const low = scheduleOne({ snapshot: snap, pod: pod('low', { priority: 0, requests: { cpu: '1500m' } }), startIndex: 0, tieBreak: 0 });
  assert.is(unschedulableMessage(low), '0/2 nodes are available: 2 Insufficient cpu.', 'the nominated pod counts on node-1');
  const small = scheduleOne({ snapshot: snap, pod: pod('small', { priority: 0, requests: { cpu: '500m' } }), startIndex: 0, tieBreak: 0 });
  assert.is(small.type === 'scheduled' && small.node, 'node-2', 'node-1 has no room beside the nominated pod');
  const higher = scheduleOne({ snapshot: snap, pod: pod('higher', { priority: 200, requests: { cpu: '1500m' } }), startIndex: 1, tieBreak: 0 });
  assert.is(higher.type === 'scheduled' && higher.node, 'node-1', 'a pod of higher priority ignores the nomination');
  const self = scheduleOne({ snapshot: snap, pod: { ...preemptor, status: { nominatedNodeName: 'node-1' } }, startIndex: 1, tieBreak: 0 });
  assert.is(self.type === 'scheduled' && self.node, 'node-1');
  assert.is(self.type === 'scheduled' && self.evaluatedNodes, 0, 'the nominated node alone was tried (evaluateNominatedNode)');
  snap.unnominate(preemptor.metadata!.uid!);
  const after = scheduleOne({ snapshot: snap, pod: pod('low2', { priority: 0, requests: { cpu: '1500m' } }), startIndex: 0, tieBreak: 0 });
  assert.is(after.type === 'scheduled' && after.node, 'node-1', 'once the nomination is spent the room is free');
});

test.run();
