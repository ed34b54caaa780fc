/**
 * Strategic-merge metadata: the `patchStrategy`/`patchMergeKey` struct tags of the Go API
 * types, as a table of field paths per kind (each kind descriptor holds its own, built from
 * the pieces here). A path's list items are written "[]". Lists not in a kind's table are
 * atomic (replaced whole), as in Kubernetes.
 */
import { own } from '../json.ts';

export interface PatchMeta {
  /** 'merge': merge lists (by `key` for lists of objects, by value for scalars). */
  readonly strategy: 'merge';
  readonly key?: string;
  /** `patchStrategy:"merge,retainKeys"` on the list, or `retainKeys` on a struct. */
  readonly retainKeys?: boolean;
}

/** A kind's strategic-merge metadata: list and struct strategies by path from the object root. */
export type PatchMetaTable = Readonly<Record<string, PatchMeta | { readonly retainKeysOnly: true }>>;
type Table = PatchMetaTable;

/**
 * What patching and server-side apply need of the kind of the object they change: a kind
 * descriptor (api/kinds, a `KindInfo`) is one, and so is a subresource body's (`SCALE`).
 */
export interface PatchKind {
  /** API group; '' for the core group. */
  readonly group: string;
  readonly version: string;
  readonly patchMeta: PatchMetaTable;
}

/** autoscaling/v1 Scale, the body of every /scale subresource: no merging lists. */
export const SCALE: PatchKind = { group: 'autoscaling', version: 'v1', patchMeta: {} };

/** `patchStrategy:"merge"`, with `patchMergeKey` for lists of objects (and `retainKeys` when the tag says so). */
export const merge = (key?: string, retainKeys?: boolean): PatchMeta => (key ? { strategy: 'merge', key, ...(retainKeys ? { retainKeys } : {}) } : { strategy: 'merge' });

/** `patchStrategy:"retainKeys"` on a struct (a Deployment's strategy). */
export const RETAIN_KEYS = { retainKeysOnly: true } as const;

/** ObjectMeta's merging lists (finalizers, ownerReferences). */
export const OBJECT_META: Table = {
  finalizers: merge(),
  ownerReferences: merge('uid'),
};

const CONTAINER: Table = {
  ports: merge('containerPort'),
  env: merge('name'),
  volumeMounts: merge('mountPath'),
  volumeDevices: merge('devicePath'),
};

/** PodSpec's merging lists, its containers' included. */
export const POD_SPEC: Table = {
  volumes: merge('name', true),
  containers: merge('name'),
  initContainers: merge('name'),
  ephemeralContainers: merge('name'),
  imagePullSecrets: merge('name'),
  hostAliases: merge('ip'),
  topologySpreadConstraints: merge('topologyKey'),
  schedulingGates: merge('name'),
  resourceClaims: merge('name', true),
  ...mount('containers[]', CONTAINER),
  ...mount('initContainers[]', CONTAINER),
  ...mount('ephemeralContainers[]', CONTAINER),
};

/** A status's `conditions`, merged by type. */
export const CONDITIONS: Table = { conditions: merge('type') };

/** `table` with every path prefixed by `prefix` ("spec"). */
export function mount(prefix: string, table: Table): Table {
  return Object.fromEntries(Object.entries(table).map(([k, v]) => [`${prefix}.${k}`, v]));
}

/** A PodTemplateSpec's metadata and spec (mount it at the workload's `spec`). */
export const POD_TEMPLATE: Table = { ...mount('template.metadata', OBJECT_META), ...mount('template.spec', POD_SPEC) };

/** The list strategy at `path` (e.g. "spec.containers[].ports") in a kind's table, if the list merges. */
export function listMeta(table: Table, path: string): PatchMeta | undefined {
  if (path === 'metadata.finalizers' || path === 'metadata.ownerReferences') return OBJECT_META[path.slice(9)] as PatchMeta;
  const m = own(table, path) as Table[string] | undefined;
  return m && 'strategy' in m ? m : undefined;
}

/** True when the struct at `path` carries `patchStrategy:"retainKeys"` (e.g. a Deployment's strategy). */
export function structRetainsKeys(table: Table, path: string): boolean {
  const m = own(table, path) as Table[string] | undefined;
  return !!m && 'retainKeysOnly' in m;
}
