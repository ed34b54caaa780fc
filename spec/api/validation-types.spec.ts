import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kindByGvk } from '../../api/kinds.ts';
import { structs } from '../../api/validation/schema/types.generated.ts';
import { base64Error, bodyDecodeError, decode, findTypeErrors, goPrint, patchDecodeError } from '../../api/validation/types.ts';
import { parseTimeError } from '../../api/validation/time-format.ts';

const Deployment = kindByGvk('apps/v1', 'Deployment');
const ConfigMap = kindByGvk('v1', 'ConfigMap');
const Event = kindByGvk('v1', 'Event');
if (!Deployment || !ConfigMap || !Event) throw new Error('kinds missing');

test('the generated table carries OpenAPI formats: int32/int64, byte, date-time, quantity', () => {
  assert.is(structs['apps/v1.DeploymentSpec']?.replicas, 'i32');
  assert.is(structs['meta/v1.ObjectMeta']?.generation, 'i64');
  assert.is(structs['meta/v1.ObjectMeta']?.creationTimestamp, 't');
  assert.is(structs['core/v1.Secret']?.data, '{y');
  assert.is(structs['core/v1.Secret']?.stringData, '{s');
  assert.is(structs['core/v1.ConfigMap']?.binaryData, '{y');
  assert.is(structs['core/v1.ResourceRequirements']?.limits, '{q');
  assert.is(structs['core/v1.Event']?.eventTime, 'tm');
  assert.is(structs['apps/v1.RollingUpdateDeployment']?.maxSurge, 'ns');
});

test('an update decodes what it changed: a part that is the stored version\'s own object is not walked again, a changed one is', () => {
  // A stored object decoded when it was written; this one holds a wrong type only to show which parts are walked.
  const stored = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 'x', template: {} }, status: { replicas: 1 } };
  const statusWrite = { ...stored, status: { replicas: 2 } };
  assert.equal(decode(Deployment, statusWrite, stored).errors, []);
  assert.equal(decode(Deployment, statusWrite).errors.map((e) => e.field), ['spec.replicas']);
  const specWrite = { ...stored, spec: { ...stored.spec } };
  assert.equal(decode(Deployment, specWrite, stored).errors.map((e) => e.field), ['spec.replicas']);
});

test('a null decoding keeps (a time held by value) leaves the object as it is; one it removes makes a copy', () => {
  const Pod = kindByGvk('v1', 'Pod')!;
  const kept = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, status: { conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null }] } };
  assert.is(decode(Pod, kept).value, kept);
  const removed = { ...kept, metadata: { name: 'p', deletionTimestamp: null } };
  const out = decode(Pod, removed).value;
  assert.is.not(out, removed);
  assert.equal(out.metadata, { name: 'p' });
  assert.equal(out.status.conditions[0]!.lastProbeTime, null);
});

test('type errors carry Go\'s message and Kubernetes\' field path, in document order', () => {
  const errs = findTypeErrors(Deployment, {
    spec: { replicas: 'abc', template: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 1.5 }] }, 'x'] } } },
  });
  assert.equal(errs, [
    { field: 'spec.replicas', message: 'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32' },
    { field: 'spec.template.spec.containers[0].ports[0].containerPort', message: 'json: cannot unmarshal number 1.5 into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32' },
    { field: 'spec.template.spec.containers[1]', message: 'json: cannot unmarshal string into Go struct field PodSpec.spec.template.spec.containers of type v1.Container' },
  ]);
});

test('ranges: int32 overflows, int64 holds 2^53, null fits everything, unknown fields are not typed', () => {
  assert.equal(findTypeErrors(Deployment, { spec: { replicas: 2 ** 31 } }).map((e) => e.message), ['json: cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32']);
  assert.equal(findTypeErrors(Deployment, { metadata: { generation: 2 ** 53 }, spec: { replicas: null, selector: null }, bogus: { x: 1 } }), []);
  assert.equal(findTypeErrors(Deployment, { spec: 'x' }).map((e) => e.field), ['spec']);
});

test('maps, bytes, quantities, int-or-string and times', () => {
  assert.equal(findTypeErrors(ConfigMap, { data: 5 }), [{ field: 'data', message: 'json: cannot unmarshal number into Go struct field ConfigMap.data of type map[string]string' }]);
  assert.equal(findTypeErrors(ConfigMap, { data: { k: true }, binaryData: { b: 'aGk', ok: 'aGk=' } }), [
    { field: 'data[k]', message: 'json: cannot unmarshal bool into Go struct field ConfigMap.data of type string' },
    { field: 'binaryData[b]', message: 'illegal base64 data at input byte 0' },
  ]);
  assert.equal(findTypeErrors(ConfigMap, { metadata: { creationTimestamp: 5 } }).map((e) => e.message), ['json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of type string']);
  assert.equal(findTypeErrors(Event, { eventTime: '2024-01-01T00:00:00Z' }).map((e) => e.message), ['parsing time "2024-01-01T00:00:00Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000"']);
  assert.equal(findTypeErrors(Deployment, { spec: { strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } }, template: { spec: { containers: [{ resources: { limits: { cpu: 1, memory: '1Gi' } } }] } } } }), []);
  assert.equal(findTypeErrors(Deployment, { spec: { strategy: { rollingUpdate: { maxSurge: 1.5 } } } }).map((e) => e.message), ['json: cannot unmarshal number 1.5 into Go struct field RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type int32']);
});

