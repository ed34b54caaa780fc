/**
 * The one traversal of an object against the generated field structure
 * (types.generated.ts): unknown-field detection (../unknown.ts) and the type check of what
 * decoding into Kubernetes' Go structs would refuse (../types.ts) are two visitors of it.
 */
import { isObject, own, type JsonObject } from '../../json.ts';
import { structs } from './types.generated.ts';

/** One step from the root to a value: a struct field, a list index or a map key. */
export type Step = { field: string } | { index: number } | { key: string };

/** Where the walk is: the steps from the root (a live array: copy it to keep it) and the innermost struct holding the field. */
export interface Place {
  readonly steps: readonly Step[];
  /** Struct key of the struct whose field holds the value ("apps/v1.DeploymentSpec"). */
  readonly struct: string;
}

export interface Visitor {
  /** Every typed value before the walk descends into it; false: the value does not fit `code`, do not descend. */
  value?(code: string, value: unknown, at: Place): boolean;
  /** A null where a `code` is expected, held by `container` (a struct, list or map) at `key`. */
  null?(code: string, at: Place, container: JsonObject | unknown[], key: string | number): void;
  /** A field its struct does not define. */
  unknown?(at: Place, parent: JsonObject, key: string): void;
}

/**
 * Walks `value` as the type `code` (a struct key at the root). `known`, when given, is a value
 * the visitor has nothing to say about (a stored object, which was decoded and pruned when it
 * was written): a part of `value` that is the same object as the part of `known` at the same
 * place is not walked.
 */
export function walkSchema(code: string, value: unknown, visitor: Visitor, known?: unknown): void {
  const steps: Step[] = [];
  walk(code, value, { steps, struct: code }, visitor, undefined, undefined, known);
}

type Container = JsonObject | unknown[];

function walk(code: string, value: unknown, at: { steps: Step[]; struct: string }, v: Visitor, container?: Container, key?: string | number, known?: unknown): void {
  if (code === 'x') return;
  if (known !== undefined && value === known && typeof value === 'object' && value !== null) return;
  if (value === null && v.null && container) v.null(code, at, container, key!);
  if (v.value && !v.value(code, value, at)) return;
  const steps = at.steps;
  if (code.startsWith('[')) {
    if (!Array.isArray(value)) return;
    const el = code.slice(1);
    for (let i = 0; i < value.length; i++) {
      steps.push({ index: i });
      walk(el, value[i], at, v, value, i, own(known, i));
      steps.pop();
    }
    return;
  }
  if (code.startsWith('{')) {
    if (!isObject(value)) return;
    const el = code.slice(1);
    // for-in (own keys, in order) makes no array of keys per object walked.
    for (const k in value) {
      if (!Object.hasOwn(value, k)) continue;
      steps.push({ key: k });
      walk(el, value[k], at, v, value, k, own(known, k));
      steps.pop();
    }
    return;
  }
  const fields = structs[code];
  if (!fields || !isObject(value)) return;
  const outer = at.struct;
  // A visitor may delete the field it is at (pruning): for-in skips only keys deleted before their turn.
  for (const k in value) {
    if (!Object.hasOwn(value, k)) continue;
    steps.push({ field: k });
    at.struct = code;
    const ft = Object.hasOwn(fields, k) ? fields[k] : undefined;
    if (ft === undefined) v.unknown?.(at, value, k);
    else walk(ft, value[k], at, v, value, k, own(known, k));
    steps.pop();
  }
  at.struct = outer;
}

/** Whether a code names a struct of the table (rather than a scalar, list or map). */
export const isStruct = (code: string): boolean => structs[code] !== undefined;

/** The path as the strict decoder prints it: "spec.containers[0].foo", map keys as ".key". */
export function strictPath(steps: readonly Step[]): string {
  let out = '';
  for (const s of steps) {
    if ('index' in s) out += `[${s.index}]`;
    else {
      const name = 'field' in s ? s.field : s.key;
      out += out ? `.${name}` : name;
    }
  }
  return out;
}

/** The path in Kubernetes' field.Path notation: "spec.containers[0].ports[0].containerPort", "data[key]". */
export function fieldPath(steps: readonly Step[]): string {
  let out = '';
  for (const s of steps) {
    if ('index' in s) out += `[${s.index}]`;
    else if ('key' in s) out += `[${s.key}]`;
    else out += out ? `.${s.field}` : s.field;
  }
  return out;
}

/** The path as Go's encoding/json names a field in an UnmarshalTypeError: field names only ("spec.template.spec.containers.ports"). */
export function goFieldPath(steps: readonly Step[]): string {
  const names: string[] = [];
  for (const s of steps) if ('field' in s) names.push(s.field);
  return names.join('.');
}
