import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { aggregatedDiscovery } from '../../api/discovery/aggregated.ts';
import { apiGroup, apiGroupList, apiResourceList, apiVersions } from '../../api/discovery/legacy.ts';
import { subresourcesOf, type ServedKind } from '../../api/discovery/types.ts';
import { allKinds } from '../../api/kinds.ts';

const kinds = allKinds();

const ALL = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const table: ServedKind[] = [
  { group: '', version: 'v1', kind: 'Pod', resource: 'pods', namespaced: true, shortNames: ['po'], categories: ['all'], verbs: ALL, subresources: ['status', 'binding', 'log'] },
  { group: '', version: 'v1', kind: 'Node', resource: 'nodes', namespaced: false, shortNames: ['no'], verbs: ALL },
  { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespaced: true, shortNames: ['deploy'], categories: ['all'], verbs: ALL, subresources: ['status', 'scale'] },
];

test('aggregated /api holds the core group only, /apis the named groups', () => {
  const core = aggregatedDiscovery(table, true);
  assert.is(core.kind, 'APIGroupDiscoveryList');
  assert.is(core.apiVersion, 'apidiscovery.k8s.io/v2');
  assert.equal(core.items.map((i) => i.metadata.name), ['']);
  const pods = core.items[0]!.versions[0]!.resources[0]!;
  assert.equal(pods, {
    resource: 'pods',
    responseKind: { group: '', version: 'v1', kind: 'Pod' },
    scope: 'Namespaced',
    singularResource: 'pod',
    verbs: ALL,
    shortNames: ['po'],
    categories: ['all'],
    subresources: [
      { subresource: 'status', responseKind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get', 'patch', 'update'] },
      { subresource: 'binding', responseKind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] },
      { subresource: 'log', responseKind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get'] },
    ],
  });
  assert.is(core.items[0]!.versions[0]!.resources[1]!.scope, 'Cluster');
  const named = aggregatedDiscovery(table, false);
  assert.equal(named.items.map((i) => i.metadata.name), ['apps']);
  assert.equal(named.items[0]!.versions[0]!.resources[0]!.subresources![1], { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] });
});

test('legacy documents', () => {
  assert.equal(apiVersions('127.0.0.1:6443').versions, ['v1']);
  assert.equal(apiGroupList(table).groups, [{ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } }]);
  assert.is(apiGroup(table, 'apps')!.kind, 'APIGroup');
  assert.is(apiGroup(table, 'nope'), undefined);
  const v1 = apiResourceList(table, '', 'v1')!;
  assert.is(v1.groupVersion, 'v1');
  assert.equal(v1.resources.map((r) => r.name), ['pods', 'pods/status', 'pods/binding', 'pods/log', 'nodes']);
  const scale = apiResourceList(table, 'apps', 'v1')!.resources.find((r) => r.name === 'deployments/scale')!;
  assert.equal(scale, { name: 'deployments/scale', singularName: '', namespaced: true, kind: 'Scale', verbs: ['get', 'patch', 'update'], group: 'autoscaling', version: 'v1' });
  assert.is(apiResourceList(table, 'apps', 'v2'), undefined);
});

test('the registry is served whole: every kind in discovery with its short names', () => {
  const items = [...aggregatedDiscovery(kinds, true).items, ...aggregatedDiscovery(kinds, false).items];
  const served = items.flatMap((g) => g.versions.flatMap((v) => v.resources.map((r) => `${g.metadata.name}/${r.resource}`)));
  assert.equal(served.sort(), kinds.map((k) => `${k.group}/${k.resource}`).sort());
  for (const k of kinds) assert.ok(subresourcesOf(k).every((s) => s.verbs.length > 0), k.resource);
});

test.run();
