import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatLabelSelector, labelSelectorMatches, labelSelectorToSelector, matchesLabels, parseLabelSelector, validateLabelSelector } from '../../api/selectors/labels.ts';
import { matchesFields, parseFieldSelector, parseFieldSelectorFor } from '../../api/selectors/fields.ts';
import { kindByResource } from '../../api/kinds.ts';

const labelsOf = (group: string, resource: string) => kindByResource(group, resource)?.fieldLabels ?? [];

const parsed = (s: string) => {
  const r = parseLabelSelector(s);
  if (!r.ok) throw new Error(r.status.message);
  return r.value;
};

const matching: Array<[string, Record<string, string>, boolean]> = [
  ['', { a: 'b' }, true],
  ['a=b', { a: 'b' }, true],
  ['a==b', { a: 'b' }, true],
  ['a=b', { a: 'c' }, false],
  ['a=b', {}, false],
  ['a!=b', {}, true],
  ['a!=b', { a: 'b' }, false],
  ['a!=b', { a: 'c' }, true],
  ['a in (x,y)', { a: 'y' }, true],
  ['a in (x,y)', { a: 'z' }, false],
  ['a notin (x)', {}, true],
  ['a notin (x)', { a: 'x' }, false],
  ['a', { a: '' }, true],
  ['a', {}, false],
  ['!a', {}, true],
  ['!a', { a: 'x' }, false],
  ['a=b,c=d', { a: 'b', c: 'd' }, true],
  ['a=b,c=d', { a: 'b' }, false],
  ['  a  =  b ,  c  in ( d , e )  ', { a: 'b', c: 'e' }, true],
  ['x in (foo,,baz),y,z notin ()', { x: '', y: '1' }, true],
  ['a=', { a: '' }, true],
  ['n>5', { n: '6' }, true],
  ['n<5', { n: '6' }, false],
  ['n>5', { n: 'x' }, false],
  ['example.com/tier=web', { 'example.com/tier': 'web' }, true],
  ['in in (in)', { in: 'in' }, true],
];
for (const [sel, labels, want] of matching) {
  test(`label selector ${JSON.stringify(sel)} on ${JSON.stringify(labels)} → ${want}`, () => {
    assert.is(matchesLabels(parsed(sel), labels), want);
  });
}

const errors: Array<[string, string]> = [
  ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
  ['a=b c', "found 'c', expected: ',' or 'end of string'"],
  ['a=b,', "found '', expected: identifier after ','"],
  [',a', "found ',', expected: !, identifier, or 'end of string'"],
  ['a in x', "unable to parse requirement: found 'x' expected: '('"],
  ['a in (x', "unable to parse requirement: found '', expected: ',' or ')'"],
  ['a=b=c', "found '=', expected: ',' or 'end of string'"],
  ['a=(', "unable to parse requirement: found '(', expected: identifier"],
  ['!a=b', "found '=', expected: ',' or 'end of string'"],
  ['a=b d', "found 'd', expected: ',' or 'end of string'"],
];
for (const [sel, message] of errors) {
  test(`label selector error for ${JSON.stringify(sel)}`, () => {
    const r = parseLabelSelector(sel);
    assert.not.ok(r.ok);
    if (!r.ok) {
      assert.is(r.status.message, message);
      assert.is(r.status.reason, 'BadRequest');
    }
  });
}

test('an invalid label value is reported with the values[i][key] path', () => {
  const r = parseLabelSelector('a=-x');
  assert.not.ok(r.ok);
  if (!r.ok) assert.match(r.status.message, /^unable to parse requirement: values\[0\]\[a\]: Invalid value: "-x": a valid label must be an empty string/);
});

test('requirements are sorted by key and printed canonically', () => {
  assert.is(formatLabelSelector(parsed('z=1,a in (y,x),!m,k')), 'a in (x,y),k,!m,z=1');
});

