/**
 * Property-based tests of label and field selectors (parse ∘ format round trip, matching
 * against a plain model of Kubernetes' semantics) and of resource.Quantity (parse/format
 * round trip, the canonical form computed as Go's Quantity.String computes it). Fixed seed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/fuzz.ts';
import { formatLabelSelector, matchesLabels, parseLabelSelector, type Requirement } from '../../api/selectors/labels.ts';
import { matchesFields, parseFieldSelector } from '../../api/selectors/fields.ts';
import { formatQuantity, parseQuantity, type Quantity } from '../../api/quantity.ts';

const plain = <T extends object>(d: T): T => Object.assign({}, d);

// ---- label selectors --------------------------------------------------------------------

const labelKey = fc.constantFrom('app', 'tier', 'x', 'example.com/team', 'a-b.c_d', 'in', 'notin');
const labelValue = fc.constantFrom('web', 'db', '', 'v1.2', 'in', 'a_b-c', '7', '12');
// A value must also be a valid label value, so "-3" is not one, even for Gt and Lt.
const intValue = fc.constantFrom('0', '7', '12', '100');
const requirement: fc.Arbitrary<Requirement> = fc.oneof(
  fc.record({ key: labelKey, operator: fc.constantFrom('=', '==', '!=' as const), values: fc.tuple(labelValue) }),
  fc.record({ key: labelKey, operator: fc.constantFrom('in', 'notin' as const), values: fc.uniqueArray(labelValue, { minLength: 1, maxLength: 3 }) }),
  fc.record({ key: labelKey, operator: fc.constantFrom('exists', '!' as const), values: fc.constant([]) }),
  fc.record({ key: labelKey, operator: fc.constantFrom('gt', 'lt' as const), values: fc.tuple(intValue) }),
).map((r) => ({ ...r, values: [...r.values].sort() }));
const labels = fc.dictionary(labelKey, labelValue, { maxKeys: 4 }).map(plain);

/** Kubernetes' matching, written out from labels.Requirement.Matches. */
function modelMatches(r: Requirement, ls: Record<string, string>): boolean {
  const has = Object.hasOwn(ls, r.key);
  const v = ls[r.key];
  switch (r.operator) {
    case '=': case '==': case 'in': return has && r.values.includes(v!);
    case '!=': case 'notin': return !has || !r.values.includes(v!);
    case 'exists': return has;
    case '!': return !has;
    case 'gt': case 'lt': {
      if (!has || !/^-?\d+$/.test(v!)) return false;
      return r.operator === 'gt' ? Number(v) > Number(r.values[0]) : Number(v) < Number(r.values[0]);
    }
  }
  return false;
}

test('label selector: parse ∘ format round-trips a selector (sorted by key) and format is a fixed point', () =>
  check(fc.property(fc.array(requirement, { maxLength: 4 }), (reqs) => {
    const text = formatLabelSelector(reqs);
    const parsed = parseLabelSelector(text);
    assert.ok(parsed.ok, `${text}: ${!parsed.ok && parsed.status.message}`);
    if (!parsed.ok) return;
    const byKey = [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    assert.equal(parsed.value.map((r) => r.key), byKey.map((r) => r.key));
    assert.equal(new Set(parsed.value.map((r) => JSON.stringify(r))), new Set(byKey.map((r) => JSON.stringify(r))));
    assert.is(formatLabelSelector(parsed.value), formatLabelSelector(byKey));
  }), 1000));

test('label selector: matching is the AND of each requirement, as Kubernetes defines it', () =>
  check(fc.property(fc.array(requirement, { maxLength: 4 }), labels, (reqs, ls) => {
    const parsed = parseLabelSelector(formatLabelSelector(reqs));
    assert.ok(parsed.ok);
    if (parsed.ok) assert.is(matchesLabels(parsed.value, ls), reqs.every((r) => modelMatches(r, ls)));
  }), 1000));

test('label selector: any text parses or is a 400 Status, never throws', () =>
  check(fc.property(fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom('a', '=', '!', '(', ')', ',', ' ', 'in', 'notin', '<', '>', '1', '/', '.', '-') , maxLength: 30 })), (text) => {
    const r = parseLabelSelector(text);
    if (!r.ok) assert.is(r.status.code, 400);
    else assert.ok(parseLabelSelector(formatLabelSelector(r.value)).ok, `re-parse of ${formatLabelSelector(r.value)} from ${JSON.stringify(text)}`);
  }), 2000));

// ---- field selectors --------------------------------------------------------------------

const fieldTerm = fc.record({
  field: fc.constantFrom('metadata.name', 'spec.nodeName', 'status.phase'),
  operator: fc.constantFrom('=', '==', '!=' as const),
  value: fc.string({ unit: fc.constantFrom('a', 'b', ',', '=', '\\', '1'), maxLength: 4 }),
}).map(plain);
const escape = (v: string): string => v.replace(/[\\,=]/g, (c) => `\\${c}`);

