/**
 * Static cost estimation of a CEL rule, as cel-go's checker.Cost with Kubernetes' size
 * estimator computes it: every identifier and field selection costs 1, a literal 0, a list
 * literal 10 and a map literal 30, most functions 1; string work costs 0.1 a byte
 * (`contains` the product of both sides, `matches` (1+len)×0.1 × regex length×0.25),
 * equality the smaller side's size ×0.1, `in` a list its size; a macro (`all`, `exists`,
 * `exists_one`, `map`, `filter`) costs its body's cost, plus the loop's own steps, once per
 * element of the largest list or map the schema allows (shapes from cel-cost-schema.ts).
 * The estimate is the maximum (cel-go's CostEstimate.Max).
 *
 * Approximate where the evaluator's AST lacks cel-go's types: a call whose result kind is
 * not known here counts as a scalar, and Kubernetes' library functions are priced by the
 * size they traverse (close to, not always equal to, upstream's per-function estimators).
 */
import { UNBOUNDED, fieldShape, shapeOf, unknownShape, type Shape } from './cel-cost-schema.ts';
import type { SchemaProps } from './schema-props.ts';

interface Node {
  op: string;
  args: unknown;
}

interface Estimate {
  readonly cost: number;
  readonly shape: Shape;
}

type Scope = ReadonlyMap<string, Shape>;

// cel-go's cost constants (common/cost.go).
const STRING_TRAVERSAL = 0.1;
const REGEX_LENGTH = 0.25;
const LIST_CREATE = 10;
const MAP_CREATE = 30;

const add = (...xs: number[]): number => Math.min(UNBOUNDED, xs.reduce((a, b) => a + b, 0));
const mul = (a: number, b: number): number => (a === 0 || b === 0 ? 0 : Math.min(UNBOUNDED, a * b));
const byFactor = (x: number, f: number): number => Math.min(UNBOUNDED, Math.ceil(x * f));

const scalar: Shape = { kind: 'scalar', size: 1 };
const isNode = (x: unknown): x is Node => typeof x === 'object' && x !== null && typeof (x as Node).op === 'string';
const list = (args: unknown): unknown[] => (Array.isArray(args) ? args : [args]);

/** The estimated maximum cost of `ast` with `self` (and `oldSelf`) of schema `s`. */
export function estimateCost(ast: unknown, s: SchemaProps, isRoot: boolean): number {
  const self = shapeOf(s, isRoot);
  return estimate(ast, new Map([['self', self], ['oldSelf', self]])).cost;
}

function literal(v: unknown): Shape {
  if (typeof v === 'string') return { kind: 'string', size: [...v].length };
  if (v instanceof Uint8Array) return { kind: 'bytes', size: v.length };
  return scalar;
}

function estimate(n: unknown, scope: Scope): Estimate {
  if (!isNode(n)) return { cost: 0, shape: unknownShape };
  const args = n.args;
  switch (n.op) {
    case 'value':
      return { cost: 0, shape: literal(args) };
    case 'id':
      return { cost: 1, shape: scope.get(args as string) ?? unknownShape };
    case '.':
    case '.?': {
      const [operand, name] = args as [unknown, string];
      const o = estimate(operand, scope);
      // Selecting on a map or object costs 1 (on dyn nothing more); `.?` is a call, also 1.
      const step = n.op === '.?' || o.shape.kind === 'map' || o.shape.kind === 'object' ? 1 : 0;
      return { cost: add(o.cost, step), shape: fieldShape(o.shape, name) ?? unknownShape };
    }
    case '[]':
    case '[?]': {
      const [target, idx] = args as [unknown, unknown];
      const t = estimate(target, scope);
      const i = estimate(idx, scope);
      const shape = t.shape.kind === 'list' || t.shape.kind === 'map' ? (t.shape.elem ?? unknownShape)
        : isNode(idx) && idx.op === 'value' && typeof idx.args === 'string' ? (fieldShape(t.shape, idx.args) ?? unknownShape) : unknownShape;
      return { cost: add(1, t.cost, i.cost), shape };
    }
    case 'list': {
      const items = list(args).map((a) => estimate(a, scope));
      const elem = items.reduce<Shape | undefined>((u, e) => (u && u.size >= e.shape.size ? u : e.shape), undefined);
      return { cost: add(LIST_CREATE, ...items.map((e) => e.cost)), shape: { kind: 'list', size: items.length, elem: elem ?? scalar } };
    }
    case 'map': {
      const entries = list(args).flatMap((e) => list(e)).map((a) => estimate(a, scope));
      return { cost: add(MAP_CREATE, ...entries.map((e) => e.cost)), shape: { kind: 'map', size: entries.length / 2, elem: unknownShape } };
    }
    case '&&':
    case '||': {
      const [l, r] = (args as unknown[]).map((a) => estimate(a, scope));
      return { cost: add(l!.cost, r!.cost), shape: scalar };
    }
    case '?:': {
      const [c, t, f] = (args as unknown[]).map((a) => estimate(a, scope));
      const shape = t!.shape.size >= f!.shape.size ? t!.shape : f!.shape;
      return { cost: add(c!.cost, Math.max(t!.cost, f!.cost)), shape };
    }
    case '-_':
      // cel-go's parser folds a negative number into one literal.
      if (isNode(args) && args.op === 'value') return { cost: 0, shape: scalar };
      return operator(n.op, [estimate(args, scope)]);
    case 'call':
      return call(args as [string, unknown[]], scope);
    case 'rcall':
      return memberCall(args as [string, unknown, unknown[]], scope);
    default:
      return operator(n.op, list(args).map((a) => estimate(a, scope)));
  }
}

