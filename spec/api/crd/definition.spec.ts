/**
 * The CustomResourceDefinition kind's own rules: defaulting, validation with
 * apiextensions-apiserver's messages, the naming decision, and the custom resource kind a
 * CRD becomes (registered in a registry, its printer columns and scale paths).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultCustomResourceDefinition, validateCustomResourceDefinition } from '../../../api/crd/definition-rules.ts';
import { customResourceDefinitionKind } from '../../../api/kinds/apiextensions/customresourcedefinition.ts';
import { customKind, servingVersion } from '../../../api/crd/custom-kind.ts';
import { convertCustomResource } from '../../../api/crd/conversion.ts';
import { decideNames, takenNames } from '../../../api/crd/naming.ts';
import { readJsonPath, writeJsonPath } from '../../../api/crd/jsonpath.ts';
import { preferredVersionOrder } from '../../../api/crd/versions.ts';
import { KindRegistry, kindRegistry } from '../../../api/kinds.ts';
import { BUILTIN_KINDS } from '../../../api/kinds/builtin.ts';
import type { CustomResourceDefinition } from '../../../api/crd/types.ts';
import type { KubeObject } from '../../../api/kinds/info.ts';

const schema = { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'string' }, replicas: { type: 'integer' } } } } };

function crd(over: Partial<CustomResourceDefinition['spec']> = {}, name = 'widgets.example.com'): CustomResourceDefinition {
  return defaultCustomResourceDefinition({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', kind: 'Widget', shortNames: ['wg'] },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema } }],
      ...over,
    },
  });
}

const messages = (c: CustomResourceDefinition, old?: CustomResourceDefinition) => validateCustomResourceDefinition(c, old).map((e) => `${e.field}: ${e.message}`);

test('defaulting fills singular, listKind and conversion None', () => {
  const c = crd();
  assert.equal([c.spec.names.singular, c.spec.names.listKind, c.spec.conversion], ['widget', 'WidgetList', { strategy: 'None' }]);
});

test('a well-formed CRD is valid', () => {
  assert.equal(messages(crd()), []);
});

test('the name must be plural.group, the group a domain with a dot, the scope one of two', () => {
  assert.equal(messages(crd({ group: 'example', scope: 'Everywhere' as never }, 'widgets.example')), [
    'spec.group: Invalid value: "example": should be a domain with at least one dot',
    'spec.scope: Unsupported value: "Everywhere": supported values: "Cluster", "Namespaced"',
  ]);
  assert.equal(messages(crd({}, 'gadgets.example.com')), ['metadata.name: Invalid value: "gadgets.example.com": must be spec.names.plural+"."+spec.group']);
});

test('versions: exactly one storage version, one served, schemas required, unique DNS-1035 names', () => {
  const v = (name: string, served: boolean, storage: boolean) => ({ name, served, storage, schema: { openAPIV3Schema: schema } });
  assert.equal(messages(crd({ versions: [v('v1', true, true), v('v2', true, true)] })), [
    'spec.versions: Invalid value: []string{"v1", "v2"}: must have exactly one version marked as storage version',
  ]);
  assert.equal(messages(crd({ versions: [v('v1', false, true)] })), ['spec.versions: Invalid value: []string{"v1"}: must have at least one version marked as served']);
  assert.equal(messages(crd({ versions: [{ name: 'v1', served: true, storage: true }] })), ['spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required']);
  assert.equal(messages(crd({ versions: [v('V1', true, true)] }))[0]?.startsWith('spec.versions[0].name: Invalid value: "V1": a DNS-1035 label must consist of lower case'), true);
  assert.equal(messages(crd({ versions: [] })), ['spec.versions: Required value: must have exactly one version marked as storage version']);
});

test('names: plural and kind required, kind and listKind differ, short names are DNS-1035 labels', () => {
  assert.equal(messages(crd({ names: { plural: '', kind: '' } }, '.example.com')).filter((m) => m.startsWith('spec.names')), [
    'spec.names.plural: Required value',
    'spec.names.kind: Required value',
    'spec.names.listKind: Required value',
  ]);
  assert.equal(messages(crd({ names: { plural: 'widgets', kind: 'Widget', listKind: 'Widget', shortNames: ['W_G'] } })), [
    'spec.names.listKind: Invalid value: "Widget": kind and listKind may not be the same',
    'spec.names.shortNames[0]: Invalid value: "W_G": a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character (e.g. \'my-name\',  or \'abc-123\', regex used for validation is \'[a-z]([-a-z0-9]*[a-z0-9])?\')',
  ]);
});

test('scale paths, printer columns and conversion are checked; group and scope are immutable', () => {
  const scale = { specReplicasPath: '.status.replicas', statusReplicasPath: '.spec.x' };
  const bad = crd({
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema }, subresources: { scale }, additionalPrinterColumns: [{ name: 'X', type: 'color', jsonPath: '' }] }],
    conversion: { strategy: 'Webhook' },
  });
  assert.equal(messages(bad), [
    'spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec',
    'spec.versions[0].subresources.scale.statusReplicasPath: Invalid value: ".spec.x": should be a json path under .status',
    'spec.versions[0].additionalPrinterColumns[0].type: Unsupported value: "color": supported values: "integer", "number", "string", "boolean", "date"',
    'spec.versions[0].additionalPrinterColumns[0].JSONPath: Required value',
    'spec.conversion.webhookClientConfig: Required value: required when strategy is set to Webhook',
    'spec.conversion.conversionReviewVersions: Required value',
  ]);
  const old = { ...crd(), status: { storedVersions: ['v1'], acceptedNames: { plural: '', kind: '' } } } as CustomResourceDefinition;
  const changed = { ...crd({ scope: 'Cluster' }), metadata: old.metadata, status: old.status };
  assert.equal(messages(changed, old), ['spec.scope: Invalid value: "Cluster": field is immutable']);
});

test('a create starts storedVersions with the storage version; a delete adds the cleanup finalizer and Terminating', () => {
  const s = customResourceDefinitionKind.strategy;
  const created = s.prepareForCreate(crd() as unknown as KubeObject) as unknown as CustomResourceDefinition;
  assert.equal(created.status?.storedVersions, ['v1']);
  assert.equal(s.specFinalizers?.(created as unknown as KubeObject), ['customresourcecleanup.apiextensions.k8s.io']);
  const marked = { ...created, metadata: { ...created.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } } as unknown as KubeObject;
  const out = s.prepareForDelete!(marked) as unknown as CustomResourceDefinition;
  assert.equal(out.metadata?.finalizers, ['customresourcecleanup.apiextensions.k8s.io']);
  assert.equal(out.status?.conditions?.map((c) => [c.type, c.status, c.reason]), [['Terminating', 'True', 'InstanceDeletionPending']]);
  assert.equal(s.specFinalizers?.(out as unknown as KubeObject), []);
});

test('naming: free names are accepted and Established; a taken plural is a PluralConflict', () => {
  const ok = decideNames(crd(), takenNames([]));
  assert.equal([ok.namesAccepted.reason, ok.established.status, ok.established.reason, ok.acceptedNames.kind], ['NoConflicts', 'True', 'InitialNamesAccepted', 'Widget']);
  const apps = BUILTIN_KINDS.filter((k) => k.group === 'apps');
  const clash = decideNames(crd({ group: 'apps', names: { plural: 'deployments', kind: 'Thing' } }, 'deployments.apps'), takenNames(apps));
  assert.equal([clash.namesAccepted.status, clash.namesAccepted.reason, clash.namesAccepted.message], ['False', 'PluralConflict', '"deployments" is already in use']);
  assert.equal([clash.established.status, clash.established.reason], ['False', 'NotAccepted']);
  const kindClash = decideNames(crd({ group: 'apps', names: { plural: 'things', singular: 'thing', kind: 'Deployment' } }, 'things.apps'), takenNames(apps));
  assert.equal(kindClash.namesAccepted.reason, 'KindConflict');
});

test('the custom kind: registered and unregistered in a registry, its printer columns and scale paths', () => {
  const c = crd({
    versions: [{
      name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema },
      subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
      additionalPrinterColumns: [{ name: 'Size', type: 'string', jsonPath: '.spec.size' }, { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas', priority: 1 }],
    }],
  });
  const k = customKind(c);
  assert.equal([k.gr, k.kind, k.listKind, k.singular, k.version, k.namespaced, k.hasStatus, k.subresources], ['widgets.example.com', 'Widget', 'WidgetList', 'widget', 'v1', true, true, ['status', 'scale']]);
  const registry = new KindRegistry(BUILTIN_KINDS);
  registry.register(k);
  assert.is(registry.resolve('wg'), k);
  assert.is(registry.byGvk('example.com/v1', 'Widget'), k);
  assert.ok(registry.unregister(k.gr));
  assert.is(registry.resolve('wg'), undefined);
  assert.is(kindRegistry.get(k.gr), undefined);
  const w = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { size: 'L', replicas: 2 } };
  assert.equal(k.printer.columns.map((x) => [x.name, x.type, x.priority]), [['Name', 'string', 0], ['Size', 'string', 0], ['Replicas', 'integer', 1]]);
  assert.equal(k.printer.cells(w, Date.parse('2026-01-01T00:00:05Z')), ['w', 'L', 2]);
  assert.equal(customKind(crd()).printer.cells(w, Date.parse('2026-01-01T00:00:05Z')), ['w', '5s']);
  assert.equal(k.scalePaths, { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' });
  assert.equal(k.strategy.prepareForCreate({ ...w, status: { replicas: 9 } } as KubeObject), w);
  assert.equal(k.validate({ ...w, metadata: { name: 'Bad_Name', namespace: 'default' } } as KubeObject).map((e) => e.field), ['metadata.name']);
});

test('JSONPath of the simple form: read and write', () => {
  const o = { spec: { list: [{ a: 1 }], labels: { 'app.kubernetes.io/name': 'x' } } };
  assert.is(readJsonPath(o, '.spec.list[0].a'), 1);
  assert.is(readJsonPath(o, "{.spec.labels['app.kubernetes.io/name']}"), 'x');
  assert.is(readJsonPath(o, '.spec.missing.x'), undefined);
  assert.equal(writeJsonPath(o, '.spec.replicas', 3).spec, { ...o.spec, replicas: 3 });
  assert.equal(o.spec, { list: [{ a: 1 }], labels: { 'app.kubernetes.io/name': 'x' } });
});

test('version priority: GA before beta before alpha, higher first, others last', () => {
  assert.equal(preferredVersionOrder(['v1alpha1', 'foo', 'v1beta2', 'v1', 'v2', 'v1beta1', 'v10alpha1']), ['v2', 'v1', 'v1beta2', 'v1beta1', 'v10alpha1', 'v1alpha1', 'foo']);
});

test('conversion in the core: None rewrites apiVersion, Webhook refuses a body at another version (the front converts), the same version is left alone', () => {
  const w = { apiVersion: 'example.com/v1beta1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 'L' } } as KubeObject;
  const none = convertCustomResource({ group: 'example.com', kind: 'Widget', strategy: 'None' }, w, 'v1');
  assert.equal(none.ok && none.value, { ...w, apiVersion: 'example.com/v1' });
  const hook = convertCustomResource({ group: 'example.com', kind: 'Widget', strategy: 'Webhook' }, w, 'v1');
  assert.equal(!hook.ok && [hook.status.code, hook.status.message], [500, 'Internal error occurred: conversion webhook for example.com/v1beta1, Kind=Widget failed: objects must be sent at example.com/v1: webhook conversion happens at the HTTP front']);
  const same = convertCustomResource({ group: 'example.com', kind: 'Widget', strategy: 'Webhook' }, w, 'v1beta1');
  assert.is(same.ok && same.value, w);
});

test('several versions: served at the storage version when served, the others listed by priority; unserved ones left out', () => {
  const v = (name: string, served: boolean, storage: boolean) => ({ name, served, storage, schema: { openAPIV3Schema: schema } });
  const k = customKind(crd({ versions: [v('v1alpha1', false, false), v('v1beta1', true, true), v('v1', true, false)] }));
  assert.equal([k.version, k.servedVersions], ['v1beta1', ['v1', 'v1beta1']]);
  assert.is(servingVersion(crd({ versions: [v('v1beta1', false, true), v('v1', true, false)] })), 'v1');
});

test.run();
