/**
 * What the apiserver knows about one resource kind — the kind descriptor: names for discovery
 * and URLs, scope, verbs and subresources, the schema root, validation and defaulting, the
 * registry strategy, strategic-merge metadata, field labels, table columns and the protobuf
 * root. A descriptor file (api/kinds/<group>/<kind>.ts) writes a `KindSpec`; `defineKind`
 * resolves it into the `KindInfo` the registry holds.
 */
import type { StatusCause } from '../../base/status.ts';
import type { PatchMetaTable } from '../patch/meta.ts';
import type { Printer } from '../tables/table.ts';
import type { KubeObject } from '../../base/object.ts';
import { groupResource, type GroupResource } from './key.ts';
import { cloneBeside } from '../json.ts';
import type { KindConversion } from '../conversion/converter.ts';

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';
export type Subresource = 'status' | 'scale' | 'binding' | 'log' | 'eviction' | 'finalize' | 'token' | 'exec' | 'attach' | 'portforward' | 'approval';

/** A Kubernetes object as the hooks see it: any JSON object with the usual stanzas. */
export type { KubeObject };

/** What a delete asks for that a kind's graceful-delete rule reads (DeleteOptions). */
export interface GracefulDeleteOptions {
  readonly gracePeriodSeconds?: number;
}

/**
 * Kubernetes' per-kind registry strategy (PrepareForCreate, AllowCreateOnUpdate, and whether
 * the strategy stamps metadata.generation), with the optional deletion hooks of the few kinds
 * whose deletion is more than "remove it once its finalizers are gone".
 */
export interface KindStrategy {
  /** PrepareForCreate sets metadata.generation to 1 and PrepareForUpdate bumps it when the spec changes. */
  readonly tracksGeneration: boolean;
  /** A PUT of a missing object creates it (leases, events, endpoints). */
  readonly allowCreateOnUpdate: boolean;
  /** The object a create stores: usually with the status it starts with (a new object; the input is not changed). */
  prepareForCreate(obj: KubeObject): KubeObject;
  /**
   * Kubernetes' CheckGracefulDelete (RESTGracefulDeleteStrategy): the seconds a delete leaves
   * the object's owner to stop it (0: at once). With a grace period the object is only marked,
   * and an update removes it once its finalizers are gone only when that period is 0.
   * Without the hook the kind is deleted at once (Pod has it).
   */
  checkGracefulDelete?(obj: KubeObject, options: GracefulDeleteOptions | undefined): number;
  /**
   * Finalizers the kind keeps in its own spec, emptied through its /finalize subresource: while
   * any remain a delete only marks the object and no update removes it (Namespace's
   * spec.finalizers: Kubernetes' namespace storage Delete and ShouldDeleteNamespaceDuringUpdate).
   */
  specFinalizers?(obj: KubeObject): readonly string[];
  /** What marking for deletion changes besides the metadata (a Namespace's status.phase Terminating); a new object. */
  prepareForDelete?(obj: KubeObject): KubeObject;
  /**
   * The kind's own PrepareForUpdate, instead of the shared rule (a main update keeps the
   * status, a /status update takes only it): what each path may change of the requested
   * object `next` (a CSR's /approval takes only the conditions). `now` is the server's time
   * (RFC 3339) for the timestamps it fills in; a new object.
   */
  prepareForUpdate?(old: KubeObject, next: KubeObject, subresource: string | undefined, now: string): KubeObject;
}

/** The strategy hooks a kind may leave out (the completeness check knows them). */
export const OPTIONAL_STRATEGY_HOOKS = ['checkGracefulDelete', 'specFinalizers', 'prepareForDelete', 'prepareForUpdate'] as const satisfies readonly (keyof KindStrategy)[];

