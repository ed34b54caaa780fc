import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { matchesLabels, type Requirement } from '../../../api/selectors/labels.ts';
import { compileMatcher } from '../../../machines/scheduler/plugins/helpers/matcher.ts';
import { podRequests } from '../../../machines/scheduler/resources.ts';
import { container, node, pod, snapshot } from './fixtures/build.ts';

const GI = 1024 ** 3;
const MI = 1024 ** 2;

const table: Array<{ name: string; spec: Parameters<typeof pod>[1]; cpu: number; memory: number }> = [
  { name: 'sum of containers', spec: { containers: [container({ cpu: '100m', memory: '1Gi' }), container({ cpu: '250m' })] }, cpu: 350, memory: GI },
  {
    name: 'init container larger than the sum wins per resource',
    spec: { containers: [container({ cpu: '100m', memory: '1Gi' })], initContainers: [container({ cpu: '2', memory: '100Mi' })] },
    cpu: 2000,
    memory: GI,
  },
  {
    name: 'max of init containers, not their sum',
    spec: { containers: [container({ cpu: '100m' })], initContainers: [container({ cpu: '1' }), container({ cpu: '1500m' })] },
    cpu: 1500,
    memory: 0,
  },
  {
    name: 'overhead is added after the init rule',
    spec: { containers: [container({ cpu: '100m' })], initContainers: [container({ cpu: '1' })], overhead: { cpu: '250m', memory: '120Mi' } },
    cpu: 1250,
    memory: 120 * MI,
  },
  {
    name: 'sidecars (restartPolicy Always) add to the sum and to later init containers',
    spec: {
      containers: [container({ cpu: '100m' })],
      initContainers: [container({ cpu: '200m' }, { restartPolicy: 'Always' }), container({ cpu: '1' })],
    },
    cpu: 1200,
    memory: 0,
  },
];

for (const row of table) {
  test(`podRequests: ${row.name}`, () => {
    const r = podRequests(pod('p', row.spec));
    assert.is(r.milliCPU, row.cpu);
    assert.is(r.memory, row.memory);
  });
}

test('podRequests non-zero: missing cpu/memory become 100m / 200Mi per container', () => {
  const r = podRequests(pod('p', { containers: [container(), container({ cpu: '1' })] }), true);
  assert.is(r.milliCPU, 1100);
  assert.is(r.memory, 400 * MI);
});

test('snapshot accounts requests, ports and pod count incrementally', () => {
  const s = snapshot([node('n1'), node('n2')]);
  assert.equal(s.nodes.map((n) => n.name), ['n1', 'n2']);
  const a = pod('a', { nodeName: 'n1', containers: [container({ cpu: '500m', memory: '1Gi' }, { ports: [{ containerPort: 80, hostPort: 8080 }] })] });
  const b = pod('b', { nodeName: 'n1', containers: [container({ cpu: '1', 'example.com/gpu': '2' })] });
  s.upsertPod(a);
  s.upsertPod(b);
  const n1 = s.get('n1');
  assert.ok(n1);
  assert.is(n1.pods.size, 2);
  assert.is(n1.requested.milliCPU, 1500);
  assert.is(n1.requested.memory, GI);
  assert.is(n1.requested.scalars.get('example.com/gpu'), 2);
  assert.is(n1.nonZeroRequested.memory, GI + 200 * MI);
  assert.ok(n1.usedPorts.get('TCP/8080')?.has('0.0.0.0'));
  assert.is(n1.allocatable.milliCPU, 4000);
  assert.is(n1.allocatable.allowedPods, 110);

  s.removePod(a);
  assert.is(n1.requested.milliCPU, 1000);
  assert.is(n1.usedPorts.size, 0);
  assert.is(s.podCount, 1);

  // Re-adding a pod with a new node moves it.
  s.upsertPod({ ...b, spec: { ...b.spec!, nodeName: 'n2' } });
  assert.is(n1.pods.size, 0);
  assert.is(n1.requested.milliCPU, 0);
  assert.is(n1.requested.scalars.size, 0);
  assert.is(s.get('n2')?.requested.milliCPU, 1000);

  // A pod that finished releases what it held.
  s.upsertPod({ ...b, spec: { ...b.spec!, nodeName: 'n2' }, status: { phase: 'Succeeded' } });
  assert.is(s.get('n2')?.requested.milliCPU, 0);
  assert.is(s.podCount, 0);
});

