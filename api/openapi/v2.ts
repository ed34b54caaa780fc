/**
 * The OpenAPI v2 (Swagger 2.0) document at /openapi/v2: every built-in kind's definition with
 * its `x-kubernetes-group-version-kind` and the strategic-merge extensions
 * (`x-kubernetes-patch-strategy`, `x-kubernetes-patch-merge-key`) of the Go struct tags.
 *
 * Why it is served although kubectl 1.32 reads v3 for almost everything: kubectl validates a
 * `kind: List` (what `kubectl get -o yaml` writes) and any kind whose v3 document lacks a PATCH
 * with `fieldValidation` against the v2 document; without one, `kubectl apply -f list.yaml`
 * fails with "the server could not find the requested resource". kubectl apply also computes a
 * built-in kind's strategic merge patch from this document's extensions (before its
 * compiled-in types), so they must be the Go tags exactly, as api/patch/meta.ts has them.
 *
 * What it leaves out: `paths` (no client reads operations from v2 any more; v3 has them) and
 * CustomResourceDefinitions (kubectl then skips client-side validation of a custom object in
 * a List, and the server validates it, with the same messages).
 */
import type { ServedKind } from '../discovery/types.ts';
import { BUILTIN_KINDS } from '../kinds/builtin.ts';
import type { PatchMetaTable } from '../patch/meta.ts';
import { structs } from '../validation/schema/types.generated.ts';
import { componentSchemas, structOf, structSchemaName } from './schemas.ts';

type Schema = Record<string, unknown>;

export interface SwaggerDocument {
  swagger: '2.0';
  info: { title: string; version: string };
  paths: Record<string, never>;
  definitions: Record<string, Schema>;
}

const V3_REF = '#/components/schemas/';
const v2Ref = (ref: string): string => (ref.startsWith(V3_REF) ? `#/definitions/${ref.slice(V3_REF.length)}` : ref);

/** A v3 component schema in v2's shape: `#/definitions/` references, no allOf around a lone reference. */
function toV2(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(toV2);
  if (!s || typeof s !== 'object') return s;
  const o = s as Schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === 'allOf' && Array.isArray(v) && v.length === 1 && (v[0] as Schema).$ref) out.$ref = v2Ref((v[0] as Schema).$ref as string);
    else if (k === '$ref' && typeof v === 'string') out.$ref = v2Ref(v);
    else if (k === 'x-kubernetes-int-or-string') continue; // v2 says it with format: int-or-string
    else out[k] = typeof v === 'object' ? toV2(v) : v;
  }
  return out;
}

/** The struct a field's type code names, seen through lists and maps ("[core/v1.Container" → core/v1.Container). */
const elementStruct = (code: string | undefined): string | undefined => {
  let c = code;
  while (c && (c.startsWith('[') || c.startsWith('{'))) c = c.slice(1);
  return c && structs[c] ? c : undefined;
};

/**
 * Struct field → its strategic-merge extensions, from the kinds' path tables. A Go struct tag
 * belongs to the struct, so a path resolves to (struct, field) and every kind that reaches the
 * struct shares the answer.
 */
function patchExtensions(kinds: readonly { group: string; version: string; kind: string; patchMeta: PatchMetaTable }[]): Map<string, Schema> {
  const out = new Map<string, Schema>();
  const mark = (struct: string, field: string, ext: Schema) => out.set(`${struct}\0${field}`, { ...out.get(`${struct}\0${field}`), ...ext });
  mark('meta/v1.ObjectMeta', 'finalizers', { 'x-kubernetes-patch-strategy': 'merge' });
  mark('meta/v1.ObjectMeta', 'ownerReferences', { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'uid' });
  for (const k of kinds) {
    for (const [path, meta] of Object.entries(k.patchMeta)) {
      const segments = path.split('.');
      const field = segments.pop()!;
      let struct: string | undefined = structOf(k);
      for (const seg of segments) struct = struct && elementStruct(structs[struct]?.[seg.replace(/\[\]$/, '')]);
      if (!struct || !(field in (structs[struct] ?? {}))) continue;
      if ('retainKeysOnly' in meta) mark(struct, field, { 'x-kubernetes-patch-strategy': 'retainKeys' });
      else mark(struct, field, { 'x-kubernetes-patch-strategy': meta.retainKeys ? 'merge,retainKeys' : 'merge', ...(meta.key ? { 'x-kubernetes-patch-merge-key': meta.key } : {}) });
    }
  }
  return out;
}

/** The v2 document of the served kinds (CRDs and other schema-carrying kinds left out, see above). */
export function swaggerDocument(kinds: readonly ServedKind[]): SwaggerDocument {
  const builtin = kinds.filter((k) => !k.openapiSchema);
  const v3 = componentSchemas(builtin);
  const byStruct = new Map(Object.keys(structs).map((s) => [structSchemaName(s), s]));
  const patchable = BUILTIN_KINDS.filter((k) => builtin.some((s) => s.group === k.group && s.version === k.version && s.kind === k.kind));
  const ext = patchExtensions(patchable);
  const definitions: Record<string, Schema> = {};
  for (const name of Object.keys(v3).sort()) {
    const def = toV2(v3[name]) as Schema;
    const struct = byStruct.get(name);
    const props = def.properties as Record<string, Schema> | undefined;
    if (struct && props) for (const field of Object.keys(props)) {
      const e = ext.get(`${struct}\0${field}`);
      if (e) props[field] = { ...props[field], ...e };
    }
    definitions[name] = def;
  }
  return { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.4' }, paths: {}, definitions };
}
