import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Plugin } from '../../../machines/scheduler/framework.ts';
import type { Snapshot } from '../../../machines/scheduler/snapshot.ts';
import { interPodAffinity } from '../../../machines/scheduler/plugins/inter-pod-affinity/index.ts';
import { nodeAffinity } from '../../../machines/scheduler/plugins/node-affinity.ts';
import { nodeName } from '../../../machines/scheduler/plugins/node-name.ts';
import { nodePorts } from '../../../machines/scheduler/plugins/node-ports.ts';
import { nodeResourcesFit } from '../../../machines/scheduler/plugins/node-resources-fit.ts';
import { nodeUnschedulable } from '../../../machines/scheduler/plugins/node-unschedulable.ts';
import { podTopologySpread } from '../../../machines/scheduler/plugins/pod-topology-spread/index.ts';
import { taintToleration } from '../../../machines/scheduler/plugins/taint-toleration.ts';
import { container, node, pod, runFilter, snapshot } from './fixtures/build.ts';

interface Row {
  name: string;
  plugin: Plugin;
  snap: () => Snapshot;
  pod: Pod;
  node: string;
  /** Expected reasons; [] = fits; 'skip' = PreFilter skipped the plugin. */
  want: string[] | 'skip';
  code?: string;
  /** Call Filter without PreFilter (whose node-name result would skip it). */
  direct?: boolean;
}

const CP_TAINT = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };
const zone = (z: string) => ({ 'topology.kubernetes.io/zone': z });
const web = { app: 'web' };
const antiWeb = (key = 'kubernetes.io/hostname') => ({
  podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: key, labelSelector: { matchLabels: web } }] },
});

