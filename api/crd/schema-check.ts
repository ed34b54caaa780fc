/**
 * The checks a CRD version's `openAPIV3Schema` must pass before the CRD is stored, with
 * upstream's messages and field paths: apiextensions' ValidateCustomResourceDefinitionOpenAPISchema
 * (unsupported keywords, list and map types, rule syntax) and pkg/apiserver/schema's
 * ValidateStructural (a `type` everywhere, metadata restricted to name/generateName, value
 * validations that only restrict what the structure already specifies).
 */
import type { StatusCause } from '../../base/status.ts';
import { child, forbidden, index, invalid, key, notSupported, required, type FieldPath } from '../validation/errors.ts';
import { asSchema, isEmbedded, isIntOrString, itemsSchema, preservesUnknown, type SchemaProps } from './schema-props.ts';
import { parseRuleFieldPath } from './cel-field-path.ts';
import { checkCompleteness, checkNestedValueValidation } from './schema-check-nested.ts';
import { compilePattern } from './schema-pattern.ts';

const OPENAPI_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const RULE_REASONS = ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired'];

type Level = 'root' | 'item' | 'field';

interface Context {
  level: Level;
  /** Set when defaults are forbidden here, with upstream's reason tail ("in top-level metadata"). */
  noDefaults?: string;
  insideMeta?: boolean;
}

/** Schema problems of one version's schema; `path` is where it sits in the CRD. */
export function checkSchema(root: SchemaProps, path: FieldPath): StatusCause[] {
  const errs: Errors = { crd: [], structural: [] };
  walk(root, path, { level: 'root' }, errs);
  checkCompleteness(root, path, errs.structural);
  // As upstream: the CRD's own schema checks, then the structural ones sorted by their text.
  const text = (c: StatusCause) => `${c.field}: ${c.message}`;
  return [...errs.crd, ...errs.structural.sort((a, b) => (text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0))];
}

interface Errors {
  crd: StatusCause[];
  structural: StatusCause[];
}

function walk(s: SchemaProps, path: FieldPath, ctx: Context, all: Errors): void {
  const errs = all.structural;
  keywords(s, path, ctx, all.crd);
  structural(s, path, ctx.level, errs);
  extensions(s, path, all.crd);
  rules(s, path, all.crd);
  for (const [name, vv] of [['allOf', s.allOf], ['anyOf', s.anyOf], ['oneOf', s.oneOf]] as const) {
    if (!Array.isArray(vv)) continue;
    // The two int-or-string shapes (anyOf: [integer, string], allOf[0].anyOf of the same) are structural.
    const skipAnyOf = name === 'anyOf' && intOrStringAnyOf(vv);
    vv.forEach((n, i) => {
      if (skipAnyOf) return;
      const skipInner = name === 'allOf' && i === 0 && Array.isArray(n?.anyOf) && intOrStringAnyOf(n.anyOf);
      checkNestedValueValidation(n, index(child(path, name), i), skipInner, errs);
    });
  }
  if (asSchema(s.not)) checkNestedValueValidation(s.not!, child(path, 'not'), false, errs);

  const props = s.properties ?? {};
  for (const name of Object.keys(props)) {
    const p = asSchema(props[name]);
    if (!p) continue;
    const sub: Context = { level: 'field', insideMeta: ctx.insideMeta };
    const topMeta = (ctx.level === 'root' || isEmbedded(s)) && ['metadata', 'apiVersion', 'kind'].includes(name);
    if (topMeta) {
      sub.insideMeta = true;
      if (ctx.level === 'root') sub.noDefaults = `in top-level ${name}`;
    } else if (ctx.noDefaults) sub.noDefaults = ctx.noDefaults;
    walk(p, key(child(path, 'properties'), name), sub, all);
  }
  const ap = asSchema(s.additionalProperties);
  if (ap) walk(ap, child(path, 'additionalProperties'), { level: 'field', insideMeta: ctx.insideMeta, noDefaults: ctx.insideMeta ? 'inside additionalProperties applying to object metadata' : ctx.noDefaults }, all);
  const items = itemsSchema(s);
  if (items) walk(items, child(path, 'items'), { level: 'item', insideMeta: ctx.insideMeta, noDefaults: ctx.noDefaults }, all);
}

