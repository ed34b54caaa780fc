/**
 * The estimator against the costs upstream's apiextensions CEL compilation expects for the
 * same rules and schemas (MaxCost, before cardinality): each case once without bounds and once
 * with maxItems / maxProperties / maxLength set to the case's bound.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileCel } from '../../../api/crd/cel-env.ts';
import { estimateCost } from '../../../api/crd/cel-cost.ts';
import { celTypeOf } from '../../../api/crd/cel-types.ts';
import type { SchemaProps } from '../../../api/crd/schema-props.ts';

type Gen = (max?: number) => SchemaProps;

const prim = (type: string): SchemaProps =>
  type === 'int-or-string' ? { 'x-kubernetes-int-or-string': true }
    : ['duration', 'date', 'date-time'].includes(type) ? { type: 'string', format: type } : { type };
const bound = (key: 'maxItems' | 'maxProperties' | 'maxLength', max?: number) => (max === undefined ? {} : { [key]: max });
const array = (type: string): Gen => (max) => ({ type: 'array', ...bound('maxItems', max), items: prim(type) });
const arrayOfArrays = (type: string): Gen => (max) => ({ type: 'array', ...bound('maxItems', max), items: { type: 'array', items: prim(type) } });
const map = (type: string): Gen => (max) => ({ type: 'object', ...bound('maxProperties', max), additionalProperties: prim(type) });
const string: Gen = (max) => ({ type: 'string', ...bound('maxLength', max) });
const strings: Gen = (max) => ({ type: 'array', ...bound('maxItems', max), items: { type: 'string', ...bound('maxLength', max) } });

const cost = (rule: string, s: SchemaProps): number => {
  const c = compileCel(rule, [{ name: 'self', type: celTypeOf(s) }, { name: 'oldSelf', type: celTypeOf(s) }]);
  if (!c.ok) throw new Error(`${rule}: ${c.error}`);
  return estimateCost(c.program.ast, s, false);
};

/** [what, schema, rule, cost without bounds, bound, cost with it]. */
const CASES: [string, Gen, string, number | undefined, number, number][] = [
  ['number array with all', array('number'), 'self.all(x, true)', 4718591, 10, 32],
  ['string array with all', array('string'), 'self.all(x, true)', 3145727, 20, 62],
  ['boolean array with all', array('boolean'), 'self.all(x, true)', 1887437, 5, 17],
  ['array of number arrays with all', arrayOfArrays('number'), 'self.all(x, true)', 3145727, 100, 302],
  ['map of numbers with all', map('number'), 'self.all(x, true)', 1348169, 10, 32],
  ['map of strings with all', map('string'), 'self.all(x, true)', 1179647, 3, 11],
  ['map of booleans with all', map('boolean'), 'self.all(x, true)', 943718, 100, 302],
  ['string with contains', string, "self.contains('test')", 314574, 10, 5],
  ['string with startsWith', string, "self.startsWith('test')", 2, 15, 2],
  ['string with endsWith', string, "self.endsWith('test')", 2, 30, 2],
  ['concat string', string, 'size(self + "hello") > size("hello")', 314578, 4, 7],
  ['index of array with numbers', array('number'), 'self[1] == 0.0', 2, 5000, 2],
  ['index of array with strings', array('string'), 'self[1] == self[1]', 314577, 8, 314577],
  ['O(n^2) loop with numbers', array('number'), 'self.all(x, self.all(y, true))', undefined, 10, 352],
  ['O(n^3) loop with numbers', array('number'), 'self.all(x, self.all(y, self.all(z, true)))', undefined, 10, 3552],
  ['regex matches simple', string, 'self.matches("x")', 314574, 50, 22],
  ['regex matches empty string', string, '"".matches("(((((((((())))))))))[0-9]")', 7, 10, 7],
  ['regex matches empty regex', string, 'self.matches("")', 1, 100, 1],
  ['map of strings with value length', (max) => ({ type: 'object', ...bound('maxProperties', max), additionalProperties: string(max) }), 'self.all(x, x.contains(self[x]))', 2752507, 10, 72],
  ['set array maxItems to zero', array('number'), 'self[3] == 0.0', 2, 0, 2],
  ['set map maxProperties to zero', map('number'), 'self["x"] == 0.0', 2, 0, 2],
  ['set string maxLength to zero', string, 'self == "x"', 2, 0, 1],
  ['maxItems greater than the estimate', array('number'), 'self.all(x, x == 0.0)', 6291454, 3 * 1024 * 2048, 25165826],
  ['int-or-string array with all', array('int-or-string'), 'self.all(x, true)', 4718591, 10, 32],
  ['index of array with int-or-strings', array('int-or-string'), 'self[0] == 5', 3, 10, 3],
  ['index of array with booleans', array('boolean'), 'self[0] == false', 2, 25, 2],
  ['index of array of array of numbers', arrayOfArrays('number'), 'self[0][0] == -1.0', 3, 51, 3],
  ['duration array with all', array('duration'), 'self.all(x, true)', 2359295, 5, 17],
  ['index of duration array', array('duration'), 'self[0].getHours() == 2', 4, 525, 4],
  ['date array with all', array('date'), 'self.all(x, true)', 725936, 15, 47],
  ['date-time array with all', array('date-time'), 'self.all(x, true)', 428963, 25, 77],
  ['index of date-time array', array('date-time'), 'self[2].getMinutes() == 45', 4, 99, 4],
  ['map of int-or-strings with all', map('int-or-string'), 'self.all(x, true)', 1348169, 15, 47],
  ['map of durations with all', map('duration'), 'self.all(x, true)', 1048577, 5, 17],
  ['map of dates with all', map('date'), 'self.all(x, true)', 524288, 10, 32],
  ['map of date-times with all', map('date-time'), 'self.all(x, true)', 349526, 25, 77],
  ['regex find', string, "self.find('[0-9]+') == ''", 629147, 10, 11],
  ['join', strings, "self.join(' ') == 'aa bb'", 329853068905, 10, 43],
  ['isSorted', strings, 'self.isSorted() == true', 329854432052, 10, 52],
  ['replace', (max) => ({ type: 'object', properties: { str: string(max), before: string(2), after: string(4) } }), "self.str.replace(self.before, self.after) == 'does not matter'", 629154, 4, 12],
  ['split', (max) => ({ type: 'object', properties: { str: string(max), separator: string(max) } }), 'self.str.split(self.separator) == []', 629160, 10, 22],
  ['lowerAscii', string, "self.lowerAscii() == 'lower!'", 314575, 10, 6],
  ['cost of size call', map('integer'), 'oldSelf.size() == self.size()', 5, 10, 5],
  ['timestamp comparison', map('date-time'), 'self["a"] == self["b"]', 8, 7, 8],
  ['duration comparison', map('duration'), 'self["c"] == self["d"]', 8, 42, 8],
  ['enum with maxLength of its longest value', (max) => ({ type: 'string', enum: ['A', 'B', 'C', 'LongValue'], ...bound('maxLength', max) }), "self.contains('A')", 2, 1000, 401],
];

for (const [what, gen, rule, unbounded, max, bounded] of CASES) {
  test(what, () => {
    if (unbounded === undefined) assert.ok(cost(rule, gen()) > 10_000_000, `${rule} without bounds is over the limit`);
    else assert.is(cost(rule, gen()), unbounded, `${rule} without bounds`);
    assert.is(cost(rule, gen(max)), bounded, `${rule} with bound ${max}`);
  });
}

test.run();
