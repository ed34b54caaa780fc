/**
 * What discovery, tables and OpenAPI need to know about a served kind. The kinds registry
 * (api/kinds) holds more; these functions take only this shape so they stay pure
 * functions of its entries.
 */

/** A subresource as the registry may spell it: just its name, or its name with details. */
export type SubresourceSpec =
  | string
  | { name?: string; subresource?: string; kind?: string; group?: string; version?: string; verbs?: readonly string[] };

export interface ServedKind {
  group: string;
  version: string;
  kind: string;
  /** Plural resource name, e.g. "deployments". */
  resource: string;
  /** Singular resource name; defaults to the kind in lower case. */
  singular?: string;
  namespaced: boolean;
  shortNames?: readonly string[];
  categories?: readonly string[];
  verbs: readonly string[];
  subresources?: readonly SubresourceSpec[];
  /** The OpenAPI v3 schema of the kind when it is not generated from Go types (a CRD version's openAPIV3Schema). */
  openapiSchema?: Readonly<Record<string, unknown>>;
  /** The version the apiserver serves this kind at, when the front converts this one to it (a CRD's other served versions). */
  servedAs?: string;
  /**
   * Field conversion between this kind's served versions (a built-in kind served at several
   * versions: autoscaling/v1 and v2 HorizontalPodAutoscaler); without it only apiVersion is rewritten.
   */
  convertVersion?: VersionConverter;
}

/** Converts a kind's objects between the stored version and another served one ("group/version" strings). */
export interface VersionConverter {
  /** An object sent at `from` as the stored version holds it (a new object). */
  toStored(obj: Record<string, unknown>, from: string): Record<string, unknown>;
  /** A stored object as version `to` shows it (a new object). */
  fromStored(obj: Record<string, unknown>, to: string): Record<string, unknown>;
}

/** A subresource with every detail filled in. */
export interface ServedSubresource {
  name: string;
  group: string;
  version: string;
  kind: string;
  verbs: string[];
}

/** Kubernetes' own kind and verbs for the well-known subresources. */
const KNOWN: Record<string, Omit<ServedSubresource, 'name' | 'group' | 'version' | 'kind'> & { group?: string; version?: string; kind?: string }> = {
  status: { verbs: ['get', 'patch', 'update'] },
  scale: { group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] },
  binding: { group: '', version: 'v1', kind: 'Binding', verbs: ['create'] },
  eviction: { group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] },
  log: { group: '', version: 'v1', kind: 'Pod', verbs: ['get'] },
  finalize: { verbs: ['update'] },
  ephemeralcontainers: { verbs: ['get', 'patch', 'update'] },
  exec: { group: '', version: 'v1', kind: 'PodExecOptions', verbs: ['create', 'get'] },
  attach: { group: '', version: 'v1', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
  portforward: { group: '', version: 'v1', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
  proxy: { group: '', version: 'v1', kind: 'PodProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
  token: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] },
};

/** The subresources of a kind, normalized. */
export function subresourcesOf(k: ServedKind): ServedSubresource[] {
  return (k.subresources ?? []).map((s) => {
    const name = typeof s === 'string' ? s : (s.name ?? s.subresource ?? '');
    const known = KNOWN[name];
    const given = typeof s === 'string' ? {} : s;
    return {
      name,
      group: given.group ?? known?.group ?? k.group,
      version: given.version ?? known?.version ?? k.version,
      kind: given.kind ?? known?.kind ?? k.kind,
      verbs: [...(given.verbs ?? known?.verbs ?? ['get', 'patch', 'update'])],
    };
  });
}

export const singularOf = (k: ServedKind): string => k.singular ?? k.kind.toLowerCase();

/** "v1" for the core group, "apps/v1" otherwise. */
export const groupVersion = (group: string, version: string): string => (group ? `${group}/${version}` : version);

/** The served group-versions in registry order, core first. */
export function groupVersions(kinds: readonly ServedKind[]): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const k of kinds) {
    const gv = groupVersion(k.group, k.version);
    if (!seen.has(gv)) seen.set(gv, { group: k.group, version: k.version });
  }
  return [...seen.values()].sort((a, b) => (a.group === '' ? -1 : b.group === '' ? 1 : 0));
}
