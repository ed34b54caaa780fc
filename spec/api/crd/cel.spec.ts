import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileStructuralSchema } from '../../../api/crd/structural.ts';
import type { SchemaProps } from '../../../api/crd/schema-props.ts';

const P = 'spec.versions[0].schema.openAPIV3Schema';
const compile = (spec: SchemaProps, root: Partial<SchemaProps> = {}) =>
  compileStructuralSchema({ type: 'object', properties: { spec }, ...root } as Record<string, unknown>, P);
const cr = (spec: unknown, name = 'x') => ({ apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name }, spec });
const run = (c: ReturnType<typeof compile>, spec: unknown, old?: unknown) =>
  c.schema.validate(cr(spec) as Record<string, unknown>, old === undefined ? undefined : (cr(old) as Record<string, unknown>)).map((e) => `${e.field}: ${e.message}`);

const replicas: SchemaProps = {
  type: 'object',
  properties: { minReplicas: { type: 'integer' }, maxReplicas: { type: 'integer' }, replicas: { type: 'integer' } },
  'x-kubernetes-validations': [
    { rule: 'self.minReplicas <= self.maxReplicas', message: 'minReplicas cannot be larger than maxReplicas' },
    { rule: '!has(self.replicas) || self.replicas >= self.minReplicas' },
  ],
};

test('a rule on an object: its message, or "failed rule: <rule>", against "object"', () => {
  const c = compile(replicas);
  assert.equal(c.errors, []);
  assert.equal(run(c, { minReplicas: 1, maxReplicas: 3, replicas: 2 }), []);
  assert.equal(run(c, { minReplicas: 5, maxReplicas: 3 }), ['spec: Invalid value: "object": minReplicas cannot be larger than maxReplicas']);
  assert.equal(run(c, { minReplicas: 2, maxReplicas: 3, replicas: 1 }), ['spec: Invalid value: "object": failed rule: !has(self.replicas) || self.replicas >= self.minReplicas']);
});

test('a rule on a scalar shows the value; a rule on the root is at <nil>', () => {
  const c = compile(
    { type: 'object', properties: { image: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self.startsWith("registry.example.com/")', message: 'images come from our registry' }] } } },
    { 'x-kubernetes-validations': [{ rule: 'self.metadata.name.startsWith("cron-")' }] },
  );
  assert.equal(c.errors, []);
  assert.equal(run(c, { image: 'docker.io/x' }), ['<nil>: Invalid value: "object": failed rule: self.metadata.name.startsWith("cron-")', 'spec.image: Invalid value: "docker.io/x": images come from our registry']);
});

test('macros, size, string functions and Kubernetes library functions run', () => {
  const c = compile({
    type: 'object',
    // Bounded, as Kubernetes needs them to be for these rules to fit the cost budget (cel-cost.spec.ts).
    properties: { tags: { type: 'array', maxItems: 16, items: { type: 'string', maxLength: 63 } }, weights: { type: 'array', maxItems: 16, items: { type: 'integer' } }, memory: { type: 'string', maxLength: 16 } },
    'x-kubernetes-validations': [
      { rule: 'self.tags.all(t, t.matches("^[a-z]+$"))', message: 'tags are lower case' },
      { rule: 'self.tags.exists(t, t == "prod") || size(self.tags) == 0', message: 'needs prod' },
      { rule: 'self.tags.filter(t, t.size() > 3).map(t, t.upperAscii()).all(t, t != "")' },
      { rule: 'self.weights.isSorted() && self.weights.sum() <= 100', message: 'weights sorted, at most 100' },
      { rule: 'quantity(self.memory).isLessThan(quantity("2Gi"))', message: 'memory below 2Gi' },
    ],
  });
  assert.equal(c.errors, []);
  assert.equal(run(c, { tags: ['prod', 'web'], weights: [10, 20], memory: '1Gi' }), []);
  assert.equal(run(c, { tags: ['Prod'], weights: [30, 20], memory: '3Gi' }), [
    'spec: Invalid value: "object": tags are lower case',
    'spec: Invalid value: "object": needs prod',
    'spec: Invalid value: "object": weights sorted, at most 100',
    'spec: Invalid value: "object": memory below 2Gi',
  ]);
});

test('transition rules run only on update; optionalOldSelf makes them run on create with an absent oldSelf', () => {
  const c = compile({
    type: 'object',
    properties: {
      mode: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'mode is immutable' }] },
      size: { type: 'integer', 'x-kubernetes-validations': [{ rule: '!oldSelf.hasValue() ? self <= 10 : self >= oldSelf.value()', optionalOldSelf: true, message: 'size starts at most 10 and never shrinks' }] },
    },
  });
  assert.equal(c.errors, []);
  assert.equal(run(c, { mode: 'a', size: 5 }), []);
  assert.equal(run(c, { mode: 'a', size: 20 }), ['spec.size: Invalid value: 20: size starts at most 10 and never shrinks']);
  assert.equal(run(c, { mode: 'b', size: 5 }, { mode: 'a', size: 5 }), ['spec.mode: Invalid value: "b": mode is immutable']);
  assert.equal(run(c, { mode: 'a', size: 4 }, { mode: 'a', size: 5 }), ['spec.size: Invalid value: 4: size starts at most 10 and never shrinks']);
  assert.equal(run(c, { mode: 'a', size: 50 }, { mode: 'a', size: 5 }), []);
});

