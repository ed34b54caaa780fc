/**
 * The CEL environment Kubernetes' validation rules run in: the standard CEL library with
 * macros (has, all, exists, exists_one, map, filter), the strings extension, optional
 * values (`self.?x.orValue(…)`, `oldSelf.hasValue()`), and Kubernetes' own library
 * functions (cel-lib.ts), evaluated by @marcbachmann/cel-js.
 *
 * Shared by CRD `x-kubernetes-validations` (cel-rules.ts) and ValidatingAdmissionPolicy:
 * compile once with the variables' declared types, evaluate many times.
 */
import { Environment, Optional } from '@marcbachmann/cel-js';
import { isObject, setOwn } from '../json.ts';
import { registerKubernetesLibrary } from './cel-lib.ts';

/** A variable the expression may reference, with its CEL type (`dyn`, `int`, `map<string, dyn>`, `optional<dyn>` …). */
export interface CelVariable {
  readonly name: string;
  readonly type: string;
}

/** What evaluating a program gave: its value, or cel-go's kind of runtime error text (`no such key: x`). */
export type CelOutcome = { ok: true; value: unknown } | { ok: false; error: string };

/** A compiled expression. `resultType` is the checked type of its value (`bool`, `string`, `dyn` …). */
export interface CelProgram {
  readonly expression: string;
  readonly resultType: string;
  /** The evaluator's parsed tree (nodes `{op, args, pos}`), for static checks beyond CEL's own (see cel-fields.ts). */
  readonly ast: unknown;
  /** True when the expression references the variable `name` (as CRD rules ask of `oldSelf`). */
  references(name: string): boolean;
  /** Evaluates against `vars` (values already CEL values: see toCelValue). Never throws. */
  evaluate(vars: Record<string, unknown>): CelOutcome;
}

export type CelCompileResult = { ok: true; program: CelProgram } | { ok: false; error: string };

let base: Environment | undefined;
function baseEnvironment(): Environment {
  if (!base) {
    base = new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: false });
    registerKubernetesLibrary(base);
  }
  return base;
}

const cache = new Map<string, CelCompileResult>();

/**
 * Compiles (parses and type-checks) `expression` with `variables` declared. A failure's
 * `error` reads as cel-go's does: `ERROR: <input>:1:6: undeclared reference to 'foo' (in container '')`.
 * Results are cached by expression and declarations, so compiling the same rule again is cheap.
 */
export function compileCel(expression: string, variables: readonly CelVariable[]): CelCompileResult {
  const cacheKey = JSON.stringify([expression, variables]);
  const hit = cache.get(cacheKey);
  if (hit) return hit;
  let result: CelCompileResult;
  try {
    // Inside the try: a declaration the evaluator cannot type is a compile error, not a crash.
    const env = baseEnvironment().clone();
    for (const v of variables) env.registerVariable(v.name, v.type);
    const checked = env.check(expression);
    if (!checked.valid) result = { ok: false, error: compileError(expression, checked.error) };
    else {
      const run = env.parse(expression);
      const names = referencedNames(expression);
      result = {
        ok: true,
        program: {
          expression,
          resultType: String(checked.type),
          ast: run.ast,
          references: (name) => names.has(name),
          evaluate: (vars) => {
            try {
              return { ok: true, value: run(vars) };
            } catch (e) {
              return { ok: false, error: runtimeError(e) };
            }
          },
        },
      };
    }
  } catch (e) {
    result = { ok: false, error: compileError(expression, e) };
  }
  if (cache.size > 5000) cache.clear();
  cache.set(cacheKey, result);
  return result;
}

/** Identifiers outside string literals: enough to tell whether a variable is referenced. */
function referencedNames(expression: string): Set<string> {
  const code = expression.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  return new Set(code.match(/(?<![.\w])[A-Za-z_]\w*/g) ?? []);
}

const firstLine = (e: unknown): string => String((e as Error)?.message ?? e).split('\n')[0]!;

/** cel-go's wording for the messages users meet most; anything else as the evaluator says it. */
function celGoWording(message: string): string {
  let m = /^Unknown variable: (.+)$/.exec(message);
  if (m) return `undeclared reference to '${m[1]}' (in container '')`;
  m = /^no such overload: (\S+) (\S+) (\S+)$/.exec(message);
  if (m) return `found no matching overload for '_${m[2]}_' applied to '(${m[1]}, ${m[3]})'`;
  m = /^No such key: index out of bounds, index (-?\d+) >= size (\d+)$/.exec(message);
  if (m) return `index '${m[1]}' out of range in list size '${m[2]}'`;
  m = /^No such key: (.+)$/.exec(message);
  if (m) return `no such key: ${m[1]}`;
  return message;
}

/** cel-go's `<input>:line:column` of offset `pos` in `expression`. */
export function celPosition(expression: string, pos: number): string {
  const before = expression.slice(0, pos);
  return `<input>:${before.split('\n').length}:${pos - before.lastIndexOf('\n')}`;
}

function compileError(expression: string, e: unknown): string {
  const pos = (e as { node?: { pos?: number } })?.node?.pos;
  const where = typeof pos === 'number' ? `${celPosition(expression, pos)}: ` : '';
  return `ERROR: ${where}${celGoWording(firstLine(e))}`;
}

function runtimeError(e: unknown): string {
  return celGoWording(firstLine(e));
}

/**
 * A JSON value as CEL sees it when nothing narrower is known: whole numbers become `int`
 * (as Kubernetes decodes JSON integers to int64), other numbers `double`.
 */
export function toCelValue(v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(toCelValue);
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) setOwn(out, k, toCelValue(v[k]));
    return out;
  }
  return v;
}

/** A CEL result as JSON (ints to numbers, maps to objects), e.g. for a messageExpression or a VAP variable. */
export function fromCelValue(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Optional) return v.hasValue() ? fromCelValue(v.value()) : null;
  if (Array.isArray(v)) return v.map(fromCelValue);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), fromCelValue(x)]));
  if (v instanceof Date) return v.toISOString();
  if (isObject(v)) return Object.fromEntries(Object.keys(v).map((k) => [k, fromCelValue(v[k])]));
  return v;
}

/** A Go duration string ("1h30m") as a CEL duration, or undefined when it does not parse. */
export function celDuration(text: string): unknown {
  const c = compileCel('duration(s)', [{ name: 's', type: 'string' }]);
  const r = c.ok ? c.program.evaluate({ s: text }) : undefined;
  return r?.ok ? r.value : undefined;
}

/** An optional CEL value: `of(x)` present, `none()` absent (for `optionalOldSelf`). */
export const celOptional = { of: (v: unknown): unknown => Optional.of(v), none: (): unknown => Optional.none() };