/** What one descriptor file states. Every part is required: "none" is said explicitly. */
export interface KindSpec {
  /** API group; '' for the core group. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** Plural resource name used in URLs ("pods"). */
  readonly resource: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly subresources: readonly Subresource[];
  /** Default: every verb. */
  readonly verbs?: readonly Verb[];
  /** Root struct in validation/schema/types.generated.ts ("core/v1.Pod"); the schema generator walks from it. */
  readonly schema: string;
  /** Validation; `old` is set on update. Returns Kubernetes causes (empty when valid). */
  validate: (obj: never, old?: never) => StatusCause[];
  /**
   * Defaulting: returns a defaulted copy; never mutates its argument (`noDefaults` for none).
   * `stored`, on an update, is the version it replaces (defaulted when it was written): a part
   * of `obj` that is the same object as the stored one's may be returned as it is.
   */
  defaults: (obj: never, stored?: never) => unknown;
  readonly strategy: KindStrategy;
  /** The `patchStrategy`/`patchMergeKey` tags of the Go types, by path ({} when every list is atomic). */
  readonly patchMeta: PatchMetaTable;
  /** Field labels beyond metadata.name and metadata.namespace ([] for none). */
  readonly fieldLabels: readonly string[];
  /**
   * The value a field selector compares for one of `fieldLabels` (the registry's GetAttrs);
   * default: api/selectors/fields.ts's fieldValue. A custom resource's selectable fields.
   */
  readonly fieldValue?: (obj: KubeObject, field: string) => string;
  /**
   * Field labels the watch cache files watches under, before metadata.name and
   * metadata.namespace (Kubernetes' IndexerFuncs: a Pod's spec.nodeName). Default: none.
   */
  readonly indexFields?: readonly string[];
  /** Server-side table columns (`defaultPrinter` for NAME and AGE). */
  readonly printer: Printer;
  /** Root message kubectl's protobuf bodies of this kind decode with; null when none is sent. */
  readonly protobuf: string | null;
  /** A custom resource's own field rules (from its CRD), used instead of the Go struct walk of `schema`; absent for built-in kinds. */
  readonly customFields?: CustomFields;
  /** The OpenAPI v3 schema OpenAPI documents give the kind, instead of one generated from `schema` (a CRD version's openAPIV3Schema). */
  readonly openapiSchema?: Readonly<Record<string, unknown>>;
  /** Where /scale reads and writes (JSONPath); default: .spec.replicas, .status.replicas, the selector of .spec.selector. */
  readonly scalePaths?: ScalePaths;
  /** Every version served, by priority (the preferred first); default: `version` only. The front converts the others to `version`. */
  readonly servedVersions?: readonly string[];
  /** The table of each served version, by version name (a CRD version's additionalPrinterColumns); a version not listed prints with `printer`. */
  readonly versionPrinters?: Readonly<Record<string, Printer>>;
  /** The OpenAPI schema of each served version, by version name (a CRD's versions). */
  readonly versionSchemas?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** How the front converts objects between the served versions; default: apiVersion rewritten (None). */
  readonly conversion?: KindConversion;
  /**
   * Served, not stored: the bus address of the actor that answers this kind's get and list
   * (`metrics.get` / `metrics.list`), as kube-aggregator proxies an APIService's group to its
   * server (metrics.k8s.io → metrics-server). Absent for the kinds kept in storage.
   */
  readonly servedBy?: string;
}

/** A custom resource's unknown fields and their pruning, from its structural schema. */
export interface CustomFields {
  /** Paths of the fields pruning would drop ("spec.foo"), as the strict decoder prints them. */
  unknownFields(obj: KubeObject): string[];
  /** The object without them (a new object). */
  prune(obj: KubeObject): KubeObject;
  /** The Go struct walk of `schema` still decodes the field types (a CRD itself); otherwise the kind's own validation checks them. */
  readonly typed?: boolean;
}

/** The scale subresource's JSONPaths (CustomResourceSubresourceScale). */
export interface ScalePaths {
  readonly specReplicasPath: string;
  readonly statusReplicasPath: string;
  readonly labelSelectorPath?: string;
}

/** A registered kind: its spec with the names that follow from it. */
export interface KindInfo extends Omit<KindSpec, 'validate' | 'defaults' | 'verbs' | 'indexFields'> {
  readonly indexFields: readonly string[];
  readonly listKind: string;
  readonly singular: string;
  readonly verbs: readonly Verb[];
  /** "pods", "deployments.apps": the registry key, the storage key segment, the name in errors. */
  readonly gr: GroupResource;
  /**
   * The kind has a status stanza with its own /status subresource: updates of the main
   * resource keep the stored status, and /status updates keep the stored spec.
   */
  readonly hasStatus: boolean;
  /** Same as `schema` (the name the schema walkers read). */
  readonly schemaType: string;
  validate(obj: KubeObject, old?: KubeObject): StatusCause[];
  defaults(obj: KubeObject, stored?: KubeObject): KubeObject;
}

