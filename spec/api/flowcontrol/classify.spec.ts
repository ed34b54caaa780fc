/**
 * Classification against upstream's default FlowSchemas: who gets which priority level and
 * which flow, as kube-apiserver classifies the same requests.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_FLOW_SCHEMAS, DEFAULT_PRIORITY_LEVELS } from '../../../api/flowcontrol/bootstrap.ts';
import { classify, matchingOrder, type RequestDigest } from '../../../api/flowcontrol/classify.ts';

const ordered = matchingOrder(DEFAULT_FLOW_SCHEMAS);
const levels = new Set(DEFAULT_PRIORITY_LEVELS.map((p) => p.metadata!.name!));
const AUTH = 'system:authenticated';
const node = { username: 'system:node:n1', groups: ['system:nodes', AUTH] };
const sa = (ns: string, name: string) => ({ username: `system:serviceaccount:${ns}:${name}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, AUTH] });

const CASES: [string, RequestDigest, string, string, string][] = [
  ['an admin (system:masters)', { user: { username: 'admin', groups: ['system:masters', AUTH] }, verb: 'delete', group: '', resource: 'pods', namespace: 'default' }, 'exempt', 'exempt', ''],
  ['a kubelet renewing its Lease', { user: node, verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease' }, 'system-node-high', 'node-high', 'system:node:n1'],
  ['a kubelet writing its Node status', { user: node, verb: 'patch', group: '', resource: 'nodes', subresource: 'status' }, 'system-node-high', 'node-high', 'system:node:n1'],
  ['a kubelet writing a pod status', { user: node, verb: 'patch', group: '', resource: 'pods', subresource: 'status', namespace: 'default' }, 'system-nodes', 'system', 'system:node:n1'],
  ['the scheduler binding a pod', { user: { username: 'system:kube-scheduler', groups: [AUTH] }, verb: 'create', group: '', resource: 'pods', subresource: 'binding', namespace: 'team-a' }, 'kube-scheduler', 'workload-high', 'team-a'],
  ['the scheduler renewing its leader lock', { user: { username: 'system:kube-scheduler', groups: [AUTH] }, verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-system' }, 'system-leader-election', 'leader-election', 'system:kube-scheduler'],
  ['the endpoint controller updating Endpoints', { user: sa('kube-system', 'endpoint-controller'), verb: 'update', group: '', resource: 'endpoints', namespace: 'default' }, 'endpoint-controller', 'workload-high', 'system:serviceaccount:kube-system:endpoint-controller'],
  ['a kube-system controller updating a ConfigMap', { user: sa('kube-system', 'replicaset-controller'), verb: 'update', group: '', resource: 'configmaps', namespace: 'default' }, 'workload-leader-election', 'leader-election', 'system:serviceaccount:kube-system:replicaset-controller'],
  ['a kube-system controller creating a pod', { user: sa('kube-system', 'replicaset-controller'), verb: 'create', group: '', resource: 'pods', namespace: 'web' }, 'kube-system-service-accounts', 'workload-high', 'web'],
  ['a pod\'s ServiceAccount listing pods', { user: sa('web', 'default'), verb: 'list', group: '', resource: 'pods', namespace: 'web' }, 'service-accounts', 'workload-low', 'system:serviceaccount:web:default'],
  ['a user', { user: { username: 'alice', groups: [AUTH] }, verb: 'get', group: 'apps', resource: 'deployments', namespace: 'default' }, 'global-default', 'global-default', 'alice'],
  ['a cluster-scoped list by a user', { user: { username: 'alice', groups: [AUTH] }, verb: 'list', group: '', resource: 'nodes' }, 'global-default', 'global-default', 'alice'],
  ['an anonymous /healthz probe', { user: { username: 'system:anonymous', groups: ['system:unauthenticated'] }, verb: 'get', path: '/healthz' }, 'probes', 'exempt', ''],
  ['an anonymous /metrics read', { user: { username: 'system:anonymous', groups: ['system:unauthenticated'] }, verb: 'get', path: '/metrics' }, 'global-default', 'global-default', 'system:anonymous'],
];

for (const [what, digest, schema, level, flow] of CASES) {
  test(`${what}: ${schema} → ${level}`, () => {
    const c = classify(ordered, levels, digest);
    assert.ok(c, 'classified');
    assert.is(c!.schema.metadata!.name, schema);
    assert.is(c!.level, level);
    assert.is(c!.distinguisher, flow);
  });
}

test('a schema whose level is missing (dangling) is skipped; catch-all takes the rest', () => {
  const without = new Set([...levels].filter((l) => l !== 'global-default'));
  const c = classify(ordered, without, { user: { username: 'alice', groups: [AUTH] }, verb: 'get', group: '', resource: 'pods', namespace: 'default' });
  assert.is(c!.schema.metadata!.name, 'catch-all');
  assert.is(c!.level, 'catch-all');
});

test('matching order is by precedence, then by name', () => {
  assert.equal(ordered.slice(0, 3).map((f) => f.metadata!.name), ['exempt', 'probes', 'system-leader-election']);
  const i = ordered.findIndex((f) => f.metadata!.name === 'kube-controller-manager');
  assert.is(ordered[i + 1]!.metadata!.name, 'kube-scheduler');
  assert.is(ordered.at(-1)!.metadata!.name, 'catch-all');
});

test.run();
