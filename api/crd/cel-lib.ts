/**
 * Kubernetes' CEL libraries (k8s.io/apiserver/pkg/cel/library) on top of what the
 * evaluator brings: the lists library (isSorted, sum, min, max, indexOf, lastIndexOf), the
 * sets extension (sets.contains, sets.equivalent, sets.intersects),
 * the regex library (find, findAll), the strings-extension members it lacks (charAt,
 * replace, reverse), the quantity library (quantity, isQuantity, comparisons,
 * arithmetic, asInteger, asApproximateFloat), and the IP, CIDR and URL libraries (cel-lib-net.ts).
 */
import type { Environment } from '@marcbachmann/cel-js';
import { registerNetLibrary } from './cel-lib-net.ts';
import { addQuantity, compareQuantity, parseQuantity, subQuantity, toMilli, toNumber, type Quantity as Q } from '../quantity.ts';

/** A resource.Quantity value in CEL (its own type, as in Kubernetes). */
export class Quantity {
  constructor(readonly q: Q) {}
}

type Fn = (...args: never[]) => unknown;

function method(env: Environment, receiverType: string, name: string, params: string[], returnType: string, handler: Fn): void {
  env.registerFunction({ name, receiverType, returnType, handler: handler as (...a: unknown[]) => unknown, params: params.map((type, i) => ({ name: `a${i}`, type })) });
}

function fn(env: Environment, name: string, params: string[], returnType: string, handler: Fn): void {
  env.registerFunction({ name, returnType, handler: handler as (...a: unknown[]) => unknown, params: params.map((type, i) => ({ name: `a${i}`, type })) });
}

const cmp = (a: unknown, b: unknown): number => (a === b ? 0 : (a as number) < (b as number) ? -1 : 1);

function extreme(list: unknown[], sign: 1 | -1, name: string): unknown {
  if (list.length === 0) throw new Error(`${name} called on empty list`);
  return list.reduce((m, x) => (cmp(x, m) * sign > 0 ? x : m));
}

function lists(env: Environment): void {
  method(env, 'list<A>', 'isSorted', [], 'bool', (l: unknown[]) => l.every((x, i) => i === 0 || cmp(l[i - 1], x) <= 0));
  method(env, 'list<int>', 'sum', [], 'int', (l: bigint[]) => l.reduce((a, b) => a + b, 0n));
  method(env, 'list<double>', 'sum', [], 'double', (l: number[]) => l.reduce((a, b) => a + b, 0));
  method(env, 'list<A>', 'min', [], 'A', (l: unknown[]) => extreme(l, -1, 'min'));
  method(env, 'list<A>', 'max', [], 'A', (l: unknown[]) => extreme(l, 1, 'max'));
  const same = (a: unknown, b: unknown) => JSON.stringify(a, big) === JSON.stringify(b, big);
  method(env, 'list<A>', 'indexOf', ['A'], 'int', (l: unknown[], x: unknown) => BigInt(l.findIndex((y) => same(x, y))));
  method(env, 'list<A>', 'lastIndexOf', ['A'], 'int', (l: unknown[], x: unknown) => BigInt(l.findLastIndex((y) => same(x, y))));
}

const big = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? `${v}n` : v);

/** The receiver of `sets.…` calls: CEL's sets extension is a namespace, the evaluator has receivers. */
class SetsNamespace {}

function sets(env: Environment): void {
  env.registerType('SetsNamespace', SetsNamespace);
  env.registerConstant('sets', 'SetsNamespace', new SetsNamespace());
  const same = (a: unknown, b: unknown) => JSON.stringify(a, big) === JSON.stringify(b, big);
  const has = (l: unknown[], x: unknown) => l.some((y) => same(x, y));
  method(env, 'SetsNamespace', 'contains', ['list<A>', 'list<A>'], 'bool', (_n: SetsNamespace, a: unknown[], b: unknown[]) => b.every((x) => has(a, x)));
  method(env, 'SetsNamespace', 'equivalent', ['list<A>', 'list<A>'], 'bool', (_n: SetsNamespace, a: unknown[], b: unknown[]) => b.every((x) => has(a, x)) && a.every((x) => has(b, x)));
  method(env, 'SetsNamespace', 'intersects', ['list<A>', 'list<A>'], 'bool', (_n: SetsNamespace, a: unknown[], b: unknown[]) => b.some((x) => has(a, x)));
}

