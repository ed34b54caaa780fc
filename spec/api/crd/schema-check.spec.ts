import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { invalid as invalidStatus } from '../../../base/status.ts';
import { compileStructuralSchema } from '../../../api/crd/structural.ts';

const P = 'spec.versions[0].schema.openAPIV3Schema';
const lines = (schema: Record<string, unknown>): string[] =>
  compileStructuralSchema(schema, P).errors.map((c) => `${c.field}: ${c.message}`);
const obj = (spec: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ type: 'object', properties: { spec: { type: 'object', properties: spec, ...extra } } });

test('a usable schema compiles without errors', () => {
  assert.equal(lines(obj({ replicas: { type: 'integer', minimum: 0 }, tags: { type: 'array', items: { type: 'string' } } })), []);
});

test('a type is required everywhere but under int-or-string and preserve-unknown-fields', () => {
  assert.equal(lines({ properties: { spec: { type: 'object' } } }), [`${P}.type: Required value: must not be empty at the root`]);
  assert.equal(lines(obj({ a: {}, b: { 'x-kubernetes-int-or-string': true }, c: { 'x-kubernetes-preserve-unknown-fields': true } })), [
    `${P}.properties[spec].properties[a].type: Required value: must not be empty for specified object fields`,
  ]);
  assert.equal(lines(obj({ l: { type: 'array', items: {} } })), [`${P}.properties[spec].properties[l].items.type: Required value: must not be empty for specified array items`]);
  assert.equal(lines(obj({ l: { type: 'array' } })), [`${P}.properties[spec].properties[l].items: Required value: must be specified`]);
  assert.equal(lines({ type: 'string' }), [`${P}.type: Invalid value: "string": must be object at the root`]);
});

test('additionalProperties and properties are mutually exclusive; additionalProperties is refused at the root', () => {
  assert.equal(lines(obj({ a: { type: 'string' } }, { additionalProperties: { type: 'string' } })), [
    `${P}.properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`,
  ]);
  assert.equal(lines({ type: 'object', additionalProperties: { type: 'string' } }), [`${P}.additionalProperties: Forbidden: must not be used at the root`]);
});

test('metadata may only restrict name and generateName', () => {
  assert.equal(lines({ type: 'object', properties: { metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 10 } } } } }), []);
  assert.equal(lines({ type: 'object', properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } } }), [
    `${P}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`,
  ]);
  assert.equal(lines({ type: 'object', properties: { metadata: { type: 'object', default: {} } } }), [`${P}.properties[metadata].default: Forbidden: must not be set in top-level metadata`]);
});

test('keywords a CRD schema may not use are forbidden with upstream messages', () => {
  assert.equal(lines(obj({ a: { type: 'string', $ref: '#/x' }, b: { type: 'array', uniqueItems: true, items: { type: 'string' } }, c: { type: 'object', patternProperties: { x: {} } } })), [
    `${P}.properties[spec].properties[a].$ref: Forbidden: $ref is not supported`,
    `${P}.properties[spec].properties[b].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`,
    `${P}.properties[spec].properties[c].patternProperties: Forbidden: patternProperties is not supported`,
  ]);
  assert.equal(lines(obj({ a: { type: 'strin' } })), [
    `${P}.properties[spec].properties[a].type: Unsupported value: "strin": supported values: "array", "boolean", "integer", "number", "object", "string"`,
  ]);
});

test('value validations under anyOf/allOf/oneOf/not may not specify structure, except the int-or-string pattern', () => {
  assert.equal(lines(obj({ a: { type: 'string', anyOf: [{ type: 'string' }, { pattern: 'x', description: 'd' }] } })), [
    `${P}.properties[spec].properties[a].anyOf[0].type: Forbidden: must be empty to be structural`,
    `${P}.properties[spec].properties[a].anyOf[1].description: Forbidden: must be empty to be structural`,
  ]);
  assert.equal(lines(obj({ port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] } })), []);
});

test('what a root value validation talks about must be specified by the structure', () => {
  assert.equal(lines({ type: 'object', properties: { spec: { type: 'object', properties: { a: { type: 'string' } } } }, anyOf: [{ required: ['spec'] }, { properties: { status: { required: ['x'] } } }] }), [
    `${P}.properties[status]: Required value: because it is defined in ${P}.anyOf[1].properties[status]`,
  ]);
});

test('list and map types are checked as upstream checks them', () => {
  assert.equal(lines(obj({ a: { type: 'string', 'x-kubernetes-list-type': 'set' } })), [
    `${P}.properties[spec].properties[a].type: Invalid value: "string": must be array if x-kubernetes-list-type is specified`,
  ]);
  assert.equal(lines(obj({ a: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'bag' } })), [
    `${P}.properties[spec].properties[a].x-kubernetes-list-type: Unsupported value: "bag": supported values: "atomic", "set", "map"`,
  ]);
  assert.equal(lines(obj({ a: { type: 'array', 'x-kubernetes-list-type': 'map', items: { type: 'object', properties: { name: { type: 'string' } } } } })), [
    `${P}.properties[spec].properties[a].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map`,
  ]);
  assert.equal(lines(obj({ a: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: { name: { type: 'string' } } } } })), [
    `${P}.properties[spec].properties[a].items.properties[name].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`,
  ]);
  assert.equal(lines(obj({ m: { type: 'object', 'x-kubernetes-map-type': 'loose' } })), [
    `${P}.properties[spec].properties[m].x-kubernetes-map-type: Unsupported value: "loose": supported values: "atomic", "granular"`,
  ]);
});

test('embedded resources must be objects with properties or preserve-unknown-fields', () => {
  assert.equal(lines(obj({ t: { type: 'object', 'x-kubernetes-embedded-resource': true } })), [
    `${P}.properties[spec].properties[t].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields`,
  ]);
  assert.equal(lines(obj({ t: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } })), []);
});

test('a default must be valid for its own schema', () => {
  assert.equal(lines(obj({ replicas: { type: 'integer', default: 'one' } })), [
    `${P}.properties[spec].properties[replicas].default: Invalid value: "string": ${P}.properties[spec].properties[replicas].default in body must be of type integer: "string"`,
  ]);
  assert.equal(lines(obj({ r: { type: 'object', properties: { a: { type: 'string' } }, default: { a: 'x', b: 'y' } } })), [
    `${P}.properties[spec].properties[r].default: Invalid value: map[string]string{"a":"x", "b":"y"}: must not have unknown fields`,
  ]);
});

test('a default must pass the CEL rules of its schema', () => {
  assert.equal(lines(obj({ window: { type: 'object', default: { from: 5, to: 1 }, properties: { from: { type: 'integer' }, to: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: 'self.from <= self.to', message: 'from before to' }] } })), [
    `${P}.properties[spec].properties[window].default: Invalid value: "object": from before to`,
  ]);
});

test('the errors make the Status a CRD create is refused with', () => {
  const errors = compileStructuralSchema({ properties: {} }, P).errors;
  const s = invalidStatus('CustomResourceDefinition', 'crontabs.stable.example.com', errors, 'apiextensions.k8s.io');
  assert.is(s.message, `CustomResourceDefinition.apiextensions.k8s.io "crontabs.stable.example.com" is invalid: ${P}.type: Required value: must not be empty at the root`);
  assert.is(s.details?.causes?.[0]?.reason, 'FieldValueRequired');
});

test.run();
