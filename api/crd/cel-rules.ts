/**
 * CEL `x-kubernetes-validations` of a structural schema (apiextensions' schema/cel
 * validator): each rule compiled once per CRD version with `self` (and `oldSelf`) typed by
 * its schema node, then run on every create and update, parents before children.
 *
 * Transition rules (those that reference `oldSelf`) run only on an update where the old
 * value can be correlated (object fields, map values, items of `x-kubernetes-list-type: map`
 * lists by key); with `optionalOldSelf` they also run without one, `oldSelf` then being an
 * absent optional. A false result is `<path>: Invalid value: "object": <message>` (or
 * `failed rule: <rule>`), with the rule's `reason` and `fieldPath` when set.
 */
import type { StatusCause } from '../../base/status.ts';
import { deepEqual, isObject, own } from '../json.ts';
import { child, duplicate, forbidden, GoRaw, index, invalid, key, required, type FieldPath } from '../validation/errors.ts';
import { celOptional, celPosition, compileCel, type CelProgram } from './cel-env.ts';
import { estimateCost } from './cel-cost.ts';
import { costErrorMessage, CostTotal, expressionCost, STATIC_ESTIMATED_COST_LIMIT } from './cel-cost-budget.ts';
import { childCardinality } from './cel-cost-schema.ts';
import { rootSchemaForCel, undeclaredField } from './cel-fields.ts';
import { parseRuleFieldPath } from './cel-field-path.ts';
import { correlateItems } from './schema-correlate.ts';
import { celRootValue, celTypeOf, celValueOf } from './cel-types.ts';
import { additionalSchema, eachSubSchema, itemsSchema, propertySchema, type SchemaProps, type ValidationRule } from './schema-props.ts';

/** How field.Path prints the path of the object itself (a rule on the root: `<nil>: Invalid value: "object": …`). */
export const ROOT = '<nil>';

interface CompiledRule {
  readonly rule: ValidationRule;
  readonly program: CelProgram;
  readonly message?: CelProgram;
  readonly usesOldSelf: boolean;
  readonly fieldPath: string;
}

/** The compiled rules of one schema, by schema node. */
export type CompiledRules = WeakMap<SchemaProps, CompiledRule[]>;

/** Go's %#v of the rule, as upstream shows it in a compile error. */
function goRule(r: ValidationRule): GoRaw {
  const ptr = (t: string, v: unknown) => (v === undefined ? `(*${t})(nil)` : `(*${t})(${JSON.stringify(v)})`);
  return new GoRaw(
    `apiextensions.ValidationRule{Rule:${JSON.stringify(r.rule ?? '')}, Message:${JSON.stringify(r.message ?? '')}, MessageExpression:${JSON.stringify(r.messageExpression ?? '')}, ` +
      `Reason:${ptr('apiextensions.FieldValueErrorReason', r.reason)}, FieldPath:${JSON.stringify(r.fieldPath ?? '')}, OptionalOldSelf:${ptr('bool', r.optionalOldSelf)}}`,
  );
}

/** Where a node's rules are compiled: its place in the CRD and in the object, and the schema's running cost. */
interface NodeContext {
  readonly at: FieldPath;
  readonly isRoot: boolean;
  /** The path within which oldSelf cannot be correlated, if any. */
  readonly uncorrelatable: string | undefined;
  /** How many times the node can occur in one object; undefined under an unbounded list or map. */
  readonly cardinality: number | undefined;
  readonly total: CostTotal;
  /** Whether a rule over the per-rule limit is refused (not for a schema an update leaves unchanged). */
  readonly perRuleCost: boolean;
}

/**
 * Compiles every rule under `root`; `path` is the schema's place in the CRD, for the errors.
 * Each rule's estimated cost is held to the per-rule and per-schema limits (cel-cost-budget.ts).
 */
