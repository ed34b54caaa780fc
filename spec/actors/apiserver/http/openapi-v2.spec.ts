/**
 * /openapi/v2: the Swagger document kubectl still reads (List validation, apply's patch
 * metadata), and its gnostic protobuf encoding, read back with the front's own wire decoder.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { swaggerDocument } from '../../../../api/openapi/v2.ts';
import { allKinds } from '../../../../api/kinds.ts';
import { encodeSwaggerDocument } from '../../../../actors/apiserver/http/protobuf/openapi-v2.ts';
import { readFields, type WireValue } from '../../../../actors/apiserver/http/protobuf/wire.ts';

const doc = swaggerDocument(allKinds());
const def = (name: string) => doc.definitions[name] as any;

test('definitions carry the GVK of every built-in kind and v2 references', () => {
  assert.is(doc.swagger, '2.0');
  assert.equal(def('io.k8s.api.apps.v1.Deployment')['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  assert.equal(def('io.k8s.api.core.v1.ConfigMap')['x-kubernetes-group-version-kind'], [{ group: '', kind: 'ConfigMap', version: 'v1' }]);
  assert.is(def('io.k8s.api.apps.v1.Deployment').properties.spec.$ref, '#/definitions/io.k8s.api.apps.v1.DeploymentSpec');
  assert.not.match(JSON.stringify(doc), '#/components/schemas/');
  for (const [name, d] of Object.entries(doc.definitions)) assert.ok(!('allOf' in d), `${name} has no allOf`);
});

test('strategic-merge extensions are the Go struct tags', () => {
  const containers = def('io.k8s.api.core.v1.PodSpec').properties.containers;
  assert.is(containers['x-kubernetes-patch-strategy'], 'merge');
  assert.is(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.is(def('io.k8s.api.core.v1.PodSpec').properties.volumes['x-kubernetes-patch-strategy'], 'merge,retainKeys');
  assert.is(def('io.k8s.api.core.v1.Container').properties.ports['x-kubernetes-patch-merge-key'], 'containerPort');
  assert.is(def('io.k8s.api.apps.v1.DeploymentSpec').properties.strategy['x-kubernetes-patch-strategy'], 'retainKeys');
  assert.is(def('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta').properties.ownerReferences['x-kubernetes-patch-merge-key'], 'uid');
  // A list without a tag is atomic: no extension.
  assert.is(def('io.k8s.api.core.v1.Container').properties.args['x-kubernetes-patch-strategy'], undefined);
});

const str = (v: WireValue) => (v.value as Buffer).toString('utf8');
const field = (fields: WireValue[], no: number) => fields.filter((f) => f.no === no);

test('the protobuf is a gnostic openapi.v2.Document with the same definitions', () => {
  const top = readFields(encodeSwaggerDocument(doc));
  assert.is(str(field(top, 1)[0]!), '2.0');
  const named = readFields(field(top, 9)[0]!.value as Buffer);
  assert.is(named.length, Object.keys(doc.definitions).length);
  const entry = named.map((n) => readFields(n.value as Buffer)).find((n) => str(field(n, 1)[0]!) === 'io.k8s.api.core.v1.PodSpec')!;
  const schema = readFields(field(entry, 2)[0]!.value as Buffer);
  assert.is(str(field(readFields(field(schema, 22)[0]!.value as Buffer), 1)[0]!), 'object');
  const props = readFields(field(schema, 25)[0]!.value as Buffer).map((p) => readFields(p.value as Buffer));
  const containers = readFields(field(props.find((p) => str(field(p, 1)[0]!) === 'containers')!, 2)[0]!.value as Buffer);
  const ext = Object.fromEntries(field(containers, 31).map((e) => {
    const [name, any] = [readFields(e.value as Buffer)[0]!, readFields(e.value as Buffer)[1]!];
    return [str(name), parse(str(readFields(any.value as Buffer)[0]!))];
  }));
  assert.equal(ext, { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name' });
});

test.run();
