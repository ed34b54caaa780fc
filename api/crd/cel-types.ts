/**
 * How a structural schema node looks to CEL: its declared type (apiserver/pkg/cel/common's
 * SchemaDeclType, coarsened where the evaluator's types are narrower: an object with
 * properties is a `map<string, dyn>`) and its value (integers as `int`, numbers as
 * `double`, `date-time` strings as timestamps, `duration` strings as durations, as
 * UnstructuredToVal gives them).
 */
import { isObject, own, setOwn } from '../json.ts';
import { parseTimeError } from '../validation/time-format.ts';
import { celDuration, toCelValue } from './cel-env.ts';
import { escapeProperty } from './cel-escape.ts';
import { additionalSchema, isEmbedded, isIntOrString, itemsSchema, preservesUnknown, propertySchema, type SchemaProps } from './schema-props.ts';

/** The CEL type of values of `s`. */
export function celTypeOf(s: SchemaProps | undefined): string {
  if (!s || isIntOrString(s) || isEmbedded(s)) return 'dyn';
  switch (s.type) {
    case 'integer':
      return 'int';
    case 'number':
      return 'double';
    case 'boolean':
      return 'bool';
    case 'string':
      // The evaluator names the well-known types by their protobuf names ("timestamp" is unknown to it).
      return s.format === 'date-time' ? 'google.protobuf.Timestamp' : s.format === 'duration' ? 'google.protobuf.Duration' : 'string';
    case 'array':
      return `list<${celTypeOf(itemsSchema(s))}>`;
    case 'object': {
      const extra = additionalSchema(s);
      if (extra && !s.properties && !preservesUnknown(s)) return `map<string, ${celTypeOf(extra)}>`;
      return 'map<string, dyn>';
    }
    default:
      return 'dyn';
  }
}

/** `v` (a JSON value valid for `s`) as the CEL value of the type celTypeOf(s) declares. */
export function celValueOf(v: unknown, s: SchemaProps | undefined): unknown {
  if (v === null || v === undefined || !s || isIntOrString(s)) return toCelValue(v);
  if (typeof v === 'number') return s.type === 'number' ? v : toCelValue(v);
  if (typeof v === 'string') {
    if (s.type !== 'string') return v;
    if (s.format === 'date-time') return parseTimeError(v) === null ? new Date(v) : v;
    if (s.format === 'duration') return celDuration(v) ?? v;
    return v;
  }
  if (Array.isArray(v)) {
    const items = itemsSchema(s);
    return v.map((x) => celValueOf(x, items));
  }
  if (isObject(v)) {
    const extra = additionalSchema(s);
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      const p = propertySchema(s, k);
      // Declared fields go by their CEL name; map keys and unknown fields stay as they are.
      const name = p ? escapeProperty(k) : k;
      if (name !== undefined) setOwn(out, name, celValueOf(v[k], p ?? extra));
    }
    return out;
  }
  return v;
}

/** The root's value as its rules see it: metadata narrowed to name and generateName, as Kubernetes declares it. */
export function celRootValue(obj: Record<string, unknown>, s: SchemaProps): unknown {
  const value = celValueOf(obj, s) as Record<string, unknown>;
  const meta = own(obj, 'metadata');
  if (isObject(meta)) {
    const narrowed: Record<string, unknown> = {};
    for (const k of ['name', 'generateName']) if (typeof meta[k] === 'string') narrowed[k] = meta[k];
    value.metadata = narrowed;
  }
  return value;
}
