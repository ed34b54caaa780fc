/**
 * The cluster view's model: rows as kubectl would word them — node status, pod status,
 * a Deployment's rollout in `kubectl rollout status`'s words, a Service's endpoints from its
 * EndpointSlices — kept current through adds, updates and deletes, newest Events first.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ClusterModel } from '../../../actors/ui/cluster-model.ts';

const deployment = (replicas: number, status: Record<string, unknown>, generation = 1) => ({
  kind: 'Deployment', metadata: { namespace: 'default', name: 'web', generation }, spec: { replicas }, status: { observedGeneration: 1, ...status },
});

test("a Deployment's rollout, as kubectl rollout status words it", () => {
  const m = new ClusterModel();
  const row = () => m.window('workloads', { offset: 0, limit: 10 }).rows[0]!;
  m.apply('Deployment', 'add', deployment(3, { replicas: 1, updatedReplicas: 1, availableReplicas: 1 }));
  assert.equal([row().rollout, row().message], ['progressing', 'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...']);
  m.apply('Deployment', 'update', deployment(3, { replicas: 4, updatedReplicas: 3, availableReplicas: 3 }));
  assert.is(row().message, 'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...');
  m.apply('Deployment', 'update', deployment(3, { replicas: 3, updatedReplicas: 3, availableReplicas: 2 }));
  assert.is(row().message, 'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...');
  m.apply('Deployment', 'update', deployment(3, { replicas: 3, updatedReplicas: 3, availableReplicas: 3, readyReplicas: 3 }));
  assert.equal([row().rollout, row().message, row().ready], ['complete', 'deployment "web" successfully rolled out', 3]);
  m.apply('Deployment', 'update', deployment(3, { replicas: 3, updatedReplicas: 3, availableReplicas: 3 }, 2));
  assert.is(row().message, 'Waiting for deployment spec update to be observed...');
  m.apply('Deployment', 'update', deployment(3, { conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] }));
  assert.equal([row().rollout, row().message], ['failed', 'deployment "web" exceeded its progress deadline']);
  // Its ReplicaSets are shown under it, not as workloads of their own.
  m.apply('ReplicaSet', 'add', { kind: 'ReplicaSet', metadata: { namespace: 'default', name: 'web-1', ownerReferences: [{ kind: 'Deployment', name: 'web', uid: 'u' }] }, spec: { replicas: 3 }, status: {} });
  assert.is(m.summary().workloads, 1);
  m.apply('Deployment', 'delete', deployment(3, {}));
  assert.is(m.summary().workloads, 0);
});

test('counts kept step by step equal a recount after any sequence of pod changes', () => {
  const m = new ClusterModel();
  const nodes = ['n1', 'n2', 'n3'];
  for (const n of nodes) m.apply('Node', 'add', { metadata: { name: n }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
  const phases = ['Pending', 'Running', 'Succeeded', 'Failed'];
  const live = new Map<string, { node?: string; phase: string; deleting: boolean }>();
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  for (let step = 0; step < 2000; step++) {
    const name = `p${rnd(40)}`;
    if (live.has(name) && rnd(6) === 0) {
      m.apply('Pod', 'delete', { metadata: { namespace: 'default', name } });
      live.delete(name);
      continue;
    }
    const prev = live.get(name);
    // A bound pod stays on its node (as the API allows); an unbound one may be bound now.
    const p = { node: prev?.node ?? (rnd(3) ? nodes[rnd(3)] : undefined), phase: phases[rnd(4)]!, deleting: rnd(8) === 0 };
    live.set(name, p);
    m.apply('Pod', prev ? 'update' : 'add', {
      metadata: { namespace: 'default', name, ...(p.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
      spec: { ...(p.node ? { nodeName: p.node } : {}), containers: [{ name: 'c' }] },
      status: { phase: p.phase },
    });
  }
  const phaseOf = (p: { phase: string; deleting: boolean }) => (p.deleting ? 'Terminating' : p.phase);
  const recount = (ps: { phase: string; deleting: boolean }[]) => ps.reduce<Record<string, number>>((c, p) => ((c[phaseOf(p)] = (c[phaseOf(p)] ?? 0) + 1), c), {});
  assert.equal(m.summary().pods.byPhase, recount([...live.values()]));
  for (const row of m.window('nodes', { offset: 0, limit: 10 }).rows) {
    const here = [...live].filter(([, p]) => p.node === row.name);
    assert.equal(row.byPhase, recount(here.map(([, p]) => p)), row.name);
    assert.is(row.pods, here.length);
    assert.equal(row.podNames, here.map(([n]) => `default/${n}`).sort().slice(0, 12));
  }
});

test('nodes and their pods: status as kubectl prints it, pods moving between nodes and going', () => {
  const m = new ClusterModel();
  m.apply('Node', 'add', { metadata: { name: 'n1' }, spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
  const pod = (name: string, node: string | undefined, extra: Record<string, unknown> = {}) => ({
    metadata: { namespace: 'default', name, ...extra }, spec: { ...(node ? { nodeName: node } : {}), containers: [{ name: 'c' }] },
    status: { phase: 'Pending', containerStatuses: [{ name: 'c', ready: false, restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } } }] },
  });
  m.apply('Pod', 'add', pod('a', undefined));
  assert.is(m.summary().pods.unscheduled, 1);
  m.apply('Pod', 'update', pod('a', 'n1'));
  const n = m.window('nodes', { offset: 0, limit: 5 }).rows[0]!;
  assert.equal([n.status, n.ready, n.pods, n.podNames], ['Ready,SchedulingDisabled', true, 1, ['default/a']]);
  const p = m.pods('n1', { offset: 0, limit: 5 }).rows[0]!;
  assert.equal([p.status, p.ready, p.restarts], ['CrashLoopBackOff', '0/1', 2]);
  assert.is(m.summary().pods.unscheduled, 0);
  m.apply('Pod', 'update', pod('a', 'n1', { deletionTimestamp: '2026-01-01T00:00:00Z' }));
  assert.equal(m.summary().pods.byPhase, { Terminating: 1 });
  m.apply('Pod', 'delete', pod('a', 'n1'));
  assert.is(m.window('nodes', { offset: 0, limit: 5 }).rows[0]!.pods, 0);
});

test("a Service's endpoints from its EndpointSlices, ready ones first", () => {
  const m = new ClusterModel();
  m.apply('Service', 'add', { metadata: { namespace: 'default', name: 'web' }, spec: { type: 'ClusterIP', clusterIP: '10.96.0.5', ports: [{ port: 80, protocol: 'TCP' }] } });
  const slice = (name: string, eps: [string, boolean][]) => ({
    metadata: { namespace: 'default', name, labels: { 'kubernetes.io/service-name': 'web' } }, ports: [{ port: 8080 }],
    endpoints: eps.map(([ip, ready]) => ({ addresses: [ip], conditions: { ready } })),
  });
  m.apply('EndpointSlice', 'add', slice('web-a', [['10.244.0.2', false], ['10.244.0.3', true]]));
  m.apply('EndpointSlice', 'add', slice('web-b', [['10.244.1.2', true]]));
  const s = m.window('services', { offset: 0, limit: 5 }).rows[0]!;
  assert.equal([s.clusterIP, s.ports, s.readyEndpoints, s.notReadyEndpoints, s.endpoints], ['10.96.0.5', '80/TCP', 2, 1, ['10.244.0.3:8080', '10.244.1.2:8080', '10.244.0.2:8080']]);
  m.apply('EndpointSlice', 'delete', slice('web-a', []));
  assert.equal(m.window('services', { offset: 0, limit: 5 }).rows[0]!.endpoints, ['10.244.1.2:8080']);
});

test('events newest first; changes told once per turn', async () => {
  const m = new ClusterModel();
  const told: number[] = [];
  m.onChange((rev) => told.push(rev));
  for (let i = 0; i < 3; i++) {
    m.apply('Event', 'add', { metadata: { namespace: 'default', name: `e${i}` }, type: 'Normal', reason: `R${i}`, involvedObject: { kind: 'Pod', name: 'p' }, message: 'm', lastTimestamp: `2026-01-01T00:00:0${i}Z` });
  }
  await Promise.resolve();
  assert.equal(told, [3]);
  assert.equal(m.window('events', { offset: 0, limit: 5 }).rows.map((e) => e.reason), ['R2', 'R1', 'R0']);
});

test.run();
