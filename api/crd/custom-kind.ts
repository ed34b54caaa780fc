/**
 * The kind descriptor of a CustomResourceDefinition's custom resources: names, scope,
 * subresources, short names and categories from the CRD; validation, defaulting and pruning
 * through each version's structural schema (compileStructuralSchema), metadata checked as
 * for every object; each served version's additionalPrinterColumns as its table; its schema for
 * OpenAPI; its scale paths. The registry holds it under the CRD's plural.group.
 */
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { ApiError, type StatusCause } from '../../base/status.ts';
import { convertCustomResource } from './conversion.ts';
import { defineKind, type KindInfo, type KubeObject, type Subresource } from '../kinds/info.ts';
import { findUnknownFields, dropUnknownFields } from '../validation/unknown.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.ts';
import { nameIsDNSSubdomain } from '../validation/names.ts';
import { isObject, type JsonObject } from '../json.ts';
import { compileStructuralSchema, type StructuralSchema } from './structural.ts';
import { customResourcePrinter } from './printer.ts';
import { selectableFieldLabels, selectableFieldValue } from './selectable-fields.ts';
import { preferredVersionOrder } from './versions.ts';
import { servedVersionsOf, type CustomResourceDefinition, type CustomResourceDefinitionVersion } from './types.ts';

const OBJECT_META = { schemaType: 'meta/v1.ObjectMeta' };

/** Paths present in `before` and gone from `after` (what pruning dropped), "spec.a[0].b". */
function dropped(before: unknown, after: unknown, path: string, out: string[]): void {
  if (Array.isArray(before)) {
    if (!Array.isArray(after)) return;
    before.forEach((v, i) => dropped(v, after[i], `${path}[${i}]`, out));
    return;
  }
  if (!isObject(before) || !isObject(after)) return;
  for (const k of Object.keys(before)) {
    const p = path ? `${path}.${k}` : k;
    if (!Object.hasOwn(after, k)) out.push(p);
    else dropped(before[k], after[k], p, out);
  }
}

function fieldsOf(schema: StructuralSchema) {
  return {
    unknownFields(obj: KubeObject): string[] {
      const out = findUnknownFields(OBJECT_META, obj.metadata ?? {}).map((p) => `metadata.${p}`);
      // The schema keeps the root's apiVersion, kind and metadata as they are (the metadata is ObjectMeta's to prune).
      dropped(obj, schema.prune(obj as JsonObject), '', out);
      return out;
    },
    prune(obj: KubeObject): KubeObject {
      const metadata = dropUnknownFields(OBJECT_META, obj.metadata ?? {});
      return { ...schema.prune(obj as JsonObject), metadata } as KubeObject;
    },
  };
}

/** The version a request for this kind is served by now (the kind's own `version`). */
function versionOf(crd: CustomResourceDefinition, name: string): CustomResourceDefinitionVersion {
  return (crd.spec.versions ?? []).find((v) => v.name === name)!;
}

/**
 * The version the apiserver serves and stores `crd`'s objects at: the storage version when it
 * is served, else the served version of highest priority. Undefined when none is served.
 */
export function servingVersion(crd: CustomResourceDefinition): string | undefined {
  const served = servedVersionsOf(crd).map((v) => v.name);
  const storage = crd.spec.versions.find((v) => v.storage)?.name;
  return storage !== undefined && served.includes(storage) ? storage : preferredVersionOrder(served)[0];
}

/**
 * The descriptor of `crd`'s custom resources, served at servingVersion (the others it serves
 * listed, by priority, in servedVersions). Throws when the CRD serves no version.
 */
export function customKind(crd: CustomResourceDefinition): KindInfo {
  const serving = servingVersion(crd);
  if (serving === undefined) throw new Error(`CustomResourceDefinition ${crd.metadata?.name}: no served version`);
  const served = preferredVersionOrder(servedVersionsOf(crd).map((v) => v.name));
  const v = versionOf(crd, serving);
  const path = `spec.versions[${crd.spec.versions.indexOf(v)}].schema.openAPIV3Schema`;
  const schema = compileStructuralSchema(v.schema?.openAPIV3Schema as JsonObject | undefined, path).schema;
  const names = crd.spec.names;
  const namespaced = crd.spec.scope === 'Namespaced';
  const hasStatus = v.subresources?.status !== undefined;
  const subresources: Subresource[] = [...(hasStatus ? ['status' as const] : []), ...(v.subresources?.scale ? ['scale' as const] : [])];
  const conversion = { group: crd.spec.group, kind: names.kind, strategy: crd.spec.conversion?.strategy ?? 'None' };
  const meta = (o: KubeObject): ObjectMeta | undefined => o.metadata as ObjectMeta | undefined;
  const validate = (obj: KubeObject, old?: KubeObject): StatusCause[] => [
    ...(old ? validateObjectMetaUpdate(meta(obj), meta(old)) : validateObjectMeta(meta(obj), namespaced, nameIsDNSSubdomain)),
    // The whole object: root rules read self.metadata.name and self.kind (the schema skips the root metadata, which is checked above).
    ...schema.validate(obj as JsonObject, old as JsonObject | undefined),
  ];
  const kind = defineKind({
    group: crd.spec.group,
    version: v.name,
    kind: names.kind,
    resource: names.plural,
    namespaced,
    shortNames: names.shortNames ?? [],
    categories: names.categories ?? [],
    subresources,
    schema: `${crd.spec.group}/${v.name}.${names.kind}`,
    validate,
    defaults: (obj: KubeObject) => {
      const converted = convertCustomResource(conversion, obj, serving);
      if (!converted.ok) throw new ApiError(converted.status);
      const o = converted.value;
      return schema.applyDefaults(o as JsonObject) as KubeObject;
    },
    strategy: {
      tracksGeneration: true,
      allowCreateOnUpdate: false,
      // With the status subresource a create cannot set the status (customresource strategy's PrepareForCreate).
      prepareForCreate: (o) => {
        if (!hasStatus) return o;
        const { status: _s, ...rest } = o;
        return rest as KubeObject;
      },
    },
    patchMeta: {},
    fieldLabels: selectableFieldLabels(v),
    fieldValue: selectableFieldValue,
    printer: customResourcePrinter(v.additionalPrinterColumns),
    protobuf: null,
    customFields: fieldsOf(schema),
    ...(v.schema?.openAPIV3Schema ? { openapiSchema: v.schema.openAPIV3Schema as Record<string, unknown> } : {}),
    ...(v.subresources?.scale ? { scalePaths: v.subresources.scale } : {}),
    servedVersions: served,
    conversion: conversion.strategy === 'Webhook' ? { strategy: 'Webhook' } : { strategy: 'None' },
    versionPrinters: Object.fromEntries(servedVersionsOf(crd).map((x) => [x.name, customResourcePrinter(x.additionalPrinterColumns)])),
    versionSchemas: Object.fromEntries(servedVersionsOf(crd).flatMap((x) => (x.schema?.openAPIV3Schema ? [[x.name, x.schema.openAPIV3Schema as Record<string, unknown>]] : []))),
  });
  return { ...kind, singular: names.singular ?? names.kind.toLowerCase(), listKind: names.listKind ?? `${names.kind}List` };
}
