/**
 * What the apiserver knows about one resource kind: names for discovery and URLs, scope,
 * verbs and subresources, and the kind's validate/defaults hooks.
 */
import type { StatusCause } from '../../base/status.ts';

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';
export type Subresource = 'status' | 'scale' | 'binding' | 'log' | 'eviction' | 'finalize' | 'token';

/** A Kubernetes object as the hooks see it: any JSON object with the usual stanzas. */
export type KubeObject = Record<string, unknown> & { metadata?: Record<string, unknown> };

export interface KindInfo {
  /** API group; '' for the core group. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly listKind: string;
  /** Plural resource name used in URLs ("pods"). */
  readonly resource: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly verbs: readonly Verb[];
  readonly subresources: readonly Subresource[];
  /**
   * The kind has a status stanza with its own /status subresource: updates of the main
   * resource keep the stored status, and /status updates keep the stored spec.
   */
  readonly hasStatus: boolean;
  /** Root struct in validation/schema/types.generated.ts, for unknown-field detection. */
  readonly schemaType: string;
  /** Validation; `old` is set on update. Returns Kubernetes causes (empty when valid). */
  validate(obj: KubeObject, old?: KubeObject): StatusCause[];
  /** Defaulting: returns a defaulted copy; never mutates its argument. */
  defaults(obj: KubeObject): KubeObject;
}

export const ALL_VERBS: readonly Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** Builds a KindInfo from its distinct parts; the rest follows Kubernetes' conventions. */
export function kindInfo(p: {
  group: string;
  version: string;
  kind: string;
  resource: string;
  namespaced: boolean;
  shortNames?: readonly string[];
  categories?: readonly string[];
  verbs?: readonly Verb[];
  subresources?: readonly Subresource[];
  validate: (obj: never, old?: never) => StatusCause[];
  defaults?: (obj: never) => unknown;
}): KindInfo {
  const subresources = p.subresources ?? [];
  const gv = p.group ? `${p.group.replace(/\.k8s\.io$/, '')}/${p.version}` : `core/${p.version}`;
  return {
    group: p.group,
    version: p.version,
    kind: p.kind,
    listKind: `${p.kind}List`,
    resource: p.resource,
    singular: p.kind.toLowerCase(),
    namespaced: p.namespaced,
    shortNames: p.shortNames ?? [],
    categories: p.categories ?? [],
    verbs: p.verbs ?? ALL_VERBS,
    subresources,
    hasStatus: subresources.includes('status'),
    schemaType: `${gv}.${p.kind}`,
    validate: p.validate as KindInfo['validate'],
    defaults: (p.defaults ?? ((o: KubeObject) => structuredClone(o))) as KindInfo['defaults'],
  };
}
