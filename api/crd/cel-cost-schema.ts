/**
 * What CEL cost estimation knows about a schema node (apiserver's SchemaDeclType sizes and
 * apiextensions' CELSchemaContext cardinality): the most elements a value can have (string
 * characters ×4 as bytes, list items, map entries), the least bytes it serialises to, and
 * how many times a rule's node can occur in one object.
 *
 * Where the schema gives no bound, the bound is what fits in one request of
 * MaxRequestSizeBytes (3 MiB), as upstream estimates it.
 */
import { escapeProperty } from './cel-escape.ts';
import { rootSchemaForCel } from './cel-fields.ts';
import { additionalSchema, isEmbedded, isIntOrString, itemsSchema, type SchemaProps } from './schema-props.ts';

/** apiserver's DefaultMaxRequestSizeBytes. */
export const MAX_REQUEST_SIZE_BYTES = 3 * 1024 * 1024;
/** math.MaxUint64 (as a double: costs this large are far past any limit). */
export const UNBOUNDED = 18446744073709551615;

// apiserver/pkg/cel limits: the JSON sizes of the smallest and largest values of a kind.
const MIN_STRING_SIZE = 2;
const MIN_BOOL_SIZE = 4;
const MIN_NUMBER_SIZE = 1;
const MIN_DURATION_SIZE_JSON = 3;
const JSON_DATE_SIZE = 12;
const MIN_DATETIME_SIZE_JSON = 21;
const MAX_DURATION_SIZE_JSON = 32;
const MAX_DATETIME_SIZE_JSON = 32;

/** The kind of a value as the cost model tells kinds apart. */
export type ShapeKind = 'string' | 'bytes' | 'list' | 'map' | 'object' | 'scalar' | 'dyn';

/** A value's kind and most elements, with its schema (for fields) and its items' or values' shape. */
export interface Shape {
  readonly kind: ShapeKind;
  /** Most characters (as bytes), items or entries; UNBOUNDED when unknown. */
  readonly size: number;
  readonly schema?: SchemaProps;
  readonly elem?: Shape;
}

export const unknownShape: Shape = { kind: 'dyn', size: UNBOUNDED };

/** The most characters a string of `s` has when no maxLength says: by format, else a whole request. */
function maxStringLength(s: SchemaProps): number {
  if (isIntOrString(s)) return MAX_REQUEST_SIZE_BYTES - 2;
  switch (s.format) {
    case 'duration':
      return MAX_DURATION_SIZE_JSON;
    case 'date':
      return JSON_DATE_SIZE;
    case 'date-time':
      return MAX_DATETIME_SIZE_JSON;
    default:
      return MAX_REQUEST_SIZE_BYTES - 2;
  }
}

const nonNegative = (n: number): number => Math.max(0, n);

/** The fewest bytes a value of `s` serialises to (DeclType.MinSerializedSize). */
export function minSerializedSize(s: SchemaProps | undefined): number {
  if (!s || isIntOrString(s)) return 1;
  switch (s.type) {
    case 'string':
      return s.format === 'duration' ? MIN_DURATION_SIZE_JSON : s.format === 'date' ? JSON_DATE_SIZE : s.format === 'date-time' ? MIN_DATETIME_SIZE_JSON : MIN_STRING_SIZE;
    case 'boolean':
      return MIN_BOOL_SIZE;
    case 'integer':
    case 'number':
      return MIN_NUMBER_SIZE;
    case 'object': {
      if (additionalSchema(s)) return 2;
      // {} plus each required property without a default ("name": value,).
      let size = 2;
      const required = new Set(s.required ?? []);
      for (const [name, p] of Object.entries(s.properties ?? {})) {
        if (required.has(name) && p.default === undefined) size += name.length + minSerializedSize(p) + 4;
      }
      return size;
    }
    default:
      return 2;
  }
}

/** The shape of values of `s`; `isRoot` adds apiVersion, kind and metadata as the root's rules see them. */
export function shapeOf(s: SchemaProps | undefined, isRoot = false): Shape {
  if (!s) return unknownShape;
  if (isIntOrString(s)) return { kind: 'dyn', size: s.maxLength !== undefined ? nonNegative(s.maxLength) * 4 : maxStringLength(s), schema: s };
  if (isRoot || isEmbedded(s)) s = rootSchemaForCel(s);
  switch (s.type) {
    case 'string': {
      if (s.format === 'byte') return { kind: 'bytes', size: s.maxLength !== undefined ? nonNegative(s.maxLength) : maxStringLength(s), schema: s };
      if (s.format === 'duration' || s.format === 'date' || s.format === 'date-time') return { kind: 'scalar', size: maxStringLength(s), schema: s };
      // maxLength counts characters; a character is up to 4 bytes.
      const size = s.maxLength !== undefined
        ? nonNegative(s.maxLength) * 4
        : Array.isArray(s.enum) && s.enum.length > 0
          ? Math.max(0, ...s.enum.map((e) => (typeof e === 'string' ? e.length : 0)))
          : maxStringLength(s);
      return { kind: 'string', size, schema: s };
    }
    case 'array': {
      const items = itemsSchema(s);
      const size = s.maxItems !== undefined ? nonNegative(s.maxItems) : Math.floor((MAX_REQUEST_SIZE_BYTES - 2) / (minSerializedSize(items) + 1));
      return { kind: 'list', size, schema: s, elem: shapeOf(items, items ? isEmbedded(items) : false) };
    }
    case 'object': {
      if (s.additionalProperties === true) return { kind: 'map', size: UNBOUNDED, schema: s, elem: unknownShape };
      const extra = additionalSchema(s);
      if (extra) {
        const size = s.maxProperties !== undefined ? nonNegative(s.maxProperties) : Math.floor((MAX_REQUEST_SIZE_BYTES - 2) / (minSerializedSize(extra) + 6));
        return { kind: 'map', size, schema: s, elem: shapeOf(extra) };
      }
      return { kind: 'object', size: 0, schema: s };
    }
    default:
      return { kind: 'scalar', size: 0, schema: s };
  }
}

/** The shape of field `name` (its CEL name, escaped) of an object shape, or undefined when not declared. */
export function fieldShape(of: Shape, name: string): Shape | undefined {
  if (of.kind === 'map') return of.elem;
  const props = of.schema?.properties;
  if (of.kind !== 'object' || !props) return undefined;
  const k = Object.keys(props).find((p) => escapeProperty(p) === name);
  return k === undefined ? undefined : shapeOf(props[k], isEmbedded(props[k]!));
}

/**
 * How many more times the children of `parent` can occur than `parent` itself (extractMaxElements):
 * 1 for an object's fields, maxItems / maxProperties for a list's items or a map's values,
 * undefined (unbounded) when those are not set.
 */
export function childCardinality(parent: SchemaProps): number | undefined {
  if (parent.type === 'array') return parent.maxItems !== undefined ? nonNegative(parent.maxItems) : undefined;
  if (parent.type === 'object' && parent.additionalProperties !== undefined && parent.additionalProperties !== false) {
    return parent.maxProperties !== undefined ? nonNegative(parent.maxProperties) : undefined;
  }
  return 1;
}

/** The cardinality assumed for a node under an unbounded list or map: how many of its smallest values fit in a request. */
export function unboundedCardinality(s: SchemaProps): number {
  return Math.floor(MAX_REQUEST_SIZE_BYTES / (minSerializedSize(s) + 1));
}