test('metav1.LabelSelector objects convert to the same requirements', () => {
  const r = labelSelectorToSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }, { key: 'canary', operator: 'DoesNotExist' }] });
  assert.ok(r.ok);
  if (r.ok) assert.is(formatLabelSelector(r.value ?? []), 'app=web,!canary,tier in (a,b)');
  assert.ok(labelSelectorMatches({ matchLabels: { app: 'web' } }, { app: 'web', x: 'y' }));
  assert.not.ok(labelSelectorMatches(undefined, { app: 'web' }), 'a nil selector selects nothing');
  assert.ok(labelSelectorMatches({}, { app: 'web' }), 'an empty selector selects everything');
  assert.not.ok(labelSelectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a'] }] }, { tier: 'a' }));
  const badOp = labelSelectorToSelector({ matchExpressions: [{ key: 'a', operator: 'Foo' }] });
  assert.not.ok(badOp.ok);
  if (!badOp.ok) assert.is(badOp.status.message, '"Foo" is not a valid label selector operator');
});

test('metav1.LabelSelector requirements are ANDed and sorted by key', () => {
  const r = labelSelectorToSelector({ matchLabels: { z: '1' }, matchExpressions: [{ key: 'a', operator: 'Exists' }] });
  assert.ok(r.ok);
  if (r.ok) assert.is(formatLabelSelector(r.value ?? []), 'a,z=1');
});

test('validateLabelSelector uses Kubernetes paths and messages', () => {
  const causes = validateLabelSelector({ matchLabels: { 'bad key!': 'v' }, matchExpressions: [{ key: 'a', operator: 'In' }, { key: 'b', operator: 'Exists', values: ['x'] }, { key: 'c', operator: 'Near' }] }, 'spec.selector');
  const lines = causes.map((c) => `${c.field}: ${c.message}`);
  assert.match(lines[0] ?? '', /^spec\.selector\.matchLabels: Invalid value: "bad key!": name part must consist of/);
  assert.ok(lines.includes("spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"));
  assert.ok(lines.includes("spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
  assert.ok(lines.includes('spec.selector.matchExpressions[2].operator: Invalid value: "Near": not a valid selector operator'));
});

const fieldCases: Array<[string, unknown, boolean]> = [
  ['metadata.name=p1', { metadata: { name: 'p1' } }, true],
  ['metadata.name==p1', { metadata: { name: 'p2' } }, false],
  ['spec.nodeName=', { spec: {} }, true],
  ['spec.nodeName!=', { spec: { nodeName: 'n1' } }, true],
  ['spec.nodeName=n1,status.phase!=Failed', { spec: { nodeName: 'n1' }, status: { phase: 'Running' } }, true],
  ['spec.nodeName=n1,status.phase!=Failed', { spec: { nodeName: 'n1' }, status: { phase: 'Failed' } }, false],
  ['involvedObject.kind=Pod,involvedObject.name=web', { involvedObject: { kind: 'Pod', name: 'web' } }, true],
  ['spec.unschedulable=false', { spec: {} }, true],
  ['metadata.name=a\\,b', { metadata: { name: 'a,b' } }, true],
];
for (const [sel, obj, want] of fieldCases) {
  test(`field selector ${sel} → ${want}`, () => {
    const r = parseFieldSelector(sel);
    assert.ok(r.ok);
    if (r.ok) assert.is(matchesFields(r.value, obj), want);
  });
}

test('field selector syntax errors and unsupported labels', () => {
  const r = parseFieldSelector('metadata.name');
  assert.not.ok(r.ok);
  if (!r.ok) assert.is(r.status.message, "invalid selector: 'metadata.name'; can't understand 'metadata.name'");
  const u = parseFieldSelectorFor('spec.foo=bar', labelsOf('', 'pods'));
  assert.not.ok(u.ok);
  if (!u.ok) {
    assert.is(u.status.message, 'field label not supported: spec.foo');
    assert.is(u.status.code, 400);
  }
  assert.ok(parseFieldSelectorFor('spec.nodeName=n1', labelsOf('', 'pods')).ok);
  assert.not.ok(parseFieldSelectorFor('spec.nodeName=n1', labelsOf('apps', 'deployments')).ok);
  assert.ok(parseFieldSelectorFor('spec.unschedulable=false', labelsOf('', 'nodes')).ok);
  assert.ok(parseFieldSelectorFor('type=Warning,reason=Failed', labelsOf('', 'events')).ok);
});

test.run();
