/**
 * Field selectors (k8s.io/apimachinery/pkg/fields): `?fieldSelector=spec.nodeName=n1,status.phase!=Failed`.
 * Only `=`, `==` and `!=` exist, terms are ANDed, and each kind supports its own small set
 * of field labels (its descriptor's `fieldLabels`); any other gives Kubernetes' "field label not supported" BadRequest.
 */
import { badRequest, fail, ok, type Result } from '../../base/status.ts';
import { getPath } from '../json.ts';

export interface FieldRequirement {
  field: string;
  operator: '=' | '==' | '!=';
  value: string;
}

export type FieldSelector = FieldRequirement[];

function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) {
      cur += c + text[++i];
    } else if (c === ',') {
      terms.push(cur);
      cur = '';
    } else cur += c;
  }
  terms.push(cur);
  return terms;
}

function unescape(v: string): string | undefined {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '\\') {
      const n = v[++i];
      if (n !== '\\' && n !== ',' && n !== '=') return undefined;
      out += n;
    } else if (c === ',' || c === '=') return undefined;
    else out += c;
  }
  return out;
}

/** Parses a field selector string; an empty string selects everything. */
export function parseFieldSelector(text: string): Result<FieldSelector> {
  if (text.trim() === '') return ok([]);
  const reqs: FieldRequirement[] = [];
  for (const term of splitTerms(text)) {
    if (term === '') continue;
    const m = /^(.*?)(!=|==|=)(.*)$/.exec(term);
    const value = m ? unescape(m[3] ?? '') : undefined;
    if (!m || value === undefined || (m[1] ?? '') === '') {
      return fail(badRequest(`invalid selector: '${text}'; can't understand '${term}'`));
    }
    reqs.push({ field: m[1] ?? '', operator: m[2] as FieldRequirement['operator'], value });
  }
  return ok(reqs);
}

/** Field labels every kind supports (the generic DefaultMetaV1FieldSelectorConversion). */
const COMMON = ['metadata.name', 'metadata.namespace'];

/** The field labels a kind supports: the common ones and its descriptor's `fieldLabels`. */
export function fieldLabelsFor(kindLabels: readonly string[]): readonly string[] {
  return [...COMMON, ...kindLabels];
}

/** Checks every term's field against the kind's labels: `field label not supported: x`. */
export function checkFieldLabels(sel: FieldSelector, kindLabels: readonly string[]): Result<FieldSelector> {
  const allowed = fieldLabelsFor(kindLabels);
  for (const r of sel) {
    if (!allowed.includes(r.field)) return fail(badRequest(`field label not supported: ${r.field}`));
  }
  return ok(sel);
}

/**
 * Field labels split into their paths, each once: a watch replaying the cache's window filters
 * every event of it (5,000 kubelets starting each replayed thousands of Node events, and a
 * split array per call was most of the filter's cost).
 */
const PATHS = new Map<string, string[]>();
/** More distinct labels than any set of kinds declares: past it a label is split per call. */
const MAX_PATHS = 1024;

function pathOf(field: string): string[] {
  let path = PATHS.get(field);
  if (path === undefined) {
    path = field.split('.');
    if (PATHS.size < MAX_PATHS) PATHS.set(field, path);
  }
  return path;
}

/** The string value of a field label on an object, as the registry's GetAttrs computes it. */
export function fieldValue(obj: unknown, field: string): string {
  if (field === 'source') return String(getPath(obj, ['source', 'component']) ?? '');
  if (field === 'status.podIPs') {
    const ips = getPath(obj, ['status', 'podIPs']);
    return Array.isArray(ips) ? String((ips[0] as { ip?: string } | undefined)?.ip ?? '') : '';
  }
  if (field === 'status.successful') return String(getPath(obj, ['status', 'succeeded']) ?? '0');
  if (field === 'status.replicas') return String(getPath(obj, ['status', 'replicas']) ?? '0');
  const v = getPath(obj, pathOf(field));
  if (v === undefined || v === null) return field === 'spec.unschedulable' || field === 'spec.hostNetwork' ? 'false' : '';
  return String(v);
}

/**
 * True when every term holds for `obj` (`!=` matches a missing field unless the value is '').
 * `valueOf` is the kind's own GetAttrs when it has one (a custom resource's selectable fields).
 */
export function matchesFields(sel: FieldSelector, obj: unknown, valueOf: (obj: never, field: string) => string = fieldValue): boolean {
  return sel.every((r) => {
    const v = r.field === 'metadata.name' || r.field === 'metadata.namespace' ? fieldValue(obj, r.field) : valueOf(obj as never, r.field);
    return r.operator === '!=' ? v !== r.value : v === r.value;
  });
}

/** Parse and check against the kind's field labels (its descriptor's `fieldLabels`) in one step, as the list handler does. */
export function parseFieldSelectorFor(text: string, kindLabels: readonly string[]): Result<FieldSelector> {
  const r = parseFieldSelector(text);
  return r.ok ? checkFieldLabels(r.value, kindLabels) : r;
}