export function compileRules(root: SchemaProps, path: FieldPath, opts: { perRuleCost?: boolean } = {}): { rules: CompiledRules; any: boolean; errors: StatusCause[] } {
  const perRuleCost = opts.perRuleCost ?? true;
  const rules: CompiledRules = new WeakMap();
  const errors: StatusCause[] = [];
  const total = new CostTotal();
  let any = false;
  const walk = (s: SchemaProps, ctx: NodeContext): void => {
    const list = s['x-kubernetes-validations'];
    if (Array.isArray(list) && list.length > 0) {
      const compiled = compileNode(s, list, ctx, errors);
      if (compiled.length) {
        rules.set(s, compiled);
        any = true;
      }
    }
    const times = childCardinality(s);
    eachSubSchema(s, ctx.at, (sub, subPath, place) => {
      // Items of a list other than a map list cannot be correlated with old ones.
      const uncorrelated = place === 'items' && s['x-kubernetes-list-type'] !== 'map' ? ctx.at : undefined;
      const cardinality = ctx.cardinality === undefined || times === undefined ? undefined : ctx.cardinality * times;
      walk(sub, { ...ctx, at: subPath, isRoot: false, uncorrelatable: ctx.uncorrelatable ?? uncorrelated, cardinality });
    });
  };
  walk(root, { at: path, isRoot: true, uncorrelatable: undefined, cardinality: 1, total, perRuleCost });
  errors.push(...total.errors(path));
  return { rules, any, errors };
}

/** Refuses an expression estimated over the per-rule limit, and adds it to the schema's total. */
function checkCost(ctx: NodeContext, s: SchemaProps, ast: unknown, at: FieldPath, what: 'rule' | 'messageExpression', errors: StatusCause[]): void {
  const estimate = estimateCost(ast, s, ctx.isRoot);
  // A rule runs once per occurrence of its node; a message only when its rule fails.
  const cost = what === 'rule' ? expressionCost(estimate, ctx.cardinality, s) : estimate;
  if (ctx.perRuleCost && cost > STATIC_ESTIMATED_COST_LIMIT) errors.push(forbidden(at, costErrorMessage(`estimated ${what} cost`, cost, STATIC_ESTIMATED_COST_LIMIT)));
  ctx.total.observe(at, cost);
}

function selfType(s: SchemaProps, isRoot: boolean): string {
  return isRoot ? 'map<string, dyn>' : celTypeOf(s);
}

function compileNode(s: SchemaProps, list: ValidationRule[], ctx: NodeContext, errors: StatusCause[]): CompiledRule[] {
  const { at, isRoot, uncorrelatable } = ctx;
  const out: CompiledRule[] = [];
  const type = selfType(s, isRoot);
  const fieldsSchema = isRoot ? rootSchemaForCel(s) : s;
  list.forEach((r, i) => {
    const rpath = index(child(at, 'x-kubernetes-validations'), i);
    if (!r.rule || r.rule.trim() === '') return;
    const oldType = r.optionalOldSelf ? `optional<${type}>` : type;
    const vars = [{ name: 'self', type }, { name: 'oldSelf', type: oldType }];
    const c = compileCel(r.rule, vars);
    if (!c.ok) {
      errors.push(invalid(child(rpath, 'rule'), goRule(r), `compilation failed: ${c.error}`));
      return;
    }
    const missing = undeclaredField(c.program.ast, { self: fieldsSchema, oldSelf: fieldsSchema });
    if (missing) {
      errors.push(invalid(child(rpath, 'rule'), goRule(r), `compilation failed: ERROR: ${celPosition(r.rule, missing.pos)}: undefined field '${missing.field}'`));
      return;
    }
    if (c.program.resultType !== 'bool' && c.program.resultType !== 'dyn') {
      errors.push(invalid(child(rpath, 'rule'), goRule(r), 'cel expression must evaluate to a bool'));
      return;
    }
    checkCost(ctx, s, c.program.ast, child(rpath, 'rule'), 'rule', errors);
    let message: CelProgram | undefined;
    if (r.messageExpression && r.messageExpression.trim() !== '') {
      const m = compileCel(r.messageExpression, vars);
      if (!m.ok) errors.push(invalid(child(rpath, 'messageExpression'), goRule(r), `messageExpression compilation failed: ${m.error}`));
      else if (m.program.resultType !== 'string' && m.program.resultType !== 'dyn') errors.push(invalid(child(rpath, 'messageExpression'), goRule(r), 'messageExpression must evaluate to a string'));
      else {
        message = m.program;
        checkCost(ctx, s, m.program.ast, child(rpath, 'messageExpression'), 'messageExpression', errors);
      }
    }
    const usesOldSelf = c.program.references('oldSelf');
    if (usesOldSelf && uncorrelatable) {
      errors.push(invalid(child(rpath, 'rule'), r.rule, `oldSelf cannot be used on the uncorrelatable portion of the schema within ${uncorrelatable}`));
    } else if (!usesOldSelf && r.optionalOldSelf !== undefined) {
      errors.push(invalid(child(rpath, 'optionalOldSelf'), r.optionalOldSelf, 'may not be set if oldSelf is not used in rule'));
    }
    // An invalid fieldPath was already refused by the schema checks.
    const fp = r.fieldPath && r.fieldPath.trim() !== '' ? parseRuleFieldPath(r.fieldPath, s) : undefined;
    const fieldPath = fp?.ok ? fp.path : '';
    out.push({ rule: r, program: c.program, message, usesOldSelf, fieldPath });
  });
  return out;
}

