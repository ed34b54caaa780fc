/**
 * What a value decoded from a request may hold before any code walks it. Keys are data, and
 * one key is never accepted: `__proto__`, which a plain assignment anywhere downstream would
 * turn into a prototype change. (Kubernetes takes it as an ordinary field name; here it is a
 * 400, in the body and in what a patch produces.)
 */
import { isObject } from './json.ts';

/** The one key no request value may hold. */
export const FORBIDDEN_KEY = '__proto__';

/**
 * The first reason `value` may not enter the apiserver, or undefined. Walks with an explicit
 * stack (never recursion), so any shape of input is safe to check.
 */
export function decodedProblem(value: unknown): string | undefined {
  const stack: unknown[] = [value];
  // YAML aliases share nodes: each is looked at once.
  const seen = new Set<object>();
  while (stack.length) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v);
    if (isObject(v) && Object.hasOwn(v, FORBIDDEN_KEY)) return `the key "${FORBIDDEN_KEY}" is not accepted`;
    for (const e of Object.values(v)) if (typeof e === 'object' && e !== null) stack.push(e);
  }
  return undefined;
}
