/**
 * Strategic-merge metadata: the `patchStrategy`/`patchMergeKey` struct tags of the Go API
 * types, as a table of field paths. A path's list items are written "[]". Lists not listed
 * here are atomic (replaced whole), as in Kubernetes.
 */
import { own } from '../json.ts';

export interface PatchMeta {
  /** 'merge': merge lists (by `key` for lists of objects, by value for scalars). */
  readonly strategy: 'merge';
  readonly key?: string;
  /** `patchStrategy:"merge,retainKeys"` on the list, or `retainKeys` on a struct. */
  readonly retainKeys?: boolean;
}

type Table = Readonly<Record<string, PatchMeta | { readonly retainKeysOnly: true }>>;

const merge = (key?: string, retainKeys?: boolean): PatchMeta => (key ? { strategy: 'merge', key, ...(retainKeys ? { retainKeys } : {}) } : { strategy: 'merge' });

const OBJECT_META: Table = {
  finalizers: merge(),
  ownerReferences: merge('uid'),
};

const CONTAINER: Table = {
  ports: merge('containerPort'),
  env: merge('name'),
  volumeMounts: merge('mountPath'),
  volumeDevices: merge('devicePath'),
};

const POD_SPEC: Table = {
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

const CONDITIONS: Table = { conditions: merge('type') };

function mount(prefix: string, table: Table): Table {
  return Object.fromEntries(Object.entries(table).map(([k, v]) => [`${prefix}.${k}`, v]));
}

const TEMPLATE: Table = { ...mount('template.metadata', OBJECT_META), ...mount('template.spec', POD_SPEC) };

/** Per kind (apiVersion/Kind), the table of paths from the object root. */
export const PATCH_META: Readonly<Record<string, Table>> = {
  'v1/Pod': {
    ...mount('spec', POD_SPEC),
    ...mount('status', CONDITIONS),
    'status.podIPs': merge('ip'),
    'status.hostIPs': merge('ip'),
  },
  'v1/Node': { 'spec.podCIDRs': merge(), ...mount('status', CONDITIONS), 'status.addresses': merge('type') },
  'v1/Service': { 'spec.ports': merge('port'), ...mount('status', CONDITIONS) },
  'v1/Namespace': mount('status', CONDITIONS),
  'apps/v1/Deployment': { ...mount('spec', TEMPLATE), 'spec.strategy': { retainKeysOnly: true }, ...mount('status', CONDITIONS) },
  'apps/v1/ReplicaSet': { ...mount('spec', TEMPLATE), ...mount('status', CONDITIONS) },
  'apps/v1/DaemonSet': { ...mount('spec', TEMPLATE), ...mount('status', CONDITIONS) },
  'apps/v1/StatefulSet': { ...mount('spec', TEMPLATE), ...mount('status', CONDITIONS) },
  'batch/v1/Job': { ...mount('spec', TEMPLATE), ...mount('status', CONDITIONS) },
  'policy/v1/PodDisruptionBudget': mount('status', CONDITIONS),
};

/** The list strategy at `path` (e.g. "spec.containers[].ports") of a kind, if the list merges. */
export function listMeta(gvk: string, path: string): PatchMeta | undefined {
  if (path === 'metadata.finalizers' || path === 'metadata.ownerReferences') return OBJECT_META[path.slice(9)] as PatchMeta;
  const m = own(own(PATCH_META, gvk), path) as Table[string] | undefined;
  return m && 'strategy' in m ? m : undefined;
}

/** True when the struct at `path` carries `patchStrategy:"retainKeys"` (e.g. a Deployment's strategy). */
export function structRetainsKeys(gvk: string, path: string): boolean {
  const m = own(own(PATCH_META, gvk), path) as Table[string] | undefined;
  return !!m && 'retainKeysOnly' in m;
}