/**
 * Runs the compiled rules over `obj` (and, on update, `old`). By default `s` is the
 * resource's root; `at` places a value of an inner schema (a default) for the error paths.
 */
export function evaluateRules(rules: CompiledRules, s: SchemaProps, obj: unknown, old: unknown, at?: string): StatusCause[] {
  const errs: StatusCause[] = [];
  walk(rules, s, obj, old, at ?? '', at === undefined, errs);
  return errs;
}

function walk(rules: CompiledRules, s: SchemaProps, v: unknown, old: unknown, path: string, isRoot: boolean, errs: StatusCause[]): void {
  if (v === null || v === undefined) return;
  const list = rules.get(s);
  if (list) runRules(list, s, v, old, path, isRoot, errs);
  if (Array.isArray(v)) {
    const items = itemsSchema(s);
    if (!items) return;
    const oldItem = correlateItems(s, old, false);
    v.forEach((x, i) => walk(rules, items, x, oldItem(x), index(path, i), false, errs));
    return;
  }
  if (!isObject(v)) return;
  const extra = additionalSchema(s);
  for (const k of Object.keys(v)) {
    const p = propertySchema(s, k);
    const o = isObject(old) ? own(old, k) : undefined;
    if (p) walk(rules, p, v[k], o, child(path, k), false, errs);
    else if (extra) walk(rules, extra, v[k], o, key(path, k), false, errs);
  }
}

function runRules(list: CompiledRule[], s: SchemaProps, v: unknown, old: unknown, path: string, isRoot: boolean, errs: StatusCause[]): void {
  const toCel = (x: unknown) => (isRoot && isObject(x) ? celRootValue(x, s) : celValueOf(x, s));
  const self = toCel(v);
  const hasOld = old !== undefined && old !== null;
  const oldSelf = hasOld ? toCel(old) : undefined;
  const valueType = s.type ?? '';
  for (const c of list) {
    const optional = c.rule.optionalOldSelf === true;
    if (c.usesOldSelf && !hasOld && !optional) continue;
    const vars = { self, oldSelf: optional ? (hasOld ? celOptional.of(oldSelf) : celOptional.none()) : oldSelf };
    const r = c.program.evaluate(vars);
    const ruleText = (c.rule.message ?? '').trim() || (c.rule.rule ?? '').trim();
    if (!r.ok) {
      const detail = r.error.startsWith('found no matching overload') || r.error.startsWith('no such overload')
        ? `'${r.error}': call arguments did not match a supported operator, function or macro signature for rule: ${ruleText}`
        : `${r.error} evaluating rule: ${ruleText}`;
      errs.push(invalid(path || ROOT, valueType, detail));
      continue;
    }
    if (r.value === true) continue;
    // Ratcheting: a value left as it was keeps passing the rules that do not look at oldSelf.
    if (!c.usesOldSelf && hasOld && deepEqual(v, old)) continue;
    let detail = (c.rule.message ?? '').trim() ? c.rule.message!.trim() : `failed rule: ${ruleText}`;
    if (c.message) {
      const m = c.message.evaluate(vars);
      if (m.ok && typeof m.value === 'string' && m.value.trim() !== '' && !m.value.includes('\n')) detail = m.value.trim();
    }
    const at = c.fieldPath ? child(path, c.fieldPath) : path || ROOT;
    const shown = s.type === 'object' || s.type === 'array' || isRoot ? (s.type ?? 'object') : v;
    errs.push(errorForReason(at, shown, detail, c.rule.reason));
  }
}

function errorForReason(path: string, value: unknown, detail: string, reason: string | undefined): StatusCause {
  switch (reason) {
    case 'FieldValueForbidden':
      return forbidden(path, detail);
    case 'FieldValueRequired':
      return required(path, detail);
    case 'FieldValueDuplicate':
      return duplicate(path, value);
    default:
      return invalid(path, value, detail);
  }
}
