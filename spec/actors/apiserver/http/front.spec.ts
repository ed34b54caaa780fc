import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InProcessBus } from '../../../../bus/inprocess.ts';
import { startHttpFront, type HttpFront } from '../../../../actors/apiserver/http/server.ts';
import { AGGREGATED_DISCOVERY } from '../../../../actors/apiserver/http/negotiate.ts';
import { startFakeApiserver, type FakeApiserver } from './fake-apiserver.ts';
import { client } from './client.ts';
import { kindRegistry } from '../../../../api/kinds.ts';
import { defineKind } from '../../../../api/kinds/info.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'kubeactor-front-'));
const bus = new InProcessBus();
let fake: FakeApiserver;
let front: HttpFront;
let call: ReturnType<typeof client>;

test.before(async () => {
  fake = startFakeApiserver(bus);
  front = await startHttpFront({ bus, port: 0, address: '127.0.0.1', token: 'secret', dataDir });
  call = client(front.url, front.caCert, 'secret');
});
test.after(async () => {
  await front.close();
  await bus.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const CM = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', labels: { app: 'x' } }, data: { k: 'v' } });

test('discovery and the routes follow kinds registered and unregistered while the front runs', async () => {
  const cm = kindRegistry.byResource('', 'configmaps')!;
  const widget = defineKind({ ...cm, group: 'example.com', kind: 'Widget', resource: 'widgets', shortNames: ['wg'], categories: [], protobuf: null });
  assert.is((await call('GET', '/apis/example.com/v1')).status, 404);
  kindRegistry.register(widget);
  try {
    const list = await call('GET', '/apis/example.com/v1');
    assert.is(list.status, 200);
    assert.equal(list.json().resources.map((r: { name: string }) => r.name), ['widgets']);
    assert.ok((await call('GET', '/apis')).json().groups.some((g: { name: string }) => g.name === 'example.com'));
    assert.ok((await call('GET', '/openapi/v3')).json().paths['apis/example.com/v1']);
  } finally {
    kindRegistry.unregister(widget.gr);
  }
  assert.is((await call('GET', '/apis/example.com/v1')).status, 404);
  assert.is((await call('GET', '/apis/example.com/v1/namespaces/default/widgets')).status, 404);
  assert.not.ok((await call('GET', '/apis')).json().groups.some((g: { name: string }) => g.name === 'example.com'));
});

test('version and health answer without a token', async () => {
  const anon = client(front.url, front.caCert, null);
  for (const p of ['/version', '/version/']) {
    const r = await anon('GET', p);
    assert.is(r.status, 200);
    assert.is(r.json().gitVersion.startsWith('v1.32.'), true);
    assert.is(r.json().minor, '32');
  }
  for (const p of ['/healthz', '/livez', '/readyz', '/readyz?verbose']) assert.is((await anon('GET', p)).text, 'ok');
});

test('everything else needs the bearer token: 401 Status', async () => {
  const r = await client(front.url, front.caCert, 'wrong')('GET', '/api/v1/namespaces/default/configmaps');
  assert.is(r.status, 401);
  assert.equal(r.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 401, reason: 'Unauthorized', message: 'Unauthorized' });
});

test('aggregated discovery with the exact content type; legacy otherwise', async () => {
  const agg = await call('GET', '/apis', { headers: { accept: `${AGGREGATED_DISCOVERY},application/json` } });
  assert.is(agg.headers['content-type'], AGGREGATED_DISCOVERY);
  const apps = agg.json().items.find((i: any) => i.metadata.name === 'apps');
  const deploy = apps.versions[0].resources.find((r: any) => r.resource === 'deployments');
  assert.equal(deploy.shortNames, ['deploy']);
  assert.equal(deploy.subresources.find((s: any) => s.subresource === 'scale').responseKind, { group: 'autoscaling', version: 'v1', kind: 'Scale' });
  const core = await call('GET', '/api', { headers: { accept: AGGREGATED_DISCOVERY } });
  assert.equal(core.json().items.map((i: any) => i.metadata.name), ['']);
  assert.equal((await call('GET', '/api')).json().versions, ['v1']);
  const v1 = (await call('GET', '/api/v1')).json();
  assert.is(v1.kind, 'APIResourceList');
  assert.ok(v1.resources.some((r: any) => r.name === 'pods/status'));
  assert.is((await call('GET', '/apis')).json().kind, 'APIGroupList');
  assert.is((await call('GET', '/apis/apps')).json().preferredVersion.groupVersion, 'apps/v1');
  assert.is((await call('GET', '/apis/nope/v1')).status, 404);
});

test('create answers 201, a second create the 409 Status, get 404 in Kubernetes shape', async () => {
  const r = await call('POST', '/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create', { body: CM, headers: { 'content-type': 'application/json' } });
  assert.is(r.status, 201);
  assert.is(r.json().metadata.name, 'a');
  const again = await call('POST', '/api/v1/namespaces/default/configmaps', { body: CM, headers: { 'content-type': 'application/json' } });
  assert.is(again.status, 409);
  assert.is(again.json().reason, 'AlreadyExists');
  const missing = await call('GET', '/api/v1/namespaces/default/configmaps/none');
  assert.is(missing.status, 404);
  assert.equal(missing.json().details, { name: 'none', kind: 'configmaps' });
});

test('YAML bodies are accepted; malformed bodies are 400 with the position', async () => {
  const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\n';
  assert.is((await call('POST', '/api/v1/namespaces/default/configmaps', { body: yaml, headers: { 'content-type': 'application/yaml' } })).status, 201);
  const badJson = await call('POST', '/api/v1/namespaces/default/configmaps', { body: '{"a":', headers: { 'content-type': 'application/json' } });
  assert.is(badJson.status, 400);
  assert.match(badJson.json().message, /position|end of JSON/);
  const badYaml = await call('POST', '/api/v1/namespaces/default/configmaps', { body: 'a: [1,\n b', headers: { 'content-type': 'application/yaml' } });
  assert.is(badYaml.status, 400);
  assert.match(badYaml.json().message, /line \d+, column \d+/);
});

test('unknown media types are a 415 Status, big bodies 413, missing verbs 405', async () => {
  const cbor = await call('POST', '/api/v1/namespaces/default/configmaps', { body: Buffer.from([0xa0]), headers: { 'content-type': 'application/cbor' } });
  assert.is(cbor.status, 415);
  assert.is(cbor.json().reason, 'UnsupportedMediaType');
  const pb = await call('POST', '/api/v1/namespaces/default/configmaps', { body: Buffer.from('k8s\0\n\x0a\n\x02v1\x12\x04Pony'), headers: { 'content-type': 'application/vnd.kubernetes.protobuf' } });
  assert.is(pb.status, 415, pb.text);
  assert.match(pb.json().message, 'v1 Pony');
  const big = await call('POST', '/api/v1/namespaces/default/configmaps', { body: Buffer.alloc(4 * 1024 * 1024, 32), headers: { 'content-type': 'application/json' } });
  assert.is(big.status, 413);
  assert.is(big.json().reason, 'RequestEntityTooLarge');
  const notAllowed = await call('DELETE', '/api/v1/namespaces');
  assert.is(notAllowed.status, 405);
  assert.is(notAllowed.json().reason, 'MethodNotAllowed');
  const unknownSub = await call('GET', '/api/v1/namespaces/default/configmaps/a/scale');
  assert.is(unknownSub.status, 404);
});

test('patch content types become patch types; apply needs a fieldManager', async () => {
  const types: [string, string][] = [['application/merge-patch+json', 'merge'], ['application/strategic-merge-patch+json', 'strategic'], ['application/json-patch+json', 'json'], ['application/apply-patch+yaml', 'apply']];
  for (const [ct, want] of types) {
    fake.requests.length = 0;
    const body = want === 'json' ? '[]' : '{"data":{"k":"w"}}';
    const r = await call('PATCH', '/api/v1/namespaces/default/configmaps/a?fieldManager=m&fieldValidation=Strict', { body, headers: { 'content-type': ct } });
    assert.is(r.status, 200, ct);
    const sent = fake.requests.find((e) => e.type === 'api.patch')!.payload as any;
    assert.is(sent.patchType, want);
    assert.is(sent.fieldValidation, 'Strict');
    assert.is(sent.user.username, 'kubeactor-admin');
  }
  const noManager = await call('PATCH', '/api/v1/namespaces/default/configmaps/a', { body: '{}', headers: { 'content-type': 'application/apply-patch+yaml' } });
  assert.is(noManager.status, 400);
  const plain = await call('PATCH', '/api/v1/namespaces/default/configmaps/a', { body: '{}', headers: { 'content-type': 'application/json' } });
  assert.is(plain.status, 415);
});

test('list passes selectors and paging; Table when asked', async () => {
  fake.requests.length = 0;
  const r = await call('GET', '/api/v1/namespaces/default/configmaps?labelSelector=app%3Dx&fieldSelector=metadata.name%3Da&limit=5', {
    headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' },
  });
  const sent = fake.requests.find((e) => e.type === 'api.list')!.payload as any;
  assert.equal(sent.options, { labelSelector: 'app=x', fieldSelector: 'metadata.name=a', limit: 5 });
  const t = r.json();
  assert.is(t.kind, 'Table');
  assert.equal(t.columnDefinitions.map((c: any) => c.name), ['Name', 'Data', 'Age']);
  assert.equal(t.rows[0].cells.slice(0, 2), ['a', 1]);
  assert.is(t.rows[0].object.kind, 'PartialObjectMetadata');
  assert.is(t.rows[0].object.metadata.namespace, 'default');
  const none = (await call('GET', '/api/v1/namespaces/default/configmaps?includeObject=None', { headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } })).json();
  assert.is(none.rows[0].object, undefined);
});

test('delete passes DeleteOptions from body and query, answers a Success Status', async () => {
  fake.requests.length = 0;
  const r = await call('DELETE', '/api/v1/namespaces/default/configmaps/y?gracePeriodSeconds=0', {
    body: JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' }),
    headers: { 'content-type': 'application/json' },
  });
  assert.is(r.status, 200);
  assert.is(r.json().status, 'Success');
  const sent = fake.requests.find((e) => e.type === 'api.delete')!.payload as any;
  assert.equal(sent.options, { gracePeriodSeconds: 0, propagationPolicy: 'Foreground' });
});

test.run();
