/**
 * field.Error (k8s.io/apimachinery/pkg/util/validation/field) as StatusCause: the cause
 * `reason` is the error type's CauseType and `message` is Kubernetes' ErrorBody, so
 * invalid() in base/status.ts renders "<field>: <body>" exactly as the apiserver does.
 */
import type { StatusCause } from '../../base/status.ts';
import { isObject } from '../json.ts';

/** A field path in Kubernetes' notation: "spec.containers[0].image", "metadata.labels[app]". */
export type FieldPath = string;

/**
 * `path` and `names` joined by ".", empty parts left out. By hand, not an array filtered and
 * joined: validation makes a path for every field it looks at, error or not (three arrays and
 * a string each were 30 MB of density's 1.8 GB of allocations).
 */
export function child(path: FieldPath, ...names: string[]): FieldPath {
  let out = path;
  for (let i = 0; i < names.length; i++) {
    const n = names[i]!;
    if (n !== '') out = out === '' ? n : `${out}.${n}`;
  }
  return out;
}
export const index = (path: FieldPath, i: number): FieldPath => `${path}[${i}]`;
export const key = (path: FieldPath, k: string): FieldPath => `${path}[${k}]`;

/** A bad value already rendered as Go would print it (for Go structs such as LabelSelector). */
export class GoRaw {
  constructor(readonly text: string) {}
}

/** Renders a bad value the way Go's ErrorBody does (%q for strings, %v for numbers, Go maps). */
export function goValue(v: unknown): string {
  if (v instanceof GoRaw) return v.text;
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) {
    const strings = v.every((x) => typeof x === 'string');
    return `${strings ? '[]string' : '[]interface {}'}{${v.map(goValue).join(', ')}}`;
  }
  if (isObject(v)) {
    const entries = Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${goValue(v[k])}`);
    const strings = Object.values(v).every((x) => typeof x === 'string');
    return `${strings ? 'map[string]string' : 'map[string]interface {}'}{${entries.join(', ')}}`;
  }
  return String(v);
}

const withDetail = (head: string, detail?: string): string => (detail ? `${head}: ${detail}` : head);

export function required(field: FieldPath, detail = ''): StatusCause {
  return { reason: 'FieldValueRequired', message: withDetail('Required value', detail), field };
}

export function invalid(field: FieldPath, value: unknown, detail = ''): StatusCause {
  return { reason: 'FieldValueInvalid', message: withDetail(`Invalid value: ${goValue(value)}`, detail), field };
}

export function duplicate(field: FieldPath, value: unknown): StatusCause {
  return { reason: 'FieldValueDuplicate', message: `Duplicate value: ${goValue(value)}`, field };
}

export function notFound(field: FieldPath, value: unknown): StatusCause {
  return { reason: 'FieldValueNotFound', message: `Not found: ${goValue(value)}`, field };
}

/** field.NotSupported: the detail lists the valid values, each quoted. */
export function notSupported(field: FieldPath, value: unknown, valid: readonly string[]): StatusCause {
  const detail = valid.length ? `supported values: ${valid.map((s) => JSON.stringify(s)).join(', ')}` : '';
  return { reason: 'FieldValueNotSupported', message: withDetail(`Unsupported value: ${goValue(value)}`, detail), field };
}

export function forbidden(field: FieldPath, detail: string): StatusCause {
  return { reason: 'FieldValueForbidden', message: withDetail('Forbidden', detail), field };
}

export function tooLong(field: FieldPath, maxBytes: number): StatusCause {
  return { reason: 'FieldValueTooLong', message: `Too long: must have at most ${maxBytes} bytes`, field };
}

export function tooMany(field: FieldPath, actual: number, max: number): StatusCause {
  return { reason: 'FieldValueTooMany', message: `Too many: ${actual}: must have at most ${max} items`, field };
}

/** apimachinery's FieldImmutableErrorMsg. */
export const IMMUTABLE = 'field is immutable';

/** ValidateImmutableField: Invalid(new value, "field is immutable") when the value changed. */
export function immutable(field: FieldPath, newValue: unknown, changed: boolean): StatusCause[] {
  return changed ? [invalid(field, newValue, IMMUTABLE)] : [];
}

/** ValidateNonnegativeField. */
export function nonNegative(field: FieldPath, value: number | undefined): StatusCause[] {
  return value !== undefined && value < 0 ? [invalid(field, value, 'must be greater than or equal to 0')] : [];
}

/** ValidatePositiveField. */
export function positive(field: FieldPath, value: number | undefined): StatusCause[] {
  return value !== undefined && value <= 0 ? [invalid(field, value, 'must be greater than zero')] : [];
}
