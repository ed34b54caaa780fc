import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kindByGvk } from '../../api/kinds.ts';
import { checkUnknownFields, dropUnknownFields, findUnknownFields } from '../../api/validation/unknown.ts';

const Deployment = kindByGvk('apps/v1', 'Deployment');
const Pod = kindByGvk('v1', 'Pod');
if (!Deployment || !Pod) throw new Error('kinds missing');

const deploy = {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'w', labels: { anything: 'goes' }, annotations: { a: 'b' } },
  spec: {
    replicas: 1, foo: 1, selector: { matchLabels: { app: 'w' } },
    template: { metadata: { labels: { app: 'w' } }, spec: { containers: [{ name: 'c', image: 'x', imagePullPolicyy: 'Always', resources: { limits: { cpu: '1' } }, ports: [{ containerPort: 80, bogus: true }] }] } },
  },
  status: { replicas: 1 },
};

test('unknown fields are found with the strict decoder\'s paths; maps accept any key', () => {
  assert.equal(findUnknownFields(Deployment, deploy), ['spec.foo', 'spec.template.spec.containers[0].imagePullPolicyy', 'spec.template.spec.containers[0].ports[0].bogus']);
  assert.equal(findUnknownFields(Pod, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', managedFields: [{ fieldsV1: { 'f:x': {} } }] }, spec: { containers: [] }, extra: 1 }), ['extra']);
});

test('Strict, Warn and Ignore', () => {
  const strict = checkUnknownFields(Deployment, deploy, 'Strict');
  assert.not.ok(strict.ok);
  if (!strict.ok) {
    assert.is(strict.status.code, 400);
    assert.is(strict.status.message, 'strict decoding error: unknown field "spec.foo", unknown field "spec.template.spec.containers[0].imagePullPolicyy", unknown field "spec.template.spec.containers[0].ports[0].bogus"');
  }
  const warn = checkUnknownFields(Deployment, deploy, 'Warn');
  assert.ok(warn.ok);
  if (warn.ok) {
    assert.equal(warn.warnings, ['unknown field "spec.foo"', 'unknown field "spec.template.spec.containers[0].imagePullPolicyy"', 'unknown field "spec.template.spec.containers[0].ports[0].bogus"']);
    assert.equal(findUnknownFields(Deployment, warn.value), []);
  }
  const ignore = checkUnknownFields(Deployment, deploy, 'Ignore');
  assert.ok(ignore.ok);
  if (ignore.ok) assert.equal(ignore.warnings, []);
  const dropped = dropUnknownFields(Deployment, deploy);
  assert.not.ok('foo' in dropped.spec);
  assert.ok('foo' in deploy.spec, 'the input is not mutated');
});

test('every registered kind has a schema root', () => {
  for (const k of [Deployment, Pod]) assert.equal(findUnknownFields(k, { apiVersion: 'x', kind: 'y', metadata: {} }), []);
});

test.run();
