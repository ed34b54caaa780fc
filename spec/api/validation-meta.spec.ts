import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { invalid as invalidStatus } from '../../base/status.ts';
import { kindByResource } from '../../api/kinds.ts';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from '../../api/validation/names.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../api/validation/meta.ts';
import { nameIsDNSSubdomain } from '../../api/validation/names.ts';

const SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

test('DNS name checks carry Kubernetes\' exact wording', () => {
  assert.equal(isDNS1123Subdomain('Foo_Bar'), [SUBDOMAIN_MSG]);
  assert.equal(isDNS1123Subdomain('a.b-c.d'), []);
  assert.equal(isDNS1123Subdomain('a'.repeat(254)), ['must be no more than 253 characters']);
  assert.equal(isDNS1123Label('a.b'), [LABEL_MSG]);
  assert.equal(isDNS1123Label('1abc'), []);
  assert.equal(isDNS1035Label('1abc'), [DNS1035_MSG]);
  assert.equal(isDNS1035Label('abc-1'), []);
});

test('qualified names and label values', () => {
  assert.equal(isQualifiedName('example.com/app'), []);
  assert.equal(isQualifiedName('/app'), ['prefix part must be non-empty']);
  assert.equal(isQualifiedName('a/'), ['name part must be non-empty', "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"]);
  assert.match(isQualifiedName('Bad_/x')[0] ?? '', /^prefix part a lowercase RFC 1123 subdomain/);
  assert.match(isQualifiedName('a/b/c')[0] ?? '', /with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/);
  assert.equal(isValidLabelValue(''), []);
  assert.equal(isValidLabelValue('x'.repeat(64)), ['must be no more than 63 characters']);
  assert.equal(isValidLabelValue('-x'), ["a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"]);
});

test('the Invalid status reads as the apiserver writes it', () => {
  const pods = kindByResource('', 'pods');
  assert.ok(pods);
  const pod = pods.defaults({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'Foo_Bar', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  const causes = pods.validate(pod);
  assert.equal(causes, [{ reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: "Foo_Bar": ${SUBDOMAIN_MSG}` }]);
  const s = invalidStatus('Pod', 'Foo_Bar', causes);
  assert.is(s.message, `Pod "Foo_Bar" is invalid: metadata.name: Invalid value: "Foo_Bar": ${SUBDOMAIN_MSG}`);
});

test('names per kind: Services are DNS-1035 labels, Namespaces DNS-1123 labels', () => {
  const svc = kindByResource('', 'services');
  const ns = kindByResource('', 'namespaces');
  assert.ok(svc && ns);
  const s = svc.validate(svc.defaults({ metadata: { name: '1web', namespace: 'd' }, spec: { ports: [{ port: 80 }] } }));
  assert.equal(s.map((c) => c.message), [`Invalid value: "1web": ${DNS1035_MSG}`]);
  const n = ns.validate(ns.defaults({ metadata: { name: 'a.b' } }));
  assert.equal(n.map((c) => `${c.field}: ${c.message}`), [`metadata.name: Invalid value: "a.b": ${LABEL_MSG}`]);
});

const metaCases: Array<[string, Parameters<typeof validateObjectMeta>[0], boolean, string[]]> = [
  ['name required', {}, false, ['metadata.name: Required value: name or generateName is required']],
  ['namespace required', { name: 'a' }, true, ['metadata.namespace: Required value']],
  ['namespace forbidden', { name: 'a', namespace: 'x' }, false, ['metadata.namespace: Forbidden: not allowed on this type']],
  ['bad generateName', { name: 'a', generateName: 'Web-' }, false, [`metadata.generateName: Invalid value: "Web-": ${SUBDOMAIN_MSG}`]],
  ['generateName may end with a dash', { name: 'a', generateName: 'web-' }, false, []],
  ['label key', { name: 'a', labels: { 'a b': 'c' } }, false, [`metadata.labels: Invalid value: "a b": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`]],
  ['label value', { name: 'a', labels: { a: 'x'.repeat(64) } }, false, [`metadata.labels: Invalid value: "${'x'.repeat(64)}": must be no more than 63 characters`]],
  ['annotation keys ignore case', { name: 'a', annotations: { 'Example.COM/Key': 'v' } }, false, []],
  ['annotation size', { name: 'a', annotations: { a: 'x'.repeat(262144) } }, false, ['metadata.annotations: Too long: must have at most 262144 bytes']],
  ['owner reference fields', { name: 'a', ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: '' }] }, false, ['metadata.ownerReferences.uid: Invalid value: "": uid must not be empty']],
];
for (const [what, meta, namespaced, want] of metaCases) {
  test(`object meta: ${what}`, () => {
    assert.equal(validateObjectMeta(meta, namespaced, nameIsDNSSubdomain).map((c) => `${c.field}: ${c.message}`), want);
  });
}

test('object meta update: identity is immutable, finalizers frozen while deleting', () => {
  const old = { name: 'a', namespace: 'n', uid: 'u1', generation: 2, deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['x/y'] };
  const lines = validateObjectMetaUpdate({ ...old, name: 'b', uid: 'u2', generation: 1, finalizers: ['x/y', 'a/b'] }, old).map((c) => `${c.field}: ${c.message}`);
  assert.equal(lines, [
    'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"a/b"}',
    'metadata.generation: Invalid value: 1: must not be decremented',
    'metadata.name: Invalid value: "b": field is immutable',
    'metadata.uid: Invalid value: "u2": field is immutable',
  ]);
  assert.equal(validateObjectMetaUpdate(old, old), []);
});

test.run();
