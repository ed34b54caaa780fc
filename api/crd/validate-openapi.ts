/**
 * OpenAPI v3 validation of a custom resource against its structural schema, reported as
 * kube-openapi's validator reports it and apiextensions turns it into field errors:
 * `spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`,
 * `Required value`, `Unsupported value`, `Too long`, `Too many`, and the `should …` messages
 * of the numeric, string and list bounds.
 */
import type { StatusCause } from '../../base/status.ts';
import { deepEqual, isObject, own } from '../json.ts';
import { invalid, notSupported, required, tooMany } from '../validation/errors.ts';
import { additionalSchema, asSchema, isEmbedded, isIntOrString, itemsSchema, jsonType, type SchemaProps } from './schema-props.ts';
import { correlateItems } from './schema-correlate.ts';
import { compilePattern } from './schema-pattern.ts';
import { matchesFormat } from './validate-formats.ts';
import { validateEmbeddedResource } from './validate-embedded.ts';

/** kube-openapi's path of a property ("spec.replicas") or list item ("spec.ports[0]"). */
export const dataChild = (path: string, name: string): string => (path === '' ? name : `${path}.${name}`);

/**
 * Validates `value` at `path` ("" for the object itself) against `s`, appending to `errs`.
 * On update `old` is the correlated old value: a value left unchanged is not validated
 * again (CRD validation ratcheting), so tightening a schema does not lock existing objects.
 */
export function validateValue(s: SchemaProps, value: unknown, path: string, errs: StatusCause[], old?: unknown): void {
  if (old !== undefined && deepEqual(value, old)) return;
  if (value === null || value === undefined) {
    if (s.type && !s.nullable) errs.push(typeError(path, s.type, 'null'));
    return;
  }
  const actual = jsonType(value);
  if (s.type && !typeFits(s.type, actual)) {
    errs.push(typeError(path, s.type, actual));
    enumCheck(s, value, path, errs);
    return;
  }
  if (isIntOrString(s) && actual !== 'integer' && actual !== 'string') errs.push(typeError(path, 'integer,string', actual));
  if (typeof value === 'string') strings(s, value, path, errs);
  else if (typeof value === 'number') numbers(s, value, path, errs);
  else if (Array.isArray(value)) arrays(s, value, path, errs, old);
  else if (isObject(value)) objects(s, value, path, errs, old);
  enumCheck(s, value, path, errs);
  junctors(s, value, path, errs);
}

/** field.TooLongMaxLength, what apiextensions turns kube-openapi's maxLength failure into. */
const tooLongMaxLength = (path: string, max: number): StatusCause => ({ reason: 'FieldValueTooLong', message: `Too long: may not be longer than ${max}`, field: path });

const typeFits = (type: string, actual: string): boolean => type === actual || (type === 'number' && actual === 'integer');

/** field.TypeInvalid: reads as Invalid, but its cause type tells the CEL rules not to run. */
function typeError(path: string, type: string, actual: string): StatusCause {
  return { ...invalid(path, actual, `${path} in body must be of type ${type}: ${JSON.stringify(actual)}`), reason: TYPE_INVALID };
}

export const TYPE_INVALID = 'FieldValueTypeInvalid';

function strings(s: SchemaProps, v: string, path: string, errs: StatusCause[]): void {
  const length = [...v].length;
  if (s.maxLength !== undefined && length > s.maxLength) errs.push(tooLongMaxLength(path, s.maxLength));
  if (s.minLength !== undefined && length < s.minLength) errs.push(invalid(path, v, `${path} in body should be at least ${s.minLength} chars long`));
  const re = s.pattern === undefined ? undefined : compilePattern(s.pattern);
  if (re instanceof RegExp && !re.test(v)) errs.push(invalid(path, v, `${path} in body should match '${s.pattern}'`));
  if (s.format && !matchesFormat(s.format, v)) errs.push(invalid(path, v, `${path} in body must be of type ${s.format}: ${JSON.stringify(v)}`));
}

function numbers(s: SchemaProps, v: number, path: string, errs: StatusCause[]): void {
  if (s.maximum !== undefined) {
    if (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum) {
      errs.push(invalid(path, v, `${path} in body should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}`));
    }
  }
  if (s.minimum !== undefined) {
    if (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum) {
      errs.push(invalid(path, v, `${path} in body should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}`));
    }
  }
  if (s.multipleOf !== undefined && s.multipleOf > 0 && !Number.isInteger(v / s.multipleOf)) {
    errs.push(invalid(path, v, `${path} in body should be a multiple of ${s.multipleOf}`));
  }
}

function arrays(s: SchemaProps, v: unknown[], path: string, errs: StatusCause[], old: unknown): void {
  const items = itemsSchema(s);
  const oldItem = correlateItems(s, old);
  if (items) v.forEach((x, i) => validateValue(items, x, `${path}[${i}]`, errs, oldItem(x)));
  if (s.minItems !== undefined && v.length < s.minItems) errs.push(invalid(path, v.length, `${path} in body should have at least ${s.minItems} items`));
  if (s.maxItems !== undefined && v.length > s.maxItems) errs.push(tooMany(path, v.length, s.maxItems));
}

function objects(s: SchemaProps, v: Record<string, unknown>, path: string, errs: StatusCause[], old: unknown): void {
  const n = Object.keys(v).length;
  if (s.maxProperties !== undefined && n > s.maxProperties) errs.push(tooMany(path, n, s.maxProperties));
  if (s.minProperties !== undefined && n < s.minProperties) errs.push(invalid(path, n, `${path} in body should have at least ${s.minProperties} properties`));
  for (const k of s.required ?? []) if (own(v, k) === undefined) errs.push(required(dataChild(path, k), ''));
  const props = s.properties ?? {};
  const extra = additionalSchema(s);
  for (const k of Object.keys(v)) {
    // The apiserver validates the object's own metadata (name, labels …) before the schema sees it.
    if (path === '' && k === 'metadata') continue;
    const p = asSchema(own(props, k)) ?? extra;
    if (p) validateValue(p, v[k], dataChild(path, k), errs, isObject(old) ? own(old, k) : undefined);
  }
  if (isEmbedded(s)) errs.push(...validateEmbeddedResource(v, path));
}

function enumCheck(s: SchemaProps, v: unknown, path: string, errs: StatusCause[]): void {
  if (!Array.isArray(s.enum) || s.enum.length === 0) return;
  const same = (e: unknown) => JSON.stringify(e) === JSON.stringify(v);
  if (s.enum.some(same)) return;
  errs.push(notSupported(path, v, s.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)))));
}

/** allOf, anyOf, oneOf and not, which only restrict values in a structural schema. */
function junctors(s: SchemaProps, v: unknown, path: string, errs: StatusCause[]): void {
  for (const sub of s.allOf ?? []) validateValue(sub, v, path, errs);
  const passes = (sub: SchemaProps) => {
    const e: StatusCause[] = [];
    validateValue(sub, v, path, e);
    return e.length === 0;
  };
  if (Array.isArray(s.anyOf) && s.anyOf.length > 0 && !isIntOrString(s) && !s.anyOf.some(passes)) {
    errs.push(invalid(path, jsonType(v), `${path} in body must validate at least one schema (anyOf)`));
  }
  if (Array.isArray(s.oneOf) && s.oneOf.length > 0 && s.oneOf.filter(passes).length !== 1) {
    errs.push(invalid(path, jsonType(v), `${path} in body must validate one and only one schema (oneOf)`));
  }
  if (asSchema(s.not) && passes(s.not!)) errs.push(invalid(path, jsonType(v), `${path} in body should not validate the schema provided`));
}
