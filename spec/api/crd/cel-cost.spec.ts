/**
 * CEL cost estimation at CRD create/update: rules Kubernetes estimates too expensive are
 * refused with its messages; the same rules with maxItems/maxLength bounds are accepted.
 * The boundaries are upstream's, measured against its validator: `self.all(x, x.contains(…))`
 * on a list of strings of maxLength L is accepted up to 10,000,000 ÷ (4 + ⌈0.4·L⌉) items.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileStructuralSchema } from '../../../api/crd/structural.ts';
import { compileCel } from '../../../api/crd/cel-env.ts';
import { estimateCost } from '../../../api/crd/cel-cost.ts';
import { costErrorMessage } from '../../../api/crd/cel-cost-budget.ts';
import type { SchemaProps } from '../../../api/crd/schema-props.ts';
import { defaultCustomResourceDefinition, validateCustomResourceDefinition } from '../../../api/crd/definition-rules.ts';
import type { CustomResourceDefinition } from '../../../api/crd/types.ts';

const P = 'spec.versions[0].schema.openAPIV3Schema';
const TAGS = `${P}.properties[spec].properties[tags]`;
const HINT = '(try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)';
const compile = (spec: SchemaProps) => compileStructuralSchema({ type: 'object', properties: { spec } } as Record<string, unknown>, P);
const errors = (spec: SchemaProps) => compile(spec).errors.map((e) => `${e.field}: ${e.message}`);
const strings = (maxItems?: number, maxLength?: number, rules: { rule: string }[] = []): SchemaProps => ({
  type: 'array',
  ...(maxItems === undefined ? {} : { maxItems }),
  items: { type: 'string', ...(maxLength === undefined ? {} : { maxLength }) },
  ...(rules.length ? { 'x-kubernetes-validations': rules } : {}),
});
const withTags = (tags: SchemaProps): SchemaProps => ({ type: 'object', properties: { tags } });

test('an unbounded list of strings with all(matches) is refused, as upstream, with its three errors', () => {
  assert.equal(errors(withTags(strings(undefined, undefined, [{ rule: "self.all(x, x.matches('^[a-z]+$'))" }]))), [
    `${TAGS}.x-kubernetes-validations[0].rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x ${HINT}`,
    `${TAGS}.x-kubernetes-validations[0].rule: Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema`,
    `${P}: Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of more than 100x ${HINT}`,
  ]);
});

test('the same rule with maxItems and maxLength is accepted and runs', () => {
  const c = compile(withTags(strings(64, 63, [{ rule: "self.all(x, x.matches('^[a-z]+$'))" }])));
  assert.equal(c.errors, []);
  const cr = (tags: string[]) => ({ apiVersion: 'x.example.com/v1', kind: 'X', metadata: { name: 'x' }, spec: { tags } });
  assert.equal(c.schema.validate(cr(['web', 'prod'])), []);
  assert.is(c.schema.validate(cr(['Web'])).length, 1);
});

test('all(contains) on a list of strings: accepted up to upstream\'s measured item counts, refused one past them', () => {
  for (const [maxItems, maxLength] of [[909_090, 16], [333_333, 63], [94_339, 253], [24_154, 1024]] as const) {
    const rule = [{ rule: "self.all(x, x.contains('gpu'))" }];
    assert.equal(errors(withTags(strings(maxItems, maxLength, rule))), [], `${maxItems} × ${maxLength}`);
    const over = errors(withTags(strings(maxItems + 1, maxLength, rule)));
    assert.is(over.length, 1, `${maxItems + 1} × ${maxLength}`);
    assert.match(over[0]!, /^.*\.x-kubernetes-validations\[0\]\.rule: Forbidden: estimated rule cost exceeds budget by factor of 1\.0000\d\dx /);
  }
});

test('a rule runs once per item: its cost is multiplied by the maxItems of the lists above it', () => {
  const item = (rule: string): SchemaProps => ({ type: 'string', maxLength: 1024, 'x-kubernetes-validations': [{ rule }] });
  // 1 + ⌈4096 × 0.1⌉ = 411 per item: 24,330 items fit, 24,331 do not.
  const list = (maxItems?: number): SchemaProps => ({ type: 'object', properties: { tags: { type: 'array', ...(maxItems ? { maxItems } : {}), items: item("self.contains('a')") } } });
  assert.equal(errors(list(24_330)), []);
  assert.match(errors(list(24_331))[0]!, /tags\]\.items\.x-kubernetes-validations\[0\]\.rule: Forbidden: estimated rule cost exceeds budget by factor of 1\.000\d+x/);
  // Unbounded: as many items as fit in a 3 MiB request (3145728 ÷ 3).
  assert.match(errors(list())[0]!, /Forbidden: estimated rule cost exceeds budget by factor of 43\.1x/);
  // Nested lists multiply: 100 × 100 items of 1024 characters.
  const nested: SchemaProps = { type: 'object', properties: { m: { type: 'array', maxItems: 100, items: { type: 'array', maxItems: 100, items: item("self.contains('a')") } } } };
  assert.equal(errors(nested), []);
  nested.properties!.m!.maxItems = 1000;
  assert.is(errors(nested).length, 1);
});

test('rules summed over the schema: refused past 100,000,000 with the most expensive named', () => {
  const rules = Array.from({ length: 12 }, () => ({ rule: "self.all(x, x.contains('gpu'))" }));
  // Each rule just under 10,000,000 (maxItems 909,090 of maxLength 16): twelve are over the total.
  const errs = errors(withTags(strings(909_090, 16, rules)));
  assert.is(errs.length, 5);
  for (let i = 0; i < 4; i++) assert.match(errs[i]!, /x-kubernetes-validations\[\d+\]\.rule: Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema$/);
  assert.is(errs[4], `${P}: Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of 1.199999x ${HINT}`);
});

test('a messageExpression is estimated too: string() concatenation is unbounded, format() is not', () => {
  const spec = (messageExpression: string): SchemaProps => ({
    type: 'object',
    properties: { min: { type: 'integer' }, max: { type: 'integer' } },
    'x-kubernetes-validations': [{ rule: 'self.min <= self.max', messageExpression }],
  });
  const errs = errors(spec("'min (' + string(self.min) + ') is over max'"));
  assert.is(errs[0], `${P}.properties[spec].x-kubernetes-validations[0].messageExpression: Forbidden: estimated messageExpression cost exceeds budget by factor of more than 100x ${HINT}`);
  assert.equal(errors(spec("'min (%d) is over max (%d)'.format([self.min, self.max])")), []);
});

test('estimates of common shapes follow cel-go\'s cost model', () => {
  const est = (rule: string, s: SchemaProps, type = 'dyn') => {
    const c = compileCel(rule, [{ name: 'self', type }]);
    assert.ok(c.ok, rule);
    return estimateCost(c.ok ? c.program.ast : undefined, s, false);
  };
  const obj: SchemaProps = { type: 'object', properties: { a: { type: 'integer' }, b: { type: 'integer' }, name: { type: 'string', maxLength: 10 } } };
  assert.is(est('self.a <= self.b', obj), 5); // two selections (2 each) and a comparison
  assert.is(est('has(self.a)', obj), 2);
  assert.is(est("self.name == 'abc'", obj), 3); // ⌈min(40, 3) × 0.1⌉ + the selection
  assert.is(est("self.name.startsWith('x')", obj), 3);
  assert.is(est('[1, 2, 3].exists(x, x == 2)', obj), 10 + 1 + 3 * (4 + 2));
  assert.is(est('self.map(x, x + 1).size() > 0', { type: 'array', maxItems: 10, items: { type: 'integer' } }), 1 + 10 + 1 + 10 * 14 + 1 + 1);
});

test('a CRD update that leaves a version\'s schema as it was keeps a rule over the per-rule limit; a changed one is refused', () => {
  const crd = (tags: SchemaProps, labels: Record<string, string> = {}): CustomResourceDefinition => defaultCustomResourceDefinition({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com', labels },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', kind: 'Widget' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: withTags(tags) } } } }],
    },
  } as CustomResourceDefinition);
  // Over the per-rule limit (1.199000x), under the schema's total: stored before the limit applied.
  const rule = [{ rule: "self.all(x, x.contains('gpu'))" }];
  const expensive = strings(1_090_000, 16, rule);
  const old = crd(expensive);
  const refused = validateCustomResourceDefinition(old).map((e) => e.message);
  assert.equal(refused, [`Forbidden: estimated rule cost exceeds budget by factor of 1.199000x ${HINT}`]);
  assert.equal(validateCustomResourceDefinition(crd(expensive, { team: 'a' }), old), []);
  assert.is(validateCustomResourceDefinition(crd(strings(1_090_001, 16, rule)), old).length, 1);
});

test('the factor is printed as upstream prints it', () => {
  assert.match(costErrorMessage('estimated rule cost', 10_000_001, 10_000_000), /by factor of 1\.000000x \(/);
  assert.match(costErrorMessage('estimated rule cost', 25_000_000, 10_000_000), /by factor of 2\.5x \(/);
  assert.match(costErrorMessage('estimated rule cost', 2_000_000_000, 10_000_000), /by factor of more than 100x \(/);
});

test.run();
