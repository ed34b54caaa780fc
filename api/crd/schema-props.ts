/**
 * Typed reads of a CRD's `openAPIV3Schema` (JSONSchemaProps as apiextensions.k8s.io/v1
 * has it), shared by the schema checks, validation, pruning, defaulting and CEL: one place
 * that knows which keyword holds what.
 */
import { isObject, own, type JsonObject } from '../json.ts';

/** One schema node; every keyword optional, the x-kubernetes-* extensions by their wire names. */
export interface SchemaProps {
  type?: string;
  format?: string;
  description?: string;
  title?: string;
  default?: unknown;
  nullable?: boolean;
  enum?: unknown[];
  maximum?: number;
  minimum?: number;
  exclusiveMaximum?: boolean;
  exclusiveMinimum?: boolean;
  multipleOf?: number;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  maxItems?: number;
  minItems?: number;
  uniqueItems?: boolean;
  maxProperties?: number;
  minProperties?: number;
  required?: string[];
  properties?: Record<string, SchemaProps>;
  additionalProperties?: SchemaProps | boolean;
  items?: SchemaProps | SchemaProps[];
  allOf?: SchemaProps[];
  anyOf?: SchemaProps[];
  oneOf?: SchemaProps[];
  not?: SchemaProps;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-validations'?: ValidationRule[];
}

/** One `x-kubernetes-validations` entry. */
export interface ValidationRule {
  rule?: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

export const asSchema = (x: unknown): SchemaProps | undefined => (isObject(x) ? (x as SchemaProps) : undefined);

/** The schema of property `name` (own properties only: a field named `__proto__` is data). */
export function propertySchema(s: SchemaProps, name: string): SchemaProps | undefined {
  return asSchema(own(s.properties, name));
}

/** The single `items` schema (an array of schemas is refused at compile). */
export function itemsSchema(s: SchemaProps): SchemaProps | undefined {
  return Array.isArray(s.items) ? undefined : asSchema(s.items);
}

/** The `additionalProperties` schema; `true` counts as an unconstrained schema, `false` as none. */
export function additionalSchema(s: SchemaProps): SchemaProps | undefined {
  if (s.additionalProperties === true) return {};
  return asSchema(s.additionalProperties);
}

/** Where a sub-schema sits under its parent: a property, the additionalProperties schema, or the items schema. */
export type SchemaPlace = 'property' | 'additionalProperties' | 'items';

/**
 * Calls `fn` for each direct sub-schema of `s` (properties, a schema-valued
 * additionalProperties, items) with its field path in the CRD (`properties[name]`, …).
 */
export function eachSubSchema(s: SchemaProps, path: string, fn: (sub: SchemaProps, path: string, place: SchemaPlace) => void): void {
  for (const k of Object.keys(s.properties ?? {})) {
    const p = propertySchema(s, k);
    if (p) fn(p, `${path}.properties[${k}]`, 'property');
  }
  const extra = asSchema(s.additionalProperties);
  if (extra) fn(extra, `${path}.additionalProperties`, 'additionalProperties');
  const items = itemsSchema(s);
  if (items) fn(items, `${path}.items`, 'items');
}

export const preservesUnknown = (s: SchemaProps): boolean => s['x-kubernetes-preserve-unknown-fields'] === true;
export const isEmbedded = (s: SchemaProps): boolean => s['x-kubernetes-embedded-resource'] === true;
export const isIntOrString = (s: SchemaProps): boolean => s['x-kubernetes-int-or-string'] === true;

/** The JSON type name of a value as kube-openapi's type validator names it. */
export function jsonType(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number' || typeof v === 'bigint') return typeof v === 'bigint' || Number.isInteger(v) ? 'integer' : 'number';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

export type { JsonObject };