test('a new version of an accounted pod that changes nothing accounted is swapped in; other changes are accounted again', () => {
  const s = snapshot([node('n1')]);
  const a = pod('a', { nodeName: 'n1', labels: { app: 'web' }, requests: { cpu: '500m' } });
  s.upsertPod(a);
  const n1 = s.get('n1')!;
  const generation = n1.generation;
  // The watch's confirmation of the assumed pod: new objects, the same containers.
  const bound = { ...a, metadata: { ...a.metadata, labels: { app: 'web' }, resourceVersion: '7' }, spec: { ...a.spec!, nodeName: 'n1' }, status: { phase: 'Pending' } };
  s.upsertPod(bound);
  assert.is(n1.pods.get(a.metadata!.uid!)?.pod, bound);
  assert.is(n1.generation, generation);
  assert.is(n1.requested.milliCPU, 500);
  assert.is(s.podsByLabel.candidates('default', [{ key: 'app', operator: '=', values: ['web'] }])?.size, 1);
  // A relabel, a deletion mark and a resize (new containers) are each accounted again.
  const relabelled = { ...bound, metadata: { ...bound.metadata, labels: { app: 'db' } } };
  s.upsertPod(relabelled);
  assert.ok(n1.generation > generation);
  assert.is(s.podsByLabel.candidates('default', [{ key: 'app', operator: '=', values: ['web'] }])?.size ?? 0, 0);
  assert.is(s.podsByLabel.candidates('default', [{ key: 'app', operator: '=', values: ['db'] }])?.size, 1);
  const g2 = n1.generation;
  s.upsertPod({ ...relabelled, metadata: { ...relabelled.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } });
  assert.ok(n1.generation > g2);
  s.upsertPod({ ...relabelled, spec: { ...relabelled.spec, containers: [container({ cpu: '1' })] } });
  assert.is(n1.requested.milliCPU, 1000);
  assert.is(n1.pods.size, 1);
  assert.is(s.podCount, 1);
});

test('updating a node keeps its pods; pods may arrive before their node', () => {
  const s = snapshot([]);
  s.upsertPod(pod('early', { nodeName: 'late', requests: { cpu: '1' } }));
  assert.is(s.nodes.length, 0);
  s.upsertNode(node('late', { cpu: '2' }));
  assert.is(s.get('late')?.requested.milliCPU, 1000);
  s.upsertNode(node('late', { cpu: '8' }));
  assert.is(s.nodes.length, 1);
  assert.is(s.get('late')?.allocatable.milliCPU, 8000);
  assert.is(s.get('late')?.pods.size, 1);
  s.removeNode('late');
  assert.is(s.get('late'), undefined);
  assert.is(s.podCount, 1);
});

test('nodes with affinity pods are tracked for InterPodAffinity', () => {
  const s = snapshot([node('n1')]);
  const anti = pod('anti', {
    nodeName: 'n1',
    affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'x' } } }] } },
  });
  s.upsertPod(anti);
  assert.is(s.nodesWithRequiredAntiAffinityPods.size, 1);
  assert.is(s.nodesWithAffinityPods.size, 1);
  s.removePod(anti);
  assert.is(s.nodesWithRequiredAntiAffinityPods.size, 0);
});

test('compiled label matchers agree with matchesLabels', () => {
  const labels: Array<Record<string, string> | undefined> = [undefined, {}, { app: 'web' }, { app: 'web', tier: '' }, { app: 'db', tier: 'x' }];
  const selectors: Requirement[][] = [
    [],
    [{ key: 'app', operator: '=', values: ['web'] }],
    [{ key: 'tier', operator: '=', values: [''] }],
    [{ key: 'app', operator: 'in', values: ['web'] }, { key: 'tier', operator: 'exists', values: [] }],
    [{ key: 'app', operator: 'notin', values: ['web'] }],
  ];
  for (const sel of selectors) for (const l of labels) assert.is(compileMatcher(sel)(l), matchesLabels(sel, l), JSON.stringify([sel, l]));
});

test('the pod label index names the pods with the rarest of a selector\'s equalities, follows moves and removals, and keeps namespaces apart', () => {
  const a = pod('a', { nodeName: 'n1', labels: { app: 'web', tier: 'front' } });
  const b = pod('b', { nodeName: 'n2', labels: { app: 'web', tier: 'back' } });
  const s = snapshot([node('n1'), node('n2')], [a, b, pod('c', { nodeName: 'n2', labels: { app: 'db', tier: 'back' } })]);
  const names = (set: ReadonlySet<{ pod: { metadata?: { name?: string } } }> | null) => (set ? [...set].map((p) => p.pod.metadata?.name).sort() : null);
  const eq = (key: string, value: string): Requirement => ({ key, operator: 'in', values: [value] });
  assert.equal(names(s.podsByLabel.candidates('default', [eq('app', 'web')])), ['a', 'b']);
  assert.equal(names(s.podsByLabel.candidates('default', [eq('app', 'web'), eq('tier', 'front')])), ['a'], 'the rarer requirement');
  assert.equal(names(s.podsByLabel.candidates('default', [eq('app', 'none')])), [], 'a value no pod has');
  assert.equal(names(s.podsByLabel.candidates('other', [eq('app', 'web')])), [], 'another namespace');
  assert.is(s.podsByLabel.candidates('default', [{ key: 'app', operator: 'in', values: ['web', 'db'] }]), null, 'no single equality: the caller visits the nodes');
  s.removePod(a);
  assert.equal(names(s.podsByLabel.candidates('default', [eq('app', 'web')])), ['b']);
  s.upsertPod({ ...b, metadata: { ...b.metadata, labels: { app: 'api' } } });
  assert.equal(names(s.podsByLabel.candidates('default', [eq('app', 'web')])), [], 'relabelled on update');
  assert.equal(names(s.podsByLabel.candidates('default', [eq('app', 'api')])), ['b']);
});

test.run();
