import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { addQuantity, canonicalQuantity, compareQuantity, ERR_FORMAT_WRONG, ERR_NUMERIC, ERR_SUFFIX, formatQuantity, parseQuantity, toBytes, toMilli, type Quantity } from '../../api/quantity.ts';

const q = (s: string): Quantity => {
  const r = parseQuantity(s);
  if (!r.ok) throw new Error(`${s}: ${r.status.message}`);
  return r.value;
};

const canonical: Array<[string, string]> = [
  ['0', '0'], ['100m', '100m'], ['1000m', '1'], ['1500m', '1500m'], ['0.5', '500m'], ['1.5', '1500m'],
  ['2000', '2k'], ['1k', '1k'], ['1M', '1M'], ['1G', '1G'], ['1E', '1E'], ['5n', '5n'], ['1u', '1u'],
  ['1Ki', '1Ki'], ['1024', '1024'], ['1Mi', '1Mi'], ['1.5Gi', '1536Mi'], ['1536Ki', '1536Ki'], ['512Mi', '512Mi'],
  ['0.1Ki', '102400m'], ['1e3', '1e3'], ['1E3', '1e3'], ['1.5e3', '1500'], ['-100m', '-100m'], ['+1', '1'], ['1e-3', '1e-3'],
];
for (const [input, want] of canonical) {
  test(`canonical form of ${input} is ${want}`, () => assert.is(formatQuantity(q(input)), want));
}

test('milli and byte conversions', () => {
  assert.is(toMilli(q('100m')), 100n);
  assert.is(toMilli(q('2')), 2000n);
  assert.is(toMilli(q('0.1')), 100n);
  assert.is(toBytes(q('1Gi')), 1073741824n);
  assert.is(toBytes(q('1G')), 1000000000n);
  assert.is(toBytes(q('1.5Ki')), 1536n);
  assert.is(toBytes(q('100m')), 1n, 'Value() rounds up');
  assert.is(toMilli(q('1n')), 1n, 'MilliValue() rounds up');
});

test('compare and add', () => {
  assert.is(compareQuantity(q('1Gi'), q('1G')), 1);
  assert.is(compareQuantity(q('500m'), q('0.5')), 0);
  assert.is(compareQuantity(q('100m'), q('1')), -1);
  assert.is(formatQuantity(addQuantity(q('1Gi'), q('1Gi'))), '2Gi');
  assert.is(formatQuantity(addQuantity(q('100m'), q('900m'))), '1');
});

const bad: Array<[string, string]> = [
  ['', ERR_FORMAT_WRONG], ['abc', ERR_FORMAT_WRONG], ['1 Gi', ERR_FORMAT_WRONG], [' 1', ERR_FORMAT_WRONG],
  ['1K', ERR_SUFFIX], ['1Gb', ERR_FORMAT_WRONG], ['1iM', ERR_SUFFIX], ['1mi', ERR_SUFFIX],
];
for (const [input, message] of bad) {
  test(`rejects ${JSON.stringify(input)}`, () => {
    const r = parseQuantity(input);
    assert.not.ok(r.ok);
    if (!r.ok) {
      assert.is(r.status.message, message);
      assert.is(r.status.code, 400);
    }
  });
}

// Found by spec/api/selectors-quantity.property.spec.ts (seed 20261205): Go prints an exponent
// past E as it is ("9e21"), caps BinarySI at 2^63-1, and rounds a tiny amount up to 1n.
const fuzzed: Array<[string, string]> = [
  ['.9e22', '9e21'], ['1e21', '1e21'], ['-1e300', '-1e300'], ['1000E', '1000E'],
  ['8Ei', '9223372036854775807'], ['16Ei', '9223372036854775807'], ['0.5Ki', '512'], ['0.0000000000001Ki', '1n'],
  ['1e-99999999', '1e-9'], ['0.0000000000008', '1n'],
];
for (const [input, want] of fuzzed) {
  test(`canonical form of ${input} is ${want} (as Go's Quantity.String)`, () => assert.is(formatQuantity(q(input)), want));
}

test('an exponent past 10^1000 is refused at once instead of expanded (a ten-byte field cost seconds)', () => {
  for (const input of ['1e99999999', '1e1001', '5e+2000']) {
    const r = parseQuantity(input);
    assert.not.ok(r.ok, input);
    if (!r.ok) assert.is(r.status.message, ERR_NUMERIC);
  }
  assert.ok(parseQuantity('1e1000').ok);
});

test('a numeric part that is only a dot is Go\'s ErrNumeric', () => {
  const r = parseQuantity('.');
  assert.equal(!r.ok && r.status.message, 'unable to parse numeric part of quantity');
});

test('the regex message is Kubernetes\' own', () => {
  assert.is(ERR_FORMAT_WRONG, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  const r = canonicalQuantity('250m');
  assert.equal(r, { ok: true, value: '250m' });
});

test.run();
