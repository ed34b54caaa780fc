import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Plugin } from '../../../machines/scheduler/framework.ts';
import type { Snapshot } from '../../../machines/scheduler/snapshot.ts';
import { imageLocality } from '../../../machines/scheduler/plugins/image-locality.ts';
import { interPodAffinity } from '../../../machines/scheduler/plugins/inter-pod-affinity/index.ts';
import { nodeAffinity } from '../../../machines/scheduler/plugins/node-affinity.ts';
import { nodeResourcesBalancedAllocation } from '../../../machines/scheduler/plugins/node-resources-balanced-allocation.ts';
import { nodeResourcesFit } from '../../../machines/scheduler/plugins/node-resources-fit.ts';
import { podTopologySpread } from '../../../machines/scheduler/plugins/pod-topology-spread/index.ts';
import { taintToleration } from '../../../machines/scheduler/plugins/taint-toleration.ts';
import { defaultPlugins } from '../../../machines/scheduler/plugins/registry.ts';
import { node, pod, runScore, snapshot } from './fixtures/build.ts';

interface Row {
  name: string;
  plugin: Plugin;
  snap: () => Snapshot;
  pod: Pod;
  want: Record<string, number> | 'skip';
}

const zone = (z: string) => ({ 'topology.kubernetes.io/zone': z });
const web = { app: 'web' };
const resourcesSnap = () => snapshot([node('n1'), node('n2')], [pod('x', { nodeName: 'n2', requests: { cpu: '2', memory: '2Gi' } })]);
const spreadSnap = () =>
  snapshot(
    [node('a1', { labels: zone('a') }), node('b1', { labels: zone('b') }), node('nolabel')],
    [pod('w1', { nodeName: 'a1', labels: web }), pod('w2', { nodeName: 'a1', labels: web })],
  );

/** Three pods of app=web (two on n1, one on n2), no zones; a Service `web` and a ReplicaSet `web-rs` select them. */
const defaultSpreadSnap = (service: boolean) => () => {
  const s = snapshot([node('n1'), node('n2'), node('n3')], [pod('w1', { nodeName: 'n1', labels: web }), pod('w2', { nodeName: 'n1', labels: web }), pod('w3', { nodeName: 'n2', labels: web })]);
  if (service) s.spread.services.set('default/web', { metadata: { name: 'web', namespace: 'default' }, spec: { selector: web } });
  s.spread.replicaSets.set('default/web-rs', { metadata: { name: 'web-rs', namespace: 'default' }, spec: { selector: { matchLabels: web } } });
  return s;
};
const ownedBy = (kind: string, name: string): Pod => {
  const p = pod('p', { labels: web });
  return { ...p, metadata: { ...p.metadata, ownerReferences: [{ apiVersion: 'apps/v1', kind, name, uid: 'u', controller: true }] } };
};

