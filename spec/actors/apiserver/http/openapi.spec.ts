import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openapiDocument } from '../../../../api/openapi/document.ts';
import { openapiRoot, parsePrefix } from '../../../../api/openapi/root.ts';
import { allKinds } from '../../../../api/kinds.ts';

const kinds = allKinds();
import { kubernetesTypesDescriptions } from '../../../../actors/apiserver/http/openapi-descriptions.ts';

test('the root lists every served group-version with a hashed URL', () => {
  const root = openapiRoot(kinds, (p) => `H${p.length}`);
  const gvs = new Set(kinds.map((k) => (k.group ? `apis/${k.group}/${k.version}` : `api/${k.version}`)));
  assert.equal(Object.keys(root.paths).sort(), [...gvs].sort());
  assert.is(root.paths['apis/apps/v1']!.serverRelativeURL, '/openapi/v3/apis/apps/v1?hash=H12');
  assert.equal(parsePrefix('apis/apps/v1'), { group: 'apps', version: 'v1' });
  assert.equal(parsePrefix('api/v1'), { group: '', version: 'v1' });
  assert.is(parsePrefix('apis/apps'), undefined);
});

/** What kubectl checks before it leaves validation to the server (query_param_verifier_v3.go). */
function patchSupportsFieldValidation(doc: any, gvk: { group: string; version: string; kind: string }): boolean {
  for (const item of Object.values<any>(doc.paths)) {
    const op = item.patch;
    const x = op?.['x-kubernetes-group-version-kind'];
    if (!x || x.group !== gvk.group || x.version !== gvk.version || x.kind !== gvk.kind) continue;
    return op.parameters.some((p: any) => p.name === 'fieldValidation' && p.in === 'query');
  }
  return false;
}

test('every kind that takes patches has a PATCH operation with its GVK and a fieldValidation parameter', () => {
  // metrics.k8s.io serves get and list only: no PATCH to find.
  for (const k of kinds.filter((x) => x.verbs.includes('patch'))) {
    const doc = openapiDocument(kinds, k.group, k.version);
    assert.ok(patchSupportsFieldValidation(doc, k), `${k.group}/${k.kind}`);
  }
  assert.is(openapiDocument(kinds, 'apps', 'v9'), undefined);
});

test('PATCH declares no request body, so kubectl computes strategic merge patches from its own types', () => {
  const doc: any = openapiDocument(kinds, 'apps', 'v1');
  const item = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
  assert.is(item.patch.requestBody, undefined);
  assert.ok(item.get && item.put && item.delete);
  assert.ok(doc.paths['/apis/apps/v1/deployments'].get, 'list across namespaces');
});

test('schemas carry the kind\'s GVK and every field, for kubectl explain', () => {
  const doc: any = openapiDocument(kinds, 'apps', 'v1');
  const deploy = doc.components.schemas['io.k8s.api.apps.v1.Deployment'];
  assert.equal(deploy['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  assert.equal(deploy.properties.spec, { allOf: [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec' }] });
  const spec = doc.components.schemas['io.k8s.api.apps.v1.DeploymentSpec'];
  assert.equal(spec.properties.replicas, { type: 'integer', format: 'int32' });
  const meta = doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'];
  assert.equal(meta.properties.generation, { type: 'integer', format: 'int64' });
  assert.equal(meta.properties.creationTimestamp, { type: 'string', format: 'date-time' });
  assert.ok(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
  assert.ok(doc.components.schemas['io.k8s.api.core.v1.Container'], 'structs reached through the template');
  for (const value of JSON.stringify(doc).matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
    assert.ok(doc.components.schemas[value[1]!], `dangling $ref ${value[1]}`);
  }
});

test('descriptions come from the kubernetes-types docs', () => {
  const doc: any = openapiDocument(kinds, 'apps', 'v1', kubernetesTypesDescriptions);
  const deploy = doc.components.schemas['io.k8s.api.apps.v1.Deployment'];
  assert.is(deploy.description, 'Deployment enables declarative updates for Pods and ReplicaSets.');
  assert.match(doc.components.schemas['io.k8s.api.apps.v1.DeploymentSpec'].properties.replicas.description, /^Number of desired pods/);
  assert.equal(deploy.properties.spec.allOf, [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec' }]);
  assert.is(kubernetesTypesDescriptions('nope/v1.Thing'), undefined);
});

test.run();