const rows: Row[] = [
  // NodeUnschedulable
  { name: 'cordoned node', plugin: nodeUnschedulable, snap: () => snapshot([node('n', { unschedulable: true })]), pod: pod('p'), node: 'n', want: ['node(s) were unschedulable'], code: 'UnschedulableAndUnresolvable' },
  {
    name: 'cordoned node, tolerated',
    plugin: nodeUnschedulable,
    snap: () => snapshot([node('n', { unschedulable: true })]),
    pod: pod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] }),
    node: 'n',
    want: [],
  },
  { name: 'schedulable node', plugin: nodeUnschedulable, snap: () => snapshot([node('n')]), pod: pod('p'), node: 'n', want: [] },
  // NodeName
  { name: 'other node name', plugin: nodeName, snap: () => snapshot([node('a'), node('b')]), pod: pod('p', { nodeName: 'b' }), node: 'a', want: ["node(s) didn't match the requested node name"], direct: true },
  { name: 'same node name', plugin: nodeName, snap: () => snapshot([node('a')]), pod: pod('p', { nodeName: 'a' }), node: 'a', want: [], direct: true },
  // NodePorts
  {
    name: 'host port taken',
    plugin: nodePorts,
    snap: () => snapshot([node('n')], [pod('x', { nodeName: 'n', containers: [container(undefined, { ports: [{ containerPort: 1, hostPort: 8080 }] })] })]),
    pod: pod('p', { containers: [container(undefined, { ports: [{ containerPort: 2, hostPort: 8080, hostIP: '10.0.0.1' }] })] }),
    node: 'n',
    want: ["node(s) didn't have free ports for the requested pod ports"],
  },
  {
    name: 'same port, other protocol',
    plugin: nodePorts,
    snap: () => snapshot([node('n')], [pod('x', { nodeName: 'n', containers: [container(undefined, { ports: [{ containerPort: 1, hostPort: 53 }] })] })]),
    pod: pod('p', { containers: [container(undefined, { ports: [{ containerPort: 2, hostPort: 53, protocol: 'UDP' }] })] }),
    node: 'n',
    want: [],
  },
  { name: 'no host ports', plugin: nodePorts, snap: () => snapshot([node('n')]), pod: pod('p'), node: 'n', want: 'skip' },
  // NodeResourcesFit
  {
    name: 'insufficient cpu and memory',
    plugin: nodeResourcesFit,
    snap: () => snapshot([node('n', { cpu: '2', memory: '2Gi' })], [pod('x', { nodeName: 'n', requests: { cpu: '1500m', memory: '1Gi' } })]),
    pod: pod('p', { requests: { cpu: '1', memory: '2Gi' } }),
    node: 'n',
    want: ['Insufficient cpu', 'Insufficient memory'],
    code: 'Unschedulable',
  },
  {
    name: 'too many pods, even without requests',
    plugin: nodeResourcesFit,
    snap: () => snapshot([node('n', { pods: '1' })], [pod('x', { nodeName: 'n' })]),
    pod: pod('p'),
    node: 'n',
    want: ['Too many pods'],
  },
  {
    name: 'extended resource missing on the node',
    plugin: nodeResourcesFit,
    snap: () => snapshot([node('n')]),
    pod: pod('p', { requests: { 'nvidia.com/gpu': '1' } }),
    node: 'n',
    want: ['Insufficient nvidia.com/gpu'],
  },
  {
    name: 'init container counts',
    plugin: nodeResourcesFit,
    snap: () => snapshot([node('n', { cpu: '1' })]),
    pod: pod('p', { requests: { cpu: '100m' }, initContainers: [container({ cpu: '2' })] }),
    node: 'n',
    want: ['Insufficient cpu'],
  },
  { name: 'fits exactly', plugin: nodeResourcesFit, snap: () => snapshot([node('n', { cpu: '1' })]), pod: pod('p', { requests: { cpu: '1' } }), node: 'n', want: [] },
  // NodeAffinity
  { name: 'nodeSelector mismatch', plugin: nodeAffinity, snap: () => snapshot([node('n', { labels: { disk: 'hdd' } })]), pod: pod('p', { nodeSelector: { disk: 'ssd' } }), node: 'n', want: ["node(s) didn't match Pod's node affinity/selector"] },
  { name: 'nodeSelector match', plugin: nodeAffinity, snap: () => snapshot([node('n', { labels: { disk: 'ssd' } })]), pod: pod('p', { nodeSelector: { disk: 'ssd' } }), node: 'n', want: [] },
  {
    name: 'required affinity: terms are ORed',
    plugin: nodeAffinity,
    snap: () => snapshot([node('n', { labels: zone('b') })]),
    pod: pod('p', {
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
        { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['a'] }] },
        { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['b'] }] },
      ] } } },
    }),
    node: 'n',
    want: [],
  },
  {
    name: 'required affinity: Gt and matchFields',
    plugin: nodeAffinity,
    snap: () => snapshot([node('n', { labels: { gen: '3' } })]),
    pod: pod('p', {
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
        { matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['4'] }] },
        { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['other'] }] },
      ] } } },
    }),
    node: 'n',
    want: ["node(s) didn't match Pod's node affinity/selector"],
  },
  {
    name: 'metadata.name terms that can never agree',
    plugin: nodeAffinity,
    snap: () => snapshot([node('a')]),
    pod: pod('p', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
      { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a'] }, { key: 'metadata.name', operator: 'In', values: ['b'] }] },
    ] } } } }),
    node: 'a',
    want: ['pod affinity terms conflict'],
  },
  { name: 'no node affinity', plugin: nodeAffinity, snap: () => snapshot([node('n')]), pod: pod('p'), node: 'n', want: 'skip' },
  // TaintToleration
  { name: 'untolerated NoSchedule taint', plugin: taintToleration, snap: () => snapshot([node('n', { taints: [CP_TAINT] })]), pod: pod('p'), node: 'n', want: ['node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }'] },
  {
    name: 'untolerated NoExecute taint with a value',
    plugin: taintToleration,
    snap: () => snapshot([node('n', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }] })]),
    pod: pod('p', { tolerations: [{ key: 'dedicated', value: 'cpu', effect: 'NoExecute' }] }),
    node: 'n',
    want: ['node(s) had untolerated taint {dedicated: gpu}'],
  },
  { name: 'PreferNoSchedule does not filter', plugin: taintToleration, snap: () => snapshot([node('n', { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] })]), pod: pod('p'), node: 'n', want: [] },
  { name: 'tolerated with Exists', plugin: taintToleration, snap: () => snapshot([node('n', { taints: [CP_TAINT] })]), pod: pod('p', { tolerations: [{ operator: 'Exists' }] }), node: 'n', want: [] },
];