test('field selector: escaped terms parse back to their values, and matching is the AND of the terms', () =>
  check(fc.property(fc.array(fieldTerm, { minLength: 1, maxLength: 3 }), fc.constantFrom('a', 'b,', 'a=b', ''), (terms, node) => {
    const text = terms.map((t) => `${t.field}${t.operator}${escape(t.value)}`).join(',');
    const r = parseFieldSelector(text);
    assert.ok(r.ok, text);
    if (!r.ok) return;
    assert.equal(r.value, terms);
    const obj = { metadata: { name: node }, spec: { nodeName: node }, status: { phase: node } };
    assert.is(matchesFields(r.value, obj), terms.every((t) => (t.operator === '!=') !== (t.value === node)));
  }), 1000));

test('field selector: any text parses or is a 400 Status, never throws', () =>
  check(fc.property(fc.string({ unit: fc.constantFrom('a', '.', '=', '!', ',', '\\', ' ') }), (text) => {
    const r = parseFieldSelector(text);
    if (!r.ok) assert.is(r.status.code, 400);
  }), 2000));

// ---- quantities -------------------------------------------------------------------------

const NANO = 1_000_000_000n;
const DEC: Record<number, string> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };
const BIN = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/**
 * Go's Quantity.CanonicalizeBytes over an exact amount: BinarySI only for whole values of at
 * least 1024 in magnitude, else decimal; the decimal exponent a multiple of 3 with no
 * fraction. One deliberate difference: Go prints DecimalSI past 10^18 without a suffix
 * (a lookup miss, so "1000E" would read back as 1); Kubeactor keeps the E.
 */
function goCanonical(q: Quantity): string {
  if (q.nano === 0n) return '0';
  const sign = q.nano < 0n ? '-' : '';
  let abs = q.nano < 0n ? -q.nano : q.nano;
  if (q.format === 'BinarySI' && abs >= 1024n * NANO && abs % NANO === 0n) {
    let n = abs / NANO;
    let i = 0;
    while (n % 1024n === 0n && i < BIN.length - 1) { n /= 1024n; i++; }
    return `${sign}${n}${BIN[i]}`;
  }
  let exp = -9;
  while (abs % 10n === 0n) { abs /= 10n; exp++; }
  while (exp % 3 !== 0) { abs *= 10n; exp--; }
  if (q.format === 'DecimalExponent') return `${sign}${abs}${exp === 0 ? '' : `e${exp}`}`;
  while (exp > 18) { abs *= 1000n; exp -= 3; }
  return `${sign}${abs}${DEC[exp]}`;
}

const digits = (max: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: max });
const quantityText = fc.tuple(
  fc.constantFrom('', '+', '-'), digits(12), fc.option(digits(12)),
  fc.oneof(fc.constantFrom('', 'n', 'u', 'm', 'k', 'M', 'G', 'T', 'P', 'E', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'), fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.integer({ min: 0, max: 40 })).map(([e, s, n]) => `${e}${s}${n}`)),
).filter(([, i, f]) => i !== '' || (f ?? '') !== '').map(([s, i, f, suffix]) => `${s}${i}${f === null ? '' : `.${f}`}${suffix}`);

test('quantity: every well-formed quantity parses, formats as Go canonicalizes it, and reads back to the same amount', () =>
  check(fc.property(quantityText, (text) => {
    const r = parseQuantity(text);
    assert.ok(r.ok, `${text}: ${!r.ok && r.status.message}`);
    if (!r.ok) return;
    const s = formatQuantity(r.value);
    assert.is(s, goCanonical(r.value), text);
    const back = parseQuantity(s);
    assert.ok(back.ok, s);
    if (!back.ok) return;
    assert.is(back.value.nano, r.value.nano, `${text} → ${s}`);
    assert.is(formatQuantity(back.value), s, 'the canonical form is a fixed point');
  }), 3000));

test('quantity: BinarySI caps at 2^63-1 as Go does; amounts round up to 1n', () =>
  check(fc.property(fc.bigInt({ min: 1n, max: 1n << 80n }), fc.integer({ min: 10, max: 30 }), (n, fracDigits) => {
    const q = parseQuantity(`${n}Ei`);
    assert.ok(q.ok && q.value.nano <= ((1n << 63n) - 1n) * NANO);
    const tiny = parseQuantity(`0.${'0'.repeat(fracDigits)}${n}`);
    assert.ok(tiny.ok && tiny.value.nano === 1n, `0.${'0'.repeat(fracDigits)}${n}`);
  }), 500));

test('quantity: any text parses or is a 400 Status, never throws', () =>
  check(fc.property(fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom(...'0123456789.+-eEinumkKMGTP '), maxLength: 16 })), (text) => {
    const r = parseQuantity(text);
    if (!r.ok) assert.is(r.status.code, 400);
    else assert.ok(parseQuantity(formatQuantity(r.value)).ok);
  }), 3000));

test.run();