function strings(env: Environment): void {
  method(env, 'string', 'charAt', ['int'], 'string', (s: string, i: bigint) => {
    const chars = [...s];
    if (i < 0n || i > BigInt(chars.length)) throw new Error(`index out of range: ${i}`);
    return chars[Number(i)] ?? '';
  });
  method(env, 'string', 'replace', ['string', 'string'], 'string', (s: string, a: string, b: string) => s.split(a).join(b));
  method(env, 'string', 'replace', ['string', 'string', 'int'], 'string', (s: string, a: string, b: string, n: bigint) => {
    if (n < 0n) return s.split(a).join(b);
    const parts = s.split(a);
    const k = Math.min(Number(n), parts.length - 1);
    return parts.slice(0, k + 1).join(b) + (k + 1 < parts.length ? a + parts.slice(k + 1).join(a) : '');
  });
  method(env, 'string', 'reverse', [], 'string', (s: string) => [...s].reverse().join(''));
  method(env, 'string', 'format', ['list<dyn>'], 'string', (s: string, args: unknown[]) => formatString(s, args));
  method(env, 'string', 'find', ['string'], 'string', (s: string, re: string) => new RegExp(re, 'u').exec(s)?.[0] ?? '');
  method(env, 'string', 'findAll', ['string'], 'list<string>', (s: string, re: string) => [...s.matchAll(new RegExp(re, 'gu'))].map((m) => m[0]));
  method(env, 'string', 'findAll', ['string', 'int'], 'list<string>', (s: string, re: string, n: bigint) => {
    const all = [...s.matchAll(new RegExp(re, 'gu'))].map((m) => m[0]);
    return n < 0n ? all : all.slice(0, Number(n));
  });
}

/** %s of a CEL value: lists and maps with their elements as %s shows them. */
function asText(a: unknown): string {
  if (Array.isArray(a)) return `[${a.map(asText).join(', ')}]`;
  if (a instanceof Map) return `{${[...a].map(([k, v]) => `${asText(k)}: ${asText(v)}`).join(', ')}}`;
  if (a !== null && typeof a === 'object' && Object.getPrototypeOf(a) === Object.prototype) return `{${Object.entries(a).map(([k, v]) => `${k}: ${asText(v)}`).join(', ')}}`;
  return a === null ? 'null' : String(a);
}

/** The strings extension's `format`: %s %d %f %e %x %X %o %b and %%, as cel-go formats them. */
function formatString(template: string, args: unknown[]): string {
  let next = 0;
  return template.replace(/%(\.\d+)?([sdfexXob%])/g, (_m, precision: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (next >= args.length) throw new Error(`index ${next} out of range`);
    const a = args[next++];
    const digits = precision ? Number(precision.slice(1)) : 6;
    const num = (x: unknown) => (typeof x === 'bigint' ? x : BigInt(Math.trunc(Number(x))));
    switch (verb) {
      case 's':
        return asText(a);
      case 'd':
        return String(num(a));
      case 'f':
        return Number(a).toFixed(digits);
      case 'e':
        return Number(a).toExponential(digits).replace(/e([+-])(\d)$/, 'e$10$2');
      case 'x':
        return typeof a === 'string' ? Buffer.from(a).toString('hex') : num(a).toString(16);
      case 'X':
        return (typeof a === 'string' ? Buffer.from(a).toString('hex') : num(a).toString(16)).toUpperCase();
      case 'o':
        return num(a).toString(8);
      default:
        return num(a).toString(2);
    }
  });
}

function quantity(text: string): Quantity {
  const r = parseQuantity(text);
  if (!r.ok) throw new Error(r.status.message);
  return new Quantity(r.value);
}

function quantities(env: Environment): void {
  env.registerType('Quantity', Quantity);
  const Q = 'Quantity';
  fn(env, 'quantity', ['string'], Q, (s: string) => quantity(s));
  fn(env, 'isQuantity', ['string'], 'bool', (s: string) => parseQuantity(s).ok);
  method(env, Q, 'compareTo', [Q], 'int', (a: Quantity, b: Quantity) => BigInt(compareQuantity(a.q, b.q)));
  method(env, Q, 'isGreaterThan', [Q], 'bool', (a: Quantity, b: Quantity) => compareQuantity(a.q, b.q) > 0);
  method(env, Q, 'isLessThan', [Q], 'bool', (a: Quantity, b: Quantity) => compareQuantity(a.q, b.q) < 0);
  method(env, Q, 'add', [Q], Q, (a: Quantity, b: Quantity) => new Quantity(addQuantity(a.q, b.q)));
  method(env, Q, 'sub', [Q], Q, (a: Quantity, b: Quantity) => new Quantity(subQuantity(a.q, b.q)));
  method(env, Q, 'sign', [], 'int', (a: Quantity) => BigInt(a.q.nano > 0n ? 1 : a.q.nano < 0n ? -1 : 0));
  method(env, Q, 'isInteger', [], 'bool', (a: Quantity) => toMilli(a.q) % 1000n === 0n);
  method(env, Q, 'asInteger', [], 'int', (a: Quantity) => {
    if (toMilli(a.q) % 1000n !== 0n) throw new Error('cannot convert value to integer');
    return toMilli(a.q) / 1000n;
  });
  method(env, Q, 'asApproximateFloat', [], 'double', (a: Quantity) => toNumber(a.q));
}

/** Adds Kubernetes' library functions to `env` (once, on the base environment). */
export function registerKubernetesLibrary(env: Environment): void {
  lists(env);
  sets(env);
  strings(env);
  quantities(env);
  registerNetLibrary(env);
}