const rows: Row[] = [
  // (4000-1000)*100/4000 = 75 and (8-1)*100/8 = 87 → 81; (4000-3000)*100/4000 = 25 and (8-3)*100/8 = 62 → 43
  { name: 'LeastAllocated prefers the emptier node', plugin: nodeResourcesFit, snap: resourcesSnap, pod: pod('p', { requests: { cpu: '1', memory: '1Gi' } }), want: { n1: 81, n2: 43 } },
  // fractions (0.25, 0.125) → std 0.0625 → 93; (0.75, 0.375) → std 0.1875 → 81
  { name: 'BalancedAllocation prefers even use', plugin: nodeResourcesBalancedAllocation, snap: resourcesSnap, pod: pod('p', { requests: { cpu: '1', memory: '1Gi' } }), want: { n1: 93, n2: 81 } },
  { name: 'BalancedAllocation skips a best-effort pod', plugin: nodeResourcesBalancedAllocation, snap: resourcesSnap, pod: pod('p'), want: 'skip' },
  {
    name: 'TaintToleration: fewer untolerated PreferNoSchedule taints win',
    plugin: taintToleration,
    snap: () => snapshot([
      node('n1'),
      node('n2', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }] }),
      node('n3', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }, { key: 'b', effect: 'PreferNoSchedule' }, { key: 'c', effect: 'PreferNoSchedule' }] }),
    ]),
    pod: pod('p', { tolerations: [{ key: 'c', operator: 'Exists' }] }),
    want: { n1: 100, n2: 50, n3: 0 },
  },
  {
    name: 'NodeAffinity: sum of matching preferred weights, scaled to the best',
    plugin: nodeAffinity,
    snap: () => snapshot([node('n1', { labels: { disk: 'ssd', ...zone('a') } }), node('n2', { labels: { disk: 'ssd' } }), node('n3')]),
    pod: pod('p', { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [
      { weight: 10, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
      { weight: 5, preference: { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'Exists' }] } },
    ] } } }),
    want: { n1: 100, n2: 66, n3: 0 },
  },
  {
    name: 'PodTopologySpread ScheduleAnyway: the emptier zone wins, unlabeled node gets 0',
    plugin: podTopologySpread,
    snap: spreadSnap,
    pod: pod('p', { labels: web, topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: web } }] }),
    want: { a1: 0, b1: 100, nolabel: 0 },
  },
  {
    // No single equality in the selector: counted node by node instead of from the pod label index.
    name: 'PodTopologySpread ScheduleAnyway with a set-based selector: the emptier zone wins',
    plugin: podTopologySpread,
    snap: spreadSnap,
    pod: pod('p', { labels: web, topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'db'] }] } }] }),
    want: { a1: 0, b1: 100, nolabel: 0 },
  },
  {
    // System defaults: by hostname (maxSkew 3, weight ln(3+2)) and by zone (no node has one: no score).
    // Raw: n1 2×1.61+2 = 5, n2 1.61+2 = 4, n3 2; normalized 100×(5+2−s)/5.
    name: 'system default constraints: a pod a Service selects, without constraints of its own, spreads by node',
    plugin: podTopologySpread,
    snap: defaultSpreadSnap(true),
    pod: pod('p', { labels: web }),
    want: { n1: 40, n2: 60, n3: 100 },
  },
  {
    name: 'system default constraints: the selector of the ReplicaSet that controls the pod',
    plugin: podTopologySpread,
    snap: defaultSpreadSnap(false),
    pod: ownedBy('ReplicaSet', 'web-rs'),
    want: { n1: 40, n2: 60, n3: 100 },
  },
  {
    // Both defaults at once, counted from the same selector's pods: w1, w2 on a1 and w3 on a2 (zone a: 3, zone b: 0).
    // Raw: host count × ln(3+2) + 2 plus zone count × ln(2+2) + 4 — a1 5.22+8.16 = 13, a2 3.61+8.16 = 12, b1 2+4 = 6;
    // normalized 100×(13+6−s)/13. Without the zone's counts b1 would still win, but a1 and a2 would score 66 and 77.
    name: 'system default constraints: spread by node and by zone, the emptier zone first',
    plugin: podTopologySpread,
    snap: () => {
      const s = snapshot(
        [node('a1', { labels: zone('a') }), node('a2', { labels: zone('a') }), node('b1', { labels: zone('b') })],
        [pod('w1', { nodeName: 'a1', labels: web }), pod('w2', { nodeName: 'a1', labels: web }), pod('w3', { nodeName: 'a2', labels: web })],
      );
      s.spread.replicaSets.set('default/web-rs', { metadata: { name: 'web-rs', namespace: 'default' }, spec: { selector: { matchLabels: web } } });
      return s;
    },
    pod: ownedBy('ReplicaSet', 'web-rs'),
    want: { a1: 46, a2: 53, b1: 100 },
  },
  {
    name: 'system default constraints: nothing selects or controls the pod, nothing to spread',
    plugin: podTopologySpread,
    snap: defaultSpreadSnap(false),
    pod: pod('p', { labels: web }),
    want: 'skip',
  },
  {
    name: 'InterPodAffinity: preferred affinity to web pods',
    plugin: interPodAffinity,
    snap: () => snapshot([node('a1', { labels: zone('a') }), node('a2', { labels: zone('a') }), node('b1', { labels: zone('b') })], [pod('w', { nodeName: 'a1', labels: web })]),
    pod: pod('p', { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: { topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: web } } }] } } }),
    want: { a1: 100, a2: 100, b1: 0 },
  },
  {
    name: 'InterPodAffinity: preferred anti-affinity pushes away',
    plugin: interPodAffinity,
    snap: () => snapshot([node('a1', { labels: zone('a') }), node('b1', { labels: zone('b') })], [pod('w', { nodeName: 'a1', labels: web })]),
    pod: pod('p', { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: web } } }] } } }),
    want: { a1: 0, b1: 100 },
  },
  {
    name: "InterPodAffinity: an existing pod's required affinity attracts (hard weight 1)",
    plugin: interPodAffinity,
    snap: () => snapshot([node('a1', { labels: zone('a') }), node('b1', { labels: zone('b') })], [
      pod('fan', { nodeName: 'b1', affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: web } }] } } }),
    ]),
    pod: pod('p', { labels: web }),
    want: { a1: 0, b1: 100 },
  },
  {
    // 500 MiB on 2 of 3 nodes → 333 MiB scaled; (333 - 23) * 100 / (1000 - 23) = 31
    name: 'ImageLocality: nodes with the image, discounted by how few have it',
    plugin: imageLocality,
    snap: () => {
      const images = [{ names: ['docker.io/library/nginx:latest', 'nginx:latest'], sizeBytes: 500 * 1024 * 1024 }];
      const withImage = (name: string) => { const n = node(name); return { ...n, status: { ...n.status, images } }; };
      return snapshot([withImage('n1'), withImage('n2'), node('n3')]);
    },
    pod: pod('p', { containers: [{ name: 'c', image: 'nginx' }] }),
    want: { n1: 31, n2: 31, n3: 0 },
  },
];

for (const row of rows) {
  test(`${row.plugin.name}: ${row.name}`, () => {
    assert.equal(runScore(row.plugin, row.pod, row.snap()), row.want);
  });
}

test('default weights are Kubernetes\' defaults', () => {
  const weights = Object.fromEntries(defaultPlugins.scorers.map((p) => [p.name, p.weight]));
  assert.equal(weights, {
    TaintToleration: 3,
    NodeAffinity: 2,
    NodeResourcesFit: 1,
    PodTopologySpread: 2,
    InterPodAffinity: 2,
    NodeResourcesBalancedAllocation: 1,
    ImageLocality: 1,
  });
});

test.run();