/** Binary and unary operators: comparisons of strings and equality by size, `+` of strings by length, `in` of a list by size. */
function operator(op: string, a: Estimate[]): Estimate {
  const argCost = add(...a.map((e) => e.cost));
  const [l, r] = [a[0]?.shape ?? scalar, a[1]?.shape ?? scalar];
  const stringy = (s: Shape) => s.kind === 'string' || s.kind === 'bytes';
  switch (op) {
    case '==':
    case '!=':
      return { cost: add(argCost, byFactor(Math.min(l.size, r.size), STRING_TRAVERSAL)), shape: scalar };
    case '<':
    case '<=':
    case '>':
    case '>=':
      return { cost: add(argCost, stringy(l) || stringy(r) ? byFactor(Math.min(l.size, r.size), STRING_TRAVERSAL) : 1), shape: scalar };
    case '+':
      if (stringy(l) || stringy(r)) {
        const size = add(l.size, r.size);
        return { cost: add(argCost, byFactor(size, STRING_TRAVERSAL)), shape: { kind: l.kind === 'bytes' ? 'bytes' : 'string', size } };
      }
      if (l.kind === 'list' || r.kind === 'list') {
        const elem = (l.elem?.size ?? 0) >= (r.elem?.size ?? 0) ? l.elem : r.elem;
        return { cost: add(argCost, 1), shape: { kind: 'list', size: add(l.size, r.size), elem: elem ?? unknownShape } };
      }
      return { cost: add(argCost, 1), shape: scalar };
    case 'in':
      return { cost: add(argCost, r.kind === 'list' || r.kind === 'dyn' ? r.size : 1), shape: scalar };
    default:
      return { cost: add(argCost, 1), shape: scalar };
  }
}

/** Global functions: `has` a presence test, `dyn` transparent, conversions and Kubernetes' parsers by their argument's size. */
function call([name, rawArgs]: [string, unknown[]], scope: Scope): Estimate {
  if (name === 'has') {
    const sel = rawArgs[0];
    const operand = isNode(sel) && Array.isArray(sel.args) ? sel.args[0] : sel;
    return { cost: add(1, estimate(operand, scope).cost), shape: scalar };
  }
  const a = rawArgs.map((x) => estimate(x, scope));
  const argCost = add(...a.map((e) => e.cost));
  const first = a[0]?.shape ?? scalar;
  switch (name) {
    case 'dyn':
      return { cost: add(1, argCost), shape: first };
    case 'string':
      // cel-go knows no size for string(x): what it is added to or compared with becomes unbounded.
      return { cost: add(1, argCost), shape: first.kind === 'string' ? first : { kind: 'string', size: UNBOUNDED } };
    case 'quantity':
    case 'isQuantity':
    case 'url':
    case 'isURL':
    case 'ip':
    case 'isIP':
    case 'cidr':
    case 'isCIDR':
      return { cost: add(argCost, byFactor(first.size, STRING_TRAVERSAL)), shape: scalar };
    case 'matches':
      return { cost: add(argCost, regexCost(first, a[1]?.shape ?? scalar)), shape: scalar };
    default:
      return { cost: add(1, argCost), shape: scalar };
  }
}

function regexCost(str: Shape, re: Shape): number {
  return mul(byFactor(add(str.size, 1), STRING_TRAVERSAL), byFactor(re.size, REGEX_LENGTH));
}

const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