function intOrStringAnyOf(list: SchemaProps[]): boolean {
  return list.length === 2 && list[0]?.type === 'integer' && list[1]?.type === 'string' && Object.keys(list[0]).length === 1 && Object.keys(list[1]).length === 1;
}

/** specStandardValidatorV3 and the keyword checks of ValidateCustomResourceDefinitionOpenAPISchema. */
function keywords(s: SchemaProps, path: FieldPath, ctx: Context, errs: StatusCause[]): void {
  const raw = s as Record<string, unknown>;
  if (typeof s.type === 'string' && s.type !== '' && s.type !== 'null' && !OPENAPI_TYPES.includes(s.type)) errs.push(notSupported(child(path, 'type'), s.type, OPENAPI_TYPES));
  if (s.default !== undefined && ctx.noDefaults) errs.push(forbidden(child(path, 'default'), `must not be set ${ctx.noDefaults}`));
  if (raw.id) errs.push(forbidden(child(path, 'id'), 'id is not supported'));
  if (raw.additionalItems !== undefined) errs.push(forbidden(child(path, 'additionalItems'), 'additionalItems is not supported'));
  if (raw.patternProperties) errs.push(forbidden(child(path, 'patternProperties'), 'patternProperties is not supported'));
  if (raw.definitions) errs.push(forbidden(child(path, 'definitions'), 'definitions is not supported'));
  if (raw.dependencies) errs.push(forbidden(child(path, 'dependencies'), 'dependencies is not supported'));
  if (raw.$ref !== undefined) errs.push(forbidden(child(path, '$ref'), '$ref is not supported'));
  if (s.type === 'null') errs.push(forbidden(child(path, 'type'), 'type cannot be set to null, use nullable as an alternative'));
  if (Array.isArray(s.items)) errs.push(forbidden(child(path, 'items'), 'items must be a schema object and not an array'));
  if (ctx.insideMeta && isEmbedded(s)) errs.push(forbidden(child(path, 'x-kubernetes-embedded-resource'), 'must not be used inside of resource meta'));
  if (s.uniqueItems) errs.push(forbidden(child(path, 'uniqueItems'), 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  if (s.additionalProperties !== undefined && s.properties && Object.keys(s.properties).length > 0 && s.additionalProperties !== true) {
    errs.push(forbidden(child(path, 'additionalProperties'), 'additionalProperties and properties are mutual exclusive'));
  }
  if (s['x-kubernetes-preserve-unknown-fields'] === false) errs.push(invalid(child(path, 'x-kubernetes-preserve-unknown-fields'), false, 'must be true or undefined'));
}

/** validateStructuralInvariants for one (non-nested) node. */
function structural(s: SchemaProps, path: FieldPath, level: Level, errs: StatusCause[]): void {
  const type = s.type ?? '';
  if (type === 'array' && s.items === undefined) errs.push(required(child(path, 'items'), 'must be specified'));
  if (s.additionalProperties !== undefined && level === 'root') errs.push(forbidden(child(path, 'additionalProperties'), 'must not be used at the root'));
  if (isEmbedded(s) && type !== 'object') {
    const msg = 'must be object if x-kubernetes-embedded-resource is true';
    errs.push(type === '' ? required(child(path, 'type'), msg) : invalid(child(path, 'type'), type, msg));
  } else if (type === '' && !isIntOrString(s) && !preservesUnknown(s)) {
    const where = level === 'root' ? 'at the root' : level === 'item' ? 'for specified array items' : 'for specified object fields';
    errs.push(required(child(path, 'type'), `must not be empty ${where}`));
  }
  if (isEmbedded(s) && s.additionalProperties !== undefined) errs.push(forbidden(child(path, 'additionalProperties'), 'must not be used if x-kubernetes-embedded-resource is set'));
  if (level === 'root' && type !== '' && type !== 'object') errs.push(invalid(child(path, 'type'), type, 'must be object at the root'));
  const checkMeta = level === 'root' || isEmbedded(s);
  const props = s.properties ?? {};
  for (const name of ['kind', 'apiVersion']) {
    const p = asSchema(props[name]);
    if (p && checkMeta && p.type !== 'string') errs.push(invalid(child(key(child(path, 'properties'), name), 'type'), p.type ?? '', 'must be string'));
  }
  const meta = asSchema(props.metadata);
  if (meta) {
    const mpath = key(child(path, 'properties'), 'metadata');
    if (checkMeta && meta.type !== 'object') errs.push(invalid(child(mpath, 'type'), meta.type ?? '', 'must be object'));
    if (level === 'root' && !onlyNameAndGenerateName(meta)) {
      errs.push(forbidden(mpath, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
    }
  }
  if (isEmbedded(s) && !preservesUnknown(s) && Object.keys(props).length === 0) {
    errs.push(required(child(path, 'properties'), 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
  }
  const re = typeof s.pattern === 'string' ? compilePattern(s.pattern) : undefined;
  if (re instanceof Error) errs.push(invalid(child(path, 'pattern'), s.pattern, `must be a valid regular expression, but isn't: ${re.message}`));
}

function onlyNameAndGenerateName(meta: SchemaProps): boolean {
  for (const k of Object.keys(meta)) {
    if (k === 'type' || k === 'default') continue;
    if (k !== 'properties') return false;
    if (!Object.keys(meta.properties ?? {}).every((p) => p === 'name' || p === 'generateName')) return false;
  }
  return true;
}

/** validateExtensions plus the list-type, map-type and list-map-keys checks. */
function extensions(s: SchemaProps, path: FieldPath, errs: StatusCause[]): void {
  if (isIntOrString(s) && preservesUnknown(s)) errs.push(invalid(child(path, 'x-kubernetes-preserve-unknown-fields'), true, 'must be false if x-kubernetes-int-or-string is true'));
  if (isIntOrString(s) && isEmbedded(s)) errs.push(invalid(child(path, 'x-kubernetes-embedded-resource'), true, 'must be false if x-kubernetes-int-or-string is true'));
  const type = s.type ?? '';
  const mapType = s['x-kubernetes-map-type'];
  if (mapType !== undefined && type !== 'object') {
    const msg = 'must be object if x-kubernetes-map-type is specified';
    errs.push(type === '' ? required(child(path, 'type'), msg) : invalid(child(path, 'type'), type, msg));
  }
  if (mapType !== undefined && mapType !== 'atomic' && mapType !== 'granular') errs.push(notSupported(child(path, 'x-kubernetes-map-type'), mapType, ['atomic', 'granular']));
  const listType = s['x-kubernetes-list-type'];
  const items = itemsSchema(s);
  if (listType !== undefined && type !== 'array') {
    const msg = 'must be array if x-kubernetes-list-type is specified';
    errs.push(type === '' ? required(child(path, 'type'), msg) : invalid(child(path, 'type'), type, msg));
  } else if (listType === 'set' && items) {
    if (items.type === 'array' && items['x-kubernetes-list-type'] !== undefined && items['x-kubernetes-list-type'] !== 'atomic') {
      errs.push(invalid(child(path, 'items', 'x-kubernetes-list-type'), items['x-kubernetes-list-type'], 'must be atomic as item of a list with x-kubernetes-list-type=set'));
    }
    if (items.type === 'object' && items['x-kubernetes-map-type'] !== 'atomic') {
      errs.push(invalid(child(path, 'items', 'x-kubernetes-map-type'), items['x-kubernetes-list-type'] ?? null, 'must be atomic as item of a list with x-kubernetes-list-type=set'));
    }
  }
  if (listType !== undefined && !['atomic', 'set', 'map'].includes(listType)) errs.push(notSupported(child(path, 'x-kubernetes-list-type'), listType, ['atomic', 'set', 'map']));
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  if (keys.length > 0) {
    const msg = 'must be map if x-kubernetes-list-map-keys is non-empty';
    if (listType === undefined) errs.push(required(child(path, 'x-kubernetes-list-type'), msg));
    else if (listType !== 'map') errs.push(invalid(child(path, 'x-kubernetes-list-type'), listType, msg));
  }
  if (listType === 'map') listMapChecks(s, items, keys, path, errs);
}

function listMapChecks(s: SchemaProps, items: SchemaProps | undefined, keys: string[], path: FieldPath, errs: StatusCause[]): void {
  if (keys.length === 0) errs.push(required(child(path, 'x-kubernetes-list-map-keys'), 'must not be empty if x-kubernetes-list-type is map'));
  if (s.items === undefined) errs.push(required(child(path, 'items'), 'must have a schema if x-kubernetes-list-type is map'));
  if (!items) return;
  if (items.type !== 'object') {
    errs.push(invalid(child(path, 'items', 'type'), items.type ?? '', "must be object if parent array's x-kubernetes-list-type is map"));
    return;
  }
  const seen = new Set<string>();
  for (const k of keys) {
    const p = asSchema(items.properties?.[k]);
    if (!p) errs.push(invalid(child(path, 'x-kubernetes-list-map-keys'), keys, 'entries must all be names of item properties'));
    else if (p.type === 'array' || p.type === 'object') {
      errs.push(invalid(child(key(child(path, 'items', 'properties'), k), 'type'), items.type, "must be a scalar type if parent array's x-kubernetes-list-type is map"));
    }
    if (seen.has(k)) errs.push(invalid(child(path, 'x-kubernetes-list-map-keys'), keys, 'must not contain duplicate entries'));
    seen.add(k);
    // validateMapListKeysMapSet: a key must always be present in an item.
    if (p && p.default === undefined && !(items.required ?? []).includes(k)) {
      errs.push(required(child(key(child(path, 'items', 'properties'), k), 'default'), 'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property'));
    }
    if (p?.nullable) errs.push(forbidden(child(key(child(path, 'items', 'properties'), k), 'nullable'), 'this property is in x-kubernetes-list-map-keys, so it cannot be nullable'));
  }
}

const hasNewlines = (s: string): boolean => /\n/.test(s);

/** The static checks of `x-kubernetes-validations` entries (CEL compilation happens in cel-rules.ts). */
function rules(s: SchemaProps, path: FieldPath, errs: StatusCause[]): void {
  const list = s['x-kubernetes-validations'];
  if (!Array.isArray(list)) return;
  list.forEach((r, i) => {
    const at = index(child(path, 'x-kubernetes-validations'), i);
    const rule = (r.rule ?? '').trim();
    const msg = (r.message ?? '').trim();
    if (rule === '') errs.push(required(child(at, 'rule'), 'rule is not specified'));
    else if ((r.message ?? '').length > 0 && msg === '') errs.push(invalid(child(at, 'message'), r.message, 'message must be non-empty if specified'));
    else if (hasNewlines(msg)) errs.push(invalid(child(at, 'message'), r.message, 'message must not contain line breaks'));
    else if (hasNewlines(rule) && msg === '') errs.push(required(child(at, 'message'), 'message must be specified if rule contains line breaks'));
    if (r.messageExpression !== undefined && r.messageExpression.length > 0 && r.messageExpression.trim() === '') {
      errs.push(required(child(at, 'messageExpression'), 'messageExpression must be non-empty if specified'));
    }
    if (r.reason !== undefined && !RULE_REASONS.includes(r.reason)) errs.push(notSupported(child(at, 'reason'), r.reason, RULE_REASONS));
    const fp = r.fieldPath;
    if (fp !== undefined && fp.length > 0 && fp.trim() === '') errs.push(invalid(child(at, 'fieldPath'), fp, 'fieldPath must be non-empty if specified'));
    if (fp !== undefined && hasNewlines(fp)) errs.push(invalid(child(at, 'fieldPath'), fp, 'fieldPath must not contain line breaks'));
    if (fp !== undefined && fp.trim() !== '' && !parseRuleFieldPath(fp, s).ok) errs.push(invalid(child(at, 'fieldPath'), fp, 'fieldPath must be a valid path'));
  });
}

