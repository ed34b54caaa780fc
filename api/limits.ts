/**
 * Bounds on what one request may make the apiserver hold or walk, checked before anything
 * recursive touches the value:
 * - nesting depth: Kubernetes' decoders stop at 10000 levels; this process's recursive
 *   walkers (structured clone, msgpack, the YAML composer) overflow the stack far sooner,
 *   so the limit here is MAX_DEPTH, checked on the text before parsing and on every value;
 * - size: the request body limit (MaxRequestBodyBytes, 3 MiB) also bounds what a patch
 *   produces, and JSON-patch copies may add at most JSONPatchMaxCopyBytes (3 MiB);
 * - keys: `__proto__`, which a plain assignment anywhere downstream would turn into a
 *   prototype change, is never accepted (Kubernetes takes it as an ordinary field name).
 * Every walk here uses an explicit stack, never recursion, so any input is safe to check.
 */
import { CST, Lexer } from 'yaml';
import { isObject, own } from './json.ts';

/** The deepest nesting of objects and arrays a request value may have. */
export const MAX_DEPTH = 256;

/** The apiserver's MaxRequestBodyBytes: a body, and the object a patch produces, may be this large. */
export const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

/** The apiserver's maxJSONPatchOperations. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/** The apiserver's JSONPatchMaxCopyBytes: what the "copy" operations of one patch may add. */
export const JSON_PATCH_MAX_COPY_BYTES = 3 * 1024 * 1024;

/**
 * List items the inserts and removals of one JSON patch may shift (not a Kubernetes limit:
 * splice moves about one item per 2 ns, so 10000 inserts at the head of a 700,000-item
 * list blocked the loop 15 s; this bounds it to a few tens of milliseconds).
 */
export const JSON_PATCH_MAX_SHIFTED_ITEMS = 32 * 1024 * 1024;

/** The one key no request value may hold. */
export const FORBIDDEN_KEY = '__proto__';


/**
 * The first reason `value` may not enter the apiserver (too deep, or a `__proto__` key), or
 * undefined. `shared`: the value may reach one node along many paths (YAML aliases), so a node
 * is walked again only when reached deeper than before; JSON, protobuf and msgpackr decode to
 * trees, which need no such bookkeeping. `known`: a value that entered before (the stored
 * object a patch was applied to): a part of `value` that is the same object as the part of
 * `known` at the same place, and so at the same depth, is not walked again.
 */
export function decodedProblem(value: unknown, maxDepth = MAX_DEPTH, shared = false, known?: unknown): string | undefined {
  // Recursion is safe: it never goes deeper than maxDepth + 1 frames.
  const deepest = shared ? new Map<object, number>() : undefined;
  const visit = (v: object, depth: number, k: unknown): string | undefined => {
    if (v === k) return undefined;
    if (depth > maxDepth) return `exceeded max depth of ${maxDepth}`;
    if (deepest) {
      if ((deepest.get(v) ?? 0) >= depth) return undefined;
      deepest.set(v, depth);
    }
    // Arrays by index and objects by for-in: Object.keys made an array (of index strings, for
    // an array) per container of every request body. Bytes hold no containers.
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const e: unknown = v[i];
        if (typeof e !== 'object' || e === null) continue;
        const problem = visit(e, depth + 1, own(k, i));
        if (problem) return problem;
      }
      return undefined;
    }
    if (Object.hasOwn(v, FORBIDDEN_KEY) || dataPrototype(v)) return `the key "${FORBIDDEN_KEY}" is not accepted`;
    if (ArrayBuffer.isView(v)) return undefined;
    for (const key in v) {
      if (!Object.hasOwn(v, key)) continue;
      const e = (v as Record<string, unknown>)[key];
      if (typeof e !== 'object' || e === null) continue;
      const problem = visit(e, depth + 1, own(k, key));
      if (problem) return problem;
    }
    return undefined;
  };
  return typeof value === 'object' && value !== null ? visit(value, 1, known) : undefined;
}

/** True when a decoder assigned a `__proto__` key: the prototype is a data object, not a class's (nor Object's, nor none). */
function dataPrototype(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto !== null && proto !== Object.prototype && !Object.hasOwn(proto as object, 'constructor');
}

/** The nesting depth of a value (0 for a scalar), counting no deeper than `max` + 1. */
export function depthOf(value: unknown, max = MAX_DEPTH): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    deepest = Math.max(deepest, depth);
    if (depth > max) return deepest;
    for (const e of Object.values(v)) if (typeof e === 'object' && e !== null) stack.push([e, depth + 1]);
  }
  return deepest;
}