test('nulls as decoding leaves them: fields absent, list and map values zero, free-form kept', () => {
  const Pod = kindByGvk('v1', 'Pod')!;
  const obj = { metadata: { name: 'p', labels: null, annotations: { a: null } }, spec: { containers: [null, { name: 'c', args: [null], ports: [{ containerPort: null }] }], nodeSelector: null } };
  assert.equal(decode(Pod, obj).value, { metadata: { name: 'p', annotations: { a: '' } }, spec: { containers: [{}, { name: 'c', args: [''], ports: [{}] }] } });
  assert.equal(obj.metadata.labels, null, 'the input is not changed');
  const clean = { metadata: { name: 'p' } };
  assert.is(decode(Pod, clean).value, clean, 'no copy without a null');
  const cm = { metadata: { managedFields: [{ fieldsV1: { 'f:data': null } }] } };
  assert.equal(decode(ConfigMap, cm).value, cm);
});

test('a null time held by value stays null (Go encodes the zero time as null); a null pointer time is dropped', () => {
  const pod = { metadata: { name: 'p', deletionTimestamp: null }, status: { conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null }], startTime: null } };
  const out = decode(kindByGvk('v1', 'Pod')!, pod).value as unknown as { metadata: object; status: { conditions: object[] } & object };
  assert.equal(out.status.conditions[0], { type: 'Ready', status: 'True', lastProbeTime: null });
  assert.not.ok('deletionTimestamp' in out.metadata);
  assert.not.ok('startTime' in out.status);
});

test('base64 as Go\'s StdEncoding decodes it', () => {
  for (const ok of ['', 'aGVsbG8=', 'aGk=', 'YQ==', 'aGVs\nbG8=']) assert.is(base64Error(ok), null, ok);
  assert.is(base64Error('aGVsbG8'), 'illegal base64 data at input byte 4');
  assert.is(base64Error('a!cd'), 'illegal base64 data at input byte 1');
  assert.is(base64Error('aGk=='), 'illegal base64 data at input byte 4');
  assert.is(base64Error('a==='), 'illegal base64 data at input byte 1');
});

test('RFC 3339 as Go\'s time.Parse reports it', () => {
  assert.is(parseTimeError('2024-05-01T12:00:00Z'), null);
  assert.is(parseTimeError('2024-05-01T12:00:00.5+02:00'), null);
  assert.is(parseTimeError('2024-05-01T12:00:00.123456Z', true), null);
  assert.is(parseTimeError('yesterday'), 'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"');
  assert.is(parseTimeError('2024-05-01 12:00:00Z'), 'parsing time "2024-05-01 12:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse " 12:00:00Z" as "T"');
  assert.is(parseTimeError('2024-13-01T00:00:00Z'), 'parsing time "2024-13-01T00:00:00Z": month out of range');
  assert.is(parseTimeError('2023-02-29T00:00:00Z'), 'parsing time "2023-02-29T00:00:00Z": day out of range');
  assert.is(parseTimeError('2024-05-01T12:00:00Zx'), 'parsing time "2024-05-01T12:00:00Zx": extra text: "x"');
  // The same answers again, after valid values of each layout (the last valid one is remembered), and the empty string is no time.
  for (const micro of [false, true]) {
    assert.is(parseTimeError('2024-05-01T12:00:00.123456Z', micro), null);
    assert.is(parseTimeError('2024-05-01T12:00:00.123456Z', micro), null);
    assert.is(parseTimeError('2024-05-01T12:00:00Z', micro) === null, !micro);
    assert.ok(parseTimeError('', micro)?.startsWith('parsing time ""'));
  }
  for (let i = 0; i < 2; i++) assert.is(parseTimeError('2024-13-01T00:00:00Z'), 'parsing time "2024-13-01T00:00:00Z": month out of range');
});

test('the Status shapes: a body\'s 400, a patch\'s 422 quoting the patch as Go prints it', () => {
  const errs = findTypeErrors(Deployment, { spec: { replicas: 'abc' } });
  const body = bodyDecodeError({ kind: 'Deployment', version: 'v1' }, errs);
  assert.is(body.code, 400);
  assert.is(body.message, 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
  assert.equal(body.details?.causes?.[0], { reason: 'FieldValueTypeInvalid', message: errs[0]!.message, field: 'spec.replicas' });
  const patch = patchDecodeError(goPrint({ spec: { replicas: 'abc', x: [1, null, true] } }), errs);
  assert.is(patch.code, 422);
  assert.is(patch.reason, 'Invalid');
  assert.is(patch.message, ' "" is invalid: patch: Invalid value: "map[spec:map[replicas:abc x:[1 <nil> true]]]": json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
  assert.equal(patch.details?.causes?.map((c) => c.field), ['patch', 'spec.replicas']);
});

test.run();
