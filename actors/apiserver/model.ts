/**
 * The seam between the apiserver and the object model: resources resolved from the live kind
 * registry (api/kinds.ts), defaulting and validation through each kind's hooks, unknown
 * fields and field types through api/validation/unknown.ts and types.ts. Every lookup reads
 * the registry when the request comes, so kinds registered or unregistered while the server
 * runs are served (or 404) from the next request on.
 */
import { kindRegistry, type KindInfo, type KindRegistry } from '../../api/kinds.ts';
import { dropUnknownFields, findUnknownFields } from '../../api/validation/unknown.ts';
import { decode } from '../../api/validation/types.ts';
import type { ObjectModel } from './context.ts';
import { resourceInfo, type ResourceInfo, type ResourceLookup } from './resources.ts';

export interface KindsModel {
  lookup: ResourceLookup;
  model: ObjectModel;
}

/** What the verbs need of a kind, derived once per descriptor. */
function served(k: KindInfo): ResourceInfo {
  return resourceInfo({
    group: k.group,
    version: k.version,
    resource: k.resource,
    kind: k.kind,
    listKind: k.listKind,
    namespaced: k.namespaced,
    hasStatus: k.hasStatus,
    hasScale: k.subresources.includes('scale'),
    allowCreateOnUpdate: k.strategy.allowCreateOnUpdate,
    subresources: k.subresources,
    ...(k.servedBy ? { servedBy: k.servedBy } : {}),
  });
}

/** Builds the lookup and the object model over a kind registry (the process's own by default). */
export function kindsModel(registry: KindRegistry = kindRegistry): KindsModel {
  const resources = new WeakMap<KindInfo, ResourceInfo>();
  const resourceOf = (k: KindInfo): ResourceInfo => {
    let r = resources.get(k);
    if (!r) resources.set(k, (r = served(k)));
    return r;
  };
  const kindOf = (res: ResourceInfo): KindInfo => {
    const k = registry.get(res.gr);
    if (!k) throw new Error(`kind registry: ${res.gr} is no longer registered`);
    return k;
  };
  const model: ObjectModel = {
    default: (res, obj, stored) => kindOf(res).defaults(obj, stored),
    validate: (res, obj, old) => kindOf(res).validate(obj, old),
    // A custom resource's fields are its CRD schema's, not a Go struct's: its own rules, and its schema validates the types.
    unknownFields: (res, obj, stored) => {
      const k = kindOf(res);
      return k.customFields ? k.customFields.unknownFields(obj) : findUnknownFields(k, obj, stored);
    },
    pruneUnknown: (res, obj) => {
      const k = kindOf(res);
      return k.customFields ? k.customFields.prune(obj) : dropUnknownFields(k, obj);
    },
    decode: (res, obj, stored) => {
      const k = kindOf(res);
      return k.customFields && !k.customFields.typed ? { errors: [], value: obj } : decode(k, obj, stored);
    },
    kind: kindOf,
  };
  return {
    lookup: (group, version, resource) => {
      const k = registry.byResource(group, resource);
      return k && k.version === version ? resourceOf(k) : null;
    },
    model,
  };
}