/** True when JSON text nests deeper than `max`: a scan of the brackets outside strings, before JSON.parse recurses. */
export function jsonTextTooDeep(text: string, max = MAX_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

const MARKERS = new Set(['\u0002', '\u0018', '\u001f', '\ufeff']);
const SCALAR = '\u001f';

/**
 * True when YAML text may nest collections deeper than `max`. The yaml library's lexer is
 * iterative and its composer recursive, so the lexemes are checked first, stopping at the
 * first excess. Flow nesting is counted exactly; block nesting is bounded by columns: along
 * a chain of block collections the columns never decrease and at most two (a map and the
 * sequence that is one of its values) share one, so a collection starting at column c sits
 * at most 2(c+1) deep. That bound is checked where a collection can start: the first node
 * of a line, and the node after "- " or "? ".
 */
export function yamlTextTooDeep(text: string, max = MAX_DEPTH): boolean {
  let col = 0;
  let flow = 0;
  let base = 0;
  let canStart = true;
  let scalarNext = false;
  for (const lexeme of new Lexer().lex(text)) {
    if (MARKERS.has(lexeme)) {
      scalarNext = lexeme === SCALAR;
      continue;
    }
    const type = scalarNext ? 'scalar' : CST.tokenType(lexeme);
    scalarNext = false;
    if (type === 'flow-map-start' || type === 'flow-seq-start') {
      if (flow === 0) base = 2 * (col + 1);
      if (base + ++flow > max) return true;
      canStart = false;
    } else if (type === 'flow-map-end' || type === 'flow-seq-end') flow = Math.max(0, flow - 1);
    else if (flow === 0 && type !== 'space' && type !== 'newline' && type !== 'comment' && type !== 'anchor' && type !== 'tag') {
      if (canStart && 2 * (col + 1) > max) return true;
      canStart = type === 'seq-item-ind' || type === 'explicit-key-ind' || (canStart && type === 'map-value-ind');
    }
    const nl = lexeme.lastIndexOf('\n');
    if (nl >= 0) {
      col = lexeme.length - nl - 1;
      canStart = type !== 'scalar' || col === 0;
    } else col += lexeme.length;
  }
  return false;
}

/**
 * About the length of `value`'s compact JSON (strings counted in UTF-16 units, unescaped;
 * numbers as 6): a walk that allocates nothing, for budgets that need a close, cheap weight
 * rather than an exact size (JSON.stringify of every watch event cost 4 % of scheduler-perf).
 */
export function approxJsonSize(v: unknown): number {
  if (typeof v === 'string') return v.length + 2;
  if (typeof v !== 'object' || v === null) return 6;
  let n = 2;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) n += approxJsonSize(v[i]) + 1;
    return n;
  }
  for (const k in v) n += k.length + 4 + approxJsonSize((v as Record<string, unknown>)[k]);
  return n;
}

/**
 * approxJsonSize(`v`), given `oldSize` = approxJsonSize(`old`) of a value it shares parts with
 * (the version it replaces): only where the two are different objects is anything walked, so
 * an update's size costs what it changed. Both must be JSON's (plain objects and arrays).
 */
export function approxJsonSizeBeside(v: unknown, old: unknown, oldSize: number): number {
  return oldSize + approxDelta(v, old);
}

/** approxJsonSize(v) - approxJsonSize(o), walking only the parts that are not the same object. */
function approxDelta(v: unknown, o: unknown): number {
  if (v === o) return 0;
  if (typeof v !== 'object' || v === null || typeof o !== 'object' || o === null || Array.isArray(v) !== Array.isArray(o)) return approxJsonSize(v) - approxJsonSize(o);
  let d = 0;
  if (Array.isArray(v)) {
    const a = o as unknown[];
    const both = Math.min(v.length, a.length);
    for (let i = 0; i < both; i++) d += approxDelta(v[i], a[i]);
    for (let i = both; i < v.length; i++) d += approxJsonSize(v[i]) + 1;
    for (let i = both; i < a.length; i++) d -= approxJsonSize(a[i]) + 1;
    return d;
  }
  const ov = o as Record<string, unknown>;
  const vv = v as Record<string, unknown>;
  for (const k in vv) d += Object.hasOwn(ov, k) ? approxDelta(vv[k], ov[k]) : k.length + 4 + approxJsonSize(vv[k]);
  for (const k in ov) if (!Object.hasOwn(vv, k)) d -= k.length + 4 + approxJsonSize(ov[k]);
  return d;
}

/**
 * Whether `value`'s compact JSON (what JSON.stringify writes) is longer than `max` bytes.
 * approxJsonSize is never less than a sixth of it — a UTF-16 unit of a string or key takes at
 * most 6 bytes (`\u001f`), a number at most 24 characters against its 6 — so the exact,
 * native encoding is made only for a value within a sixth of the limit: a pod's status patch
 * made a copy of the pod's JSON per write (2.4 % of density's main thread) to learn it was far
 * below 3 MiB. The value must be JSON's (no BigInt, no toJSON) and its depth bounded.
 * `beside`: a value it shares parts with and that value's approxJsonSize (the object a patch
 * was applied to), so only the parts the patch made are walked.
 */
export function jsonLongerThan(value: unknown, max: number, beside?: { old: unknown; size: number }): boolean {
  const approx = beside ? approxJsonSizeBeside(value, beside.old, beside.size) : approxJsonSize(value);
  if (approx * 6 <= max) return false;
  return Buffer.byteLength(JSON.stringify(value)) > max;
}

/**
 * The size in bytes of the compact JSON encoding of `value`, computed without building it;
 * stops counting once past `max` (a result over `max` means "too large", not the exact size).
 */
export function jsonSize(value: unknown, max = Infinity): number {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length && size <= max) {
    const v = stack.pop();
    if (typeof v === 'string') size += Buffer.byteLength(JSON.stringify(v));
    else if (typeof v === 'number') size += Number.isFinite(v) ? String(v).length : 4;
    else if (typeof v === 'boolean') size += v ? 4 : 5;
    else if (Array.isArray(v)) {
      size += 2 + Math.max(0, v.length - 1);
      for (const e of v) stack.push(e === undefined ? null : e);
    } else if (isObject(v)) {
      const entries = Object.entries(v).filter(([, e]) => e !== undefined);
      size += 2 + Math.max(0, entries.length - 1);
      for (const [k, e] of entries) {
        size += Buffer.byteLength(JSON.stringify(k)) + 1;
        stack.push(e);
      }
    } else size += 4; // null
  }
  return size;
}