test('items of a map list are correlated by key for oldSelf', () => {
  const c = compile({
    type: 'object',
    properties: {
      ports: {
        type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
        items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: 'self.port == oldSelf.port', message: 'port is immutable' }] },
      },
    },
  });
  assert.equal(c.errors, []);
  assert.equal(run(c, { ports: [{ name: 'b', port: 2 }, { name: 'a', port: 1 }] }, { ports: [{ name: 'a', port: 1 }, { name: 'b', port: 2 }] }), []);
  assert.equal(run(c, { ports: [{ name: 'b', port: 3 }, { name: 'c', port: 9 }] }, { ports: [{ name: 'b', port: 2 }] }), ['spec.ports[0]: Invalid value: "object": port is immutable']);
});

test('reason, fieldPath and messageExpression shape the error', () => {
  const c = compile({
    type: 'object',
    properties: { a: { type: 'string' }, b: { type: 'string' } },
    'x-kubernetes-validations': [
      { rule: 'has(self.a)', reason: 'FieldValueRequired', fieldPath: '.a', message: 'a is needed' },
      { rule: '!has(self.b) || self.b != "x"', reason: 'FieldValueForbidden', fieldPath: '.b', messageExpression: '"b may not be %s (%d chars)".format([self.b, size(self.b)])' },
    ],
  });
  assert.equal(c.errors, []);
  const errs = c.schema.validate(cr({ b: 'x' }) as Record<string, unknown>);
  assert.equal(errs, [
    { reason: 'FieldValueRequired', field: 'spec.a', message: 'Required value: a is needed' },
    { reason: 'FieldValueForbidden', field: 'spec.b', message: 'Forbidden: b may not be x (1 chars)' },
  ]);
});

test('a runtime error is reported with the rule', () => {
  const c = compile({ type: 'object', properties: { a: { type: 'object', properties: { b: { type: 'string' } } } }, 'x-kubernetes-validations': [{ rule: 'self.a.b == "x"' }] });
  assert.equal(run(c, { a: {} }), ['spec: Invalid value: "object": no such key: b evaluating rule: self.a.b == "x"']);
});

test('the rules do not run when the object has the wrong types', () => {
  const c = compile(replicas);
  assert.equal(run(c, { minReplicas: 'one', maxReplicas: 3 }), [
    'spec.minReplicas: Invalid value: "string": spec.minReplicas in body must be of type integer: "string"',
    '<nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
  ]);
});

test('a rule that does not compile, or does not give a bool, is a schema error at CRD create', () => {
  const bad = compile({ type: 'object', properties: { a: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: 'self.a +' }, { rule: 'nope == 1' }] });
  assert.equal(bad.errors.map((e) => e.field), [`${P}.properties[spec].x-kubernetes-validations[0].rule`, `${P}.properties[spec].x-kubernetes-validations[1].rule`]);
  assert.match(bad.errors[0]!.message!, /^Invalid value: apiextensions\.ValidationRule\{Rule:"self\.a \+", Message:"", .*\}: compilation failed: ERROR: <input>:1:\d+: /);
  assert.match(bad.errors[1]!.message!, /compilation failed: ERROR: <input>:1:1: undeclared reference to 'nope' \(in container ''\)$/);
  const typed = compile({ type: 'integer', 'x-kubernetes-validations': [{ rule: 'self > "a"' }, { rule: 'self + 1' }] } as SchemaProps);
  assert.match(typed.errors[0]!.message!, /found no matching overload for '_>_' applied to '\(int, string\)'/);
  assert.match(typed.errors[1]!.message!, /: cel expression must evaluate to a bool$/);
});

test('oldSelf is refused where items cannot be correlated; optionalOldSelf needs oldSelf', () => {
  const c = compile({
    type: 'object',
    properties: {
      tags: { type: 'array', maxItems: 16, items: { type: 'string', maxLength: 63, 'x-kubernetes-validations': [{ rule: 'self == oldSelf' }] } },
      n: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self > 0', optionalOldSelf: true }] },
    },
  });
  assert.equal(c.errors.map((e) => `${e.field}: ${e.message}`), [
    `${P}.properties[spec].properties[tags].items.x-kubernetes-validations[0].rule: Invalid value: "self == oldSelf": oldSelf cannot be used on the uncorrelatable portion of the schema within ${P}.properties[spec].properties[tags]`,
    `${P}.properties[spec].properties[n].x-kubernetes-validations[0].optionalOldSelf: Invalid value: true: may not be set if oldSelf is not used in rule`,
  ]);
});

