import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { invalid } from '../../../base/status.ts';
import { compileStructuralSchema } from '../../../api/crd/structural.ts';

// The CronTab of Kubernetes' "Extend the Kubernetes API with CustomResourceDefinitions" page.
const crontab = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        cronSpec: { type: 'string', pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$' },
        image: { type: 'string' },
        replicas: { type: 'integer', minimum: 1, maximum: 10 },
      },
    },
  },
};

test('the documented invalid CronTab gets the documented causes', () => {
  const { schema, errors } = compileStructuralSchema(crontab, 'spec.versions[0].schema.openAPIV3Schema');
  assert.equal(errors, []);
  const obj = { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'my-new-cron-object' }, spec: { cronSpec: '* * * *', image: 'my-awesome-cron-image', replicas: 15 } };
  const causes = schema.validate(schema.applyDefaults(schema.prune(obj)));
  const status = invalid('CronTab', 'my-new-cron-object', causes, 'stable.example.com');
  assert.is(status.code, 422);
  assert.is(
    status.message,
    'CronTab.stable.example.com "my-new-cron-object" is invalid: [' +
      "spec.cronSpec: Invalid value: \"* * * *\": spec.cronSpec in body should match '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$', " +
      'spec.replicas: Invalid value: 15: spec.replicas in body should be less than or equal to 10]',
  );
  assert.equal(causes.map((c) => c.reason), ['FieldValueInvalid', 'FieldValueInvalid']);
});

test('the documented defaulting and pruning example', () => {
  const withDefaults = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          cronSpec: { type: 'string', pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$', default: '5 0 * * *' },
          image: { type: 'string' },
          replicas: { type: 'integer', minimum: 1, maximum: 10, default: 1 },
        },
      },
    },
  };
  const { schema } = compileStructuralSchema(withDefaults, 'spec.versions[0].schema.openAPIV3Schema');
  const stored = schema.applyDefaults(schema.prune({ apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'my-new-cron-object' }, spec: { image: 'my-awesome-cron-image', someRandomField: 42 } }));
  assert.equal(stored.spec, { cronSpec: '5 0 * * *', image: 'my-awesome-cron-image', replicas: 1 });
  assert.equal(schema.validate(stored), []);
});

test.run();
