/**
 * The seam between the apiserver and the object model: resources resolved from the kinds
 * table (api/kinds/), defaulting and validation through each kind's hooks, unknown fields
 * and field types through api/validation/unknown.ts and types.ts.
 */
import type { KubeObject } from '../../bus/catalogue/api.ts';
import type { KindInfo, KubeObject as ModelObject } from '../../api/kinds/info.ts';
import { kinds as KIND_TABLE } from '../../api/kinds.ts';
import { dropUnknownFields, findUnknownFields } from '../../api/validation/unknown.ts';
import { decode } from '../../api/validation/types.ts';
import type { ObjectModel } from './context.ts';
import { resourceInfo, type ResourceInfo, type ResourceLookup } from './resources.ts';

/** Kinds whose PUT creates a missing object (their strategies' AllowCreateOnUpdate). */
const CREATE_ON_UPDATE = new Set(['endpoints', 'events', 'leases.coordination.k8s.io']);

export interface KindsModel {
  lookup: ResourceLookup;
  model: ObjectModel;
  /** Every served resource (for priming and discovery-like listings). */
  resources: ResourceInfo[];
}

/** Builds the lookup and the object model from a kinds table (the built-in one by default). Fails fast on duplicates. */
export function kindsModel(table: readonly KindInfo[] = KIND_TABLE): KindsModel {
  const byGvr = new Map<string, ResourceInfo>();
  const kinds = new Map<string, KindInfo>();
  for (const k of table) {
    const gvr = `${k.group}/${k.version}/${k.resource}`;
    if (byGvr.has(gvr)) throw new Error(`kinds table: ${gvr} is registered twice`);
    const res = resourceInfo({
      group: k.group,
      version: k.version,
      resource: k.resource,
      kind: k.kind,
      listKind: k.listKind,
      namespaced: k.namespaced,
      hasStatus: k.hasStatus,
      hasScale: k.subresources.includes('scale'),
      allowCreateOnUpdate: false,
    });
    res.allowCreateOnUpdate = CREATE_ON_UPDATE.has(res.gr);
    byGvr.set(gvr, res);
    kinds.set(res.gr, k);
  }
  const kindOf = (res: ResourceInfo): KindInfo => kinds.get(res.gr)!;
  const model: ObjectModel = {
    default: (res, obj) => kindOf(res).defaults(obj as ModelObject) as KubeObject,
    validate: (res, obj, old) => kindOf(res).validate(obj as ModelObject, old as ModelObject | undefined),
    unknownFields: (res, obj) => findUnknownFields(kindOf(res), obj),
    pruneUnknown: (res, obj) => dropUnknownFields(kindOf(res), obj),
    decode: (res, obj) => decode(kindOf(res), obj),
  };
  return {
    lookup: (group, version, resource) => byGvr.get(`${group}/${version}/${resource}`) ?? null,
    model,
    resources: [...byGvr.values()],
  };
}