// PodTopologySpread: zone a has 2 web pods, zone b has 0; maxSkew 1.
const spreadSnap = () =>
  snapshot(
    [node('a1', { labels: zone('a') }), node('b1', { labels: zone('b') }), node('nolabel')],
    [pod('w1', { nodeName: 'a1', labels: web }), pod('w2', { nodeName: 'a1', labels: web })],
  );
const spreadPod = (when = 'DoNotSchedule') =>
  pod('p', { labels: web, topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: when, labelSelector: { matchLabels: web } }] });
rows.push(
  { name: 'spread: skew exceeded', plugin: podTopologySpread, snap: spreadSnap, pod: spreadPod(), node: 'a1', want: ["node(s) didn't match pod topology spread constraints"], code: 'Unschedulable' },
  { name: 'spread: emptier domain fits', plugin: podTopologySpread, snap: spreadSnap, pod: spreadPod(), node: 'b1', want: [] },
  { name: 'spread: missing label', plugin: podTopologySpread, snap: spreadSnap, pod: spreadPod(), node: 'nolabel', want: ["node(s) didn't match pod topology spread constraints (missing required label)"], code: 'UnschedulableAndUnresolvable' },
  { name: 'spread: only ScheduleAnyway', plugin: podTopologySpread, snap: spreadSnap, pod: spreadPod('ScheduleAnyway'), node: 'a1', want: 'skip' },
);

// PodTopologySpread options: minDomains, nodeAffinityPolicy, matchLabelKeys.
const zoneKey = 'topology.kubernetes.io/zone';
const spread = (extra: Record<string, unknown>, spec: Record<string, unknown> = {}, labels: Record<string, string> = web) =>
  pod('p', { labels, ...spec, topologySpreadConstraints: [{ maxSkew: 1, topologyKey: zoneKey, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: web }, ...extra }] });
const twoZones = () => snapshot([node('a1', { labels: zone('a') }), node('b1', { labels: zone('b') })], [pod('w1', { nodeName: 'a1', labels: web }), pod('w2', { nodeName: 'b1', labels: web })]);
const threeZones = () =>
  snapshot(
    [node('a1', { labels: { ...zone('a'), disk: 'ssd' } }), node('b1', { labels: { ...zone('b'), disk: 'ssd' } }), node('c1', { labels: { ...zone('c'), disk: 'hdd' } })],
    [pod('w1', { nodeName: 'a1', labels: web }), pod('w2', { nodeName: 'a1', labels: web }), pod('w3', { nodeName: 'b1', labels: web })],
  );
const revisions = () => snapshot([node('a1', { labels: zone('a') }), node('b1', { labels: zone('b') })], [
  pod('r1', { nodeName: 'a1', labels: { ...web, rev: '1' } }),
  pod('r2', { nodeName: 'a1', labels: { ...web, rev: '1' } }),
]);
rows.push(
  { name: 'spread: balanced zones fit', plugin: podTopologySpread, snap: twoZones, pod: spread({}), node: 'a1', want: [] },
  { name: 'spread: minDomains above the domain count makes the minimum 0', plugin: podTopologySpread, snap: twoZones, pod: spread({ minDomains: 3 }), node: 'a1', want: ["node(s) didn't match pod topology spread constraints"] },
  { name: 'spread: nodeAffinityPolicy Honor leaves out domains the pod cannot use', plugin: podTopologySpread, snap: threeZones, pod: spread({}, { nodeSelector: { disk: 'ssd' } }), node: 'b1', want: [] },
  { name: 'spread: nodeAffinityPolicy Ignore counts them', plugin: podTopologySpread, snap: threeZones, pod: spread({ nodeAffinityPolicy: 'Ignore' }, { nodeSelector: { disk: 'ssd' } }), node: 'b1', want: ["node(s) didn't match pod topology spread constraints"] },
  { name: 'spread: matchLabelKeys counts only the same revision', plugin: podTopologySpread, snap: revisions, pod: spread({ matchLabelKeys: ['rev'] }, {}, { ...web, rev: '2' }), node: 'a1', want: [] },
  { name: 'spread: without matchLabelKeys every revision counts', plugin: podTopologySpread, snap: revisions, pod: spread({}, {}, { ...web, rev: '2' }), node: 'a1', want: ["node(s) didn't match pod topology spread constraints"] },
);

