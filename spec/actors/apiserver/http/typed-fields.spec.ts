/**
 * Wrongly typed fields through the real HTTPS front and apiserver: every write whose object
 * would not decode into Kubernetes' Go structs is refused with the apiserver's Status (a
 * body: 400 "... cannot be handled as a ...", a patch result: 422 naming the patch), with
 * the exact field path in details.causes, and nothing is stored.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startCluster, type Cluster } from '../../../e2e/cluster.ts';
import { client } from './client.ts';

let c: Cluster;
let call: ReturnType<typeof client>;
const NS = '/api/v1/namespaces/typed';
const APPS = '/apis/apps/v1/namespaces/typed';
const JSON_CT = 'application/json';
const MERGE = 'application/merge-patch+json';
const JSONPATCH = 'application/json-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';
const APPLY = 'application/apply-patch+yaml';

const cm = (extra: object) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bad' }, ...extra });
const deploy = (spec: object, name = 'web') => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
  spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }, ...spec },
});
const withContainers = (containers: unknown) => deploy({ template: { metadata: { labels: { app: 'web' } }, spec: { containers } } }, 'bad');

const bodyError = (kind: string, err: string) => `${kind} in version "v1" cannot be handled as a ${kind}: ${err}`;
const unmarshal = (what: string, field: string, type: string) => `json: cannot unmarshal ${what} into Go struct field ${field} of type ${type}`;

interface Row {
  name: string;
  method: 'POST' | 'PUT' | 'PATCH';
  path: string;
  body: unknown;
  type?: string;
  code: number;
  reason: string;
  /** The message, or its tail when the message quotes the patched object first. */
  message: string;
  /** The field path of the refused value in details.causes. */
  field?: string;
}

