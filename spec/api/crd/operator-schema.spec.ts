import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileStructuralSchema } from '../../../api/crd/structural.ts';

// The shape controller-gen writes for a typical operator's kind: descriptions everywhere,
// int-or-string with its anyOf, formats, atomic lists and maps, RE2 patterns with escapes,
// an embedded object, preserve-unknown-fields, defaults and a CEL rule.
const schema = {
  description: 'Backup is the Schema for the backups API',
  type: 'object',
  properties: {
    apiVersion: { description: 'APIVersion defines the versioned schema of this representation of an object.', type: 'string' },
    kind: { description: 'Kind is a string value representing the REST resource this object represents.', type: 'string' },
    metadata: { type: 'object' },
    spec: {
      description: 'BackupSpec defines the desired state of Backup',
      type: 'object',
      required: ['schedule'],
      properties: {
        schedule: { description: 'Cron schedule.', type: 'string', pattern: '^(\\S+\\s){4}\\S+$' },
        bucket: { type: 'string', pattern: '^[a-z0-9][a-z0-9\\-\\.\\_]*$', maxLength: 63 },
        retention: { anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true, pattern: '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$' },
        parallelism: { type: 'integer', format: 'int32', default: 1, minimum: 1 },
        suspend: { type: 'boolean', default: false },
        selector: {
          type: 'object',
          'x-kubernetes-map-type': 'atomic',
          properties: { matchLabels: { type: 'object', additionalProperties: { type: 'string' } } },
        },
        targets: { type: 'array', 'x-kubernetes-list-type': 'atomic', items: { type: 'string' } },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
        options: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
      'x-kubernetes-validations': [{ rule: '!self.suspend || !has(self.targets) || size(self.targets) == 0', message: 'a suspended backup has no targets' }],
    },
    status: {
      type: 'object',
      properties: {
        lastRun: { type: 'string', format: 'date-time' },
        conditions: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['type'],
          items: { type: 'object', required: ['type', 'status'], properties: { type: { type: 'string' }, status: { type: 'string', enum: ['True', 'False', 'Unknown'] }, lastTransitionTime: { type: 'string', format: 'date-time' } } },
        },
      },
    },
  },
};

test('a controller-gen style schema compiles cleanly', () => {
  assert.equal(compileStructuralSchema(schema, 'spec.versions[0].schema.openAPIV3Schema').errors, []);
});

test('its custom resources are pruned, defaulted and validated', () => {
  const { schema: s } = compileStructuralSchema(schema, 'spec.versions[0].schema.openAPIV3Schema');
  const obj = {
    apiVersion: 'backup.example.com/v1', kind: 'Backup', metadata: { name: 'nightly' },
    spec: { schedule: '0 2 * * *', bucket: 'my-bucket.v1_x', retention: '10Gi', extra: 'dropped', options: { any: { thing: 1 } }, template: { apiVersion: 'v1', kind: 'Pod', spec: { containers: [] } } },
  };
  const ready = s.applyDefaults(s.prune(obj));
  assert.equal(ready.spec, { schedule: '0 2 * * *', bucket: 'my-bucket.v1_x', retention: '10Gi', parallelism: 1, suspend: false, options: { any: { thing: 1 } }, template: { apiVersion: 'v1', kind: 'Pod', spec: { containers: [] } } });
  assert.equal(s.validate(ready), []);
  const bad = { ...ready, spec: { ...(ready.spec as object), schedule: 'daily', suspend: true, targets: ['a'] }, status: { conditions: [{ type: 'Ready', status: 'Maybe' }, { type: 'Ready', status: 'True' }] } };
  assert.equal(s.validate(bad).map((e) => `${e.field}: ${e.message}`), [
    "spec.schedule: Invalid value: \"daily\": spec.schedule in body should match '^(\\S+\\s){4}\\S+$'",
    'status.conditions[0].status: Unsupported value: "Maybe": supported values: "True", "False", "Unknown"',
    'status.conditions[1]: Duplicate value: map[string]interface {}{"type":"Ready"}',
    'spec: Invalid value: "object": a suspended backup has no targets',
  ]);
});

test.run();