/** Member functions (`x.f(…)`) and the macros. */
function memberCall([name, rawTarget, rawArgs]: [string, unknown, unknown[]], scope: Scope): Estimate {
  if (MACROS.has(name) && isNode(rawArgs[0]) && rawArgs[0].op === 'id') return macro(name, rawTarget, rawArgs, scope);
  const t = estimate(rawTarget, scope);
  const a = rawArgs.map((x) => estimate(x, scope));
  const base = add(t.cost, ...a.map((e) => e.cost));
  const target = t.shape;
  const arg = a[0]?.shape ?? scalar;
  const traverse = byFactor(target.size, STRING_TRAVERSAL);
  const result = (cost: number, shape: Shape = scalar): Estimate => ({ cost: add(base, cost), shape });
  switch (name) {
    case 'contains':
      return result(mul(traverse, byFactor(arg.size, STRING_TRAVERSAL)));
    case 'startsWith':
    case 'endsWith':
      return result(byFactor(arg.size, STRING_TRAVERSAL));
    case 'matches':
    case 'find':
      return result(regexCost(target, arg), name === 'find' ? { kind: 'string', size: target.size } : scalar);
    case 'findAll':
      return result(regexCost(target, arg), { kind: 'list', size: target.size, elem: { kind: 'string', size: target.size } });
    case 'lowerAscii':
    case 'upperAscii':
    case 'trim':
    case 'substring':
    case 'charAt':
      return result(traverse, { kind: 'string', size: name === 'charAt' ? 1 : target.size });
    case 'replace': {
      // Read and written once; at worst every gap between characters takes the replacement
      // (the schema gives no least size for what is replaced).
      const withSize = a[1]?.shape.size ?? UNBOUNDED;
      const size = add(target.size, mul(add(target.size, 1), withSize));
      return result(byFactor(target.size, 2 * STRING_TRAVERSAL), { kind: 'string', size });
    }
    case 'split':
      return result(mul(2, traverse), { kind: 'list', size: target.size, elem: { kind: 'string', size: target.size } });
    case 'join': {
      // Every item and a separator after each.
      const sep = rawArgs.length ? arg.size : 0;
      const size = mul(target.size, add(target.elem?.size ?? UNBOUNDED, sep));
      return result(byFactor(size, STRING_TRAVERSAL), { kind: 'string', size });
    }
    case 'format':
      return result(traverse, { kind: 'string', size: UNBOUNDED });
    case 'indexOf':
    case 'lastIndexOf':
      if (target.kind === 'list') return result(mul(target.size, Math.max(1, byFactor(Math.min(target.elem?.size ?? 1, arg.size), STRING_TRAVERSAL))));
      return result(mul(traverse, byFactor(arg.size, STRING_TRAVERSAL)));
    case 'isSorted':
    case 'sum':
    case 'min':
    case 'max': {
      // One comparison (or addition) per item, strings compared by their length.
      const elem = target.elem;
      const each = add(1, elem && (elem.kind === 'string' || elem.kind === 'bytes') ? byFactor(elem.size, STRING_TRAVERSAL) : 0);
      return result(mul(target.size, each), name === 'isSorted' ? scalar : (elem ?? scalar));
    }
    case 'orValue':
    case 'value':
      return result(1, target.size >= arg.size ? target : arg);
    default:
      return result(1);
  }
}

/**
 * A macro's loop, as cel-go expands it: range + init + result, plus per element the loop
 * condition and step around the body (all: 3, exists: 4, exists_one: 2, map: 12, filter: 13
 * besides the body), times the most elements the range can have.
 */
function macro(name: string, rawTarget: unknown, rawArgs: unknown[], scope: Scope): Estimate {
  const range = estimate(rawTarget, scope);
  const n = range.shape.size;
  const item = range.shape.kind === 'list' ? (range.shape.elem ?? unknownShape)
    : range.shape.kind === 'map' ? { kind: 'string' as const, size: 0 } : unknownShape;
  const inner = new Map(scope);
  inner.set((rawArgs[0] as Node).args as string, item);
  const body = rawArgs.slice(1).map((x) => estimate(x, inner));
  const p = body[0]?.cost ?? 0;
  let init = 0;
  let result = 1;
  let perItem: number;
  let shape: Shape = scalar;
  switch (name) {
    case 'all':
      perItem = add(3, p);
      break;
    case 'exists':
      perItem = add(4, p);
      break;
    case 'exists_one':
      perItem = add(2, p);
      result = 2;
      break;
    case 'map': {
      const transform = body.length === 2 ? body[1]! : body[0]!;
      init = LIST_CREATE;
      perItem = body.length === 2 ? add(p, 12, transform.cost) : add(12, transform.cost);
      shape = { kind: 'list', size: n, elem: transform.shape };
      break;
    }
    default:
      init = LIST_CREATE;
      perItem = add(13, p);
      shape = { kind: 'list', size: n, elem: item };
  }
  return { cost: add(range.cost, init, result, mul(n, perItem)), shape };
}
