/**
 * A CRD version's selectableFields: validation with apiextensions-apiserver's messages, and
 * the field labels and values the custom kind then offers to field selectors.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultCustomResourceDefinition, validateCustomResourceDefinition } from '../../../api/crd/definition-rules.ts';
import { customKind } from '../../../api/crd/custom-kind.ts';
import { matchesFields, parseFieldSelectorFor } from '../../../api/selectors/fields.ts';
import type { CustomResourceDefinition } from '../../../api/crd/types.ts';

const schema = {
  type: 'object',
  properties: {
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      properties: {
        color: { type: 'string', enum: ['blue', 'red'] },
        size: { type: 'integer' },
        shiny: { type: 'boolean' },
        weight: { type: 'number' },
        parts: { type: 'array', items: { type: 'string' } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        f0: { type: 'string' }, f1: { type: 'string' }, f2: { type: 'string' }, f3: { type: 'string' },
        f4: { type: 'string' }, f5: { type: 'string' }, f6: { type: 'string' }, f7: { type: 'string' },
      },
    },
  },
};

function crd(selectableFields: { jsonPath: string }[], withSchema = true): CustomResourceDefinition {
  return defaultCustomResourceDefinition({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', kind: 'Widget' },
      versions: [{ name: 'v1', served: true, storage: true, selectableFields, ...(withSchema ? { schema: { openAPIV3Schema: schema } } : {}) }],
    },
  });
}

const messages = (c: CustomResourceDefinition) => validateCustomResourceDefinition(c).map((e) => `${e.field}: ${e.message}`);

test('string, integer, boolean and map-value fields are selectable', () => {
  assert.equal(messages(crd([{ jsonPath: '.spec.color' }, { jsonPath: '.spec.size' }, { jsonPath: '.spec.shiny' }, { jsonPath: '.spec.labels.app' }])), []);
});

test('a path to a number, an array or an object is refused with upstream\'s message', () => {
  const must = 'must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.';
  assert.equal(messages(crd([{ jsonPath: '.spec.weight' }, { jsonPath: '.spec.parts' }, { jsonPath: '.spec' }])), [
    `spec.versions[0].selectableFields[0].jsonPath: Invalid value: ".spec.weight": ${must}`,
    `spec.versions[0].selectableFields[1].jsonPath: Invalid value: ".spec.parts": ${must}`,
    `spec.versions[0].selectableFields[2].jsonPath: Invalid value: ".spec": ${must}`,
  ]);
});

test('unknown fields, array notation, metadata, empty and repeated paths are refused', () => {
  assert.equal(messages(crd([
    { jsonPath: '.spec.colour' },
    { jsonPath: ".spec['color']" },
    { jsonPath: '.metadata.name' },
    { jsonPath: '' },
    { jsonPath: '.spec.color' },
    { jsonPath: '.spec.color' },
    { jsonPath: 'spec.color' },
  ])), [
    'spec.versions[0].selectableFields[0].jsonPath: Invalid value: ".spec.colour": is an invalid path: does not refer to a valid field',
    'spec.versions[0].selectableFields[1].jsonPath: Invalid value: ".spec[\'color\']": is an invalid path: array notation is not allowed',
    'spec.versions[0].selectableFields[2].jsonPath: Invalid value: ".metadata.name": is an invalid path: does not refer to a valid field',
    'spec.versions[0].selectableFields[3].jsonPath: Required value',
    'spec.versions[0].selectableFields[5].jsonPath: Duplicate value: ".spec.color"',
    'spec.versions[0].selectableFields[6].jsonPath: Invalid value: "spec.color": is an invalid path: expected [ or . but got: spec',
  ]);
});

test('a path into a declared metadata object must not point to fields in metadata', () => {
  const c = crd([{ jsonPath: '.metadata' }]);
  assert.equal(messages(c), [
    'spec.versions[0].selectableFields[0].jsonPath: Invalid value: ".metadata": must not point to fields in metadata',
    'spec.versions[0].selectableFields[0].jsonPath: Invalid value: ".metadata": must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.',
  ]);
});

test('at most 8 selectable fields', () => {
  const nine = [...Array.from({ length: 8 }, (_, i) => ({ jsonPath: `.spec.f${i}` })), { jsonPath: '.spec.color' }];
  assert.equal(messages(crd(nine.slice(0, 8))), []);
  assert.equal(messages(crd(nine)), ['spec.versions[0].selectableFields: Too many: 9: must have at most 8 items']);
});

test('selectableFields without a schema are refused', () => {
  assert.ok(messages(crd([{ jsonPath: '.spec.color' }], false)).includes(
    'spec.versions[0].selectableFields: Invalid value: "": selectableFields may only be set when version.schema.openAPIV3Schema is not included',
  ));
});

test('the custom kind offers the selectable fields as field labels, with their values as strings', () => {
  const kind = customKind(crd([{ jsonPath: '.spec.color' }, { jsonPath: '.spec.size' }, { jsonPath: '.spec.shiny' }]));
  assert.equal(kind.fieldLabels, ['spec.color', 'spec.size', 'spec.shiny']);
  const w = { metadata: { name: 'a', namespace: 'default' }, spec: { color: 'blue', size: 3, shiny: false } };
  const bare = { metadata: { name: 'b', namespace: 'default' }, spec: {} };
  const sel = (text: string) => {
    const r = parseFieldSelectorFor(text, kind.fieldLabels);
    if (!r.ok) throw new Error(r.status.message);
    return r.value;
  };
  const match = (text: string) => [w, bare].filter((o) => matchesFields(sel(text), o, kind.fieldValue)).map((o) => o.metadata.name);
  assert.equal(match('spec.color=blue'), ['a']);
  assert.equal(match('spec.size=3,spec.shiny=false'), ['a']);
  assert.equal(match('spec.color!=blue'), ['b']);
  // An absent field is the empty string (upstream's AllowMissingKeys).
  assert.equal(match('spec.color='), ['b']);
  assert.equal(match('metadata.name=b'), ['b']);
  const r = parseFieldSelectorFor('spec.weight=1', kind.fieldLabels);
  assert.equal(r.ok ? '' : `${r.status.code} ${r.status.reason} ${r.status.message}`, '400 BadRequest field label not supported: spec.weight');
});

test.run();