export const ALL_VERBS: readonly Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/**
 * Defaulting of a kind without defaults: a copy (by hand: structuredClone serializes, 23 µs a
 * Lease), except what is the stored version's own object on an update — a renewed Lease's
 * metadata — which nobody changes and the write shares back anyway.
 */
export const noDefaults = (o: KubeObject, stored?: KubeObject): KubeObject => cloneBeside(o, stored);

/** The parts a descriptor must state: the completeness check reports each one missing. */
export const KIND_PARTS: readonly (keyof KindSpec)[] = [
  'group', 'version', 'kind', 'resource', 'namespaced', 'shortNames', 'categories', 'subresources',
  'schema', 'validate', 'defaults', 'strategy', 'patchMeta', 'fieldLabels', 'printer', 'protobuf',
];

/** The parts `spec` lacks (empty when complete), including a strategy or printer missing a member. */
export function missingParts(spec: Partial<KindSpec>): string[] {
  const missing: string[] = KIND_PARTS.filter((p) => spec[p] === undefined);
  const s = spec.strategy as Partial<KindStrategy> | undefined;
  if (s) {
    for (const p of ['tracksGeneration', 'allowCreateOnUpdate', 'prepareForCreate'] as const) if (s[p] === undefined) missing.push(`strategy.${p}`);
    for (const p of OPTIONAL_STRATEGY_HOOKS) if (s[p] !== undefined && typeof s[p] !== 'function') missing.push(`strategy.${p}`);
  }
  const pr = spec.printer as Partial<Printer> | undefined;
  if (pr && (!pr.columns?.length || typeof pr.cells !== 'function')) missing.push('printer.columns');
  return missing;
}

/** Resolves a descriptor; throws when a part is missing. */
export function defineKind(spec: KindSpec): KindInfo {
  const missing = missingParts(spec);
  if (missing.length) throw new Error(`kind ${spec.kind || '?'} is incomplete: missing ${missing.join(', ')}`);
  return {
    ...spec,
    listKind: `${spec.kind}List`,
    singular: spec.kind.toLowerCase(),
    verbs: spec.verbs ?? ALL_VERBS,
    indexFields: spec.indexFields ?? [],
    gr: groupResource(spec.group, spec.resource),
    hasStatus: spec.subresources.includes('status'),
    schemaType: spec.schema,
    validate: spec.validate as KindInfo['validate'],
    defaults: spec.defaults as KindInfo['defaults'],
  };
}

const asIs = (o: KubeObject): KubeObject => o;
const emptyStatus = (o: KubeObject): KubeObject => ({ ...o, status: {} });

/** The strategies most kinds share (a kind with its own PrepareForCreate writes its strategy out). */
export const strategies = {
  /** No generation, no create on update, stored as given (ConfigMap, Secret, ServiceAccount). */
  plain: { tracksGeneration: false, allowCreateOnUpdate: false, prepareForCreate: asIs },
  /** A PUT of a missing object creates it; stored as given (Endpoints, Event, Lease). */
  createOnUpdate: { tracksGeneration: false, allowCreateOnUpdate: true, prepareForCreate: asIs },
  /** A spec with a generation and a status its controller fills in, starting empty (the workloads, PodDisruptionBudget). */
  controlled: { tracksGeneration: true, allowCreateOnUpdate: false, prepareForCreate: emptyStatus },
  /** A generation and no status (EndpointSlice). */
  generationOnly: { tracksGeneration: true, allowCreateOnUpdate: false, prepareForCreate: asIs },
  /** No generation; the status is written by its owner from the start (Node). */
  ownerStatus: { tracksGeneration: false, allowCreateOnUpdate: false, prepareForCreate: asIs },
} satisfies Record<string, KindStrategy>;