// InterPodAffinity
const ipaSnap = () =>
  snapshot(
    [node('a1', { labels: zone('a') }), node('a2', { labels: zone('a') }), node('b1', { labels: zone('b') })],
    [pod('w', { nodeName: 'a1', labels: web }), pod('guard', { nodeName: 'b1', labels: { app: 'db' }, affinity: antiWeb('topology.kubernetes.io/zone') })],
  );
const affinityToWeb = pod('p', { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: web } }] } } });
rows.push(
  { name: 'affinity: same zone as web fits', plugin: interPodAffinity, snap: ipaSnap, pod: affinityToWeb, node: 'a2', want: [] },
  { name: 'affinity: other zone', plugin: interPodAffinity, snap: ipaSnap, pod: affinityToWeb, node: 'b1', want: ["node(s) didn't match pod affinity rules"], code: 'UnschedulableAndUnresolvable' },
  { name: 'anti-affinity: web already on the host', plugin: interPodAffinity, snap: ipaSnap, pod: pod('p', { affinity: antiWeb() }), node: 'a1', want: ["node(s) didn't match pod anti-affinity rules"], code: 'Unschedulable' },
  { name: 'anti-affinity: other host fits', plugin: interPodAffinity, snap: ipaSnap, pod: pod('p', { affinity: antiWeb() }), node: 'a2', want: [] },
  { name: "existing pod's anti-affinity repels a web pod from zone b", plugin: interPodAffinity, snap: ipaSnap, pod: pod('p', { labels: web }), node: 'b1', want: ["node(s) didn't satisfy existing pods anti-affinity rules"] },
  {
    name: 'first pod of a self-affine group may land anywhere',
    plugin: interPodAffinity,
    snap: () => snapshot([node('a1', { labels: zone('a') })]),
    pod: pod('p', { labels: { app: 'new' }, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: { app: 'new' } } }] } } }),
    node: 'a1',
    want: [],
  },
  {
    name: 'anti-affinity looks only in the namespaces it names',
    plugin: interPodAffinity,
    snap: ipaSnap,
    pod: pod('p', { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', namespaces: ['other'], labelSelector: { matchLabels: web } }] } } }),
    node: 'a1',
    want: [],
  },
  {
    name: 'an empty namespaceSelector means every namespace',
    plugin: interPodAffinity,
    snap: ipaSnap,
    pod: pod('p', { ns: 'other', affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', namespaceSelector: {}, labelSelector: { matchLabels: web } }] } } }),
    node: 'a1',
    want: ["node(s) didn't match pod anti-affinity rules"],
  },
  { name: 'no affinity anywhere', plugin: interPodAffinity, snap: () => snapshot([node('n')]), pod: pod('p'), node: 'n', want: 'skip' },
);

for (const row of rows) {
  test(`${row.plugin.name}: ${row.name}`, () => {
    const got = runFilter(row.plugin, row.pod, row.snap(), row.node, row.direct);
    if (row.want === 'skip') return assert.is(got, 'skip');
    if (got === 'skip') return assert.unreachable('plugin skipped');
    assert.equal(got?.reasons ?? [], row.want);
    if (got) assert.is(got.plugin, row.plugin.name);
    if (row.code) assert.is(got?.code, row.code);
  });
}

test.run();