const rows: Row[] = [
  { name: 'POST ConfigMap data: 5', method: 'POST', path: `${NS}/configmaps`, body: cm({ data: 5 }), code: 400, reason: 'BadRequest',
    message: bodyError('ConfigMap', unmarshal('number', 'ConfigMap.data', 'map[string]string')), field: 'data' },
  { name: 'POST ConfigMap data {k: 5}', method: 'POST', path: `${NS}/configmaps`, body: cm({ data: { k: 5 } }), code: 400, reason: 'BadRequest',
    message: bodyError('ConfigMap', unmarshal('number', 'ConfigMap.data', 'string')), field: 'data[k]' },
  { name: 'POST ConfigMap binaryData not base64', method: 'POST', path: `${NS}/configmaps`, body: cm({ binaryData: { b: 'not base64!' } }), code: 400, reason: 'BadRequest',
    message: bodyError('ConfigMap', 'illegal base64 data at input byte 3'), field: 'binaryData[b]' },
  { name: 'POST Secret data not base64', method: 'POST', path: `${NS}/secrets`, body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bad' }, data: { k: 'abc' } }, code: 400, reason: 'BadRequest',
    message: bodyError('Secret', 'illegal base64 data at input byte 0'), field: 'data[k]' },
  { name: 'POST Deployment replicas "abc"', method: 'POST', path: `${APPS}/deployments`, body: deploy({ replicas: 'abc' }, 'bad'), code: 400, reason: 'BadRequest',
    message: bodyError('Deployment', unmarshal('string', 'DeploymentSpec.spec.replicas', 'int32')), field: 'spec.replicas' },
  { name: 'POST Deployment replicas 1.5', method: 'POST', path: `${APPS}/deployments`, body: deploy({ replicas: 1.5 }, 'bad'), code: 400, reason: 'BadRequest',
    message: bodyError('Deployment', unmarshal('number 1.5', 'DeploymentSpec.spec.replicas', 'int32')), field: 'spec.replicas' },
  { name: 'POST Deployment containers "x"', method: 'POST', path: `${APPS}/deployments`, body: withContainers('x'), code: 400, reason: 'BadRequest',
    message: bodyError('Deployment', unmarshal('string', 'PodSpec.spec.template.spec.containers', '[]v1.Container')), field: 'spec.template.spec.containers' },
  { name: 'POST Deployment containerPort "80"', method: 'POST', path: `${APPS}/deployments`, body: withContainers([{ name: 'c', image: 'x', ports: [{ containerPort: '80' }] }]), code: 400, reason: 'BadRequest',
    message: bodyError('Deployment', unmarshal('string', 'ContainerPort.spec.template.spec.containers.ports.containerPort', 'int32')), field: 'spec.template.spec.containers[0].ports[0].containerPort' },
  { name: 'POST Deployment maxSurge true (int-or-string)', method: 'POST', path: `${APPS}/deployments`, body: deploy({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: true } } }, 'bad'), code: 400, reason: 'BadRequest',
    message: bodyError('Deployment', unmarshal('bool', 'RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge', 'int32')), field: 'spec.strategy.rollingUpdate.maxSurge' },
  { name: 'POST Pod cpu limit true (quantity)', method: 'POST', path: `${NS}/pods`, body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bad' }, spec: { containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: true } } }] } }, code: 400, reason: 'BadRequest',
    message: bodyError('Pod', "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"), field: 'spec.containers[0].resources.limits[cpu]' },
  { name: 'PUT ConfigMap data: 5', method: 'PUT', path: `${NS}/configmaps/cm`, body: { ...cm({ data: 5 }), metadata: { name: 'cm' } }, code: 400, reason: 'BadRequest',
    message: bodyError('ConfigMap', unmarshal('number', 'ConfigMap.data', 'map[string]string')), field: 'data' },
  { name: 'PUT Deployment replicas "abc"', method: 'PUT', path: `${APPS}/deployments/web`, body: deploy({ replicas: 'abc' }), code: 400, reason: 'BadRequest',
    message: bodyError('Deployment', unmarshal('string', 'DeploymentSpec.spec.replicas', 'int32')), field: 'spec.replicas' },
  { name: 'PUT Scale replicas "abc"', method: 'PUT', path: `${APPS}/deployments/web/scale`, body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web' }, spec: { replicas: 'abc' } }, code: 400, reason: 'BadRequest',
    message: bodyError('Scale', unmarshal('string', 'ScaleSpec.spec.replicas', 'int32')), field: 'spec.replicas' },
  { name: 'merge patch data: 5', method: 'PATCH', path: `${NS}/configmaps/cm`, type: MERGE, body: { data: 5 }, code: 422, reason: 'Invalid',
    message: `: ${unmarshal('number', 'ConfigMap.data', 'map[string]string')}`, field: 'data' },
  { name: 'merge patch data {k: 5}', method: 'PATCH', path: `${NS}/configmaps/cm`, type: MERGE, body: { data: { k: 5 } }, code: 422, reason: 'Invalid',
    message: `: ${unmarshal('number', 'ConfigMap.data', 'string')}`, field: 'data[k]' },
  { name: 'json patch replicas "abc"', method: 'PATCH', path: `${APPS}/deployments/web`, type: JSONPATCH, body: [{ op: 'replace', path: '/spec/replicas', value: 'abc' }], code: 422, reason: 'Invalid',
    message: `: ${unmarshal('string', 'DeploymentSpec.spec.replicas', 'int32')}`, field: 'spec.replicas' },
  { name: 'strategic patch replicas "abc"', method: 'PATCH', path: `${APPS}/deployments/web`, type: STRATEGIC, body: { spec: { replicas: 'abc' } }, code: 422, reason: 'Invalid',
    message: ` "" is invalid: patch: Invalid value: "map[spec:map[replicas:abc]]": ${unmarshal('string', 'DeploymentSpec.spec.replicas', 'int32')}`, field: 'spec.replicas' },
  { name: 'strategic patch containers "x"', method: 'PATCH', path: `${APPS}/deployments/web`, type: STRATEGIC, body: { spec: { template: { spec: { containers: 'x' } } } }, code: 422, reason: 'Invalid',
    message: `: ${unmarshal('string', 'PodSpec.spec.template.spec.containers', '[]v1.Container')}`, field: 'spec.template.spec.containers' },
  { name: 'merge patch /status with a bad condition time', method: 'PATCH', path: `${APPS}/deployments/web/status`, type: MERGE,
    body: { status: { conditions: [{ type: 'Available', status: 'True', lastTransitionTime: 'yesterday' }] } }, code: 422, reason: 'Invalid',
    message: ': parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"', field: 'status.conditions[0].lastTransitionTime' },
  { name: 'apply replicas "abc"', method: 'PATCH', path: `${APPS}/deployments/web?fieldManager=typed`, type: APPLY, body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 'abc' } }, code: 400, reason: 'BadRequest',
    message: `failed to create typed patch object (typed/web; apps/v1, Kind=Deployment): .spec.replicas: ${unmarshal('string', 'DeploymentSpec.spec.replicas', 'int32')}` },
  { name: 'json patch removing /metadata', method: 'PATCH', path: `${NS}/configmaps/cm`, type: JSONPATCH, body: [{ op: 'remove', path: '/metadata' }], code: 400, reason: 'BadRequest',
    message: 'the name of the object () does not match the name on the URL (cm)' },
  { name: 'strategic {"$patch":"delete"}', method: 'PATCH', path: `${NS}/configmaps/cm`, type: STRATEGIC, body: { $patch: 'delete' }, code: 400, reason: 'BadRequest',
    message: 'the name of the object () does not match the name on the URL (cm)' },
  { name: 'merge patch renaming the object', method: 'PATCH', path: `${NS}/configmaps/cm`, type: MERGE, body: { metadata: { name: 'other' } }, code: 400, reason: 'BadRequest',
    message: 'the name of the object (other) does not match the name on the URL (cm)' },
];