test('static checks of rule entries', () => {
  const c = compile({ type: 'object', 'x-kubernetes-validations': [{ rule: ' ' }, { rule: 'true', reason: 'Nope' }, { rule: 'true', fieldPath: '.missing' }] });
  assert.equal(c.errors.map((e) => `${e.field}: ${e.message}`), [
    `${P}.properties[spec].x-kubernetes-validations[0].rule: Required value: rule is not specified`,
    `${P}.properties[spec].x-kubernetes-validations[1].reason: Unsupported value: "Nope": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"`,
    `${P}.properties[spec].x-kubernetes-validations[2].fieldPath: Invalid value: ".missing": fieldPath must be a valid path`,
  ]);
});

test('a field the schema does not declare is refused at compile, as cel-go refuses it', () => {
  const c = compile({
    type: 'object',
    properties: { replicas: { type: 'integer' }, ports: { type: 'array', items: { type: 'object', properties: { port: { type: 'integer' } } } }, free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
    'x-kubernetes-validations': [{ rule: 'self.replica > 0' }, { rule: 'self.ports.all(p, p.prot > 0)' }, { rule: 'has(self.free.anything) && self.ports[0].port > 0' }],
  }, { 'x-kubernetes-validations': [{ rule: 'self.metadata.labels.size() > 0' }, { rule: 'self.metadata.name != "" && self.kind == "CronTab"' }] });
  assert.equal(c.errors.map((e) => `${e.field}: ${(e.message ?? '').replace(/^.*compilation failed: /, '')}`), [
    `${P}.x-kubernetes-validations[0].rule: ERROR: <input>:1:14: undefined field 'labels'`,
    `${P}.properties[spec].x-kubernetes-validations[0].rule: ERROR: <input>:1:5: undefined field 'replica'`,
    `${P}.properties[spec].x-kubernetes-validations[1].rule: ERROR: <input>:1:20: undefined field 'prot'`,
  ]);
});

test('date-time strings are timestamps, duration strings durations, and int-or-string values are dyn, as Kubernetes types them', () => {
  const c = compile({
    type: 'object',
    properties: { notAfter: { type: 'string', format: 'date-time' }, port: { 'x-kubernetes-int-or-string': true }, every: { type: 'string', format: 'duration' } },
    'x-kubernetes-validations': [
      { rule: '!has(self.every) || self.every >= duration("1m")', message: 'at most once a minute' },
      { rule: 'self.notAfter > timestamp("2024-01-01T00:00:00Z")', message: 'expires after 2024' },
      { rule: 'type(self.port) == string || self.port < 65536', message: 'a port number below 65536' },
    ],
  });
  assert.equal(c.errors, []);
  assert.equal(run(c, { notAfter: '2030-05-01T00:00:00Z', port: 'http', every: '1h30m' }), []);
  assert.equal(run(c, { notAfter: '2030-05-01T00:00:00Z', port: 'http', every: '30s' }), ['spec: Invalid value: "object": at most once a minute']);
  assert.equal(run(c, { notAfter: '2020-05-01T00:00:00Z', port: 70000 }), ['spec: Invalid value: "object": expires after 2024', 'spec: Invalid value: "object": a port number below 65536']);
});

test('a rule on a date-time or duration field, or a list of them, sees timestamps and durations', () => {
  const c = compile({
    type: 'object',
    properties: {
      notAfter: { type: 'string', format: 'date-time', 'x-kubernetes-validations': [{ rule: 'self > timestamp("2024-01-01T00:00:00Z")', message: 'expires after 2024' }] },
      every: { type: 'string', format: 'duration', 'x-kubernetes-validations': [{ rule: 'self >= duration("1m")', message: 'at most once a minute' }] },
      windows: { type: 'array', maxItems: 4, items: { type: 'string', format: 'date-time' }, 'x-kubernetes-validations': [{ rule: 'self.all(t, t.getFullYear() >= 2024)', message: 'windows from 2024' }] },
    },
  });
  assert.equal(c.errors, []);
  assert.equal(run(c, { notAfter: '2030-05-01T00:00:00Z', every: '1h', windows: ['2025-01-01T00:00:00Z'] }), []);
  assert.equal(run(c, { notAfter: '2020-05-01T00:00:00Z', every: '30s', windows: ['2023-01-01T00:00:00Z'] }), [
    'spec.notAfter: Invalid value: "2020-05-01T00:00:00Z": expires after 2024',
    'spec.every: Invalid value: "30s": at most once a minute',
    'spec.windows: Invalid value: "array": windows from 2024',
  ]);
});

test('property names that are not CEL identifiers are reached escaped', () => {
  const c = compile({
    type: 'object',
    properties: { 'max-size': { type: 'integer' }, namespace: { type: 'string' }, labels: { type: 'object', additionalProperties: { type: 'string' } } },
    'x-kubernetes-validations': [{ rule: 'self.max__dash__size < 10 && self.__namespace__ != "" && self.labels["app.kubernetes.io/name"] == "web"' }],
  });
  assert.equal(c.errors, []);
  assert.equal(run(c, { 'max-size': 5, namespace: 'a', labels: { 'app.kubernetes.io/name': 'web' } }), []);
  assert.equal(run(c, { 'max-size': 50, namespace: 'a', labels: { 'app.kubernetes.io/name': 'web' } }).length, 1);
});

test.run();
