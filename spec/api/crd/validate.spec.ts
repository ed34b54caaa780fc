import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileStructuralSchema } from '../../../api/crd/structural.ts';

const P = 'spec.versions[0].schema.openAPIV3Schema';
function validator(spec: Record<string, unknown>, required?: string[]) {
  const c = compileStructuralSchema({ type: 'object', properties: { spec: { type: 'object', properties: spec, ...(required ? { required } : {}) } } }, P);
  assert.equal(c.errors, []);
  return (s: unknown) => c.schema.validate({ apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'x' }, spec: s as object }).map((e) => `${e.field}: ${e.message}`);
}

test('a wrong type is reported as kube-openapi reports it', () => {
  const v = validator({ replicas: { type: 'integer' }, ratio: { type: 'number' }, on: { type: 'boolean' } });
  assert.equal(v({ replicas: 3, ratio: 2, on: true }), []);
  assert.equal(v({ replicas: 'string' }), ['spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"']);
  assert.equal(v({ replicas: 1.5 }), ['spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"']);
  assert.equal(v({ on: 'yes' }), ['spec.on: Invalid value: "string": spec.on in body must be of type boolean: "string"']);
});

test('required fields, enums, and nullable', () => {
  const v = validator({ image: { type: 'string' }, mode: { type: 'string', enum: ['Fast', 'Slow'] }, note: { type: 'string', nullable: true }, n: { type: 'string' } }, ['image']);
  assert.equal(v({ mode: 'Medium' }), ['spec.image: Required value', 'spec.mode: Unsupported value: "Medium": supported values: "Fast", "Slow"']);
  assert.equal(v({ image: 'x', note: null }), []);
  assert.equal(v({ image: 'x', n: null }), ['spec.n: Invalid value: "null": spec.n in body must be of type string: "null"']);
});

test('numeric bounds', () => {
  const v = validator({ a: { type: 'integer', minimum: 1, maximum: 10 }, b: { type: 'integer', minimum: 1, exclusiveMinimum: true }, c: { type: 'number', multipleOf: 0.5 } });
  assert.equal(v({ a: 0 }), ['spec.a: Invalid value: 0: spec.a in body should be greater than or equal to 1']);
  assert.equal(v({ a: 11 }), ['spec.a: Invalid value: 11: spec.a in body should be less than or equal to 10']);
  assert.equal(v({ b: 1 }), ['spec.b: Invalid value: 1: spec.b in body should be greater than 1']);
  assert.equal(v({ c: 0.7 }), ['spec.c: Invalid value: 0.7: spec.c in body should be a multiple of 0.5']);
});

test('string bounds, pattern and formats', () => {
  const v = validator({ s: { type: 'string', minLength: 2, maxLength: 4, pattern: '^[a-z]+$' }, t: { type: 'string', format: 'date-time' }, u: { type: 'string', format: 'uuid' }, i: { type: 'integer', format: 'int32' } });
  assert.equal(v({ s: 'abc', t: '2024-01-02T03:04:05Z', u: '123e4567-e89b-12d3-a456-426614174000', i: 5 }), []);
  assert.equal(v({ s: 'a' }), ['spec.s: Invalid value: "a": spec.s in body should be at least 2 chars long']);
  assert.equal(v({ s: 'abcdef' }), ['spec.s: Too long: may not be longer than 4']);
  assert.equal(v({ s: 'AB' }), ["spec.s: Invalid value: \"AB\": spec.s in body should match '^[a-z]+$'"]);
  assert.equal(v({ t: 'yesterday' }), ['spec.t: Invalid value: "yesterday": spec.t in body must be of type date-time: "yesterday"']);
  assert.equal(v({ u: 'nope' }), ['spec.u: Invalid value: "nope": spec.u in body must be of type uuid: "nope"']);
});

test('list bounds, and item paths in brackets', () => {
  const v = validator({ l: { type: 'array', minItems: 1, maxItems: 2, items: { type: 'integer' } } });
  assert.equal(v({ l: [] }), ['spec.l: Invalid value: 0: spec.l in body should have at least 1 items']);
  assert.equal(v({ l: [1, 2, 3] }), ['spec.l: Too many: 3: must have at most 2 items']);
  assert.equal(v({ l: [1, 'x'] }), ['spec.l[1]: Invalid value: "string": spec.l[1] in body must be of type integer: "string"']);
});

test('int-or-string takes integers and strings only', () => {
  const v = validator({ port: { 'x-kubernetes-int-or-string': true } });
  assert.equal(v({ port: 80 }), []);
  assert.equal(v({ port: 'http' }), []);
  assert.equal(v({ port: true }), ['spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"']);
});

