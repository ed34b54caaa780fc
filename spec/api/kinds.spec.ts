import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { apiVersionOf, indexKinds, kindByGvk, kindByResource, kinds, resolveResource } from '../../api/kinds.ts';

const rows: Array<[string, string, string, boolean, string[], boolean, string[]]> = [
  // apiVersion, kind, resource, namespaced, shortNames, in "all", subresources
  ['v1', 'Namespace', 'namespaces', false, ['ns'], false, ['status', 'finalize']],
  ['v1', 'Pod', 'pods', true, ['po'], true, ['status', 'binding', 'log', 'eviction']],
  ['v1', 'Node', 'nodes', false, ['no'], false, ['status']],
  ['v1', 'Service', 'services', true, ['svc'], true, ['status']],
  ['v1', 'Endpoints', 'endpoints', true, ['ep'], false, []],
  ['v1', 'ConfigMap', 'configmaps', true, ['cm'], false, []],
  ['v1', 'Secret', 'secrets', true, [], false, []],
  ['v1', 'ServiceAccount', 'serviceaccounts', true, ['sa'], false, ['token']],
  ['v1', 'Event', 'events', true, ['ev'], false, []],
  ['apps/v1', 'Deployment', 'deployments', true, ['deploy'], true, ['status', 'scale']],
  ['apps/v1', 'ReplicaSet', 'replicasets', true, ['rs'], true, ['status', 'scale']],
  ['apps/v1', 'DaemonSet', 'daemonsets', true, ['ds'], true, ['status']],
  ['apps/v1', 'StatefulSet', 'statefulsets', true, ['sts'], true, ['status', 'scale']],
  ['batch/v1', 'Job', 'jobs', true, [], true, ['status']],
  ['batch/v1', 'CronJob', 'cronjobs', true, ['cj'], true, ['status']],
  ['coordination.k8s.io/v1', 'Lease', 'leases', true, [], false, []],
  ['discovery.k8s.io/v1', 'EndpointSlice', 'endpointslices', true, [], false, []],
  ['policy/v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, ['pdb'], false, ['status']],
];

test('the table holds exactly the eighteen kinds', () => assert.is(kinds.length, rows.length));

for (const [apiVersion, kind, resource, namespaced, shortNames, all, subresources] of rows) {
  test(`${apiVersion} ${kind}`, () => {
    const k = kindByGvk(apiVersion, kind);
    assert.ok(k);
    if (!k) return;
    assert.is(apiVersionOf(k), apiVersion);
    assert.is(kindByResource(k.group, resource), k);
    assert.is(k.listKind, `${kind}List`);
    assert.is(k.singular, kind.toLowerCase());
    assert.is(k.namespaced, namespaced);
    assert.equal([...k.shortNames], shortNames);
    assert.equal([...k.categories], all ? ['all'] : []);
    assert.equal([...k.subresources], subresources);
    assert.is(k.hasStatus, subresources.includes('status'));
    assert.ok(k.verbs.includes('watch') && k.verbs.includes('patch'));
  });
}

test('lookups miss cleanly and resolve what users type', () => {
  assert.is(kindByResource('', 'deployments'), undefined, 'deployments are not in the core group');
  assert.is(kindByGvk('apps/v1beta1', 'Deployment'), undefined);
  assert.is(resolveResource('deploy')?.kind, 'Deployment');
  assert.is(resolveResource('Pod')?.resource, 'pods');
  assert.is(resolveResource('pdb')?.kind, 'PodDisruptionBudget');
});

test('the registry fails fast on duplicates', () => {
  const [pod] = kinds.filter((k) => k.kind === 'Pod');
  assert.ok(pod);
  if (!pod) return;
  assert.throws(() => indexKinds([pod, pod]), /duplicate kind registration: resource \/pods/);
  assert.throws(() => indexKinds([pod, { ...pod, resource: 'pods2' }]), /duplicate kind registration: kind v1\/Pod/);
  assert.throws(() => indexKinds([pod, { ...pod, resource: 'x', kind: 'X' }]), /duplicate kind registration: short name \/po/);
});

test('defaults hooks never mutate their argument', () => {
  for (const k of kinds) {
    const obj = { metadata: { name: 'x', namespace: 'd', uid: 'u' }, spec: { template: { spec: { containers: [] } }, ports: [] } };
    const before = JSON.stringify(obj);
    k.defaults(obj);
    assert.is(JSON.stringify(obj), before, k.kind);
  }
});

test.run();
