/**
 * apiextensions.k8s.io/v1 CustomResourceDefinition: cluster-scoped, short name `crd`. A create
 * starts the status with the storage version in storedVersions; a delete adds the
 * `customresourcecleanup.apiextensions.k8s.io` finalizer and the Terminating condition
 * (InstanceDeletionPending), so the apiextensions controller can delete the custom
 * resources before the definition goes (customresourcedefinition/etcd.go's Delete).
 */
import { CONDITIONS, mount } from '../../patch/meta.ts';
import { customResourceDefinitionPrinter } from '../../crd/printer.ts';
import { customResourceDefinitionFields } from '../../crd/definition-fields.ts';
import { defaultCustomResourceDefinition, validateCustomResourceDefinition } from '../../crd/definition-rules.ts';
import { CLEANUP_FINALIZER, setCondition, storageVersionOf, TERMINATING, type CustomResourceDefinition } from '../../crd/types.ts';
import { defineKind, type KubeObject } from '../info.ts';

const asCrd = (o: KubeObject): CustomResourceDefinition => o as unknown as CustomResourceDefinition;

/** storedVersions with the spec's storage version added (PrepareForCreate / PrepareForUpdate). */
function withStorageVersion(crd: CustomResourceDefinition, status: CustomResourceDefinition['status']): NonNullable<CustomResourceDefinition['status']> {
  const stored = [...(status?.storedVersions ?? [])];
  const storage = storageVersionOf(crd);
  if (storage && !stored.includes(storage)) stored.push(storage);
  return { acceptedNames: { plural: '', kind: '' }, ...status, storedVersions: stored } as NonNullable<CustomResourceDefinition['status']>;
}

export const customResourceDefinitionKind = defineKind({
  group: 'apiextensions.k8s.io',
  version: 'v1',
  kind: 'CustomResourceDefinition',
  resource: 'customresourcedefinitions',
  namespaced: false,
  shortNames: ['crd', 'crds'],
  categories: ['api-extensions'],
  subresources: ['status'],
  schema: 'apiextensions/v1.CustomResourceDefinition',
  validate: validateCustomResourceDefinition,
  defaults: defaultCustomResourceDefinition,
  strategy: {
    tracksGeneration: true,
    allowCreateOnUpdate: false,
    prepareForCreate: (o) => ({ ...o, status: withStorageVersion(asCrd(o), undefined) }),
    prepareForUpdate(old, next, subresource) {
      if (subresource === 'status') return { ...old, metadata: { ...old.metadata, resourceVersion: next.metadata?.resourceVersion ?? old.metadata?.resourceVersion }, status: next.status };
      return { ...next, status: withStorageVersion(asCrd(next), asCrd(old).status) };
    },
    // Until a delete is asked for, the cleanup finalizer is implied: the delete only marks the definition.
    specFinalizers: (o) => (o.metadata?.deletionTimestamp ? [] : [CLEANUP_FINALIZER]),
    prepareForDelete(o) {
      const crd = asCrd(o);
      if (crd.status?.conditions?.some((c) => c.type === TERMINATING)) return o;
      const finalizers = [...(o.metadata?.finalizers ?? [])];
      if (!finalizers.includes(CLEANUP_FINALIZER)) finalizers.push(CLEANUP_FINALIZER);
      const conditions = setCondition(crd.status?.conditions, {
        type: TERMINATING, status: 'True', reason: 'InstanceDeletionPending',
        message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon',
        lastTransitionTime: o.metadata?.deletionTimestamp,
      });
      return { ...o, metadata: { ...o.metadata, finalizers }, status: { ...crd.status, conditions } };
    },
  },
  patchMeta: mount('status', CONDITIONS),
  fieldLabels: [],
  printer: customResourceDefinitionPrinter,
  protobuf: null,
  customFields: customResourceDefinitionFields,
});