test.before(async () => {
  c = await startCluster();
  call = client(c.rest.url, c.rest.ca, c.rest.token);
  const post = async (path: string, body: object) => assert.is((await call('POST', path, { body: JSON.stringify(body), headers: { 'content-type': JSON_CT } })).status, 201);
  await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'typed' } });
  await post(`${NS}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1' } });
  await post(`${APPS}/deployments`, deploy({}));
});
test.after(async () => {
  await c.stop();
});

const snapshot = async () => ({
  cm: (await call('GET', `${NS}/configmaps/cm`)).json(),
  web: (await call('GET', `${APPS}/deployments/web`)).json(),
});

for (const row of rows) {
  test(`${row.name}: ${row.code} ${row.reason}, nothing stored`, async () => {
    const before = await snapshot();
    const body = row.type === APPLY ? JSON.stringify(row.body) : JSON.stringify(row.body);
    const r = await call(row.method, row.path, { body, headers: { 'content-type': row.type ?? JSON_CT } });
    assert.is(r.status, row.code, r.text.slice(0, 500));
    const st = r.json();
    assert.is(st.kind, 'Status');
    assert.is(st.reason, row.reason);
    assert.is(st.code, row.code);
    if (row.code === 422) {
      assert.ok(st.message.startsWith(' "" is invalid: patch: Invalid value: "'), st.message);
      assert.ok(st.message.endsWith(row.message), st.message);
      assert.is(st.details.causes[0].field, 'patch');
    } else assert.is(st.message, row.message);
    if (row.field) assert.ok(st.details.causes.some((c: { field: string }) => c.field === row.field), JSON.stringify(st.details));
    const after = await snapshot();
    assert.equal(after, before, 'the stored objects did not change');
    assert.is((await call('GET', `${NS}/configmaps/bad`)).status, 404);
    assert.is((await call('GET', `${APPS}/deployments/bad`)).status, 404);
  });
}

test('a JSON patch removing kind and apiVersion keeps them: decoding takes them from the URL', async () => {
  const r = await call('PATCH', `${NS}/configmaps/cm`, { body: JSON.stringify([{ op: 'remove', path: '/kind' }, { op: 'remove', path: '/apiVersion' }, { op: 'add', path: '/data/b', value: '2' }]), headers: { 'content-type': JSONPATCH } });
  assert.is(r.status, 200, r.text);
  const got = (await call('GET', `${NS}/configmaps/cm`)).json();
  assert.is(got.kind, 'ConfigMap');
  assert.is(got.apiVersion, 'v1');
  assert.equal(got.data, { a: '1', b: '2' });
});

test('a patch changing kind is refused and stores nothing', async () => {
  const before = await snapshot();
  const r = await call('PATCH', `${NS}/configmaps/cm`, { body: JSON.stringify({ kind: 'Secret' }), headers: { 'content-type': MERGE } });
  assert.is(r.status, 400);
  assert.is(r.json().message, 'the kind of the provided object (Secret) does not match the kind of the request (ConfigMap)');
  assert.equal(await snapshot(), before);
});

test('nulls decode as Go decodes them: a null list element is its zero value, never a 500', async () => {
  const r = await call('POST', `${APPS}/deployments`, { body: JSON.stringify(withContainers([null])), headers: { 'content-type': JSON_CT } });
  assert.is(r.status, 422, r.text);
  assert.ok(r.json().details.causes.some((c: { field: string; reason: string }) => c.field === 'spec.template.spec.containers[0].name' && c.reason === 'FieldValueRequired'));
  const svc = await call('POST', `${NS}/services`, { body: JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'bad' }, spec: { ports: [null] } }), headers: { 'content-type': JSON_CT } });
  assert.is(svc.status, 422, svc.text);
  const created = await call('POST', `${NS}/configmaps`, { body: JSON.stringify({ ...cm({ data: { k: null } }), metadata: { name: 'nulls', labels: null } }), headers: { 'content-type': JSON_CT } });
  assert.is(created.status, 201, created.text);
  assert.equal(created.json().data, { k: '' });
  assert.not.ok('labels' in created.json().metadata);
});

test('well-typed values still pass: int-or-string as either, quantities as numbers, null, RFC 3339 times', async () => {
  const r = await call('PATCH', `${APPS}/deployments/web`, {
    body: JSON.stringify({ spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '50%', maxUnavailable: 0 } }, template: { spec: { containers: [{ name: 'c', resources: { limits: { cpu: 1 } } }] } }, minReadySeconds: null } }),
    headers: { 'content-type': STRATEGIC },
  });
  assert.is(r.status, 200, r.text);
  const st = await call('PATCH', `${APPS}/deployments/web/status`, {
    body: JSON.stringify({ status: { conditions: [{ type: 'Available', status: 'True', lastTransitionTime: '2024-05-01T12:00:00Z', lastUpdateTime: '2024-05-01T12:00:00+02:00' }] } }),
    headers: { 'content-type': MERGE },
  });
  assert.is(st.status, 200, st.text);
  const b64 = await call('POST', `${NS}/configmaps`, { body: JSON.stringify({ ...cm({ binaryData: { b: 'aGVsbG8=' } }), metadata: { name: 'good' } }), headers: { 'content-type': JSON_CT } });
  assert.is(b64.status, 201, b64.text);
});

test.run();
