/**
 * Component schemas for the OpenAPI documents, generated from the field structure the
 * validation package reads out of kubernetes-types (api/validation/schema/types.generated.ts).
 * They give `kubectl explain` every field and its type; descriptions come from a lookup
 * the caller passes (the front reads Kubernetes' docs out of kubernetes-types).
 */
import type { ServedKind } from '../discovery/types.ts';
import { structs } from '../validation/schema/types.generated.ts';

type Schema = Record<string, unknown>;

/** Where descriptions come from (the HTTP front reads them from kubernetes-types): a struct's own and its fields'. */
export type Descriptions = (struct: string) => { doc?: string; fields: Record<string, string> } | undefined;

/** Kubernetes' schema name for a struct key ("apps/v1.Deployment" → io.k8s.api.apps.v1.Deployment). */
export function structSchemaName(struct: string): string {
  return struct.startsWith('meta/') ? `io.k8s.apimachinery.pkg.apis.${struct.replace('/', '.')}` : `io.k8s.api.${struct.replace('/', '.')}`;
}

/** The struct key of a kind: its group without ".k8s.io" ("core" for ''), version and kind. */
export function structOf(k: Pick<ServedKind, 'group' | 'version' | 'kind'>): string {
  return `${k.group === '' ? 'core' : k.group.replace(/\.k8s\.io$/, '')}/${k.version}.${k.kind}`;
}

export const schemaName = (k: ServedKind): string => structSchemaName(structOf(k));

const ref = (struct: string): Schema => ({ $ref: `#/components/schemas/${structSchemaName(struct)}` });

/** The schema of one encoded field type (see api/validation/schema/generate.ts for the codes). */
function fieldSchema(code: string, refs: Set<string>): Schema {
  switch (code) {
    case 's': return { type: 'string' };
    case 'i32': return { type: 'integer', format: 'int32' };
    case 'i64': return { type: 'integer', format: 'int64' };
    case 'f64': return { type: 'number', format: 'double' };
    case 'y': return { type: 'string', format: 'byte' };
    case 't': case 'tm': return { type: 'string', format: 'date-time' };
    case 'q': return { type: 'string' };
    case 'b': return { type: 'boolean' };
    case 'ns': return { type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true };
    case 'x': return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  }
  if (code.startsWith('[')) return { type: 'array', items: fieldSchema(code.slice(1), refs) };
  if (code.startsWith('{')) return { type: 'object', additionalProperties: fieldSchema(code.slice(1), refs) };
  if (!structs[code]) return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  refs.add(code);
  // kube-openapi wraps references in allOf so a description can sit beside them.
  return { allOf: [ref(code)] };
}

function structSchema(struct: string, refs: Set<string>, describe?: Descriptions): Schema {
  const fields = structs[struct] ?? {};
  const docs = describe?.(struct);
  const properties: Record<string, Schema> = {};
  for (const [name, code] of Object.entries(fields)) {
    const s = fieldSchema(code, refs);
    const d = docs?.fields[name];
    properties[name] = d ? { description: d, ...s } : s;
  }
  return docs?.doc ? { description: docs.doc, type: 'object', properties } : { type: 'object', properties };
}

/**
 * A CRD version's schema as kube-apiserver publishes it: apiVersion, kind and metadata
 * (ObjectMeta, by reference) added to the properties it declares.
 */
function withObjectMeta(schema: Readonly<Schema>, refs: Set<string>): Schema {
  refs.add('meta/v1.ObjectMeta');
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  return {
    ...schema,
    type: 'object',
    properties: {
      apiVersion: { description: 'APIVersion defines the versioned schema of this representation of an object.', type: 'string' },
      kind: { description: 'Kind is a string value representing the REST resource this object represents.', type: 'string' },
      metadata: { description: "Standard object's metadata.", allOf: [ref('meta/v1.ObjectMeta')] },
      ...props,
    },
  };
}

/**
 * The component schemas of a group-version's kinds and every struct they reach. A kind the
 * field table does not know gets an open object schema, still tagged with its GVK.
 */
export function componentSchemas(kinds: readonly ServedKind[], describe?: Descriptions): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  const pending: string[] = [];
  const refs = new Set<string>();
  for (const k of kinds) {
    const struct = structOf(k);
    const known = structs[struct] !== undefined;
    const base = k.openapiSchema ? withObjectMeta(k.openapiSchema, refs) : known ? structSchema(struct, refs, describe) : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } } };
    out[structSchemaName(struct)] = {
      description: `${k.kind} (${k.group ? `${k.group}/` : ''}${k.version}).`,
      ...base,
      'x-kubernetes-group-version-kind': [{ group: k.group, kind: k.kind, version: k.version }],
    };
  }
  pending.push(...refs);
  while (pending.length) {
    const s = pending.pop()!;
    const name = structSchemaName(s);
    if (out[name]) continue;
    const more = new Set<string>();
    out[name] = structSchema(s, more, describe);
    for (const m of more) if (!out[structSchemaName(m)]) pending.push(m);
  }
  return out;
}