test('maps (additionalProperties) validate every value', () => {
  const v = validator({ labels: { type: 'object', additionalProperties: { type: 'string', maxLength: 3 } } });
  assert.equal(v({ labels: { a: 'x', b: 'long' } }), ['spec.labels.b: Too long: may not be longer than 3']);
});

test('an embedded resource needs apiVersion and kind, and valid metadata', () => {
  const v = validator({ template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } });
  assert.equal(v({ template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } } }), []);
  assert.equal(v({ template: { metadata: { name: 'p' } } }), ['spec.template.apiVersion: Required value: must not be empty', 'spec.template.kind: Required value: must not be empty']);
  const bad = v({ template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'Bad_Name' } } });
  assert.is(bad.length, 1);
  assert.match(bad[0]!, /^spec\.template\.metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
});

test('list-type set and map refuse duplicates at the repeat', () => {
  const v = validator({
    tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
    ports: {
      type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name', 'protocol'],
      items: { type: 'object', required: ['name', 'protocol'], properties: { name: { type: 'string' }, protocol: { type: 'string' }, port: { type: 'integer' } } },
    },
  });
  assert.equal(v({ tags: ['a', 'b'], ports: [{ name: 'a', protocol: 'TCP' }, { name: 'a', protocol: 'UDP' }] }), []);
  assert.equal(v({ tags: ['a', 'b', 'a'] }), ['spec.tags[2]: Duplicate value: "a"']);
  assert.equal(v({ ports: [{ name: 'a', protocol: 'TCP', port: 1 }, { name: 'a', protocol: 'TCP', port: 2 }] }), [
    'spec.ports[1]: Duplicate value: map[string]interface {}{"name":"a", "protocol":"TCP"}',
  ]);
});

test('ratcheting: on update, values left unchanged are not validated again', () => {
  const c = compileStructuralSchema({ type: 'object', properties: { spec: { type: 'object', properties: {
    a: { type: 'string', maxLength: 3 }, b: { type: 'string', maxLength: 3 },
    l: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'], items: { type: 'object', required: ['k'], properties: { k: { type: 'string' }, v: { type: 'integer', maximum: 5 } } } },
    r: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self < 10', message: 'below 10' }] },
  } } } }, P);
  const old = { spec: { a: 'long', b: 'ok', l: [{ k: 'x', v: 9 }], r: 20 } };
  const lines = (o: object, prev?: object) => c.schema.validate(o as Record<string, unknown>, prev as Record<string, unknown> | undefined).map((e) => `${e.field}: ${e.message}`);
  assert.equal(lines(old).length, 3, 'on create every rule applies');
  assert.equal(lines({ spec: { ...old.spec, b: 'new' } }, old), [], 'the too-long a and the too-large item were stored before');
  assert.equal(lines({ spec: { ...old.spec, a: 'longer', l: [{ k: 'y', v: 9 }, { k: 'x', v: 9 }], r: 30 } }, old), [
    'spec.a: Too long: may not be longer than 3',
    'spec.l[0].v: Invalid value: 9: spec.l[0].v in body should be less than or equal to 5',
    'spec.r: Invalid value: 30: below 10',
  ]);
});

test('keys are data: a "__proto__" key is pruned, validated and seen by rules as a plain key', () => {
  const c = compileStructuralSchema({ type: 'object', properties: { spec: { type: 'object', properties: {
    labels: { type: 'object', additionalProperties: { type: 'string' }, 'x-kubernetes-validations': [{ rule: 'self.all(k, k != "__proto__")', message: 'no such label' }] },
  } } } }, P);
  const obj = JSON.parse('{"spec":{"__proto__":{"polluted":true},"labels":{"__proto__":"x"}}}');
  const pruned = c.schema.prune(obj);
  assert.equal(Object.keys(pruned.spec as object), ['labels']);
  assert.is(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(c.schema.validate(pruned).map((e) => `${e.field}: ${e.message}`), ['spec.labels: Invalid value: "object": no such label']);
});

test('validate never mutates its input', () => {
  const c = compileStructuralSchema({ type: 'object', properties: { spec: { type: 'object', properties: { a: { type: 'integer', default: 1 } } } } }, P);
  const o = { spec: { b: 1 } };
  c.schema.validate(o);
  c.schema.prune(o);
  c.schema.applyDefaults(o);
  assert.equal(o, { spec: { b: 1 } });
});

test.run();
