import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseRoute } from '../../../../actors/apiserver/http/route.ts';
import { contentType, onlyUnsupported, wantsAggregated, wantsTable } from '../../../../actors/apiserver/http/negotiate.ts';
import { deleteOptions, isTrue, listOptions, writeParams } from '../../../../actors/apiserver/http/query.ts';

test('paths parse as Kubernetes RequestInfoFactory parses them', () => {
  assert.equal(parseRoute('/api/v1/namespaces/ns/pods/p/status'), { type: 'resource', group: '', version: 'v1', resource: 'pods', namespace: 'ns', name: 'p', subresource: 'status' });
  assert.equal(parseRoute('/apis/apps/v1/deployments'), { type: 'resource', group: 'apps', version: 'v1', resource: 'deployments' });
  assert.equal(parseRoute('/api/v1/namespaces'), { type: 'resource', group: '', version: 'v1', resource: 'namespaces' });
  assert.equal(parseRoute('/api/v1/namespaces/ns'), { type: 'resource', group: '', version: 'v1', resource: 'namespaces', name: 'ns' });
  assert.equal(parseRoute('/api/v1/namespaces/ns/status'), { type: 'resource', group: '', version: 'v1', resource: 'namespaces', name: 'ns', subresource: 'status' });
  assert.equal(parseRoute('/api/v1/namespaces/ns/configmaps'), { type: 'resource', group: '', version: 'v1', resource: 'configmaps', namespace: 'ns' });
  assert.equal(parseRoute('/api/v1/nodes/a%3Ab'), { type: 'resource', group: '', version: 'v1', resource: 'nodes', name: 'a:b' });
  assert.equal(parseRoute('/apis/apps/v1'), { type: 'resources', group: 'apps', version: 'v1' });
  assert.equal(parseRoute('/apis/apps'), { type: 'group', group: 'apps' });
  assert.equal(parseRoute('/version/'), { type: 'version' });
  assert.equal(parseRoute('/openapi/v3/apis/apps/v1'), { type: 'openapi-gv', prefix: 'apis/apps/v1' });
  assert.equal(parseRoute('/api/v1/a/b/c/d/e'), { type: 'unknown' });
  assert.equal(parseRoute('/metrics'), { type: 'metrics' });
  assert.equal(parseRoute('/metrics/x'), { type: 'unknown' });
});

test('Accept and Content-Type negotiation', () => {
  const kubectl = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
  assert.ok(wantsAggregated(kubectl));
  assert.not.ok(wantsAggregated('application/json'));
  assert.ok(wantsTable('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'));
  assert.not.ok(wantsTable('application/json'));
  assert.ok(onlyUnsupported('application/vnd.kubernetes.protobuf'));
  assert.not.ok(onlyUnsupported('application/vnd.kubernetes.protobuf, application/json'));
  assert.equal(contentType('application/strategic-merge-patch+json; charset=utf-8'), { ok: true, format: 'json', patchType: 'strategic' });
  assert.equal(contentType('application/apply-patch+yaml'), { ok: true, format: 'yaml', patchType: 'apply' });
  assert.equal(contentType('application/vnd.kubernetes.protobuf'), { ok: true, format: 'protobuf' });
  assert.equal(contentType('application/cbor'), { ok: false, mediaType: 'application/cbor' });
});

test('query parameters', () => {
  for (const v of ['true', '1', 'True']) assert.ok(isTrue(v));
  assert.not.ok(isTrue('false'));
  const q = new URLSearchParams('labelSelector=app+in+(a,b)&limit=10&continue=c&resourceVersion=0&resourceVersionMatch=NotOlderThan');
  assert.equal(listOptions(q), { ok: true, value: { labelSelector: 'app in (a,b)', limit: 10, continue: 'c', resourceVersion: '0', resourceVersionMatch: 'NotOlderThan' } });
  assert.is(listOptions(new URLSearchParams('limit=-1')).ok, false);
  assert.equal(writeParams(new URLSearchParams('dryRun=All&fieldManager=kubectl&fieldValidation=Strict')), { ok: true, value: { dryRun: true, fieldManager: 'kubectl', fieldValidation: 'Strict' } });
  assert.is(writeParams(new URLSearchParams('dryRun=Some')).ok, false);
  assert.equal(deleteOptions(new URLSearchParams('propagationPolicy=Orphan&gracePeriodSeconds=5'), { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' }), { ok: true, value: { propagationPolicy: 'Foreground', gracePeriodSeconds: 5 } });
  assert.equal(deleteOptions(new URLSearchParams(), { orphanDependents: true }), { ok: true, value: { propagationPolicy: 'Orphan' } });
  assert.is(deleteOptions(new URLSearchParams(), { kind: 'Pod' }).ok, false);
});

test.run();
