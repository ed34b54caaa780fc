/**
 * Label selectors (k8s.io/apimachinery/pkg/labels): the string syntax used by `?labelSelector=`
 * and `kubectl -l`, and metav1.LabelSelector objects, both turned into one list of
 * requirements that must all match. Parse errors carry Kubernetes' parser wording.
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { badRequest, fail, ok, type Result } from '../../base/status.ts';
import { goValue } from '../validation/errors.ts';
import { isQualifiedName, isValidLabelValue } from '../validation/names.ts';

export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

/** One requirement: `values` is sorted and de-duplicated, as Kubernetes keeps it. */
export interface Requirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

/** All requirements must match (AND). An empty list matches everything. */
export type Selector = Requirement[];

type Tok = 'end' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(' | 'error';
const KEYWORDS: Record<string, Tok> = { ')': ')', ',': ',', '!': '!', '==': '==', '=': '=', '>': '>', in: 'in', '<': '<', '!=': '!=', notin: 'notin', '(': '(' };
const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

function lex(s: string): Array<[Tok, string]> {
  const out: Array<[Tok, string]> = [];
  let i = 0;
  for (;;) {
    while (i < s.length && isSpace(s[i] ?? '')) i++;
    if (i >= s.length) {
      out.push(['end', '']);
      return out;
    }
    if (SPECIAL.has(s[i] ?? '')) {
      let buf = '';
      let last: [Tok, string] | undefined;
      while (i < s.length && SPECIAL.has(s[i] ?? '')) {
        buf += s[i];
        const t = KEYWORDS[buf];
        if (t) last = [t, buf];
        else if (last) break;
        i++;
      }
      if (!last) {
        out.push(['error', `error expected: keyword found '${buf}'`]);
        i += buf.length;
      } else out.push(last);
      continue;
    }
    let buf = '';
    while (i < s.length && !SPECIAL.has(s[i] ?? '') && !isSpace(s[i] ?? '')) buf += s[i++];
    out.push([KEYWORDS[buf] ?? 'id', buf]);
  }
}

/** Parses a selector string ("app=web,tier in (a,b),!canary"); errors are 400 BadRequest. */
export function parseLabelSelector(text: string): Result<Selector> {
  const toks = lex(text);
  let pos = 0;
  // In value position the keywords "in"/"notin" are plain identifiers.
  const peek = (values = true): [Tok, string] => {
    const t = toks[pos] ?? ['end', ''];
    return values && (t[0] === 'in' || t[0] === 'notin') ? ['id', t[1]] : t;
  };
  const next = (values = true): [Tok, string] => {
    const t = peek(values);
    pos++;
    return t;
  };
  const err = (m: string): Result<Selector> => fail(badRequest(m));
  const reqs: Requirement[] = [];
  for (;;) {
    const [tok, lit] = peek();
    if (tok === 'end') break;
    if (tok !== 'id' && tok !== '!') return err(`found '${lit}', expected: !, identifier, or 'end of string'`);
    const r = parseRequirement();
    if (typeof r === 'string') return err(`unable to parse requirement: ${r}`);
    reqs.push(r);
    const [t, l] = next();
    if (t === 'end') break;
    if (t !== ',') return err(`found '${l}', expected: ',' or 'end of string'`);
    const [t2, l2] = peek();
    if (t2 !== 'id' && t2 !== '!') return err(`found '${l2}', expected: identifier after ','`);
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return ok(reqs);

  function parseRequirement(): Requirement | string {
    let [tok, key] = next();
    let operator: LabelOperator | undefined;
    if (tok === '!') {
      operator = '!';
      [tok, key] = next();
    }
    if (tok !== 'id') return `found '${key}', expected: identifier`;
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length) return `: Invalid value: ${goValue(key)}: ${keyErrs.join('; ')}`;
    // a key that fails here is reported without a field path, as Kubernetes' parser does
    const [after] = peek();
    if (operator === '!') return makeRequirement(key, '!', []);
    if (after === 'end' || after === ',') return makeRequirement(key, 'exists', []);
    const [opTok, opLit] = next(false);
    const ops: Partial<Record<Tok, LabelOperator>> = { in: 'in', notin: 'notin', '=': '=', '==': '==', '!=': '!=', '>': 'gt', '<': 'lt' };
    const op = ops[opTok];
    if (!op) return `found '${opLit}', expected: ${BINARY_OPERATORS}`;
    const values = op === 'in' || op === 'notin' ? parseValues() : parseExact();
    return typeof values === 'string' ? values : makeRequirement(key, op, values);
  }

  function parseValues(): string[] | string {
    const [t, l] = next();
    if (t !== '(') return `found '${l}' expected: '('`;
    const [t1, l1] = peek();
    if (t1 === ')') {
      next();
      return [''];
    }
    if (t1 !== 'id' && t1 !== ',') return `found '${l1}', expected: ',', ')' or identifier`;
    const set = new Set<string>();
    for (;;) {
      const [tk, lit] = next();
      if (tk === 'id') {
        set.add(lit);
        const [t2, l2] = peek();
        if (t2 === ',') continue;
        if (t2 === ')') break;
        return `found '${l2}', expected: ',' or ')'`;
      } else if (tk === ',') {
        if (set.size === 0) set.add('');
        const [t2] = peek();
        if (t2 === ')') {
          set.add('');
          break;
        }
        if (t2 === ',') {
          next();
          set.add('');
        }
      } else return `found '${lit}', expected: ',', or identifier`;
    }
    if (next()[0] !== ')') return `found '${l1}', expected: ')'`;
    return [...set];
  }

  function parseExact(): string[] | string {
    const [t] = peek();
    if (t === 'end' || t === ',') return [''];
    const [t2, l2] = next();
    return t2 === 'id' ? [l2] : `found '${l2}', expected: identifier`;
  }
}

function makeRequirement(key: string, operator: LabelOperator, values: string[]): Requirement | string {
  const sorted = [...new Set(values)].sort();
  for (const [i, v] of sorted.entries()) {
    const errs = isValidLabelValue(v);
    if (errs.length) return `values[${i}][${key}]: Invalid value: ${goValue(v)}: ${errs.join('; ')}`;
  }
  if ((operator === 'gt' || operator === 'lt') && !/^[+-]?\d+$/.test(sorted[0] ?? '')) {
    return `values[0]: Invalid value: ${goValue(sorted[0] ?? '')}: for 'Gt', 'Lt' operators, the value must be an integer`;
  }
  return { key, operator, values: sorted };
}

/** True when every requirement matches `labels` (missing labels never match `in`/`=`). */
export function matchesLabels(selector: Selector, labels: Readonly<Record<string, string>> | undefined): boolean {
  const ls = labels ?? {};
  return selector.every((r) => {
    const has = Object.hasOwn(ls, r.key);
    const v = ls[r.key];
    switch (r.operator) {
      case 'in': case '=': case '==': return has && r.values.includes(v ?? '');
      case 'notin': case '!=': return !has || !r.values.includes(v ?? '');
      case 'exists': return has;
      case '!': return !has;
      case 'gt': case 'lt': {
        if (!has || !/^[+-]?\d+$/.test(v ?? '')) return false;
        const a = BigInt(v ?? '0'), b = BigInt(r.values[0] ?? '0');
        return r.operator === 'gt' ? a > b : a < b;
      }
    }
  });
}

/** The canonical string form (Selector.String()): "a=b,c in (x,y),!d". */
export function formatLabelSelector(selector: Selector): string {
  return selector.map((r) => {
    switch (r.operator) {
      case 'exists': return r.key;
      case '!': return `!${r.key}`;
      case 'in': case 'notin': return `${r.key} ${r.operator} (${r.values.join(',')})`;
      case 'gt': return `${r.key}>${r.values[0]}`;
      case 'lt': return `${r.key}<${r.values[0]}`;
      default: return `${r.key}${r.operator}${r.values[0] ?? ''}`;
    }
  }).join(',');
}

const OBJECT_OPS: Record<string, LabelOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * metav1.LabelSelectorAsSelector: matchLabels become `=` requirements, matchExpressions keep
 * their operator. Undefined (a nil selector) selects nothing: the result is `undefined`.
 */
export function labelSelectorToSelector(sel: LabelSelector | undefined): Result<Selector | undefined> {
  if (!sel) return ok(undefined);
  const reqs: Requirement[] = [];
  for (const k of Object.keys(sel.matchLabels ?? {})) {
    const r = makeRequirement(k, '=', [sel.matchLabels?.[k] ?? '']);
    if (typeof r === 'string') return fail(badRequest(r));
    reqs.push(r);
  }
  for (const e of sel.matchExpressions ?? []) {
    const op = OBJECT_OPS[e.operator];
    if (!op) return fail(badRequest(`${goValue(e.operator)} is not a valid label selector operator`));
    const values = e.values ?? [];
    if ((op === 'in' || op === 'notin') && values.length === 0) {
      return fail(badRequest(`values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty`));
    }
    if ((op === 'exists' || op === '!') && values.length > 0) {
      return fail(badRequest(`values: Invalid value: ${goValue(values)}: values set must be empty for exists and does not exist`));
    }
    const keyErrs = isQualifiedName(e.key);
    if (keyErrs.length) return fail(badRequest(`key: Invalid value: ${goValue(e.key)}: ${keyErrs.join('; ')}`));
    const r = makeRequirement(e.key, op, values);
    if (typeof r === 'string') return fail(badRequest(r));
    reqs.push(r);
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return ok(reqs);
}

/** True when a metav1.LabelSelector object selects `labels` (nil selects nothing, {} everything). */
export function labelSelectorMatches(sel: LabelSelector | undefined, labels: Readonly<Record<string, string>> | undefined): boolean {
  const r = labelSelectorToSelector(sel);
  return r.ok && r.value !== undefined && matchesLabels(r.value, labels);
}

export { validateLabelSelector } from '../validation/label-selector.ts';
